"""Meters and readings (抄表): the reading chain, rollover, holds and review, shared-meter shares,
usage for the bill run, the reader's route, roles, isolation and bad input."""

from __future__ import annotations

import itertools
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import AuditEvent, User
from billing.models import Meter, MeterReading, ReadingStatus
from billing.selectors import meters as selectors
from billing.services import meters as services
from core.errors import DomainError
from tenants.estates.models import Building, Estate, House, Unit
from tenants.estates.services import new_binding_code

pytestmark = pytest.mark.django_db

D = Decimal


def _place(name: str = "翠湖苑", areas: tuple[str, ...] = ("89.50", "120.00", "60.25")) -> tuple[Building, list[House]]:
    estate = Estate.objects.create(name=name)
    building = Building.objects.create(estate=estate, name="1栋", floors=30)
    unit = Unit.objects.create(building=building, name="1单元")
    houses = [
        House.objects.create(
            unit=unit,
            building=building,
            estate=estate,
            number=f"{floor}01",
            floor=floor,
            building_area=D(area),
            usable_area=D(area),
            binding_code=new_binding_code(),
        )
        for floor, area in enumerate(areas, 1)
    ]
    return building, houses


@pytest.fixture
def place(company_a):
    with tenant_context(company_a):
        building, houses = _place()
        yield building, houses, User.objects.get(username="admin")


def _read(meter: Meter, day: date, current: str, actor, register: str = "total") -> MeterReading:
    return services.record_reading(meter=meter, read_on=day, current=D(current), register=register, actor=actor)


def _house_meter(house: House, actor, number: str = "W-101", **extra) -> Meter:
    return services.create_meter(kind="water", number=number, house=house, actor=actor, **extra)


# --- the chain -----------------------------------------------------------------------------


def test_previous_chains_from_the_initial_reading_then_the_last_current(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin, initial_reading=D("100"))
    first = _read(meter, date(2025, 1, 31), "120.5", admin)
    second = _read(meter, date(2025, 2, 28), "135", admin)
    assert (first.previous, first.usage, first.status) == (D("100.00"), D("20.50"), ReadingStatus.OK)
    assert (second.previous, second.usage) == (D("120.50"), D("14.50"))
    assert AuditEvent.objects.filter(action="meter_reading.record", object_id=str(second.pk)).exists()


def test_usage_counts_the_multiplier(place):
    _building, houses, admin = place
    meter = services.create_meter(kind="electricity", number="E-1", house=houses[0], multiplier=D("40"), actor=admin)
    assert _read(meter, date(2025, 1, 31), "12.5", admin).usage == D("500.00")


def test_a_reading_must_come_after_the_last_one(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin)
    _read(meter, date(2025, 1, 31), "10", admin)
    for day in (date(2025, 1, 31), date(2025, 1, 15)):
        with pytest.raises(DomainError) as refused:
            _read(meter, day, "12", admin)
        assert "2025-01-31" in refused.value.fields["read_on"][0]
    with pytest.raises(DomainError) as future:
        _read(meter, date(2099, 1, 1), "12", admin)
    assert "read_on" in future.value.fields
    assert meter.readings.count() == 1


def test_registers_chain_apart_and_only_on_a_time_of_use_meter(place):
    _building, houses, admin = place
    plain = _house_meter(houses[0], admin)
    with pytest.raises(DomainError) as refused:
        _read(plain, date(2025, 1, 31), "5", admin, register="peak")
    assert "register" in refused.value.fields
    tou = services.create_meter(kind="electricity", number="E-2", house=houses[1], time_of_use=True, actor=admin)
    peak = _read(tou, date(2025, 1, 31), "30", admin, register="peak")
    valley = _read(tou, date(2025, 1, 31), "50", admin, register="valley")
    later = _read(tou, date(2025, 2, 28), "42", admin, register="peak")
    assert (peak.previous, valley.previous, later.previous, later.usage) == (D("0"), D("0"), D("30"), D("12"))


# --- rollover --------------------------------------------------------------------------------


