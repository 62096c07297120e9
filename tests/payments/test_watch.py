"""The sweeper's watch list: only companies with something live at a gateway are visited every two
minutes (payments.services.watch); the hourly sweep of every company is the net under it."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from unittest import mock

from django.db import transaction
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from tests.payments.conftest import SUB_MCHIDS, start


def _watched():
    from payments.services import watch

    with schema_context(get_public_schema_name()):
        return watch.watched_schemas()


def test_an_order_marks_its_company_once_committed_and_only_its_company(
    payer, company_b, django_capture_on_commit_callbacks
):
    assert payer.company.schema_name not in _watched()
    with django_capture_on_commit_callbacks(execute=True):
        assert start(payer, key="w1").status_code == 201
    with django_capture_on_commit_callbacks(execute=True):
        assert start(payer, key="w2").status_code == 201  # a second mark is no second row
    assert _watched() == [payer.company.schema_name]
    assert company_b.schema_name not in _watched()


def test_a_rolled_back_order_marks_nothing(payer, django_capture_on_commit_callbacks):
    from payments.services import watch

    with (
        tenant_context(payer.company),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        watch.watch_after_commit()
        raise RuntimeError("the order's transaction fails")
    assert callbacks == [] and _watched() == []


def test_the_sweep_keeps_the_mark_while_an_order_is_live_and_drops_it_once_settled(
    payer, django_capture_on_commit_callbacks
):
    from payments.tasks import sweep_payments
    from standins import wechatpay_notify

    with django_capture_on_commit_callbacks(execute=True):
        order = start(payer, key="w3").json()
    with tenant_context(payer.company):
        counts = sweep_payments.run()
    assert counts["asked"] == 0 and counts["watched"] == 1  # too young to ask: still watched
    assert _watched() == [payer.company.schema_name]

    wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])  # notification lost
    with (
        tenant_context(payer.company),
        mock.patch("payments.services.sweeper.timezone.now", return_value=timezone.now() + timedelta(minutes=2)),
    ):
        counts = sweep_payments.run()
    assert counts["paid"] == 1 and counts["watched"] == 0
    assert _watched() == []
    with tenant_context(payer.company):
        assert sweep_payments.run()["watched"] == 0  # twice: nothing to mark


def test_a_sweep_unmarks_before_it_looks_so_an_order_made_meanwhile_stays_watched(payer):
    """The order commits while the sweep runs, after the delete: the look that follows sees it."""
    from payments.services import watch

    with tenant_context(payer.company):
        watch._mark(payer.company.schema_name)
        seen = {}

        def an_order_committed_meanwhile():
            seen["during"] = list(_watched_in_public())
            return True

        with mock.patch.object(watch, "is_live", side_effect=an_order_committed_meanwhile):
            assert watch.rewatch() is True
        assert payer.company.schema_name not in seen["during"]  # the mark was gone while it looked
    assert _watched() == [payer.company.schema_name]


def _watched_in_public():
    from companies.models import PaymentWatch

    return PaymentWatch.objects.values_list("schema_name", flat=True)


def test_the_beat_sends_the_sweep_to_watched_companies_only(payer, company_b, django_capture_on_commit_callbacks):
    from payments import tasks

    with django_capture_on_commit_callbacks(execute=True):
        start(payer, key="w4")
    with schema_context(get_public_schema_name()), mock.patch.object(tasks.sweep_payments, "apply_async") as send:
        assert tasks.sweep_watched.run() == 1
    send.assert_called_once_with(headers={"_schema_name": payer.company.schema_name}, expires=110)


def test_a_deleted_companys_mark_is_not_swept(payer):
    from payments.services import watch

    with tenant_context(payer.company):
        watch._mark("c_gone")
    assert "c_gone" not in _watched()


def test_a_refund_marks_its_company(payer, django_capture_on_commit_callbacks):
    from decimal import Decimal

    from payments.models import PaymentOrder
    from payments.services import refunds, watch
    from standins import wechatpay_notify

    order = start(payer, key="w5").json()
    wechatpay_notify.pay(sub_mchid=SUB_MCHIDS["alpha"], out_trade_no=order["out_trade_no"])
    with tenant_context(payer.company):
        from payments.services import sweeper

        sweeper.sweep(now=timezone.now() + timedelta(minutes=2))
        paid = PaymentOrder.objects.get(out_trade_no=order["out_trade_no"])
        assert paid.status == "paid"
        watch.rewatch()
        assert _watched() == []
        with django_capture_on_commit_callbacks(execute=True):
            _refund(refunds, paid, Decimal("0.01"))
    assert _watched() == [payer.company.schema_name]


def _refund(refunds, order, amount):
    from core.actions import action
    from core.schemas import Schema

    @action(schema=Schema.COMPANY, audit=False)  # a refund row as the refund services make it
    def make():
        return refunds.request_refund(order, amount, "测试", "test-watch")

    return make()
