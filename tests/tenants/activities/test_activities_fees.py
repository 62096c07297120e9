"""A paid activity's fee through billing: a confirmed seat posts fee × people on the owner's house
(once per sign-up, shown in the owner's bills), a waiting sign-up owes nothing until promoted, a
cancelled seat takes back the unpaid charge, and the editor refuses a fee without a one-off item."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import Charge, ChargeKind, FeeItem
from billing.selectors.service_charges import service_charges
from core.errors import DomainError
from tenants.activities import services
from tests.tenants.activities.helpers import activity, estate_with_houses
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db


def _one_off(name: str, cycle: int = 0) -> FeeItem:
    return FeeItem.objects.create(
        name=name, kind="one_off", mode="fixed", cycle_months=cycle, valid_from=date(2026, 1, 1), due_value=7
    )


@pytest.fixture
def paid(company_a, client_for):
    _estate, houses = estate_with_houses(company_a, "收费苑")
    c1, o1 = _owner(company_a, client_for, houses[0], username="p1")
    c2, o2 = _owner(company_a, client_for, houses[1], username="p2")
    with tenant_context(company_a):
        item = _one_off("活动费")
    made = activity(company_a, capacity=2, max_people=2, fee=Decimal("25.50"), fee_item=item)
    return {"activity": made, "houses": houses, "owners": [(c1, o1), (c2, o2)], "item": item}


def _charges(house):
    return list(Charge.objects.filter(kind=ChargeKind.SERVICE, house=house).values_list("source", "amount"))


def test_a_confirmed_seat_is_charged_once_and_a_cancellation_takes_it_back(company_a, paid):
    made, (house1, house2) = paid["activity"], paid["houses"]
    (c1, _o1), (c2, _o2) = paid["owners"]
    answer = c1.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 2}, format="json").json()
    mine = answer["my_signup"]
    assert answer["fee"] == "25.50" and mine["fee_total"] == "51.00" and mine["charge_status"] == "unpaid"
    waiting = c2.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 1}, format="json").json()
    assert waiting["my_signup"]["status"] == "waiting" and waiting["my_signup"]["charge_status"] is None
    with tenant_context(company_a):
        assert _charges(house1) == [(f"activities.signup:{mine['id']}", Decimal("51.00"))]
        assert _charges(house2) == []  # nothing owed while waiting

    c1.post(f"/api/v1/owner/activities/{made.pk}/cancel-signup/", {}, format="json")
    with tenant_context(company_a):
        source1 = f"activities.signup:{mine['id']}"
        assert service_charges([source1])[source1].status == "cancelled"
        # o2 promoted: now charged for their one seat
        source2 = f"activities.signup:{waiting['my_signup']['id']}"
        assert service_charges([source2])[source2].amount == Decimal("25.50")
    bills = c2.get("/api/v1/owner/activity-signups/").json()["results"][0]
    assert bills["status"] == "confirmed" and bills["charge_status"] == "unpaid"


def test_cancelling_a_paid_activity_takes_back_every_unpaid_charge(company_a, paid):
    made = paid["activity"]
    with tenant_context(company_a):
        admin = User.objects.get(username="admin")
        signup = services.sign_up(activity=made, user=paid["owners"][0][1], people=1)
        services.cancel_activity(activity=made, actor=admin)
        found = service_charges([signup.charge_source])[signup.charge_source]
        assert found.status == "cancelled" and found.outstanding == 0


def test_a_fee_needs_an_active_one_off_item(company_a):
    with tenant_context(company_a):
        monthly = _one_off("月度费", cycle=1)
    with pytest.raises(DomainError) as error:
        activity(company_a, publish=False, fee=Decimal("10"))
    assert "fee_item" in error.value.fields
    with pytest.raises(DomainError) as error:
        activity(company_a, publish=False, fee=Decimal("10"), fee_item=monthly)
    assert "fee_item" in error.value.fields
    with pytest.raises(DomainError) as error:
        activity(company_a, publish=False, fee=Decimal("-1"))
    assert "fee" in error.value.fields


def test_a_fee_item_deactivated_later_keeps_the_activity_working(company_a, paid):
    """Staff deactivate the activity's fee item after publishing: an owner can still cancel (the
    waiting owner is promoted and charged under it), the capacity can still grow — and the item can
    no longer be chosen for a new activity."""
    made, (_house1, house2) = paid["activity"], paid["houses"]
    (c1, _o1), (c2, _o2) = paid["owners"]
    assert c1.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 2}, format="json").status_code == 201
    waiting = c2.post(f"/api/v1/owner/activities/{made.pk}/sign-up/", {"people": 1}, format="json").json()
    assert waiting["my_signup"]["status"] == "waiting"
    with tenant_context(company_a):
        FeeItem.objects.filter(pk=paid["item"].pk).update(active=False)
    cancelled = c1.post(f"/api/v1/owner/activities/{made.pk}/cancel-signup/", {}, format="json")
    assert cancelled.status_code == 200, cancelled.content
    with tenant_context(company_a):
        assert _charges(house2) == [(f"activities.signup:{waiting['my_signup']['id']}", Decimal("25.50"))]
        admin = User.objects.get(username="admin")
        made.refresh_from_db()
        services.update_activity(activity=made, actor=admin, capacity=5)
        with pytest.raises(DomainError) as refused:
            services.create_activity(
                actor=admin,
                title="新活动",
                start_at=made.start_at,
                end_at=made.end_at,
                signup_deadline=made.signup_deadline,
                place="会所",
                capacity=3,
                max_people=1,
                target="company",
                fee=Decimal("10.00"),
                fee_item=FeeItem.objects.get(pk=paid["item"].pk),
            )
        assert "fee_item" in refused.value.fields