def test_a_dial_that_turns_over_counts_the_turn(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin, rollover_at=D("99999"), initial_reading=D("99990"))
    turned = _read(meter, date(2025, 1, 31), "5", admin)
    # 99990 → 99999 is 9 units, → 00000 one more, → 00005 five more.
    assert (turned.usage, turned.rolled_over, turned.status) == (D("15.00"), True, ReadingStatus.OK)
    after = _read(meter, date(2025, 2, 28), "20", admin)
    assert (after.previous, after.usage, after.rolled_over) == (D("5.00"), D("15.00"), False)


def test_a_dial_with_a_decimal_place_steps_by_a_tenth(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin, rollover_at=D("9999.9"), initial_reading=D("9999.5"))
    assert _read(meter, date(2025, 1, 31), "0.3", admin).usage == D("0.80")
    assert services.dial_modulus(D("99999.00")) == D("100000")


def test_an_implausible_turn_is_held_as_negative_usage(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin, rollover_at=D("99999"), initial_reading=D("50000"))
    reading = _read(meter, date(2025, 1, 31), "10", admin)  # half the dial in a month: a misread
    assert (reading.status, reading.rolled_over, reading.usage) == (ReadingStatus.HELD, False, D("-49990.00"))


def test_a_reading_above_the_full_scale_is_refused(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin, rollover_at=D("9999"))
    with pytest.raises(DomainError) as refused:
        _read(meter, date(2025, 1, 31), "10000", admin)
    assert "current" in refused.value.fields


# --- holds and review ------------------------------------------------------------------------


def test_negative_usage_is_held_not_approved_and_corrected_by_reject_and_read_again(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin)
    _read(meter, date(2025, 1, 31), "100", admin)
    wrong = _read(meter, date(2025, 2, 28), "90", admin)
    assert wrong.status == ReadingStatus.HELD
    assert "用量为负" in wrong.hold_reason
    with pytest.raises(DomainError) as refused:
        services.approve_reading(reading=wrong, actor=admin)
    assert refused.value.status_code == 409
    with pytest.raises(DomainError) as no_reason:
        services.reject_reading(reading=wrong, reason="  ", actor=admin)
    assert "reason" in no_reason.value.fields
    services.reject_reading(reading=wrong, reason="读错了", actor=admin)
    again = _read(meter, date(2025, 2, 28), "109", admin)  # the rejected reading freed its date
    assert (again.previous, again.usage, again.status) == (D("100.00"), D("9.00"), ReadingStatus.OK)
    assert AuditEvent.objects.filter(action="meter_reading.reject", object_id=str(wrong.pk)).exists()


def test_a_spike_over_five_times_the_trailing_average_is_held_until_approved(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin)
    # Fewer than three readings give no yardstick: a big first usage passes.
    assert _read(meter, date(2025, 1, 31), "100", admin).status == ReadingStatus.OK
    _read(meter, date(2025, 2, 28), "110", admin)
    _read(meter, date(2025, 3, 31), "120", admin)  # usages 100, 10, 10: average 40
    assert _read(meter, date(2025, 4, 30), "320", admin).status == ReadingStatus.OK  # 200 = 5 × 40
    # usages 100, 10, 10, 200: average 80; 401 > 400
    spike = _read(meter, date(2025, 5, 31), "721", admin)
    assert spike.status == ReadingStatus.HELD
    assert "5 倍" in spike.hold_reason
    approved = services.approve_reading(reading=spike, actor=admin)
    assert approved.status == ReadingStatus.APPROVED
    with pytest.raises(DomainError) as twice:
        services.approve_reading(reading=approved, actor=admin)
    assert twice.value.status_code == 409


def test_only_the_latest_reading_can_be_rejected(place):
    _building, houses, admin = place
    meter = _house_meter(houses[0], admin)
    first = _read(meter, date(2025, 1, 31), "10", admin)
    _read(meter, date(2025, 2, 28), "20", admin)
    with pytest.raises(DomainError) as refused:
        services.reject_reading(reading=first, reason="x", actor=admin)
    assert refused.value.status_code == 409
    assert first.__class__.objects.get(pk=first.pk).status == ReadingStatus.OK


def test_an_inactive_meter_takes_no_reading(place):
    _building, houses, admin = place
    meter = services.deactivate_meter(meter=_house_meter(houses[0], admin), actor=admin)
    with pytest.raises(DomainError) as refused:
        _read(meter, date(2025, 1, 31), "10", admin)
    assert "meter" in refused.value.fields


