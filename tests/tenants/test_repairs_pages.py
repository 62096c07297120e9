"""What the repair pages need besides the orders: the dispatcher's worker picker (with each worker's
open orders), the list's date filter, and the menu that follows the repairs.* permissions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts.roles import Role, modules_for, permissions_for
from tenants.repairs.models import RepairOrder, Status
from tests.tenants.test_repairs import _order, _world

pytestmark = pytest.mark.django_db


def test_the_worker_picker_lists_workers_with_their_open_orders(company_a, client_for):
    world = _world(company_a)
    with tenant_context(company_a):
        _order(world, status=Status.ACCEPTED, worker=world["worker2"])
        _order(world, status=Status.IN_PROGRESS, worker=world["worker2"])
        _order(world, status=Status.CLOSED, worker=world["worker"])
    response = client_for(company_a, "dispatcher").get("/api/v1/repair-workers/")
    assert response.status_code == 200, response.content
    loads = {row["name"]: row["open_orders"] for row in response.json()}
    assert loads == {world["worker"].name: 0, world["worker2"].name: 2}  # no admin, no dispatcher
    for username in ("repair", "cashier", "guard"):
        assert client_for(company_a, username).get("/api/v1/repair-workers/").status_code == 403


def test_the_worker_picker_of_a_is_not_served_on_bs_host(company_a, company_b, client_for):
    _world(company_a)
    client = client_for(company_a, "dispatcher")
    client.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert client.get("/api/v1/repair-workers/").status_code in (401, 403)


def test_the_list_filters_by_the_day_filed(company_a, client_for):
    world = _world(company_a)
    with tenant_context(company_a):
        old = _order(world)
        RepairOrder.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=10))
        new = _order(world)
    dispatcher = client_for(company_a, "dispatcher")
    today = timezone.localdate()

    def ids(query):
        response = dispatcher.get(f"/api/v1/repair-orders/?{query}")
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(f"created_from={today - timedelta(days=1)}") == {new.pk}
    assert ids(f"created_to={today - timedelta(days=5)}") == {old.pk}
    assert dispatcher.get("/api/v1/repair-orders/?created_from=yesterday").status_code == 400


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        (Role.DISPATCHER, True),
        (Role.CUSTOMER_SERVICE, True),
        (Role.REPAIR_WORKER, True),
        (Role.CASHIER, False),
        (Role.GUARD, False),
    ],
)
def test_the_repairs_menu_follows_the_repairs_permissions(role, shown):
    assert ("repairs" in modules_for([role])) is shown
    assert not any(p.startswith("service_desk.") for p in permissions_for([Role.ADMIN]))


def test_only_the_worker_on_the_job_sees_the_owners_phone_and_it_is_audited(company_a, company_b, client_for):
    from accounts.models import AuditEvent, User

    world = _world(company_a)
    with tenant_context(company_a):
        owner = User.objects.create(username="owner-p", name="业主P", roles=["resident"], phone="13812345678")
        order = _order(world, status=Status.ACCEPTED, owner=owner)
        order.contact_name = "业主P"
        order.save(update_fields=["contact_name"])
        done = _order(world, status=Status.COMPLETED, owner=owner)
    worker = client_for(company_a, "repair")
    response = worker.get(f"/api/v1/repair-work/{order.pk}/contact/")
    assert response.status_code == 200, response.content
    assert response.json() == {"name": "业主P", "phone": "13812345678"}
    assert worker.get(f"/api/v1/repair-work/{done.pk}/contact/").status_code == 409
    assert client_for(company_a, "repair2").get(f"/api/v1/repair-work/{order.pk}/contact/").status_code == 404
    assert client_for(company_a, "dispatcher").get(f"/api/v1/repair-work/{order.pk}/contact/").status_code == 403
    with tenant_context(company_a):
        assert AuditEvent.objects.filter(action="repair.contact_reveal", object_id=str(order.pk)).count() == 1
    other = client_for(company_a, "repair")
    other.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert other.get(f"/api/v1/repair-work/{order.pk}/contact/").status_code in (401, 403)


def test_the_demo_repairs_seed_moves_orders_through_real_transitions_once(company_a):
    from collections import Counter

    from accounts.models import User
    from tenants.demo.repairs_seed import ORDERS, seed_repairs
    from tenants.repairs.models import RepairCategory, TimelineEntry
    from tenants.residents import services as resident_services

    world = _world(company_a)
    with tenant_context(company_a):
        RepairOrder.objects.all().delete()
        RepairCategory.objects.filter(parent__isnull=False).delete()  # the seed starts from none
        RepairCategory.objects.all().delete()
        admin = User.objects.get(username="admin")
        for index, house in enumerate(world["houses"]):
            person = resident_services.create_person(actor=admin, name=f"住户{index}")
            resident_services.add_occupancy(actor=admin, house=house, person=person, relation="owner")
        assert seed_repairs() == len(ORDERS)
        statuses = Counter(RepairOrder.objects.values_list("status", flat=True))
        assert statuses == {
            "submitted": 2,
            "dispatched": 1,
            "accepted": 1,
            "in_progress": 1,
            "completed": 2,
            "cancelled": 1,
        }
        # every state was reached by the timeline, one row per move
        moves = sum(len(moves) + 1 for _c, _d, _l, moves in ORDERS)
        assert TimelineEntry.objects.count() == moves
        assert not RepairOrder.objects.filter(rating__isnull=False).exists()  # no invented ratings
        assert RepairCategory.objects.filter(parent__isnull=True).count() == 3
        assert seed_repairs() == 0  # a second run adds nothing
        assert RepairOrder.objects.count() == len(ORDERS)
