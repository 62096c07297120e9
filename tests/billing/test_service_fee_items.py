"""GET /api/v1/service-fee-items/: the active one-off fee items a paid repair or activity is charged
under, for the pickers of those who configure repairs and activities (and the cashiers); and the
repair settings accept only such an item."""

from __future__ import annotations

from datetime import date

import pytest
from django_tenants.utils import tenant_context

from billing.models import FeeItem

pytestmark = pytest.mark.django_db

PATH = "/api/v1/service-fee-items/"


def _item(name, *, cycle_months=0, active=True):
    return FeeItem.objects.create(
        name=name,
        kind="one_off" if cycle_months == 0 else "property",
        mode="fixed",
        cycle_months=cycle_months,
        valid_from=date(2026, 1, 1),
        active=active,
    )


def test_only_active_one_off_items_are_offered_by_name(company_a, client_for):
    with tenant_context(company_a):
        repair = _item("维修费")
        service = _item("上门服务费")
        _item("旧维修费", active=False)
        _item("物业费", cycle_months=1)
    body = client_for(company_a, "dispatcher").get(PATH).json()
    assert body == [{"id": service.pk, "name": "上门服务费"}, {"id": repair.pk, "name": "维修费"}]


@pytest.mark.parametrize(
    ("username", "allowed"),
    [
        ("dispatcher", True),  # repairs.manage
        ("service", True),  # activities.manage
        ("cashier", True),  # fees.view
        ("admin", True),
        ("repair", False),
        ("guard", False),
    ],
)
def test_who_may_read_the_items(company_a, client_for, username, allowed):
    status = client_for(company_a, username).get(PATH).status_code
    assert status == (200 if allowed else 403)


def test_another_companys_items_are_not_offered(company_a, company_b, client_for):
    with tenant_context(company_a):
        _item("甲公司维修费")
    with tenant_context(company_b):
        theirs = _item("乙公司维修费")
    names = [row["name"] for row in client_for(company_b, "dispatcher").get(PATH).json()]
    assert names == ["乙公司维修费"] and theirs.pk
    client = client_for(company_a, "dispatcher")
    client.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert client.get(PATH).status_code in (401, 403)


def test_repair_settings_take_only_an_offered_item(company_a, client_for):
    with tenant_context(company_a):
        offered = _item("维修费")
        inactive = _item("旧维修费", active=False)
        recurring = _item("物业费", cycle_months=1)
    dispatcher = client_for(company_a, "dispatcher")
    for refused in (inactive, recurring):
        response = dispatcher.patch("/api/v1/repair-settings/", {"fee_item": refused.pk}, format="json")
        assert response.status_code == 400 and "fee_item" in response.json()["fields"], response.content
    saved = dispatcher.patch("/api/v1/repair-settings/", {"fee_item": offered.pk}, format="json")
    assert saved.status_code == 200 and saved.json()["fee_item_name"] == "维修费"
    cleared = dispatcher.patch("/api/v1/repair-settings/", {"fee_item": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["fee_item"] is None