# --- two readers at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=False)
def test_readers_at_once_never_start_from_the_same_previous(company_a, django_db_blocker):
    """Eight readers record readings of one meter at the same instant, on their own connections
    (committed for real). Under the meter's lock each starts from the one before it: the chain has
    no duplicate `previous`, and a date already read is refused, not read twice."""
    made: dict[str, int] = {}

    def in_company(work) -> None:
        with django_db_blocker.unblock():
            try:
                with tenant_context(company_a):
                    work()
            finally:
                connections.close_all()

    def setup() -> None:
        _building, houses = _place(name="并发小区")
        meter = Meter.objects.create(
            kind="water", number="RACE-1", house=houses[0], building=houses[0].building, estate=houses[0].estate
        )
        made["meter"] = meter.pk

    def run(target, *args) -> None:
        thread = threading.Thread(target=target, args=args)
        thread.start()
        thread.join()

    run(in_company, setup)
    barrier = threading.Barrier(8)
    outcomes: list[str] = []
    # Two readers per date: one of each pair is refused, and later dates refuse earlier ones.
    days = [date(2025, 1, d) for d in (10, 10, 20, 20, 25, 25, 28, 28)]

    def reader(index: int) -> None:
        def work() -> None:
            meter = Meter.objects.get(pk=made["meter"])
            barrier.wait()
            try:
                services.record_reading(meter=meter, read_on=days[index], current=D(100 + index), actor=None)
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append("refused" if "read_on" in exc.fields else f"refused: {exc.fields}")

        in_company(work)

    threads = [threading.Thread(target=reader, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    chain: list[tuple[Decimal, Decimal, date]] = []

    def check_and_clean() -> None:
        rows = list(MeterReading.objects.filter(meter_id=made["meter"]).order_by("read_on"))
        chain.extend((r.previous, r.current, r.read_on) for r in rows)
        ids = [str(r.pk) for r in rows]
        MeterReading.objects.filter(meter_id=made["meter"]).delete()
        AuditEvent.objects.filter(object_type="meterreading", object_id__in=ids).delete()
        meter = Meter.objects.get(pk=made["meter"])
        estate = meter.estate
        meter.delete()
        House.objects.filter(estate=estate).delete()
        Unit.objects.filter(building__estate=estate).delete()
        Building.objects.filter(estate=estate).delete()
        estate.delete()

    run(in_company, check_and_clean)
    assert len(outcomes) == 8 and set(outcomes) <= {"ok", "refused"}, outcomes
    assert outcomes.count("ok") == len(chain) >= 1
    assert len({day for _p, _c, day in chain}) == len(chain)
    previous = [p for p, _c, _d in chain]
    assert len(set(previous)) == len(previous)  # no two readings from the same previous
    assert previous[0] == D("0")
    for (_p, current, _d), (following, _c, _d2) in itertools.pairwise(chain):
        assert following == current  # each starts where the one before it ended


# --- shared meters (公摊) -----------------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    usage=st.decimals(min_value=D("0"), max_value=D("99999.99"), places=2),
    areas=st.lists(st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2), min_size=1, max_size=30),
    by_area=st.booleans(),
)
def test_shared_shares_sum_exactly_to_the_meter_usage(company_a, usage, areas, by_area):
    with tenant_context(company_a), transaction.atomic():
        building, houses = _place(name="公摊小区", areas=tuple(str(a) for a in areas))
        meter = Meter.objects.create(
            kind="water",
            number="S-H",
            building=building,
            estate=building.estate,
            split_by="area" if by_area else "count",
        )
        MeterReading.objects.create(meter=meter, read_on=date(2025, 1, 31), previous=D("0"), current=usage, usage=usage)
        shares = selectors.shared_usage_shares(meter, date(2025, 1, 1), date(2025, 2, 1))
        transaction.set_rollback(True)  # each example starts from nothing
    assert set(shares) == {h.pk for h in houses}
    assert sum(shares.values(), D(0)) == usage
    weights = [D(a) if by_area else D(1) for a in areas]
    for house, weight in zip(houses, weights, strict=True):
        exact = usage * weight / sum(weights, D(0))
        assert abs(shares[house.pk] - exact) < D("0.01")
        assert shares[house.pk] == shares[house.pk].quantize(D("0.01"))


