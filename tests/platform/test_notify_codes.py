"""Login and password-reset codes through the notification service (one SMS path): a login code goes
to a bare phone (a delivery without a user), at once, the provider's refusal answered to the caller
as before; a code is sealed in the notification (never stored in clear), masked in the delivery log,
never retried by staff; a password code the provider could not take now is sent by its message's
retry, once."""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context, tenant_context

from accounts import passwords
from accounts import services as account_services
from core import crypto
from core.outbox import services as outbox
from core.outbox.models import OutboxMessage
from notifications.models import Delivery, Notification
from standins import sms as sms_standin

pytestmark = pytest.mark.django_db

PHONES = ("13522220001", "13522220002", "13522220003", "13522220004", "13522220005")


@pytest.fixture(autouse=True)
def _clean():
    for phone in PHONES:
        sms_standin.reset(phone)
    sms_standin._store().delete(f"{sms_standin.PREFIX}fail-next")
    yield
    for phone in PHONES:
        sms_standin.reset(phone)
    sms_standin._store().delete(f"{sms_standin.PREFIX}fail-next")


def _send(client, phone):
    return client.post("/api/v1/auth/sms/send/", {"phone": phone}, format="json")


def test_a_login_code_goes_to_a_bare_phone_sealed_and_masked(client_for, company_a, company_b):
    phone = PHONES[0]
    sent = _send(client_for(company_a), phone)
    assert sent.status_code == 200, sent.content
    code = sms_standin.outbox(phone)[0]["params"][0]
    with tenant_context(company_a):
        notification = Notification.objects.get(event="account.login_code")
        delivery = Delivery.objects.get(notification=notification)
        assert delivery.recipient_id is None and delivery.channel == "sms" and delivery.status == "sent"
        assert delivery.address == "135****0001" and phone not in delivery.to
        assert crypto.decrypt(delivery.to) == phone
        stored = json.dumps(notification.context)
        assert code not in stored and crypto.decrypt(notification.context["code"]) == code
        assert not Delivery.objects.filter(notification=notification, channel="inbox").exists()
    log = client_for(company_a, "admin").get("/api/v1/notification-deliveries/?notification__event=account.login_code")
    assert log.status_code == 200, log.content
    (row,) = log.json()["results"]
    assert row["recipient"] is None and row["recipient_name"] == "" and row["address"] == "135****0001"
    assert code not in log.content.decode() and phone not in log.content.decode()
    with tenant_context(company_b):
        assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("provider_code", "status", "answer_code"),
    [
        ("LimitExceeded.PhoneNumberThirtySecondLimit", 429, "throttled"),
        ("InvalidParameterValue.IncorrectPhoneNumber", 400, None),
        ("InternalError.Timeout", 503, "sms_unavailable"),
    ],
)
def test_the_providers_refusal_is_the_callers_answer_and_never_sent_later(
    client_for, company_a, outbox_sent, provider_code, status, answer_code
):
    phone = PHONES[1]
    sms_standin.fail_next(provider_code, times=sms_standin.DEMO_CONFIG.attempts)  # the adapter's own tries too
    refused = _send(client_for(company_a), phone)
    assert refused.status_code == status, refused.content
    if answer_code:
        assert refused.json()["code"] == answer_code
    else:
        assert "phone" in refused.json()["fields"]
    with tenant_context(company_a):
        delivery = Delivery.objects.get(notification__event="account.login_code")
        assert delivery.status == "failed" and provider_code in delivery.reason
    assert outbox_sent == []  # nothing queued to send it later: a code is sent now or asked for again
    retry = client_for(company_a, "admin").post(f"/api/v1/notification-deliveries/{delivery.pk}/retry/")
    assert retry.status_code == 409 and retry.json()["code"] == "delivery_code"
    assert sms_standin.outbox(phone) == []


def test_a_password_code_the_provider_could_not_take_goes_on_the_retry_once(client_for, company_a, outbox_sent):
    phone = PHONES[2]
    with tenant_context(company_a):
        user = account_services.create_user(
            username="coded", name="管家", roles=["customer_service"], phone=phone, password="Old-pass-2026"
        )
    asked = client_for(company_a).post("/api/v1/auth/password/forgot/", {"login": "coded"}, format="json")
    assert asked.status_code == 200
    (message_id,) = outbox_sent
    sms_standin.fail_next("InternalError.Timeout", times=sms_standin.DEMO_CONFIG.attempts)
    assert outbox.deliver(message_id=message_id) == "retry"
    with tenant_context(company_a):
        delivery = Delivery.objects.get(notification__event="account.password_code")
        assert delivery.recipient_id == user.pk and delivery.status == "retrying"
    assert sms_standin.outbox(phone) == []
    # The message's retry (run here at once) sends the same delivery; a further redelivery sends nothing.
    with schema_context("public"):
        payload = OutboxMessage.objects.get(pk=message_id).payload
    with tenant_context(company_a):
        passwords.deliver(**payload)
        passwords.deliver(**payload)
        delivery.refresh_from_db()
        assert delivery.status == "sent" and delivery.attempts == 2
        assert Notification.objects.filter(event="account.password_code").count() == 1
        assert crypto.decrypt(delivery.notification.context["code"]) == sms_standin.outbox(phone)[0]["params"][0]
    assert len(sms_standin.outbox(phone)) == 1
