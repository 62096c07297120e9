"""The dispatcher's list cache (tenants/repairs/api/list_cache.py): a repeated page is served from
the cache; any write to orders, photos or categories — through a service or straight SQL — shows at
once; what moves without such a write (the clock's overdue flag, the owner paying the fee) is fresh
on every hit; one company's cached page is never another's."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.models import User
from billing.models import Charge
from billing.services import payments
from tenants.repairs import services
from tenants.repairs.models import ListVersion, RepairOrder, Status
from tests.tenants.test_repair_fees import _complete, _in_progress, _paid_world
from tests.tenants.test_repairs import _order, _world

pytestmark = pytest.mark.django_db

LIST = "/api/v1/repair-orders/"


def _get(client, path=LIST):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json(), len(queries)


def test_a_repeated_page_comes_from_the_cache_and_a_write_shows_at_once(company_a, client_for):
    world = _world(company_a)
    with tenant_context(company_a):
        first = _order(world)
    dispatcher = client_for(company_a, "dispatcher")
    fresh, fresh_queries = _get(dispatcher)
    again, cached_queries = _get(dispatcher)
    assert again == fresh and [row["id"] for row in again["results"]] == [first.pk]
    assert cached_queries < fresh_queries  # no count, page or photo queries on a hit

    # A transition through the API, a new order, a category renamed, a row changed by bare SQL:
    # each is on the next page served.
    assert dispatcher.post(f"{LIST}{first.pk}/cancel/", {"note": "业主取消"}, format="json").status_code == 200
    assert _get(dispatcher)[0]["results"][0]["status"] == "cancelled"
    with tenant_context(company_a):
        second = _order(world)
    assert [row["id"] for row in _get(dispatcher)[0]["results"]] == [second.pk, first.pk]
    with tenant_context(company_a):
        services.update_category(actor=world["admin"], category=world["grab"], name="灯具维修")
    assert _get(dispatcher)[0]["results"][0]["category_name"] == "水电 › 灯具维修"
    with tenant_context(company_a):
        RepairOrder.objects.filter(pk=second.pk).update(description="改过的描述")
    assert _get(dispatcher)[0]["results"][0]["description"] == "改过的描述"


def test_each_query_is_its_own_page(company_a, client_for):
    world = _world(company_a)
    with tenant_context(company_a):
        submitted = _order(world)
        closed = _order(world, status=Status.CLOSED)
    dispatcher = client_for(company_a, "dispatcher")
    assert [r["id"] for r in _get(dispatcher, f"{LIST}?status=submitted")[0]["results"]] == [submitted.pk]
    assert [r["id"] for r in _get(dispatcher, f"{LIST}?status=closed")[0]["results"]] == [closed.pk]
    assert _get(dispatcher, f"{LIST}?page_size=1")[0]["count"] == 2
    assert len(_get(dispatcher, f"{LIST}?page_size=1&page=2")[0]["results"]) == 1


def test_the_overdue_flag_follows_the_clock_on_a_cached_page(company_a, client_for, monkeypatch):
    world = _world(company_a)
    with tenant_context(company_a):
        order = _order(world, status=Status.ACCEPTED)
        RepairOrder.objects.filter(pk=order.pk).update(due_at=timezone.now() + timedelta(hours=1))
    dispatcher = client_for(company_a, "dispatcher")
    assert _get(dispatcher)[0]["results"][0]["overdue"] is False
    later = timezone.now() + timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert _get(dispatcher)[0]["results"][0]["overdue"] is True
    # A filter by the flag is answered from the database, never from a page cached an hour ago.
    assert [r["id"] for r in _get(dispatcher, f"{LIST}?overdue=true")[0]["results"]] == [order.pk]


def test_the_fee_paid_shows_on_a_cached_page(company_a, client_for):
    world = _paid_world(company_a, name="缓存苑")
    with tenant_context(company_a):
        order = _in_progress(world, world["paid"])
    assert _complete(client_for(company_a, "repair"), order, fee="20.00").status_code == 200
    dispatcher = client_for(company_a, "dispatcher")
    assert _get(dispatcher)[0]["results"][0]["charge"]["status"] == "unpaid"
    assert _get(dispatcher)[0]["results"][0]["charge"]["status"] == "unpaid"  # now cached
    with tenant_context(company_a):
        charge = Charge.objects.get(kind="service", source=f"repairs.order:{order.pk}")
        payments.record_payment(
            house=world["houses"][0],
            amount=Decimal("20.00"),
            method="cash",
            idempotency_key="cached-fee",
            actor=User.objects.get(username="cashier"),
            charge_ids=[charge.pk],
        )
    row = _get(dispatcher)[0]["results"][0]
    assert (row["charge"]["status"], row["charge"]["paid"]) == ("paid", "20.00")


def test_a_missing_version_row_turns_the_cache_off(company_a, client_for):
    world = _world(company_a)
    with tenant_context(company_a):
        _order(world)
        ListVersion.objects.all().delete()
    dispatcher = client_for(company_a, "dispatcher")
    _, first = _get(dispatcher)
    _, second = _get(dispatcher)
    assert first == second  # both built from the database
    with tenant_context(company_a):
        _order(world)  # the trigger puts the row back
        assert ListVersion.objects.filter(pk=1).exists()


def test_one_companys_cached_page_is_never_anothers(company_a, company_b, client_for):
    world_a = _world(company_a, name="甲苑")
    world_b = _world(company_b, name="乙苑")
    with tenant_context(company_a):
        mine = _order(world_a)
        version_a = ListVersion.objects.get(pk=1).version
    with tenant_context(company_b):
        theirs = _order(world_b)
        # The same version number in both schemas: the cache key's company prefix keeps them apart.
        ListVersion.objects.filter(pk=1).update(version=version_a)
    assert [r["id"] for r in _get(client_for(company_a, "dispatcher"))[0]["results"]] == [mine.pk]
    body_b = _get(client_for(company_b, "dispatcher"))[0]
    assert [r["id"] for r in body_b["results"]] == [theirs.pk]
    assert body_b["results"][0]["estate_name"] == "乙苑"