def test_shared_meter_split_by_area_and_by_count(place):
    building, houses, admin = place
    by_area = services.create_meter(kind="water", number="S-1", building=building, split_by="area", actor=admin)
    by_count = services.create_meter(kind="electricity", number="S-2", building=building, split_by="count", actor=admin)
    _read(by_area, date(2025, 1, 31), "100", admin)
    _read(by_count, date(2025, 1, 31), "100", admin)
    _read(by_area, date(2025, 2, 28), "100", admin)  # outside the window [2025-01-01, 2025-02-01)
    area = selectors.shared_usage_shares(by_area, date(2025, 1, 1), date(2025, 2, 1))
    count = selectors.shared_usage_shares(by_count, date(2025, 1, 1), date(2025, 2, 1))
    ids = [h.pk for h in houses]
    # 100 over 89.50 + 120.00 + 60.25 = 269.75 → 33.179, 44.486, 22.335
    assert [area[i] for i in ids] == [D("33.18"), D("44.49"), D("22.33")]
    assert [count[i] for i in ids] == [D("33.34"), D("33.33"), D("33.33")]
    assert sum(area.values()) == sum(count.values()) == D("100")


def test_a_shared_meter_needs_a_split_and_a_house_meter_has_none(place):
    building, houses, admin = place
    with pytest.raises(DomainError) as no_split:
        services.create_meter(kind="water", number="S-9", building=building, actor=admin)
    assert "split_by" in no_split.value.fields
    with pytest.raises(DomainError) as split_on_house:
        services.create_meter(kind="water", number="S-9", house=houses[0], split_by="area", actor=admin)
    assert "split_by" in split_on_house.value.fields
    assert not Meter.objects.filter(number="S-9").exists()


# --- usage for the bill run -----------------------------------------------------------------


def test_usage_counts_billable_readings_in_the_half_open_window(place):
    _building, houses, admin = place
    a, b, c = houses
    meter_a = _house_meter(a, admin, "W-A")
    meter_b = _house_meter(b, admin, "W-B")
    _house_meter(c, admin, "W-C")  # never read
    _read(meter_a, date(2024, 12, 31), "10", admin)
    in_window = _read(meter_a, date(2025, 1, 1), "15", admin)
    _read(meter_a, date(2025, 2, 1), "30", admin)  # the window's end belongs to the next cycle
    _read(meter_b, date(2025, 1, 10), "10", admin)
    held = _read(meter_b, date(2025, 1, 20), "5", admin)  # negative: held
    window = (date(2025, 1, 1), date(2025, 2, 1))
    ids = [a.pk, b.pk, c.pk]
    assert selectors.usage_by_house("water", *window, ids) == {a.pk: {"total": D("5")}, b.pk: {"total": D("10")}}
    used = selectors.readings_for_billing("water", *window, ids)
    assert used[a.pk] == [in_window.pk]
    assert held.pk not in used[b.pk]
    problems = {(p.house_id, p.problem, p.reading_id) for p in selectors.missing_readings("water", *window, ids)}
    assert problems == {(c.pk, "missing", None), (b.pk, "held", held.pk)}
    assert selectors.usage_by_house("electricity", *window, ids) == {}


# --- the API --------------------------------------------------------------------------------


@pytest.fixture
def api_place(company_a):
    with tenant_context(company_a):
        building, houses = _place()
        admin = User.objects.get(username="admin")
        meter = _house_meter(houses[0], admin)
    return building, houses, meter


