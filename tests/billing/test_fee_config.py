"""Fee configuration (收费项目 / 收费对象): each mode's price rules, formulas refused when saved, prices
that never rewrite a charged period, bulk assignment that does what its preview said, once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent
from billing.models import Charge, FeeAssignment, FeeItem, FeePrice, Meter
from tenants.estates import services as estate_services
from tenants.estates.models import House

pytestmark = pytest.mark.django_db

ITEMS = "/api/v1/fee-items/"
ASSIGNMENTS = "/api/v1/fee-assignments/"


@pytest.fixture
def admin_a(client_for, company_a):
    return client_for(company_a, "admin")


@pytest.fixture
def estate(company_a):
    """翠湖苑 1栋: 3 floors × 1 unit × 2 per floor = 6 houses; two of them occupied, one a shop."""
    with tenant_context(company_a):
        estate = estate_services.create_estate(name="翠湖苑", actor=None)
        building = estate_services.create_building(estate=estate, name="1栋", floors=3, units=["1单元"], actor=None)
        houses = estate_services.generate_houses(
            building=building, per_floor=2, building_area=Decimal("89.50"), usable_area=Decimal("72.30"), actor=None
        )
        House.objects.filter(pk__in=[houses[0].pk, houses[1].pk]).update(status="occupied")
        House.objects.filter(pk=houses[5].pk).update(use="shop")
        other = estate_services.create_estate(name="云栖里", actor=None)
        other_building = estate_services.create_building(
            estate=other, name="A座", floors=2, units=["1单元"], actor=None
        )
        estate_services.generate_houses(
            building=other_building, per_floor=2, building_area=Decimal("60"), usable_area=Decimal("50"), actor=None
        )
    return {"estate": estate, "building": building, "houses": houses, "other": other}


def _item(**overrides):
    body = {
        "name": "物业费",
        "kind": "property",
        "mode": "building_area",
        "valid_from": "2025-01-01",
        "price": {"unit_price": "2.5"},
    }
    body.update(overrides)
    return body


def _create(client, **overrides):
    response = client.post(ITEMS, _item(**overrides), format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_an_area_item_is_created_with_its_first_price_and_amounts_as_strings(admin_a):
    item = _create(admin_a, name=" 物业费 ", late_fee={"strategy": "daily_rate", "rate": "0.0005", "grace_days": 15})
    assert item["name"] == "物业费"
    assert item["current_price"]["unit_price"] == "2.5000"
    assert item["current_price"]["fixed_extra"] == "0.00"
    assert item["current_price"]["effective_from"] == "2025-01-01"
    assert item["open_assignments"] == 0
    listed = admin_a.get(ITEMS, {"mode": "building_area", "search": "物业"}).json()
    assert [row["id"] for row in listed["results"]] == [item["id"]]
    assert admin_a.get(ITEMS, {"mode": "fixed"}).json()["count"] == 0


GOOD = {
    "usable_area": {"mode": "usable_area", "price": {"unit_price": "1.8"}},
    "fixed": {"mode": "fixed", "kind": "garbage", "price": {"unit_price": "15", "fixed_extra": "0.50"}},
    "count": {"mode": "count", "kind": "other", "price": {"unit_price": "20"}},
    "time": {"mode": "time", "kind": "parking", "time_unit": "day", "price": {"unit_price": "10"}},
    "one_off": {"mode": "fixed", "kind": "one_off", "cycle_months": 0, "price": {"unit_price": "200"}},
    "meter_tiers": {
        "mode": "meter",
        "kind": "water",
        "meter_kind": "water",
        "price": {"tiers": [["216", "3.45"], ["300", "4.83"], [None, "5.83"]]},
    },
    "meter_time_of_use": {
        "mode": "meter",
        "kind": "electricity",
        "meter_kind": "electricity",
        "price": {"unit_price": "0.538", "register_prices": {"peak": "0.568", "valley": "0.288"}},
    },
    "shared_meter": {
        "mode": "shared_meter",
        "kind": "shared",
        "meter_kind": "electricity",
        "price": {"unit_price": "1"},
    },
    "usage": {"mode": "usage", "kind": "other", "price": {"unit_price": "3.2"}},
    "formula": {"mode": "formula", "price": {"formula": "建筑面积 * unit_price + 5", "unit_price": "2.1"}},
    "formula_plain": {"mode": "formula", "price": {"formula": "max(building_area * 2, 100)"}},
    "due_day": {"mode": "fixed", "due_rule": "day_of_month", "due_value": 28, "price": {"unit_price": "1"}},
}


@pytest.mark.parametrize("case", sorted(GOOD))
def test_each_mode_accepts_a_complete_price(admin_a, case):
    item = _create(admin_a, **GOOD[case])
    assert item["mode"] == GOOD[case]["mode"]
    assert item["current_price"] is not None


BAD = {
    "area_without_price": ({"price": {}}, "price.unit_price"),
    "fixed_without_price": ({"mode": "fixed", "price": {"fixed_extra": "5"}}, "price.unit_price"),
    "time_without_price": ({"mode": "time", "price": {}}, "price.unit_price"),
    "count_without_price": ({"mode": "count", "price": {}}, "price.unit_price"),
    "no_price_at_all": ({"price": None}, "price"),
    "negative_price": ({"price": {"unit_price": "-1"}}, "price.unit_price"),
    "five_place_price": ({"price": {"unit_price": "1.23456"}}, "price.unit_price"),
    "three_place_amount": ({"price": {"unit_price": "1", "fixed_extra": "1.005"}}, "price.fixed_extra"),
    "meter_without_kind": ({"mode": "meter", "price": {"unit_price": "1"}}, "meter_kind"),
    "meter_unknown_kind": ({"mode": "meter", "meter_kind": "steam", "price": {"unit_price": "1"}}, "meter_kind"),
    "meter_without_price": ({"mode": "meter", "meter_kind": "water", "price": {}}, "price.unit_price"),
    "tiers_descending": (
        {"mode": "meter", "meter_kind": "water", "price": {"tiers": [["300", "3"], ["200", "4"], [None, "5"]]}},
        "price.tiers",
    ),
    "tiers_last_bounded": (
        {"mode": "meter", "meter_kind": "water", "price": {"tiers": [["100", "3"], ["200", "4"]]}},
        "price.tiers",
    ),
    "tiers_and_unit_price": (
        {"mode": "meter", "meter_kind": "water", "price": {"unit_price": "1", "tiers": [[None, "3"]]}},
        "price.unit_price",
    ),
    "tiers_on_area": ({"price": {"unit_price": "1", "tiers": [[None, "3"]]}}, "price.tiers"),
    "registers_half": (
        {"mode": "meter", "meter_kind": "electricity", "price": {"unit_price": "1", "register_prices": {"peak": "1"}}},
        "price.register_prices",
    ),
    "meter_kind_on_area": ({"meter_kind": "water"}, "meter_kind"),
    "formula_missing": ({"mode": "formula", "price": {}}, "price.formula"),
    "formula_on_area": ({"price": {"unit_price": "1", "formula": "building_area"}}, "price.formula"),
    "formula_divides_by_zero": (
        {"mode": "formula", "price": {"formula": "building_area / (floor - 1)"}},
        "price.formula",
    ),
    "formula_one_over_zero": ({"mode": "formula", "price": {"formula": "1/0"}}, "price.formula"),
    "formula_import": ({"mode": "formula", "price": {"formula": "__import__('os')"}}, "price.formula"),
    "formula_unknown_variable": ({"mode": "formula", "price": {"formula": "rent * 2"}}, "price.formula"),
    "formula_needs_unit_price": (
        {"mode": "formula", "price": {"formula": "usable_area * unit_price"}},
        "price.unit_price",
    ),
    "one_off_postpaid": ({"mode": "fixed", "cycle_months": 0, "timing": "postpaid"}, "timing"),
    "unknown_cycle": ({"cycle_months": 2}, "cycle_months"),
    "due_day_31": ({"due_rule": "day_of_month", "due_value": 31}, "due_value"),
    "due_day_0": ({"due_rule": "day_of_month", "due_value": 0}, "due_value"),
    "validity_backwards": ({"valid_until": "2024-12-31"}, "valid_until"),
    "late_fee_rate_as_float": ({"late_fee": {"strategy": "daily_rate", "rate": 0.0005}}, "late_fee"),
    "late_fee_unknown_setting": ({"late_fee": {"strategy": "daily_rate", "rate": "0.0005", "grase": 5}}, "late_fee"),
    "blank_name": ({"name": "   "}, "name"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_item_is_a_field_error_and_nothing_is_written(admin_a, company_a, case):
    overrides, field = BAD[case]
    body = _item(**overrides)
    if body.get("price") is None:
        body.pop("price")
    response = admin_a.post(ITEMS, body, format="json")
    assert response.status_code == 400, response.content
    fields = response.json()["fields"]
    assert any(key == field or key.startswith(field + ".") for key in fields), fields
    assert all(message for messages in fields.values() for message in messages)
    with tenant_context(company_a):
        assert not FeeItem.objects.exists()
        assert not FeePrice.objects.exists()


@pytest.mark.parametrize(
    ("formula", "reason"),
    [("1/0", "0"), ("__import__('os')", "__import__"), ("rent * 2", "rent"), ("building_area +", "")],
)
def test_a_formula_that_cannot_compute_is_refused_when_saved_with_the_reason(admin_a, formula, reason):
    response = admin_a.post(ITEMS, _item(mode="formula", price={"formula": formula}), format="json")
    assert response.status_code == 400
    (message,) = response.json()["fields"]["price.formula"]
    assert message and reason in message
    check = admin_a.post(f"{ITEMS}check-formula/", {"formula": formula}, format="json").json()
    assert check["ok"] is False and check["error"] == message and check["sample"] is None


def test_the_formula_check_gives_a_sample_for_a_typical_flat(admin_a, client_for, company_a):
    check = admin_a.post(f"{ITEMS}check-formula/", {"formula": "建筑面积 * 单价 + 5"}, format="json").json()
    assert check == {
        "ok": True,
        "error": "",
        "sample": "228.7500",  # 89.50 × 2.5 + 5
        "sample_variables": check["sample_variables"],
    }
    assert check["sample_variables"]["building_area"] == "89.50"
    # Checking writes nothing, but it is part of editing items: a cashier may not.
    cashier = client_for(company_a, "cashier")
    assert cashier.post(f"{ITEMS}check-formula/", {"formula": "1"}, format="json").status_code == 403


def test_a_duplicate_name_is_a_field_error(admin_a):
    _create(admin_a)
    response = admin_a.post(ITEMS, _item(name="物业费"), format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def _charge(company, item_id, house, start, end):
    """A regular charge as a bill run would issue it (the ledger is insert-only)."""
    with tenant_context(company):
        Charge.objects.create(
            house=house,
            estate_id=house.estate_id,
            building_id=house.building_id,
            fee_item_id=item_id,
            cycle_start=start,
            period_start=start,
            period_end=end,
            amount=Decimal("223.75"),
            issued_on=start,
            due_date=start,
        )


def test_a_price_change_never_rewrites_a_charged_period(admin_a, company_a, estate):
    item = _create(admin_a)
    _charge(company_a, item["id"], estate["houses"][0], date(2025, 1, 1), date(2025, 2, 1))
    prices = f"{ITEMS}{item['id']}/prices/"

    inside = admin_a.post(prices, {"effective_from": "2025-01-15", "unit_price": "3"}, format="json")
    assert inside.status_code == 400
    assert "2025-02-01" in inside.json()["fields"]["effective_from"][0]

    later = admin_a.post(prices, {"effective_from": "2025-02-01", "unit_price": "3"}, format="json")
    assert later.status_code == 201, later.content
    assert later.json()["unit_price"] == "3.0000"
    again = admin_a.post(prices, {"effective_from": "2025-02-01", "unit_price": "4"}, format="json")
    assert again.status_code == 400 and "effective_from" in again.json()["fields"]
    bad = admin_a.post(prices, {"effective_from": "2025-03-01", "formula": "building_area"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"formula", "unit_price"}

    listed = admin_a.get(prices).json()
    assert [(p["effective_from"], p["unit_price"]) for p in listed] == [
        ("2025-02-01", "3.0000"),
        ("2025-01-01", "2.5000"),
    ]


def test_what_a_charge_was_computed_with_stays_once_charged(admin_a, company_a, estate):
    item = _create(admin_a)
    path = f"{ITEMS}{item['id']}/"
    # Never charged: the mode may change (its price fits the new mode).
    assert admin_a.patch(path, {"mode": "usable_area"}, format="json").status_code == 200
    refused = admin_a.patch(path, {"mode": "formula"}, format="json")
    assert refused.status_code == 400 and "mode" in refused.json()["fields"]
    bad_price = admin_a.patch(path, {"mode": "formula", "price": {"formula": "1/0"}}, format="json")
    assert bad_price.status_code == 400 and "price.formula" in bad_price.json()["fields"]
    switched = admin_a.patch(path, {"mode": "formula", "price": {"formula": "building_area * 2"}}, format="json")
    assert switched.status_code == 200, switched.content
    assert switched.json()["current_price"]["formula"] == "building_area * 2"
    with tenant_context(company_a):
        assert FeePrice.objects.filter(fee_item_id=item["id"]).count() == 1
    earlier = admin_a.patch(path, {"valid_from": "2024-12-01"}, format="json")
    assert earlier.json()["current_price"]["effective_from"] == "2024-12-01"

    _charge(company_a, item["id"], estate["houses"][0], date(2025, 1, 1), date(2025, 2, 1))
    for change in ({"mode": "usable_area"}, {"cycle_months": 3}, {"kind": "other"}, {"timing": "postpaid"}):
        response = admin_a.patch(path, change, format="json")
        assert response.status_code == 400, change
        (field,) = change
        assert "已出过账单" in response.json()["fields"][field][0]
    repriced = admin_a.patch(path, {"price": {"formula": "building_area * 3"}}, format="json")
    assert repriced.status_code == 400 and "price" in repriced.json()["fields"]
    assert admin_a.patch(path, {"valid_from": "2024-11-01"}, format="json").status_code == 400
    renamed = admin_a.patch(path, {"name": "住宅物业费", "rounding": "down", "due_value": 20}, format="json")
    assert renamed.status_code == 200 and renamed.json()["rounding"] == "down"
    assert admin_a.patch(path, {"valid_until": "2025-01-20"}, format="json").status_code == 400
    assert admin_a.delete(path).status_code == 409
    assert admin_a.post(f"{path}deactivate/").json()["active"] is False


def _assign_body(item, estate, **more):
    return {"fee_item": item["id"], "start": "2025-01-01", "estate": estate["estate"].pk, **more}


def test_the_preview_counts_are_what_assigning_does_and_assigning_again_does_nothing(admin_a, company_a, estate):
    item = _create(admin_a)
    first_house = estate["houses"][0]
    single = admin_a.post(ASSIGNMENTS, _assign_body(item, estate, house=first_house.pk), format="json")
    assert single.status_code == 201 and single.json()["to_assign"] == 1

    body = _assign_body(item, estate, statuses=["occupied", "unsold"], uses=["residential"])
    preview = admin_a.post(f"{ASSIGNMENTS}preview/", body, format="json")
    assert preview.status_code == 200, preview.content
    shown = preview.json()
    assert (shown["matched"], shown["already_assigned"], shown["to_assign"], shown["missing_data"]) == (5, 1, 4, 0)
    assert [h["already_assigned"] for h in shown["houses"]].count(True) == 1
    assert len(shown["houses"]) == 5

    with tenant_context(company_a):
        audits_before = AuditEvent.objects.filter(action="fee_item.assign").count()
    done = admin_a.post(ASSIGNMENTS, body, format="json")
    assert done.status_code == 201
    assert done.json() == {k: shown[k] for k in ("matched", "already_assigned", "to_assign", "missing_data")}
    with tenant_context(company_a):
        assert FeeAssignment.objects.filter(fee_item_id=item["id"]).count() == 5
        event = AuditEvent.objects.filter(action="fee_item.assign").latest("id")
        assert AuditEvent.objects.filter(action="fee_item.assign").count() == audits_before + 1
        assert event.after["to_assign"] == 4
        assert event.after["filters"] == {
            "estate": estate["estate"].pk,
            "statuses": ["occupied", "unsold"],
            "uses": ["residential"],
        }

    again = admin_a.post(ASSIGNMENTS, body, format="json")
    assert again.status_code == 200
    assert again.json()["to_assign"] == 0 and again.json()["already_assigned"] == 5
    with tenant_context(company_a):
        assert FeeAssignment.objects.filter(fee_item_id=item["id"]).count() == 5
        assert AuditEvent.objects.filter(action="fee_item.assign").count() == audits_before + 1

    listed = admin_a.get(ASSIGNMENTS, {"fee_item": item["id"], "open": "true"}).json()
    assert listed["count"] == 5
    assert admin_a.get(ITEMS).json()["results"][0]["open_assignments"] == 5


def test_a_bulk_assignment_needs_a_place_and_an_active_item(admin_a, estate):
    item = _create(admin_a)
    nowhere = admin_a.post(ASSIGNMENTS, {"fee_item": item["id"], "start": "2025-01-01"}, format="json")
    assert nowhere.status_code == 400 and "estate" in nowhere.json()["fields"]
    early = admin_a.post(ASSIGNMENTS, _assign_body(item, estate, start="2024-12-01"), format="json")
    assert early.status_code == 400 and "start" in early.json()["fields"]
    zero = admin_a.post(ASSIGNMENTS, _assign_body(item, estate, quantity="0"), format="json")
    assert zero.status_code == 400 and "quantity" in zero.json()["fields"]
    admin_a.post(f"{ITEMS}{item['id']}/deactivate/")
    stopped = admin_a.post(ASSIGNMENTS, _assign_body(item, estate), format="json")
    assert stopped.status_code == 400 and "fee_item" in stopped.json()["fields"]


def test_a_meter_item_previews_the_houses_without_such_a_meter(admin_a, company_a, estate):
    item = _create(admin_a, name="水费", kind="water", mode="meter", meter_kind="water", price={"unit_price": "3.45"})
    with tenant_context(company_a):
        house = estate["houses"][2]
        Meter.objects.create(kind="water", number="W-001", house=house, estate_id=house.estate_id)
        Meter.objects.create(kind="electricity", number="E-001", house=estate["houses"][3], estate_id=house.estate_id)
    shown = admin_a.post(f"{ASSIGNMENTS}preview/", _assign_body(item, estate), format="json").json()
    assert (shown["matched"], shown["to_assign"], shown["missing_data"]) == (6, 6, 5)
    assert shown["missing_reason"]
    flagged = {h["id"]: h["missing_data"] for h in shown["houses"]}
    assert flagged[house.pk] is False and sum(flagged.values()) == 5
    done = admin_a.post(ASSIGNMENTS, _assign_body(item, estate), format="json").json()
    assert done["missing_data"] == 5 and done["to_assign"] == 6


def test_an_assignment_ends_no_earlier_than_what_is_charged(admin_a, company_a, estate):
    item = _create(admin_a)
    house = estate["houses"][0]
    admin_a.post(ASSIGNMENTS, _assign_body(item, estate, house=house.pk), format="json")
    (row,) = admin_a.get(ASSIGNMENTS, {"house": house.pk}).json()["results"]
    _charge(company_a, item["id"], house, date(2025, 1, 1), date(2025, 4, 1))
    end = f"{ASSIGNMENTS}{row['id']}/end/"

    assert admin_a.post(end, {"end": "2024-12-01"}, format="json").status_code == 400
    early = admin_a.post(end, {"end": "2025-03-01"}, format="json")
    assert early.status_code == 400 and "2025-04-01" in early.json()["fields"]["end"][0]
    ended = admin_a.post(end, {"end": "2025-04-01"}, format="json")
    assert ended.status_code == 200 and ended.json()["end"] == "2025-04-01"
    assert admin_a.post(end, {"end": "2025-05-01"}, format="json").status_code == 409
    # Ended from April: assigning from March would overlap, from April it is new.
    overlap = admin_a.post(ASSIGNMENTS, _assign_body(item, estate, house=house.pk, start="2025-03-01"), format="json")
    assert overlap.json()["already_assigned"] == 1 and overlap.json()["to_assign"] == 0
    resumed = admin_a.post(ASSIGNMENTS, _assign_body(item, estate, house=house.pk, start="2025-04-01"), format="json")
    assert resumed.status_code == 201 and resumed.json()["to_assign"] == 1


def test_a_new_quantity_applies_from_a_date_as_a_new_assignment(admin_a, company_a, estate):
    item = _create(admin_a, name="车位管理费", kind="parking", mode="count", price={"unit_price": "50"})
    house = estate["houses"][1]
    admin_a.post(ASSIGNMENTS, _assign_body(item, estate, house=house.pk, quantity="1"), format="json")
    (row,) = admin_a.get(ASSIGNMENTS, {"house": house.pk}).json()["results"]
    _charge(company_a, item["id"], house, date(2025, 1, 1), date(2025, 2, 1))
    change = f"{ASSIGNMENTS}{row['id']}/change-quantity/"
    assert admin_a.post(change, {"quantity": "2", "from_date": "2025-01-15"}, format="json").status_code == 400
    successor = admin_a.post(change, {"quantity": "2", "from_date": "2025-02-01"}, format="json")
    assert successor.status_code == 201, successor.content
    assert (successor.json()["start"], successor.json()["quantity"], successor.json()["end"]) == (
        "2025-02-01",
        "2.0000",
        None,
    )
    rows = admin_a.get(ASSIGNMENTS, {"house": house.pk, "ordering": "start"}).json()["results"]
    assert [(r["start"], r["end"], r["quantity"]) for r in rows] == [
        ("2025-01-01", "2025-02-01", "1.0000"),
        ("2025-02-01", None, "2.0000"),
    ]


def test_cashiers_see_fee_items_but_do_not_change_them_and_residents_see_nothing(
    admin_a, client_for, company_a, estate
):
    from accounts import services as account_services
    from tests.conftest import PASSWORD

    item = _create(admin_a)
    cashier = client_for(company_a, "cashier")
    assert cashier.get(ITEMS).status_code == 200
    assert cashier.get(f"{ITEMS}{item['id']}/prices/").status_code == 200
    assert cashier.get(ASSIGNMENTS).status_code == 200
    assert cashier.post(ITEMS, _item(name="水费"), format="json").status_code == 403
    assert cashier.patch(f"{ITEMS}{item['id']}/", {"name": "改"}, format="json").status_code == 403
    assert (
        cashier.post(f"{ITEMS}{item['id']}/prices/", {"effective_from": "2025-06-01"}, format="json").status_code == 403
    )
    assert cashier.post(ASSIGNMENTS, _assign_body(item, estate), format="json").status_code == 403
    assert cashier.post(f"{ASSIGNMENTS}preview/", _assign_body(item, estate), format="json").status_code == 403

    with tenant_context(company_a):
        account_services.create_user(username="owner1", name="业主", roles=["resident"], password=PASSWORD)
    resident = client_for(company_a, "owner1")
    assert resident.get(ITEMS).status_code == 403
    assert resident.get(ASSIGNMENTS).status_code == 403
    assert resident.get(f"{ITEMS}{item['id']}/").status_code == 403


def test_another_company_cannot_reach_these_items(admin_a, client_for, company_b, estate):
    item = _create(admin_a)
    admin_a.post(ASSIGNMENTS, _assign_body(item, estate), format="json")
    assignment = admin_a.get(ASSIGNMENTS).json()["results"][0]
    admin_b = client_for(company_b, "admin")
    assert admin_b.get(ITEMS).json()["count"] == 0
    assert admin_b.get(ASSIGNMENTS).json()["count"] == 0
    for method, path, body in (
        ("get", f"{ITEMS}{item['id']}/", None),
        ("patch", f"{ITEMS}{item['id']}/", {"name": "改"}),
        ("delete", f"{ITEMS}{item['id']}/", None),
        ("get", f"{ITEMS}{item['id']}/prices/", None),
        ("post", f"{ITEMS}{item['id']}/prices/", {"effective_from": "2025-06-01", "unit_price": "1"}),
        ("post", f"{ITEMS}{item['id']}/deactivate/", None),
        ("get", f"{ASSIGNMENTS}{assignment['id']}/", None),
        ("post", f"{ASSIGNMENTS}{assignment['id']}/end/", {"end": "2026-01-01"}),
    ):
        response = getattr(admin_b, method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
    # B's bulk assignment cannot name A's item or estate either: they are not there.
    refused = admin_b.post(ASSIGNMENTS, _assign_body(item, estate), format="json")
    assert refused.status_code == 400 and {"fee_item", "estate"} <= set(refused.json()["fields"])


@pytest.mark.parametrize("path", [ITEMS, ASSIGNMENTS])
def test_list_queries_do_not_grow_with_page_size(admin_a, company_a, estate, path):
    for number in range(5):
        item = _create(admin_a, name=f"收费{number}", valid_from="2025-01-01")
        admin_a.post(f"{ITEMS}{item['id']}/prices/", {"effective_from": "2025-06-01", "unit_price": "3"}, format="json")
        admin_a.post(ASSIGNMENTS, _assign_body(item, estate), format="json")
    counts = []
    for size in (2, 50):
        with CaptureQueriesContext(connection) as queries:
            response = admin_a.get(f"{path}?page_size={size}")
            assert response.status_code == 200
        assert len(response.json()["results"]) == size if size == 2 else True
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
