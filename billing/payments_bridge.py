"""Bills as something the platform's payment service can take money for (payments.bridge, purpose
`bills`), registered in BillingConfig.ready(). The money ends in `record_payment`, unchanged: under
the payer's lock it posts the late fees, allocates the chosen charges and puts any excess on the
prepaid balance; the order's key makes a second call return the first payment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.models import ChargeKind, Payment, Refund
from billing.selectors import owner as owner_selectors
from billing.services import refunds as refund_services
from billing.services.payments import record_payment
from billing.services.refunds import channel_refund_settled
from core.errors import DomainError, NotFound
from core.i18n import records_language
from payments.bridge import AllocationRequest, ItemsTaken, Quote, QuoteLine, RefundBook, RefundRequestView
from tenants.estates.models import House

ZERO = Decimal("0.00")


def _not_due(ids: Sequence[int]) -> DomainError:
    message = _("所选费用已缴清、不能在线缴纳或不属于该房屋，请刷新后重试。")
    return DomainError(
        message,
        code="charge_not_due",
        status_code=409,
        fields={"charge_ids": [_("费用 %(ids)s 不可在线缴纳。") % {"ids": ", ".join(map(str, ids))}]},
    )


class BillsPayable:
    def quote(self, *, user: Any, payer_id: int, item_ids: Sequence[int] | None) -> Quote:
        """The house's open charges payable online (the chosen ones, each with its late fees), as the
        owner's bills show them: what each owes today and the late fee accruing on it."""
        if payer_id not in owner_selectors.owner_house_ids(user):
            raise NotFound()
        today = timezone.localdate()
        lines = [
            charge
            for charge in owner_selectors.owner_lines([payer_id], paid_since=today + timedelta(days=36500), as_of=today)
            if charge.outstanding > 0 and charge.fee_item.payable_online  # type: ignore[attr-defined]
        ]
        by_id = {charge.pk: charge for charge in lines}
        if item_ids:
            chosen = list(dict.fromkeys(item_ids))
            missing = [cid for cid in chosen if cid not in by_id]
            if missing:
                raise _not_due(missing)
            # A chosen charge brings its posted late fees, as record_payment will allocate them.
            principals = set(chosen)
            chosen += [
                c.pk
                for c in lines
                if c.kind == ChargeKind.LATE_FEE and c.pk not in principals and c.principal_id in principals
            ]
            lines = [by_id[cid] for cid in chosen]
        if not lines:
            raise DomainError(_("没有可在线缴纳的费用。"), code="nothing_due", status_code=409)
        accruing = dict((charge.pk, fee) for charge, fee in owner_selectors.accruing_late_fees(lines, as_of=today))
        quoted = tuple(
            QuoteLine(
                item_id=charge.pk,
                amount=charge.outstanding,  # type: ignore[attr-defined]
                late_fee=accruing.get(charge.pk, ZERO),
                label=f"{charge.fee_item.name} {charge.period_start:%Y-%m}",
            )
            for charge in lines
        )
        names = list(dict.fromkeys(charge.fee_item.name for charge in lines))
        with records_language():
            description = _("%(items)s 等 %(n)s 项") % {"items": "、".join(names[:3]), "n": len(lines)}
        return Quote(payer_kind="house", payer_id=payer_id, lines=quoted, description=description[:127])

    def allocate(self, request: AllocationRequest) -> str:
        house = House.objects.get(pk=request.payer_id)
        try:
            with transaction.atomic():  # a refusal leaves nothing of the attempt (late fees it posted)
                payment = record_payment(
                    house=house,
                    amount=request.amount,
                    method=request.method,
                    idempotency_key=request.idempotency_key,
                    actor=None,
                    charge_ids=list(request.item_ids),
                    reference=request.reference,
                    received_at=request.received_at,
                )
        except DomainError as exc:
            if exc.code == "charge_not_due":
                raise ItemsTaken(str(exc)) from exc
            raise
        return str(payment.pk)


def refund_settled(*, purpose_reference: str, status: str) -> None:
    """payments' word on a refund billing asked for (`refund:<id>`), in payments' transaction
    (billing.services.refunds.channel_refund_settled). An unknown status or reference is a programming
    error, never skipped."""
    kind, _sep, refund_id = purpose_reference.partition(":")
    if kind != "refund" or not refund_id.isdigit():
        raise ValueError(f"not a billing refund: {purpose_reference!r}")
    if not Refund.objects.filter(pk=int(refund_id)).exists():
        raise ValueError(f"no billing refund {refund_id}")
    channel_refund_settled(refund_id=int(refund_id), status=status)


def _name(user: Any) -> str:
    return str(getattr(user, "name", "") or getattr(user, "username", "")) if user is not None else ""


def refund_book(*, settled_reference: str) -> RefundBook:
    """The refunds asked for from the payment an order settled into (`settled_reference`: its id),
    oldest first, and what a new request may still take from it."""
    payment = Payment.objects.select_related("house").filter(pk=int(settled_reference)).first()
    if payment is None:
        return RefundBook(refundable=ZERO, requests=())
    rows = (
        Refund.objects.filter(payment=payment, source=Refund.Source.PAYMENT)
        .select_related("requested_by", "decided_by")
        .order_by("created_at", "id")
    )
    requests = tuple(
        RefundRequestView(
            reference=refund_services.channel_reference(refund),
            request_id=refund.pk,
            amount=refund.amount,
            method=refund.method,
            reason=refund.reason,
            status=str(refund.payout_status or refund.status),  # approved: where its money is
            requested_by=_name(refund.requested_by),
            requested_at=refund.created_at,
            decided_by=_name(refund.decided_by),
            decided_at=refund.decided_at,
            decision_note=refund.decision_note,
        )
        for refund in rows
    )
    available = refund_services.refundable(
        source=Refund.Source.PAYMENT, house=payment.house, payment=payment, deposit=None
    )
    return RefundBook(refundable=available, requests=requests)