def test_meters_and_readings_through_the_api(client_for, company_a, api_place):
    building, houses, _meter = api_place
    admin = client_for(company_a, "admin")
    created = admin.post(
        "/api/v1/meters/",
        {"kind": "electricity", "number": "E-9", "house": houses[1].pk, "multiplier": "2"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["estate"], body["building"], body["house_label"], body["shared"]) == (
        building.estate_id,
        building.pk,
        "1栋1单元201",
        False,
    )
    reading = admin.post(
        "/api/v1/meter-readings/", {"meter": body["id"], "read_on": "2025-01-31", "current": "10"}, format="json"
    )
    assert reading.status_code == 201, reading.content
    assert (reading.json()["usage"], reading.json()["place"]) == ("20.00", "1栋1单元201")
    patched = admin.patch(f"/api/v1/meters/{body['id']}/", {"number": "E-10"}, format="json")
    assert patched.status_code == 200 and patched.json()["number"] == "E-10"
    moved = admin.patch(f"/api/v1/meters/{body['id']}/", {"house": houses[2].pk}, format="json")
    assert moved.status_code == 400 and "house" in moved.json()["fields"]
    off = admin.post(f"/api/v1/meters/{body['id']}/deactivate/")
    assert off.status_code == 200 and off.json()["active"] is False
    listed = admin.get(f"/api/v1/meter-readings/?building={building.pk}&read_on_from=2025-01-01&status=ok")
    assert listed.json()["count"] == 1
    sheet = admin.get("/api/v1/meter-readings/?format=xlsx")
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    assert admin.get("/api/v1/meters/?format=xlsx").status_code == 200


def test_review_through_the_api(client_for, company_a, api_place):
    _building, _houses, meter = api_place
    admin = client_for(company_a, "admin")
    admin.post("/api/v1/meter-readings/", {"meter": meter.pk, "read_on": "2025-01-31", "current": "50"}, format="json")
    held = admin.post(
        "/api/v1/meter-readings/", {"meter": meter.pk, "read_on": "2025-02-28", "current": "40"}, format="json"
    ).json()
    assert held["status"] == "held"
    assert admin.post(f"/api/v1/meter-readings/{held['id']}/approve/").status_code == 409
    no_reason = admin.post(f"/api/v1/meter-readings/{held['id']}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    rejected = admin.post(f"/api/v1/meter-readings/{held['id']}/reject/", {"reason": "读错"}, format="json")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"


def test_roles(client_for, company_a, api_place):
    _building, _houses, meter = api_place
    guard = client_for(company_a, "guard")
    assert guard.get("/api/v1/meters/").status_code == 403
    assert guard.get("/api/v1/meter-readings/").status_code == 403
    assert guard.get(f"/api/v1/meter-route/?estate={meter.estate_id}").status_code == 403
    repair = client_for(company_a, "repair")
    assert repair.get(f"/api/v1/meter-route/?estate={meter.estate_id}").status_code == 200
    read = repair.post(
        "/api/v1/meter-readings/", {"meter": meter.pk, "read_on": "2025-01-31", "current": "7"}, format="json"
    )
    assert read.status_code == 201, read.content
    assert read.json()["reader_name"] == "repair"
    assert repair.post(f"/api/v1/meter-readings/{read.json()['id']}/approve/").status_code == 403
    assert repair.post(f"/api/v1/meter-readings/{read.json()['id']}/reject/", {"reason": "x"}).status_code == 403
    assert repair.post("/api/v1/meters/", {"kind": "water", "number": "X"}, format="json").status_code == 403
    cashier = client_for(company_a, "cashier")
    assert cashier.get("/api/v1/meters/").status_code == 200
    assert cashier.patch(f"/api/v1/meters/{meter.pk}/", {"number": "Y"}, format="json").status_code == 403


def test_another_companys_meter_is_not_found(client_for, company_a, company_b):
    with tenant_context(company_b):
        _building, houses = _place(name="贝塔花园")
        admin_b = User.objects.get(username="admin")
        meter_b = _house_meter(houses[0], admin_b, "B-1")
        reading_b = _read(meter_b, date(2025, 1, 31), "5", admin_b)
    with tenant_context(company_a):
        taken = set(Meter.objects.values_list("pk", flat=True))
        taken_readings = set(MeterReading.objects.values_list("pk", flat=True))
    admin = client_for(company_a, "admin")
    if meter_b.pk not in taken:
        assert admin.get(f"/api/v1/meters/{meter_b.pk}/").status_code == 404
        assert admin.post(f"/api/v1/meters/{meter_b.pk}/deactivate/").status_code == 404
    if reading_b.pk not in taken_readings:
        assert admin.post(f"/api/v1/meter-readings/{reading_b.pk}/approve/").status_code == 404
    with tenant_context(company_b):
        assert Meter.objects.get(pk=meter_b.pk).active is True


def test_bad_input_answers_field_errors_and_writes_nothing(client_for, company_a, api_place):
    building, houses, meter = api_place
    admin = client_for(company_a, "admin")
    with tenant_context(company_a):
        before = (Meter.objects.count(), MeterReading.objects.count(), AuditEvent.objects.count())
    bad_reading = admin.post("/api/v1/meter-readings/", {"meter": meter.pk, "current": "-1"}, format="json")
    assert bad_reading.status_code == 400
    assert {"read_on", "current"} <= set(bad_reading.json()["fields"])
    no_meter = admin.post(
        "/api/v1/meter-readings/", {"meter": 999999, "read_on": "2025-01-01", "current": "1"}, format="json"
    )
    assert no_meter.status_code == 400 and "meter" in no_meter.json()["fields"]
    nowhere = admin.post("/api/v1/meters/", {"kind": "water", "number": "N-1"}, format="json")
    assert nowhere.status_code == 400 and "house" in nowhere.json()["fields"]
    taken = admin.post("/api/v1/meters/", {"kind": "water", "number": meter.number, "house": houses[1].pk})
    assert taken.status_code == 400 and "number" in taken.json()["fields"]
    shared_tou = admin.post(
        "/api/v1/meters/",
        {"kind": "electricity", "number": "S-3", "building": building.pk, "split_by": "count", "time_of_use": True},
        format="json",
    )
    assert shared_tou.status_code == 400 and "time_of_use" in shared_tou.json()["fields"]
    admin.post("/api/v1/meter-readings/", {"meter": meter.pk, "read_on": "2025-01-31", "current": "5"})
    with tenant_context(company_a):
        middle = (Meter.objects.count(), MeterReading.objects.count(), AuditEvent.objects.count())
    again = admin.post("/api/v1/meter-readings/", {"meter": meter.pk, "read_on": "2025-01-31", "current": "6"})
    assert again.status_code == 400 and "read_on" in again.json()["fields"]
    route = admin.get("/api/v1/meter-route/")
    assert route.status_code == 400 and "estate" in route.json()["fields"]
    with tenant_context(company_a):
        assert (Meter.objects.count(), MeterReading.objects.count(), AuditEvent.objects.count()) == middle
        assert middle[:2] == (before[0], before[1] + 1)


def test_the_route_walks_building_unit_floor_number_and_points_at_the_first_unread(client_for, company_a, api_place):
    building, houses, first = api_place
    with tenant_context(company_a):
        admin_user = User.objects.get(username="admin")
        third = _house_meter(houses[2], admin_user, "W-301")
        second = _house_meter(houses[1], admin_user, "W-201")
        shared = services.create_meter(
            kind="water", number="W-S", building=building, split_by="count", actor=admin_user
        )
        _read(first, date(2025, 1, 5), "3", admin_user)
        _read(first, date(2025, 2, 5), "4", admin_user)
        _read(second, date(2025, 1, 5), "3", admin_user)
    repair = client_for(company_a, "repair")
    route = repair.get(f"/api/v1/meter-route/?building={building.pk}&kind=water&cycle_start=2025-02-01").json()
    assert [m["id"] for m in route["meters"]] == [shared.pk, first.pk, second.pk, third.pk]
    assert [m["read_this_cycle"] for m in route["meters"]] == [False, True, False, False]
    assert route["next_meter"] == shared.pk
    assert (route["read"], route["total"]) == (1, 4)
    assert route["meters"][1]["last_reading"]["current"] == "4.00"
    assert route["meters"][2]["last_reading"]["read_on"] == "2025-01-05"


def test_reading_list_runs_a_fixed_number_of_queries(client_for, company_a, api_place):
    _building, houses, meter = api_place
    admin = client_for(company_a, "admin")
    for day in (10, 20):
        admin.post("/api/v1/meter-readings/", {"meter": meter.pk, "read_on": f"2025-01-{day}", "current": str(day)})

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert admin.get("/api/v1/meter-readings/").status_code == 200
        return len(queries)

    few = count()
    with tenant_context(company_a):
        admin_user = User.objects.get(username="admin")
        for number, house in enumerate(houses[1:]):
            other = _house_meter(house, admin_user, f"W-X{number}")
            for day in (10, 20, 25):
                _read(other, date(2025, 1, day), str(day), admin_user)
    assert count() == few


# --- readings from a spreadsheet (the billing side of the `meter_readings` import kind) -----


def _parsed(cells: dict[str, object]) -> dict[str, object]:
    """A row as the import framework's first pass leaves it: each cell through its column's parser."""
    from billing.services import meter_import

    values = {}
    for column in meter_import.COLUMNS:
        value = column.parse(cells.get(column.header))
        if value is not None:
            values[column.key] = value
    return values


def test_the_columns_parse_what_people_type():
    from tenants.imports.cells import CellError

    row = _parsed({"表号": " W-1 ", "表具类型": "水表", "抄表日期": "2025/1/31", "本期读数": "1,234.5", "计度器": "峰"})
    assert row == {
        "number": "W-1",
        "kind": "water",
        "read_on": date(2025, 1, 31),
        "current": D("1234.50"),
        "register": "peak",
    }
    assert _parsed({"本期读数": 0})["current"] == D("0.00")  # a new meter reads 0
    for bad in ("-1", "1.234", "abc"):
        with pytest.raises(CellError):
            _parsed({"本期读数": bad})


def test_imported_readings_are_checked_then_recorded_through_the_chain(place):
    from billing.services import meter_import

    _building, houses, admin = place
    meter = _house_meter(houses[0], admin, "W-1")
    tou = services.create_meter(kind="electricity", number="E-1", house=houses[1], time_of_use=True, actor=admin)
    services.deactivate_meter(meter=_house_meter(houses[2], admin, "W-OFF"), actor=admin)
    _read(meter, date(2025, 1, 31), "10", admin)

    def row(number, kind, day, current, register=None):
        cells = {"表号": number, "表具类型": kind, "抄表日期": day, "本期读数": current}
        if register:
            cells["计度器"] = register
        return _parsed(cells)

    rows = [
        (2, row("W-1", "水表", "2025-03-31", "30")),  # out of order in the file: recorded by date
        (3, row("W-1", "水表", "2025-02-28", "20")),
        (4, row("E-1", "电表", "2025-02-28", "40", "峰")),
        (5, row("E-1", "电表", "2025-02-28", "50", "谷")),
    ]
    bad = [
        (6, row("W-404", "水表", "2025-02-28", "1")),
        (7, row("W-1", "电表", "2025-02-28", "1")),  # no electricity meter W-1
        (8, row("W-1", "水表", "2025-01-31", "1")),  # not after the last reading
        (9, row("W-1", "水表", "2025-02-28", "21")),  # the same day as row 3
        (10, row("W-OFF", "水表", "2025-02-28", "1")),
        (11, row("W-1", "水表", "2025-04-30", "1", "峰")),  # not a time-of-use meter
    ]
    findings, _plan = meter_import.check_rows(rows + bad)
    assert sorted({f.row for f in findings}) == [6, 7, 8, 9, 10, 11]
    assert {f.column for f in findings if f.row == 11} == {"计度器"}
    findings, plan = meter_import.check_rows(rows)
    assert findings == []
    before = MeterReading.objects.count()
    counts = meter_import.write_readings(plan=plan, actor=admin)
    assert counts == {"created": 4, "held": 0}
    assert MeterReading.objects.count() == before + 4
    chain = list(meter.readings.order_by("read_on").values_list("previous", "current", "source"))
    assert chain[1:] == [(D("10.00"), D("20.00"), "import"), (D("20.00"), D("30.00"), "import")]
    assert tou.readings.filter(source="import").count() == 2


def test_billable_usage_for_the_bill_run(place):
    building, houses, admin = place
    own = _house_meter(houses[0], admin, "W-OWN")
    reading = _read(own, date(2025, 1, 20), "12", admin)
    shared = services.create_meter(kind="water", number="W-SH", building=building, split_by="count", actor=admin)
    shared_reading = _read(shared, date(2025, 1, 20), "10", admin)
    window = {"cycle_start": date(2025, 1, 1), "cycle_end": date(2025, 2, 1)}
    ids = [h.pk for h in houses]
    private = selectors.billable_usage(meter_kind="water", shared=False, house_ids=ids, **window)
    assert private == {houses[0].pk: {"usage": {"total": D("12")}, "readings": [reading.pk]}}
    common = selectors.billable_usage(meter_kind="water", shared=True, house_ids=ids[:2], **window)
    assert common == {
        houses[0].pk: {"usage": {"total": D("3.34")}, "readings": [shared_reading.pk]},
        houses[1].pk: {"usage": {"total": D("3.33")}, "readings": [shared_reading.pk]},
    }
