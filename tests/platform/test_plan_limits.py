"""Plan limits (houses, staff) are held where the rows are written: the last slot, one past it, bulk
generation, imports, re-enabling a staff account, and two creates racing for the last slot."""

from __future__ import annotations

import threading
import time
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import User
from companies.models import Plan, Subscription
from core.errors import DomainError
from subscriptions.services import limits
from tenants.estates import services as estate_services
from tenants.estates.models import House
from tests.billing.concurrency import drop, on_own_connection
from tests.conftest import _provision

pytestmark = pytest.mark.django_db


def _plan(company, *, houses: int = 1000, staff: int = 1000) -> Plan:
    plan = Plan.objects.create(code=f"tiny-{company.slug}", name="小型版", max_houses=houses, max_staff=staff)
    Subscription.objects.filter(company=company).update(plan=plan)
    return plan


def _building(floors: int = 1, units: int = 1):
    estate = estate_services.create_estate(name="限额小区")
    return estate_services.create_building(
        estate=estate, name="1栋", floors=floors, units=[f"{u}单元" for u in range(1, units + 1)]
    )


def _generate(building, per_floor: int):
    return estate_services.generate_houses(
        building=building, per_floor=per_floor, building_area=Decimal("90"), usable_area=Decimal("70")
    )


def _staff_count(company) -> int:
    with tenant_context(company):
        return limits.count(limits.STAFF)


# --- houses -------------------------------------------------------------------------------------


def test_houses_fill_the_plan_to_its_last_slot_and_not_one_more(company_a):
    with tenant_context(company_a):
        existing = House.objects.count()
        _plan(company_a, houses=existing + 4)
        building = _building(floors=1)
        assert len(_generate(building, per_floor=3)) == 3  # 3 of 4 free slots
        unit = building.units.get()
        estate_services.create_house(
            unit=unit, actor=None, number="104", floor=1, building_area=Decimal("90"), usable_area=Decimal("70")
        )  # the last slot
        with pytest.raises(DomainError) as refused:
            estate_services.create_house(
                unit=unit, actor=None, number="105", floor=1, building_area=Decimal("90"), usable_area=Decimal("70")
            )
        assert House.objects.count() == existing + 4
    assert refused.value.code == "plan_limit"
    assert refused.value.status_code == 400
    assert f"最多 {existing + 4} 个房屋" in refused.value.message
    assert f"目前已有 {existing + 4} 个" in refused.value.message


def test_a_bulk_generation_past_the_limit_writes_none_of_its_houses(company_a, client_for):
    with tenant_context(company_a):
        existing = House.objects.count()
        _plan(company_a, houses=existing + 5)
        building = _building(floors=2)
    admin = client_for(company_a, "admin")
    response = admin.post(
        f"/api/v1/buildings/{building.pk}/generate-houses/",
        {"per_floor": 3, "building_area": "90", "usable_area": "70"},
        format="json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "plan_limit"
    assert "本次新增 6 个" in body["message"]
    with tenant_context(company_a):
        assert House.objects.count() == existing


def test_an_import_past_the_house_limit_is_refused_with_the_limit_in_its_report(company_a):
    from tenants.imports.check_houses import HousePlan
    from tenants.imports.writers import write_houses

    with tenant_context(company_a):
        _plan(company_a, houses=House.objects.count() + 1)
        plan = HousePlan(
            estate_ids={},
            building_ids={},
            unit_ids={},
            new_estates=["导入小区"],
            new_buildings=[("导入小区", "1栋", 2, 0)],
            new_units=[("导入小区", "1栋", "1单元")],
            new_houses=[
                (("导入小区", "1栋", "1单元", f"10{i}"), {"floor": 1, "building_area": Decimal("90")}) for i in (1, 2)
            ],
        )
        with pytest.raises(DomainError) as refused:
            write_houses(plan, lambda done, total: None)
    assert refused.value.code == "plan_limit"


# --- staff --------------------------------------------------------------------------------------


def test_staff_accounts_fill_the_plan_and_owners_do_not_count(company_a):
    used = _staff_count(company_a)
    _plan(company_a, staff=used + 1)
    with tenant_context(company_a):
        account_services.create_user(username="laststaff", name="最后一位", roles=["guard"])
        User.objects.create(username="an_owner", roles=["resident"])  # not staff: counts for nothing
        account_services.create_user(username="owner2", name="业主", roles=["resident"])
        with pytest.raises(DomainError) as refused:
            account_services.create_user(username="onetoomany", name="多一位", roles=["cashier"])
        assert not User.objects.filter(username="onetoomany").exists()
    assert "员工账号" in refused.value.message
    assert f"目前已有 {used + 1} 个" in refused.value.message


def test_re_enabling_a_staff_account_takes_a_slot(company_a, client_for):
    used = _staff_count(company_a)
    with tenant_context(company_a):
        guard = User.objects.get(username="guard")
        admin = User.objects.get(username="admin")
        account_services.update_user(user=guard, actor=admin, is_active=False)
    _plan(company_a, staff=used - 1)  # full again without the guard
    client = client_for(company_a, "admin")
    response = client.patch(f"/api/v1/users/{guard.pk}/", {"is_active": True}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "plan_limit"
    # Changing a counted account's name takes no slot.
    with tenant_context(company_a):
        cashier = User.objects.get(username="cashier")
    assert client.patch(f"/api/v1/users/{cashier.pk}/", {"name": "新名字"}, format="json").status_code == 200


def test_an_owner_account_given_a_staff_role_takes_a_slot(company_a):
    used = _staff_count(company_a)
    _plan(company_a, staff=used)
    with tenant_context(company_a):
        owner = account_services.create_user(username="promoted", name="业主乙", roles=["resident"])
        with pytest.raises(DomainError):
            account_services.update_user(user=owner, actor=None, roles=["resident", "guard"])


# --- two at once --------------------------------------------------------------------------------


@pytest.fixture
def scratch_company(django_db_blocker):
    company = on_own_connection(django_db_blocker, lambda: _provision("limits", "限额物业"))
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("limits"))
        on_own_connection(django_db_blocker, lambda: Plan.objects.filter(code="tiny-limits").delete())


def test_two_creates_racing_for_the_last_staff_slot_let_one_through(scratch_company, django_db_blocker, monkeypatch):
    company = scratch_company

    def prepare() -> int:
        used = _staff_count(company)
        _plan(company, staff=used + 1)
        return used

    used = on_own_connection(django_db_blocker, prepare)
    # Widen the window between counting and writing: without the lock both would count `used`.
    real_count = limits.count

    def slow_count(kind: str) -> int:
        value = real_count(kind)
        time.sleep(0.4)
        return value

    monkeypatch.setattr(limits, "count", slow_count)
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def create(username: str) -> None:
        with django_db_blocker.unblock():
            from django.db import connections

            try:
                barrier.wait()
                with tenant_context(company):
                    account_services.create_user(username=username, name=username, roles=["guard"])
                results[username] = "created"
            except DomainError as exc:
                results[username] = exc.code
            finally:
                connections.close_all()

    threads = [threading.Thread(target=create, args=(name,)) for name in ("racer1", "racer2")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(map(str, results.values())) == ["created", "plan_limit"], results
    assert on_own_connection(django_db_blocker, lambda: _staff_count(company)) == used + 1
