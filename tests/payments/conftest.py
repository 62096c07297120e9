"""Payments' fixtures: a company set up as a WeChat Pay sub-merchant of the stand-in, an owner who
signed in through its mini-program, bills to pay, and WeChat Pay's side (the stand-in) to pay them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django_tenants.utils import tenant_context

SUB_MCHIDS = {"alpha": "1230000001", "beta": "1230000002"}
APPIDS = {"alpha": "wxa1a1a1a1a1a1a1a1", "beta": "wxb2b2b2b2b2b2b2b2"}
NOTIFY = "/api/v1/payments/wechat/notify/"


def make_merchant(company) -> None:
    from accounts.models import User
    from payments.services import merchant
    from standins import wechatpay

    with tenant_context(company):
        admin = User.objects.get(username="admin")
        merchant.update_wechat_merchant(
            company=company,
            actor=admin,
            sub_mchid=SUB_MCHIDS[company.slug],
            sub_appid=APPIDS[company.slug],
            secret="s3cr3tS3cr3tS3cr3tS3cr3t",
        )
    wechatpay.register_sub_merchant(SUB_MCHIDS[company.slug], APPIDS[company.slug])


@dataclass
class Payer:
    company: Any
    client: Any
    user: Any
    house: Any
    charges: list
    world: dict


def make_payer(company, client_for, username="payer-1") -> Payer:
    from accounts.models import User
    from billing.models import Charge
    from tests.billing.test_ledger_api import _owner_client, _world

    world = _world(company, name=f"付款苑{username}")
    house = world["houses"][0]
    client = _owner_client(company, client_for, person=world["person"], username=username)
    with tenant_context(company):
        user = User.objects.get(username=username)
        user.wechat_openid = f"o{company.slug}{username}openid000000"
        user.save(update_fields=["wechat_openid"])
        charges = list(Charge.objects.filter(house=house, kind="regular").order_by("due_date", "id"))
    return Payer(company=company, client=client, user=user, house=house, charges=charges, world=world)


@pytest.fixture
def alpha_merchant(company_a):
    make_merchant(company_a)
    return company_a


@pytest.fixture
def payer(alpha_merchant, client_for):
    return make_payer(alpha_merchant, client_for)


def start(payer: Payer, charge_ids=None, key="attempt-1"):
    body: dict = {"house": payer.house.pk, "idempotency_key": key}
    if charge_ids is not None:
        body["charge_ids"] = charge_ids
    return payer.client.post("/api/v1/owner/payments/", body, format="json")


def post_notification(client, delivery, *, headers: dict | None = None, body: bytes | None = None):
    sent = {
        f"HTTP_{k.upper().replace('-', '_')}": v for k, v in (delivery.headers if headers is None else headers).items()
    }
    return client.post(
        NOTIFY, data=body if body is not None else delivery.body, content_type="application/json", **sent
    )
