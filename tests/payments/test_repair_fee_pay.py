"""A paid repair's fee, charged on completion, is paid by the owner online through the bills' own
WeChat Pay flow (the same order, notification and allocation as any bill), and the repair shows it paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from tests.payments.conftest import SUB_MCHIDS, post_notification, start

pytestmark = pytest.mark.django_db


def test_the_owner_pays_a_repair_fee_online_and_the_repair_shows_it_paid(payer, client_for):
    from billing.models import Allocation, FeeItem
    from standins import wechatpay_notify
    from tenants.repairs import services
    from tenants.repairs.machine import Party
    from tenants.repairs.models import RepairOrder, Status
    from tests.tenants.test_repairs import _world

    with tenant_context(payer.company):
        world = _world(payer.company, name="付维修费苑")
        item = FeeItem.objects.create(
            name="维修费", kind="one_off", mode="fixed", cycle_months=0, valid_from=date(2026, 1, 1)
        )
        services.update_settings(actor=world["admin"], fee_item=item)
        paid = services.create_category(actor=world["admin"], name="家电维修", is_paid=True)
        order = RepairOrder.objects.create(
            number="P000001",
            house=payer.house,
            estate=payer.house.estate,
            category=paid,
            urgency="normal",
            description="热水器不出热水",
            owner=payer.user,
            filed_by=world["admin"],
            status=Status.IN_PROGRESS,
            worker=world["worker"],
        )
        services.transition(
            order_id=order.pk, name="complete", actor=world["worker"], party=Party.WORKER, fee=Decimal("88.80")
        )

    shown = payer.client.get(f"/api/v1/owner/repairs/{order.pk}/").json()
    charge = shown["charge"]
    assert (charge["amount"], charge["status"]) == ("88.80", "unpaid")

    answer = start(payer, [charge["charge_id"]], key="repair-fee")
    assert answer.status_code == 201, answer.content
    paying = answer.json()
    assert [line["item_id"] for line in paying["lines"]] == [charge["charge_id"]]
    assert Decimal(paying["amount"]) == Decimal("88.80")  # no late fee: the item has no policy
    delivery = wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=paying["out_trade_no"])
    assert post_notification(client_for(payer.company), delivery).status_code == 204

    after = payer.client.get(f"/api/v1/owner/repairs/{order.pk}/").json()["charge"]
    assert (after["status"], after["paid"], after["outstanding"]) == ("paid", "88.80", "0.00")
    with tenant_context(payer.company):
        assert [a.amount for a in Allocation.objects.filter(charge_id=charge["charge_id"])] == [Decimal("88.80")]
    staff = client_for(payer.company, "dispatcher").get(f"/api/v1/repair-orders/{order.pk}/").json()
    assert staff["charge"]["status"] == "paid"
