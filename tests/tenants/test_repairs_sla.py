"""Repairs: SLA timers (warning before, escalation after a breach, each once), auto-close of completed
orders left unconfirmed, and auto-dispatch (rules, round robin by workload, two filings at once).
The clock is frozen by passing `now` to the sweep: the project has no clock-freezing library, and the
timers compare stored instants only, so a given `now` is the whole of the clock they read."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from accounts import services as account_services
from accounts.models import AuditEvent, User
from tenants.estates import services as estate_services
from tenants.estates.models import Building
from tenants.repairs import selectors, services
from tenants.repairs.machine import Party
from tenants.repairs.models import DispatchRule, RepairOrder, RepairSettings, Status, TimelineEntry
from tenants.repairs.services import sla
from tests.billing.concurrency import (
    WAIT,
    backend_pid,
    drop,
    in_threads,
    on_own_connection,
    provision_scratch,
    wait_until_waiting,
)
from tests.conftest import PASSWORD
from tests.tenants.test_repairs import _order, _world

pytestmark = pytest.mark.django_db


def _file(world, category, *, house_index=0, urgency=""):
    return services.file_order(
        actor=world["dispatcher"],
        party=Party.DISPATCHER,
        category=category,
        description="电话报修",
        house=world["houses"][house_index],
        urgency=urgency,
    )


def _sent(event):
    """username -> inbox deliveries of `event`."""
    from notifications.models import Delivery

    rows = Delivery.objects.filter(notification__event=event, channel="inbox").values_list("recipient__username")
    counts: dict[str, int] = {}
    for (username,) in rows:
        counts[username] = counts.get(username, 0) + 1
    return counts


# --- SLA timers ---------------------------------------------------------------------------------------


def test_the_due_time_and_the_warning_time_are_set_at_filing(company_a):
    world = _world(company_a)
    with tenant_context(company_a):
        before = timezone.now()
        order = _file(world, world["leak"])  # 24 h for "normal"
        after = timezone.now()
        assert before + timedelta(hours=24) <= order.due_at <= after + timedelta(hours=24)
        assert order.sla_warn_at == order.due_at - timedelta(hours=24) * 0.2  # at 80 % of the time
        none = _file(world, world["grab"])  # no hours set: no timer
        assert none.due_at is None and none.sla_warn_at is None
        RepairSettings.objects.create(pk=1, sla_warning_percent=50)
        half = _file(world, world["leak"])
        assert half.sla_warn_at == half.due_at - timedelta(hours=12)


def test_the_warning_goes_out_at_its_moment_and_once(company_a):
    world = _world(company_a)
    with tenant_context(company_a):
        order = _file(world, world["leak"])
        warn_at = order.sla_warn_at
        assert sla.sweep(now=warn_at - timedelta(seconds=1)) == {"warned": 0, "escalated": 0, "closed": 0}
        assert _sent("repair.sla_warning") == {}
        assert sla.sweep(now=warn_at)["warned"] == 1
        assert sla.sweep(now=warn_at + timedelta(minutes=1))["warned"] == 0
        assert sla.warn(order_id=order.pk, now=warn_at + timedelta(minutes=2)) is False  # a redelivered task
        # The dispatching staff are warned; the manager is not yet (nobody is assigned, so no worker).
        assert _sent("repair.sla_warning") == {"dispatcher": 1, "service": 1}
        order.refresh_from_db()
        assert order.sla_warned_at == warn_at and order.sla_escalated_at is None
        assert AuditEvent.objects.filter(action="repair.sla_warning", object_id=str(order.pk), actor=None).count() == 1


def test_the_escalation_goes_out_once_after_the_breach_across_two_runs(company_a):
    world = _world(company_a)
    with tenant_context(company_a):
        order = _file(world, world["leak"])
        services.transition(
            order_id=order.pk,
            name="dispatch",
            actor=world["dispatcher"],
            party=Party.DISPATCHER,
            worker=world["worker"],
        )
        due = order.due_at
        assert sla.sweep(now=due - timedelta(seconds=1)) == {"warned": 1, "escalated": 0, "closed": 0}
        assert sla.sweep(now=due) == {"warned": 0, "escalated": 1, "closed": 0}
        assert sla.sweep(now=due + timedelta(minutes=1)) == {"warned": 0, "escalated": 0, "closed": 0}
        assert sla.escalate(order_id=order.pk, now=due + timedelta(minutes=2)) is False
        assert _sent("repair.sla_breached") == {"admin": 1, "dispatcher": 1, "service": 1, "repair": 1}
        assert _sent("repair.sla_warning") == {"dispatcher": 1, "service": 1, "repair": 1}
        order.refresh_from_db()
        assert order.sla_escalated_at == due
        # Late still, then done: "SLA met" is a query over the orders, not a counter.
        RepairOrder.objects.filter(pk=order.pk).update(status=Status.COMPLETED, completed_at=due + timedelta(hours=1))
        met = RepairOrder.objects.filter(completed_at__isnull=False, due_at__isnull=False)
        assert met.filter(completed_at__lte=timezone.now() + timedelta(days=2)).count() == 1
        from django.db.models import F

        assert met.filter(completed_at__lte=F("due_at")).count() == 0


def test_an_order_first_seen_late_is_escalated_without_a_warning(company_a):
    world = _world(company_a)
    with tenant_context(company_a):
        order = _file(world, world["leak"])
        assert sla.sweep(now=order.due_at + timedelta(hours=1)) == {"warned": 0, "escalated": 1, "closed": 0}
        assert _sent("repair.sla_warning") == {}
        order.refresh_from_db()
        assert order.sla_warned_at is not None  # out of the warning scan for good
        assert sla.sweep(now=order.due_at + timedelta(hours=2)) == {"warned": 0, "escalated": 0, "closed": 0}


def test_no_timer_runs_on_completed_or_cancelled_orders(company_a):
    world = _world(company_a)
    with tenant_context(company_a):
        orders = {status: _file(world, world["leak"]) for status in (Status.COMPLETED, Status.CANCELLED)}
        for status, order in orders.items():
            RepairOrder.objects.filter(pk=order.pk).update(
                status=status, worker=world["worker"], completed_at=timezone.now()
            )
        warned = _file(world, world["leak"])
        sla.sweep(now=warned.sla_warn_at)
        cancelled = services.transition(
            order_id=warned.pk, name="cancel", actor=world["dispatcher"], party=Party.DISPATCHER
        )
        assert cancelled.status == Status.CANCELLED
        late = warned.due_at + timedelta(days=1)
        assert sla.sweep(now=late) == {"warned": 0, "escalated": 0, "closed": 0}
        assert _sent("repair.sla_breached") == {}
        assert not RepairOrder.objects.filter(sla_escalated_at__isnull=False).exists()


# --- auto-close -----------------------------------------------------------------------------------------


def test_a_completed_order_is_closed_by_the_system_after_n_days_and_not_before(company_a, client_for):
    world = _world(company_a)
    admin = client_for(company_a, "admin")
    saved = admin.patch("/api/v1/repair-settings/", {"auto_close_days": 3}, format="json")
    assert saved.status_code == 200 and saved.json()["auto_close_days"] == 3
    bad = admin.patch("/api/v1/repair-settings/", {"auto_close_days": 0, "sla_warning_percent": 100}, format="json")
    assert bad.status_code == 400 and set(bad.json()["fields"]) == {"auto_close_days", "sla_warning_percent"}
    with tenant_context(company_a):
        done = _order(world, status=Status.COMPLETED, category=world["leak"])
        confirmed = _order(world, status=Status.CONFIRMED, category=world["leak"])
        completed_at = timezone.now() - timedelta(days=10)
        RepairOrder.objects.filter(pk__in=[done.pk, confirmed.pk]).update(completed_at=completed_at)
        day_three = completed_at + timedelta(days=3)
        assert sla.sweep(now=day_three - timedelta(seconds=1))["closed"] == 0
        assert sla.sweep(now=day_three)["closed"] == 1
        assert sla.sweep(now=day_three + timedelta(minutes=1))["closed"] == 0
        assert sla.auto_close(order_id=done.pk, now=day_three) is False  # a redelivered task
        done.refresh_from_db()
        confirmed.refresh_from_db()
        assert (done.status, confirmed.status) == (Status.CLOSED, Status.CONFIRMED)
        entry = TimelineEntry.objects.get(order=done)
        assert (entry.transition, entry.from_status, entry.to_status, entry.actor) == (
            "auto_close",
            "completed",
            "closed",
            None,
        )
        assert "3 天" in entry.note
        audit = AuditEvent.objects.get(action="repair.auto_close", object_id=str(done.pk))
        assert audit.actor is None and audit.actor_label == "system"


# --- auto-dispatch --------------------------------------------------------------------------------------


def _workers(company, n):
    with tenant_context(company):
        for i in range(3, 3 + n):
            account_services.create_user(
                username=f"repair{i}", name=f"师傅{i}", roles=["repair_worker"], password=PASSWORD
            )
        return [User.objects.get(username=f"repair{i}") for i in range(3, 3 + n)]


def test_round_robin_shares_orders_by_workload_then_least_recently_assigned(company_a):
    world = _world(company_a)
    third = _workers(company_a, 1)[0]
    with tenant_context(company_a):
        got = [_file(world, world["rota"]).worker for _ in range(6)]
        assert [user.username for user in got] == ["repair", "repair2", "repair3"] * 2
        # A worker who finishes one has the lightest load: the next order is theirs.
        RepairOrder.objects.filter(pk=RepairOrder.objects.filter(worker=world["worker2"]).first().pk).update(
            status=Status.COMPLETED, completed_at=timezone.now()
        )
        assert _file(world, world["rota"]).worker == world["worker2"]
        # Equal loads again (2 each): the one sent an order longest ago goes first.
        assert _file(world, world["rota"]).worker == world["worker"]
        assert third.pk in RepairOrder.objects.values_list("worker", flat=True)
        entry = TimelineEntry.objects.filter(transition="dispatch").first()
        assert entry.actor is None and entry.note == "按工作量自动派单"


def test_rules_most_specific_first_then_teams_by_workload(company_a, client_for):
    world = _world(company_a)
    w3, w4, w5 = _workers(company_a, 3)
    dispatcher = client_for(company_a, "dispatcher")
    with tenant_context(company_a):
        water = world["leak"].parent
        building = Building.objects.get(estate=world["estate"])

    def rule(category, worker, **place):
        response = dispatcher.post(
            "/api/v1/repair-dispatch-rules/", {"category": category.pk, "worker": worker.pk, **place}, format="json"
        )
        assert response.status_code == 201, response.content
        return response.json()

    parent_rule = rule(water, world["worker"])
    exact_rule = rule(world["leak"], world["worker2"])
    estate_rule = rule(water, w3, estate=world["estate"].pk)
    building_rule = rule(water, w4, building=building.pk)
    assert building_rule["estate"] == world["estate"].pk  # taken from the building
    with tenant_context(company_a):
        assert _file(world, world["leak"]).worker == w4
        assert dispatcher.delete(f"/api/v1/repair-dispatch-rules/{building_rule['id']}/").status_code == 204
        assert _file(world, world["leak"]).worker == w3
        dispatcher.delete(f"/api/v1/repair-dispatch-rules/{estate_rule['id']}/")
        assert _file(world, world["leak"]).worker == world["worker2"]  # the order's own category first
        dispatcher.delete(f"/api/v1/repair-dispatch-rules/{exact_rule['id']}/")
        assert _file(world, world["leak"]).worker == world["worker"]  # the parent's rule covers its children
        # A second rule of the same scope: a team, the lighter loaded of the two takes it.
        rule(water, w5)
        assert _file(world, world["leak"]).worker == w5
        # A rule whose worker left is skipped.
        User.objects.filter(pk=w5.pk).update(is_active=False)
        assert _file(world, world["leak"]).worker == world["worker"]
        assert TimelineEntry.objects.filter(transition="dispatch", note="按派单规则自动派单", actor=None).count() == 6
    assert parent_rule["category_name"] == "水电"


def test_grab_mode_ignores_rules_and_assign_mode_without_a_rule_waits(company_a):
    world = _world(company_a)
    with tenant_context(company_a):
        DispatchRule.objects.create(category=world["grab"].parent, worker=world["worker"])
        grab = _file(world, world["grab"])
        assert grab.status == Status.SUBMITTED and grab.worker is None
        DispatchRule.objects.all().delete()
        waiting = _file(world, world["leak"])
        assert waiting.status == Status.SUBMITTED and waiting.worker is None


def test_rule_api_validation_and_permissions(company_a, client_for):
    world = _world(company_a)
    dispatcher = client_for(company_a, "dispatcher")
    with tenant_context(company_a):
        other = estate_services.create_estate(name="另一苑", actor=world["admin"])
        other_building = estate_services.create_building(
            estate=other, name="9栋", floors=1, units=["1单元"], actor=world["admin"]
        )
        gone = account_services.create_user(username="left", name="离职", roles=["repair_worker"], password=PASSWORD)
        User.objects.filter(pk=gone.pk).update(is_active=False)
    url = "/api/v1/repair-dispatch-rules/"
    good = {"category": world["leak"].pk, "worker": world["worker"].pk}
    assert dispatcher.post(url, good, format="json").status_code == 201
    cases = [
        ({**good, "worker": world["dispatcher"].pk}, "worker"),  # not a repair worker
        ({**good, "worker": gone.pk}, "worker"),  # inactive
        (good, "worker"),  # the same rule again
        ({**good, "estate": world["estate"].pk, "building": other_building.pk}, "building"),  # another estate's
        ({**good, "category": world["grab"].pk}, "category"),  # grab mode takes no rules
        ({**good, "category": 999999}, "category"),
        ({"category": world["leak"].pk}, "worker"),
    ]
    for body, field in cases:
        response = dispatcher.post(url, body, format="json")
        assert response.status_code == 400 and field in response.json()["fields"], (body, response.content)
    rule_id = dispatcher.get(url).json()[0]["id"]
    moved = dispatcher.patch(f"{url}{rule_id}/", {"worker": world["worker2"].pk}, format="json")
    assert moved.status_code == 200 and moved.json()["worker_name"] == world["worker2"].name
    bad = dispatcher.patch(f"{url}{rule_id}/", {"worker": world["admin"].pk}, format="json")
    assert bad.status_code == 400 and "worker" in bad.json()["fields"]
    for username in ("repair", "service", "cashier"):  # repairs.manage only
        client = client_for(company_a, username)
        assert client.get(url).status_code == 403
        assert client.post(url, good, format="json").status_code == 403
    with tenant_context(company_a):
        assert DispatchRule.objects.count() == 1
        assert AuditEvent.objects.filter(action__startswith="repair_dispatch_rule.").count() == 2


def test_a_rule_of_a_is_invisible_and_unwritable_from_b(company_a, company_b, client_for):
    world = _world(company_a)
    _world(company_b, name="别家苑")
    with tenant_context(company_a):
        rule = services.create_rule(actor=world["admin"], category=world["leak"], worker=world["worker"])
    admin_b = client_for(company_b, "admin")
    url = f"/api/v1/repair-dispatch-rules/{rule.pk}/"
    assert admin_b.get("/api/v1/repair-dispatch-rules/").json() == []
    assert admin_b.get(url).status_code == 404
    assert admin_b.patch(url, {"worker": world["worker2"].pk}, format="json").status_code == 404
    assert admin_b.delete(url).status_code == 404
    dispatcher_a = client_for(company_a, "dispatcher")
    dispatcher_a.defaults["HTTP_HOST"] = f"{company_b.slug}.localhost"
    assert dispatcher_a.get("/api/v1/repair-dispatch-rules/").status_code in (401, 403)
    with tenant_context(company_a):
        assert DispatchRule.objects.get().worker_id == world["worker"].pk


# --- two filings at once ------------------------------------------------------------------------------


@pytest.fixture
def scratch_company(django_db_blocker):
    on_own_connection(django_db_blocker, lambda: drop("gamma"))
    company = on_own_connection(django_db_blocker, provision_scratch)
    try:
        yield company
    finally:
        on_own_connection(django_db_blocker, lambda: drop("gamma"))


def test_two_orders_filed_at_once_go_to_two_idle_workers(scratch_company, django_db_blocker, monkeypatch):
    """The first filing chooses its worker and then holds on until PostgreSQL shows the second filing
    waiting on a lock; the second then counts the first's order and takes the other idle worker.
    Without the wait both would read two empty loads and choose the same worker."""
    company = scratch_company
    world = on_own_connection(django_db_blocker, lambda: _world(company))
    chosen, done, pids = threading.Event(), threading.Event(), []
    pick = selectors.least_loaded

    def holding(candidates):
        worker = pick(candidates)
        if not chosen.is_set():
            chosen.set()
            wait_until_waiting(pids, done)
        return worker

    monkeypatch.setattr(selectors, "least_loaded", holding)

    def file(*, wait_first: bool):
        with tenant_context(company):
            if wait_first:
                assert chosen.wait(WAIT)
                pids.append(backend_pid())
            try:
                return _file(world, world["rota"], house_index=1 if wait_first else 0).worker_id
            finally:
                if wait_first:
                    done.set()

    first, second = in_threads(django_db_blocker, lambda: file(wait_first=False), lambda: file(wait_first=True))
    assert {first, second} == {world["worker"].pk, world["worker2"].pk}
