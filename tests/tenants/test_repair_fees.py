"""Paid repairs (tenants.repairs.services.fees): the worker's fee is charged to the house's bills once,
in the completion's transaction; the owner sees it on the order and in their bills and pays it online;
the dispatcher corrects it before it is paid; a reopened order keeps it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from accounts.models import AuditEvent, User
from billing.models import Charge, FeeItem
from billing.services import payments
from tenants.repairs import services
from tenants.repairs.machine import Party
from tenants.repairs.models import RepairOrder, Scope, Status
from tenants.repairs.services import fees
from tests.tenants.test_repairs import _order, _owner, _world

pytestmark = pytest.mark.django_db


def _paid_world(company, name="有偿苑", *, fee_item=True):
    world = _world(company, name=name)
    with tenant_context(company):
        admin = world["admin"]
        world["paid"] = services.create_category(actor=admin, name="家电维修", is_paid=True)
        world["paid_public"] = services.create_category(actor=admin, name="公共设施", is_paid=True, scope=Scope.PUBLIC)
        if fee_item:
            world["item"] = FeeItem.objects.create(
                name=f"维修费{name}", kind="one_off", mode="fixed", cycle_months=0, valid_from=date(2026, 1, 1)
            )
            services.update_settings(actor=admin, fee_item=world["item"])
    return world


def _in_progress(world, category, owner=None, house_index=0):
    return _order(world, status=Status.IN_PROGRESS, category=category, owner=owner, house_index=house_index)


def _complete(client, order, **body):
    return client.post(f"/api/v1/repair-work/{order.pk}/complete/", body, format="json")


def test_completing_a_paid_repair_charges_the_house_once(company_a, client_for):
    world = _paid_world(company_a)
    owner_client, owner = _owner(company_a, client_for, world["houses"][0])
    with tenant_context(company_a):
        order = _in_progress(world, world["paid"], owner=owner)
    worker = client_for(company_a, "repair")
    done = _complete(worker, order, fee="35.50", materials="水龙头一个", note="已更换")
    assert done.status_code == 200, done.content
    body = done.json()
    assert (body["status"], body["fee"], body["materials"]) == ("completed", "35.50", "水龙头一个")
    assert body["charge"]["amount"] == "35.50" and body["charge"]["status"] == "unpaid"

    # Sent again (a retried request): the state machine refuses, and there is still one charge.
    assert _complete(worker, order, fee="35.50").status_code == 409
    with tenant_context(company_a):
        charges = list(Charge.objects.filter(kind="service", house=world["houses"][0]))
        assert [(c.amount, c.source, c.fee_item_id) for c in charges] == [
            (Decimal("35.50"), f"repairs.order:{order.pk}", world["item"].pk)
        ]
        assert charges[0].reason == f"报修单 {order.number}：家电维修"
        # The completion's charge step run again (a redelivered action body) posts nothing new.
        fresh = RepairOrder.objects.select_related("category", "house").get(pk=order.pk)
        assert fees.charge_completed(fresh, actor=world["worker"]) == {
            "charge": f"repairs.order:{order.pk}",
            "kept": True,
        }
        assert Charge.objects.filter(kind="service").count() == 1
        audit = AuditEvent.objects.get(action="repair.complete", object_id=str(order.pk))
        assert audit.after["fee"] == "35.50" and audit.after["charge"] == f"repairs.order:{order.pk}"

    # The owner sees it on the order (list and detail) and in the house's bills.
    mine = owner_client.get(f"/api/v1/owner/repairs/{order.pk}/").json()
    assert mine["charge"]["charge_id"] == charges[0].pk and mine["charge"]["outstanding"] == "35.50"
    assert owner_client.get("/api/v1/owner/repairs/").json()["results"][0]["charge"]["status"] == "unpaid"
    (house,) = owner_client.get("/api/v1/owner/bills/").json()
    lines = [line for line in house["due"] if line["id"] == charges[0].pk]
    assert lines and lines[0]["kind"] == "service" and lines[0]["outstanding"] == "35.50"
    assert lines[0]["explanation"] == f"报修单 {order.number}：家电维修"

    with tenant_context(company_a):
        cashier = User.objects.get(username="cashier")
        payments.record_payment(
            house=world["houses"][0],
            amount=Decimal("35.50"),
            method="cash",
            idempotency_key="repair-fee",
            actor=cashier,
            charge_ids=[charges[0].pk],
        )
    staff = client_for(company_a, "dispatcher").get(f"/api/v1/repair-orders/{order.pk}/").json()
    assert staff["charge"]["status"] == "paid" and staff["charge"]["paid"] == "35.50"


def test_no_charge_for_a_free_category_no_fee_or_a_public_area(company_a, client_for):
    world = _paid_world(company_a)
    worker = client_for(company_a, "repair")
    with tenant_context(company_a):
        free = _in_progress(world, world["leak"])
        no_fee = _in_progress(world, world["paid"])
        public = _in_progress(world, world["paid_public"])
        RepairOrder.objects.filter(pk=public.pk).update(house=None, location="小区大门")
    refused = _complete(worker, free, fee="10.00")
    assert refused.status_code == 400 and "fee" in refused.json()["fields"]
    assert _complete(worker, free).json()["charge"] is None
    assert _complete(worker, no_fee, fee="0").json()["charge"] is None
    answer = _complete(worker, public, fee="80.00").json()
    assert (answer["fee"], answer["charge"]) == ("80.00", None)  # recorded; no house to charge
    with tenant_context(company_a):
        assert not Charge.objects.filter(kind="service").exists()
        audit = AuditEvent.objects.get(action="repair.complete", object_id=str(public.pk))
        assert audit.after["why"] == "public_area"


def test_a_fee_not_to_the_fen_or_without_a_fee_item_is_refused(company_a, client_for):
    world = _paid_world(company_a, fee_item=False)
    worker = client_for(company_a, "repair")
    with tenant_context(company_a):
        order = _in_progress(world, world["paid"])
    for fee, field in (("1.005", "fee"), ("-1", "fee"), ("12.00", "fee")):
        refused = _complete(worker, order, fee=fee)
        assert refused.status_code == 400 and field in refused.json()["fields"], (fee, refused.content)
    with tenant_context(company_a):
        assert RepairOrder.objects.get(pk=order.pk).status == Status.IN_PROGRESS
        assert not Charge.objects.filter(kind="service").exists()
    # A periodic item cannot be the repair fee item.
    admin = client_for(company_a, "admin")
    with tenant_context(company_a):
        monthly = FeeItem.objects.create(
            name="月度费", kind="other", mode="fixed", cycle_months=1, valid_from=date(2026, 1, 1)
        )
    assert admin.patch("/api/v1/repair-settings/", {"fee_item": monthly.pk}, format="json").status_code == 400


def test_the_dispatcher_corrects_an_unpaid_fee_and_a_paid_one_is_refused(company_a, client_for):
    world = _paid_world(company_a)
    owner_client, owner = _owner(company_a, client_for, world["houses"][0])
    worker, dispatcher = client_for(company_a, "repair"), client_for(company_a, "dispatcher")
    with tenant_context(company_a):
        order = _in_progress(world, world["paid"], owner=owner)
    assert _complete(worker, order, fee="50.00").status_code == 200
    path = f"/api/v1/repair-orders/{order.pk}/fee/"
    assert worker.post(path, {"fee": "40.00"}, format="json").status_code == 403
    corrected = dispatcher.post(path, {"fee": "40.00", "note": "材料按成本价"}, format="json")
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert body["fee"] == "40.00" and body["charge"]["amount"] == "40.00" and body["charge"]["status"] == "unpaid"
    assert body["timeline"][-1]["transition"] == "fee" and body["timeline"][-1]["note"] == "材料按成本价"
    with tenant_context(company_a):
        house = world["houses"][0]
        open_service = [(c.amount, o) for c, o in payments.open_lines(house.pk) if c.kind == "service"]
        assert open_service == [(Decimal("40.00"), Decimal("40.00"))]  # the 50.00 reversed, not owed twice
        assert Charge.objects.filter(kind="service").count() == 2
        charge_id = body["charge"]["charge_id"]
        payments.record_payment(
            house=house,
            amount=Decimal("40.00"),
            method="cash",
            idempotency_key="fee-paid",
            actor=User.objects.get(username="cashier"),
            charge_ids=[charge_id],
        )
    refused = dispatcher.post(path, {"fee": "30.00"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "repair_fee_paid"
    assert owner_client.get(f"/api/v1/owner/repairs/{order.pk}/").json()["charge"]["status"] == "paid"
    # Only a completed order's fee may be corrected.
    with tenant_context(company_a):
        open_order = _in_progress(world, world["paid"])
    assert dispatcher.post(f"/api/v1/repair-orders/{open_order.pk}/fee/", {"fee": "1.00"}).status_code == 409


def test_a_reopened_order_keeps_its_charge(company_a, client_for):
    world = _paid_world(company_a)
    owner_client, owner = _owner(company_a, client_for, world["houses"][0])
    worker = client_for(company_a, "repair")
    with tenant_context(company_a):
        order = _in_progress(world, world["paid"], owner=owner)
    first = _complete(worker, order, fee="60.00").json()["charge"]
    reopened = owner_client.post(f"/api/v1/owner/repairs/{order.pk}/reopen/", {}, format="json")
    assert reopened.status_code == 200 and reopened.json()["charge"] == first
    with tenant_context(company_a):
        for move in ("accept", "start"):
            services.transition(order_id=order.pk, name=move, actor=world["worker"], party=Party.WORKER)
    again = _complete(worker, order).json()  # completed again, no new fee: the same charge
    assert again["charge"]["charge_id"] == first["charge_id"] and again["fee"] == "60.00"
    with tenant_context(company_a):
        assert Charge.objects.filter(kind="service").count() == 1


def test_a_fee_corrected_to_nothing_then_completed_again_is_charged(company_a, client_for):
    """Completed for 30, the fee corrected to 0 (the charge cancelled), reopened and completed again:
    the new fee is a new charge. It was posted under the first completion's source again: the same
    amount found the cancelled charge (nothing owed), another amount was a 409 the worker could not
    get past."""
    world = _paid_world(company_a)
    owner_client, owner = _owner(company_a, client_for, world["houses"][0])
    worker, dispatcher = client_for(company_a, "repair"), client_for(company_a, "dispatcher")
    for fee in ("30.00", "50.00"):
        with tenant_context(company_a):
            order = _in_progress(world, world["paid"], owner=owner)
        assert _complete(worker, order, fee="30.00").status_code == 200
        path = f"/api/v1/repair-orders/{order.pk}/fee/"
        corrected = dispatcher.post(path, {"fee": "0.00"}, format="json")
        assert corrected.status_code == 200 and corrected.json()["charge"] is None, corrected.content
        assert owner_client.post(f"/api/v1/owner/repairs/{order.pk}/reopen/", {}, format="json").status_code == 200
        with tenant_context(company_a):
            for move in ("accept", "start"):
                services.transition(order_id=order.pk, name=move, actor=world["worker"], party=Party.WORKER)
        again = _complete(worker, order, fee=fee)
        assert again.status_code == 200, again.content
        charge = again.json()["charge"]
        assert (charge["amount"], charge["status"], charge["outstanding"]) == (fee, "unpaid", fee)


def test_a_fee_of_company_a_is_out_of_reach_from_b(company_a, company_b, client_for):
    world = _paid_world(company_a)
    _paid_world(company_b, name="别家有偿苑")
    with tenant_context(company_a):
        order = _in_progress(world, world["paid"])
    assert _complete(client_for(company_a, "repair"), order, fee="20.00").status_code == 200
    dispatcher_b = client_for(company_b, "dispatcher")
    assert dispatcher_b.post(f"/api/v1/repair-orders/{order.pk}/fee/", {"fee": "1.00"}).status_code == 404
    assert _complete(client_for(company_b, "repair"), order, fee="1.00").status_code == 404
    with tenant_context(company_b):
        assert not Charge.objects.filter(kind="service").exists()
    with tenant_context(company_a):
        assert Charge.objects.get(kind="service").amount == Decimal("20.00")
