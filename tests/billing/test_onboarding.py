"""开始使用: the dashboard's first-run checklist — steps ticked from each company's own data, hidden and
shown per user (audited), staff only; and the web admin's "am I signed in?" check (auth/session)."""

from __future__ import annotations

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from tenants.residents.services import bindings
from tests.billing.test_ledger_api import _world

pytestmark = pytest.mark.django_db

URL = "/api/v1/onboarding/"
STEPS = ["estate", "houses", "residents", "fee_items", "first_bills", "owners"]


def _done(response) -> dict[str, bool]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert [step["key"] for step in body["steps"]] == STEPS
    return {step["key"]: step["done"] for step in body["steps"]}


def test_a_new_company_has_nothing_done_and_each_step_ticks_from_its_data(company_a, company_b, client_for):
    admin_a, admin_b = client_for(company_a, "admin"), client_for(company_b, "admin")
    assert _done(admin_a.get(URL)) == dict.fromkeys(STEPS, False)

    world = _world(company_a)  # an estate, houses, a person, a fee item and two bill runs
    assert _done(admin_a.get(URL)) == {**dict.fromkeys(STEPS, True), "owners": False}

    with tenant_context(company_a):
        owner = User.objects.create(username="owner-7", roles=["resident"])
        pending = bindings.request_binding(user=owner, house=world["houses"][1], relation="owner", name="李四")
    assert _done(admin_a.get(URL))["owners"] is False  # asked, not yet approved
    with tenant_context(company_a):
        bindings.approve_binding(binding_id=pending.pk, actor=User.objects.get(username="admin"))
    assert all(_done(admin_a.get(URL)).values())

    # the other company's data ticks nothing of its own
    assert _done(admin_b.get(URL)) == dict.fromkeys(STEPS, False)


def test_every_staff_role_reads_the_checklist_residents_and_strangers_do_not(company_a, client_for):
    for username in ("admin", "cashier", "dispatcher", "repair", "guard", "service"):
        assert client_for(company_a, username).get(URL).status_code == 200, username
    assert client_for(company_a).get(URL).status_code in (401, 403)
    assert client_for(company_a).post(f"{URL}hide/").status_code in (401, 403)

    from accounts import services as account_services

    with tenant_context(company_a):
        owner = User.objects.create(username="owner-8", roles=["resident"])
        raw, _token = account_services.issue_token(user=owner, kind="sms")
    resident = client_for(company_a)
    resident.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert resident.get(URL).status_code == 403
    assert resident.post(f"{URL}hide/").status_code == 403


def test_hiding_is_per_user_audited_and_undone_by_show(company_a, company_b, client_for):
    admin, cashier = client_for(company_a, "admin"), client_for(company_a, "cashier")
    assert admin.get(URL).json()["hidden"] is False

    hidden = admin.post(f"{URL}hide/")
    assert hidden.status_code == 200 and hidden.json()["hidden"] is True
    assert admin.get(URL).json()["hidden"] is True
    assert cashier.get(URL).json()["hidden"] is False  # someone else's card stays
    assert client_for(company_b, "admin").get(URL).json()["hidden"] is False  # same username, other company
    assert admin.post(f"{URL}hide/").json()["hidden"] is True  # again: nothing more written

    shown = admin.post(f"{URL}show/")
    assert shown.status_code == 200 and shown.json()["hidden"] is False
    with tenant_context(company_a):
        trail = list(
            AuditEvent.objects.filter(action__startswith="onboarding.")
            .order_by("at", "id")
            .values_list("action", "actor__username")
        )
    assert trail == [("onboarding.hidden", "admin"), ("onboarding.shown", "admin")]


def test_reading_the_checklist_is_a_fixed_handful_of_queries(company_a, client_for, django_assert_max_num_queries):
    _world(company_a)
    admin = client_for(company_a, "admin")
    with django_assert_max_num_queries(12):
        assert admin.get(URL).status_code == 200


# --- auth/session: the web admin's "am I signed in?" -------------------------------------------------------


def test_session_answers_200_for_anyone_and_says_only_whether_signed_in(company_a, client_for):
    anonymous = client_for(company_a).get("/api/v1/auth/session/")
    assert anonymous.status_code == 200 and anonymous.json() == {"authenticated": False}
    assert client_for(company_a).get("/api/v1/me/").status_code in (401, 403)  # me still refuses strangers

    signed_in = client_for(company_a, "cashier").get("/api/v1/auth/session/")
    assert signed_in.status_code == 200 and signed_in.json() == {"authenticated": True}


def test_session_of_one_company_is_not_signed_in_at_another(company_a, company_b, client_for):
    client = client_for(company_a, "admin")
    client.defaults["HTTP_HOST"] = "beta.localhost"
    assert client.get("/api/v1/auth/session/").json() == {"authenticated": False}


def test_session_of_a_disabled_user_is_not_signed_in(company_a, client_for):
    client = client_for(company_a, "cashier")
    with tenant_context(company_a):
        User.objects.filter(username="cashier").update(is_active=False)
    assert client.get("/api/v1/auth/session/").json() == {"authenticated": False}
