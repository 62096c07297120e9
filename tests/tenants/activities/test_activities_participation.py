"""The staff's view of participation: each sign-up's payment status read from billing (unpaid, paid,
refunded — a query over the charge and its payments), filterable; the per-activity figures on the
list (sign-ups, waiting, checked in, no-shows, paid amount) and both as .xlsx downloads; who may
read them, and nothing across companies."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from openpyxl import load_workbook

from accounts.models import User
from billing.models import Charge, ChargeKind, FeeItem
from billing.services import payments, refunds
from tenants.activities import selectors, services
from tests.tenants.activities.helpers import activity, estate_with_houses
from tests.tenants.test_repairs import _owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(company_a, client_for):
    _estate, houses = estate_with_houses(company_a, "缴费苑", 3)
    owners = [_owner(company_a, client_for, house, username=f"f{n}")[1] for n, house in enumerate(houses)]
    with tenant_context(company_a):
        item = FeeItem.objects.create(
            name="活动费", kind="one_off", mode="fixed", cycle_months=0, valid_from=date(2026, 1, 1), due_value=7
        )
    made = activity(company_a, title="亲子烘焙", capacity=3, max_people=2, fee=Decimal("30.00"), fee_item=item)
    with tenant_context(company_a):
        first = services.sign_up(activity=made, user=owners[0], people=2)
        second = services.sign_up(activity=made, user=owners[1], people=1)
        waiting = services.sign_up(activity=made, user=owners[2], people=1)
    return {"activity": made, "houses": houses, "owners": owners, "signups": (first, second, waiting)}


def _rows(client, made, query=""):
    response = client.get(f"/api/v1/activities/{made.pk}/signups/{query}")
    assert response.status_code == 200, response.content
    return {row["id"]: row for row in response.json()["results"]}


def _pay(company, house, amount, key):
    with tenant_context(company):
        cashier = User.objects.get(username="cashier")
        charge = Charge.objects.get(kind=ChargeKind.SERVICE, house=house)
        return payments.record_payment(
            house=house, amount=amount, method="cash", idempotency_key=key, actor=cashier, charge_ids=[charge.pk]
        )


def test_each_signup_shows_its_payment_as_billing_records_it(company_a, client_for, paid, outbox_sent):
    made, houses = paid["activity"], paid["houses"]
    first, second, waiting = paid["signups"]
    staff = client_for(company_a, "service")
    rows = _rows(staff, made)
    assert rows[first.pk]["payment_status"] == "unpaid" and rows[first.pk]["fee_charged"] == "60.00"
    assert rows[second.pk]["payment_status"] == "unpaid" and rows[second.pk]["fee_paid"] == "0.00"
    assert rows[waiting.pk]["payment_status"] is None  # nothing is owed while waiting

    payment = _pay(company_a, houses[0], Decimal("60.00"), "act-pay-1")
    rows = _rows(staff, made)
    assert rows[first.pk]["payment_status"] == "paid" and rows[first.pk]["fee_paid"] == "60.00"
    assert set(_rows(staff, made, "?payment_status=unpaid")) == {second.pk}  # who has not paid yet
    assert set(_rows(staff, made, "?payment_status=paid")) == {first.pk}
    assert set(_rows(staff, made, "?payment_status=unpaid&payment_status=paid")) == {first.pk, second.pk}

    with tenant_context(company_a):
        cashier, admin = User.objects.get(username="cashier"), User.objects.get(username="admin")
        refund = refunds.request_refund(
            house=houses[0],
            source="payment",
            payment=payment,
            amount=Decimal("60.00"),
            method="cash",
            reason="不能参加",
            actor=cashier,
        )
        refunds.approve_refund(refund=refund, actor=admin)
    rows = _rows(staff, made)
    assert rows[first.pk]["payment_status"] == "refunded" and rows[first.pk]["fee_paid"] == "0.00"
    assert set(_rows(staff, made, "?payment_status=refunded")) == {first.pk}
    assert staff.get(f"/api/v1/activities/{made.pk}/signups/?payment_status=bogus").status_code == 400


def test_a_cancelled_unpaid_seat_shows_cancelled_and_filters_work(company_a, client_for, paid):
    made = paid["activity"]
    first, second, waiting = paid["signups"]
    with tenant_context(company_a):
        services.cancel_signup(signup=second, actor=paid["owners"][1])  # the waiting owner is promoted
    staff = client_for(company_a, "admin")
    rows = _rows(staff, made)
    assert rows[second.pk]["payment_status"] == "cancelled" and rows[second.pk]["status"] == "cancelled"
    assert rows[waiting.pk]["payment_status"] == "unpaid" and rows[waiting.pk]["status"] == "confirmed"
    assert set(_rows(staff, made, "?status=confirmed")) == {first.pk, waiting.pk}
    assert set(_rows(staff, made, "?checked_in=false&status=confirmed")) == {first.pk, waiting.pk}
    answer = staff.post(f"/api/v1/activities/{made.pk}/check-in/", {"code": first.check_in_code}, format="json")
    assert answer.status_code == 200
    assert set(_rows(staff, made, "?checked_in=true")) == {first.pk}


def test_the_list_and_the_stats_carry_the_participation_figures(company_a, client_for, paid, outbox_sent):
    made, houses = paid["activity"], paid["houses"]
    first, _second, _waiting = paid["signups"]
    staff = client_for(company_a, "admin")
    staff.post(f"/api/v1/activities/{made.pk}/check-in/", {"code": first.check_in_code}, format="json")
    _pay(company_a, houses[0], Decimal("60.00"), "act-pay-2")
    row = next(r for r in staff.get("/api/v1/activities/").json()["results"] if r["id"] == made.pk)
    assert (row["signup_count"], row["confirmed_people"], row["waiting_count"]) == (2, 3, 1)
    assert (row["checked_in_people"], row["no_show_people"], row["paid_amount"]) == (2, 0, "60.00")
    stats = staff.get(f"/api/v1/activities/{made.pk}/stats/").json()
    assert (stats["paid_amount"], stats["owing"], stats["no_show_people"]) == ("60.00", 1, 0)
    with tenant_context(company_a):
        after = made.start_at + timedelta(hours=1)  # the clock after the start: the absent are no-shows
        listed = selectors.staff_activities(now=after).get(pk=made.pk)
        assert (listed.no_show_people, listed.checked_in_people) == (1, 2)  # type: ignore[attr-defined]
        assert selectors.activity_stats(made, now=after)["no_show_people"] == 1


def _sheet(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return [list(row) for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_participation_exports_as_a_workbook(company_a, client_for, paid, outbox_sent):
    made, houses = paid["activity"], paid["houses"]
    activity(company_a, title="免费观影")
    staff = client_for(company_a, "admin")
    staff.post(f"/api/v1/activities/{made.pk}/check-in/", {"code": paid["signups"][0].check_in_code}, format="json")
    _pay(company_a, houses[0], Decimal("60.00"), "act-pay-3")
    rows = _sheet(staff.get("/api/v1/activities/?format=xlsx"))
    assert rows[0][:2] == ["活动", "开始时间"] and rows[0][-1] == "已收金额（元）"
    baking = next(row for row in rows[1:] if row[0] == "亲子烘焙")
    assert baking[3] == "报名中" and baking[4:10] == [3, 2, 3, 1, 2, 0]
    assert baking[10] == 30 and baking[11] == 60
    assert any(row[0] == "免费观影" for row in rows[1:])
    only = _sheet(staff.get("/api/v1/activities/?format=xlsx&search=烘焙"))
    assert [row[0] for row in only[1:]] == ["亲子烘焙"]


def test_the_signup_list_exports_with_its_filters(company_a, client_for, paid, outbox_sent):
    made, houses = paid["activity"], paid["houses"]
    _pay(company_a, houses[0], Decimal("60.00"), "act-pay-4")
    staff = client_for(company_a, "service")
    rows = _sheet(staff.get(f"/api/v1/activities/{made.pk}/signups/?format=xlsx"))
    assert rows[0][:3] == ["小区", "房屋", "业主"] and "缴费状态" in rows[0]
    status_at, paid_at = rows[0].index("缴费状态"), rows[0].index("已缴金额（元）")
    assert sorted(str(row[status_at]) for row in rows[1:]) == ["None", "已缴", "未缴"]
    assert [row[paid_at] for row in rows[1:] if row[status_at] == "已缴"] == [60]
    unpaid = _sheet(staff.get(f"/api/v1/activities/{made.pk}/signups/?format=xlsx&payment_status=unpaid"))
    assert len(unpaid) == 2 and unpaid[1][2] == "业主f1"


EXPORTS = ["/api/v1/activities/?format=xlsx", "/api/v1/activities/{id}/signups/?format=xlsx"]


@pytest.mark.parametrize("path", EXPORTS)
@pytest.mark.parametrize("username", ["guard", "cashier", "repair"])
def test_staff_without_activities_manage_get_no_export(client_for, company_a, paid, username, path):
    response = client_for(company_a, username).get(path.format(id=paid["activity"].pk))
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", EXPORTS)
def test_an_owner_gets_no_export(client_for, company_a, paid, path):
    _estate, houses = estate_with_houses(company_a, "业主苑", 1)
    owner_client, _user = _owner(company_a, client_for, houses[0], username="exporter")
    assert owner_client.get(path.format(id=paid["activity"].pk)).status_code == 403


def test_company_b_sees_nothing_of_company_as_participation(client_for, company_a, company_b, paid):
    made = paid["activity"]
    other = client_for(company_b, "admin")
    assert other.get(f"/api/v1/activities/{made.pk}/signups/").status_code == 404
    assert other.get(f"/api/v1/activities/{made.pk}/signups/?format=xlsx").status_code == 404
    rows = _sheet(other.get("/api/v1/activities/?format=xlsx"))
    assert rows[1:] == []  # company B's own (empty) list, none of A's
    crossing = client_for(company_a, "admin")
    crossing.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert crossing.get(f"/api/v1/activities/{made.pk}/signups/?format=xlsx").status_code in (401, 403)


def test_the_lists_cost_the_same_queries_for_one_row_or_many(company_a, client_for, paid):
    made = paid["activity"]
    staff = client_for(company_a, "admin")
    counts = []
    for size in (1, 3):
        with CaptureQueriesContext(connection) as signup_queries:
            rows = staff.get(f"/api/v1/activities/{made.pk}/signups/?page_size={size}").json()["results"]
        with CaptureQueriesContext(connection) as list_queries:
            staff.get(f"/api/v1/activities/?page_size={size}")
        assert len(rows) == size
        counts.append((len(signup_queries), len(list_queries)))
    activity(company_a, title="第二个活动")
    activity(company_a, title="第三个活动")
    with CaptureQueriesContext(connection) as list_queries:
        assert len(staff.get("/api/v1/activities/?page_size=3").json()["results"]) == 3
    assert counts[0] == counts[1] and counts[1][1] == len(list_queries), counts
