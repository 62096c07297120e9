"""Invoices (发票): requested over paid payments, issued electronically through the e-invoice provider
(einvoice) or recorded on paper, rejected with a reason, voided by a red-letter invoice (红冲).

Electronic issuing and voiding leave through the outbox: the action moves the invoice to issuing (or
voiding) and emits; the handler asks the provider by our order number first, so a redelivered task
finds the first submission instead of submitting twice, then submits, then queries until the provider
answers issued or failed (raising in between, so the outbox retries with backoff). A failed
submission may be retried under a new order number; staff may ask for the result again at any time.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

import einvoice
from billing.models import BillingSettings, Invoice, InvoiceKind, InvoiceLine, InvoiceStatus, Payment, TitleKind
from billing.models.invoices import LOCKING, TRANSITIONS, is_valid_tax_number
from billing.selectors.invoices import net_allocated
from billing.services import payment_notices
from billing.services.common import audit, field_error, lock_payer
from billing.services.schedule import billing_settings as seller
from core.actions import action, emit
from core.db import conflict_as
from core.errors import DomainError
from core.i18n import records_language
from tenants.estates.models import House

TOPIC_ISSUE = "billing.invoice.issue"
TOPIC_VOID = "billing.invoice.void"


class StillWaiting(Exception):
    """The provider has not finished: the outbox asks again later."""


def _order_no() -> str:
    return "WY" + uuid.uuid4().hex[:18].upper()  # Nuonuo takes 20 characters at most


def _move(invoice: Invoice, to: str) -> None:
    if to not in TRANSITIONS[invoice.status]:
        raise _wrong_state(invoice)
    invoice.status = to


def _wrong_state(invoice: Invoice) -> DomainError:
    return DomainError(
        _("发票当前状态为「%(status)s」，不能执行此操作。") % {"status": invoice.get_status_display()},
        code="invoice_state",
        status_code=409,
    )


def _locked(invoice_id: int) -> Invoice:
    return Invoice.objects.select_for_update(of=("self",)).get(pk=invoice_id)


def clean_title(*, title_kind: str, title: str, tax_number: str) -> tuple[str, str]:
    title = (title or "").strip()
    tax_number = (tax_number or "").strip().upper()
    if title_kind not in TitleKind.values:
        raise field_error("title_kind", _("请选择抬头类型。"))
    if not title:
        raise field_error("title", _("请填写发票抬头。"))
    if len(title) > 100:
        raise field_error("title", _("发票抬头最多 100 个字。"))
    if title_kind == TitleKind.COMPANY and not tax_number:
        raise field_error("tax_number", _("单位抬头须填写税号。"))
    if tax_number and not is_valid_tax_number(tax_number):
        raise field_error("tax_number", _("税号格式不正确（18 位统一社会信用代码，或 15、17、20 位税号）。"))
    return title, tax_number


def refuse_if_invoiced(payment_id: int) -> None:
    """A refund or a void of a payment on an invoice being issued, issued or being voided: refused (409)."""
    line = (
        InvoiceLine.objects.filter(payment_id=payment_id, invoice__status__in=LOCKING).select_related("invoice").first()
    )
    if line is not None:
        raise DomainError(
            _("该缴费已开具发票（%(title)s），请先红冲发票。") % {"title": line.invoice.title},
            code="payment_invoiced",
            status_code=409,
        )


@action
def request_invoice(
    *,
    house: House,
    payments: Sequence[Payment],
    title_kind: str,
    title: str,
    tax_number: str = "",
    email: str = "",
    actor: Any,
) -> Invoice:
    title, tax_number = clean_title(title_kind=title_kind, title=title, tax_number=tax_number)
    ids = [p.pk for p in payments]
    if not ids:
        raise field_error("payments", _("请选择要开票的缴费。"))
    if len(set(ids)) != len(ids):
        raise field_error("payments", _("同一笔缴费只能选择一次。"))
    if any(p.house_id != house.pk for p in payments):
        raise field_error("payments", _("所选缴费不属于该房屋。"))
    lock_payer(house.pk)
    paid = net_allocated(ids)
    if any(paid.get(pk, Decimal("0")) <= 0 for pk in ids):
        raise field_error("payments", _("所选缴费没有可开票的金额（未缴费用或已退款）。"))
    taken = _("所选缴费已在其他发票申请中。")
    if InvoiceLine.objects.filter(payment_id__in=ids, live=True).exists():
        raise field_error("payments", taken)
    invoice = Invoice.objects.create(
        house=house,
        requested_by=actor,
        title_kind=title_kind,
        title=title,
        tax_number=tax_number,
        email=(email or "").strip(),
        amount=sum((paid[pk] for pk in ids), Decimal("0")),
        order_no=_order_no(),
    )
    with conflict_as(field_error("payments", taken)):
        InvoiceLine.objects.bulk_create([InvoiceLine(invoice=invoice, payment_id=pk, amount=paid[pk]) for pk in ids])
    audit(
        actor,
        "invoice.request",
        invoice,
        after={"house": house.pk, "amount": str(invoice.amount), "payments": ids, "title_kind": title_kind},
    )
    return invoice


def _check_lines_still_paid(invoice: Invoice) -> None:
    lines = list(invoice.lines.all())
    paid = net_allocated([line.payment_id for line in lines])
    if any(paid.get(line.payment_id, Decimal("0")) < line.amount for line in lines):
        raise DomainError(
            _("所列缴费已有退款或作废，请驳回后重新申请。"), code="invoice_payments_changed", status_code=409
        )


@action
def issue_invoice(*, invoice: Invoice, actor: Any) -> Invoice:
    """Hand the invoice to the e-invoice provider (from requested, or again after a failure)."""
    if not einvoice.enabled():
        raise DomainError(_("本系统未接入电子发票服务，请登记纸质发票。"), code="einvoice_disabled", status_code=409)
    if not seller().invoice_seller_tax_number:
        raise DomainError(_("请先在开票设置中填写销方税号。"), code="einvoice_no_seller", status_code=409)
    lock_payer(invoice.house_id)
    invoice = _locked(invoice.pk)
    before = invoice.status
    _move(invoice, InvoiceStatus.ISSUING)
    _check_lines_still_paid(invoice)
    invoice.kind = InvoiceKind.ELECTRONIC
    invoice.attempts += 1
    if invoice.attempts > 1:
        invoice.order_no = _order_no()  # the failed submission keeps its number at the provider
    invoice.failure = ""
    invoice.provider = str(settings.EINVOICE_BACKEND)
    invoice.provider_serial = ""
    invoice.decided_by = actor
    invoice.save()
    emit(TOPIC_ISSUE, {"invoice_id": invoice.pk}, key=f"invoice:{invoice.pk}:issue:{invoice.attempts}")
    audit(actor, "invoice.issue", invoice, before={"status": before}, after={"status": invoice.status})
    return invoice


@action
def refresh_invoice(*, invoice: Invoice, actor: Any) -> Invoice:
    """Ask the provider again about an invoice being issued or voided (the outbox gave up waiting)."""
    invoice = _locked(invoice.pk)
    if invoice.status not in (InvoiceStatus.ISSUING, InvoiceStatus.VOIDING):
        raise DomainError(_("只有开具中或红冲中的发票可以查询结果。"), code="invoice_state", status_code=409)
    topic = TOPIC_ISSUE if invoice.status == InvoiceStatus.ISSUING else TOPIC_VOID
    emit(topic, {"invoice_id": invoice.pk}, key=f"invoice:{invoice.pk}:refresh:{uuid.uuid4().hex}")
    audit(actor, "invoice.refresh", invoice, after={"status": invoice.status})
    return invoice


@action
def record_paper_invoice(
    *, invoice: Invoice, invoice_code: str, invoice_number: str, issued_on: date, actor: Any
) -> Invoice:
    invoice_code, invoice_number = (invoice_code or "").strip(), (invoice_number or "").strip()
    if not invoice_number.isdigit() or len(invoice_number) not in (8, 20):
        raise field_error("invoice_number", _("发票号码为 8 位或 20 位数字。"))
    if invoice_code and (not invoice_code.isdigit() or len(invoice_code) not in (10, 12)):
        raise field_error("invoice_code", _("发票代码为 10 位或 12 位数字。"))
    if issued_on > timezone.localdate():
        raise field_error("issued_on", _("开票日期不能晚于今天。"))
    lock_payer(invoice.house_id)
    invoice = _locked(invoice.pk)
    before = invoice.status
    if before != InvoiceStatus.REQUESTED:
        raise _wrong_state(invoice)
    _check_lines_still_paid(invoice)
    invoice.status = InvoiceStatus.ISSUED
    invoice.kind = InvoiceKind.PAPER
    invoice.invoice_code = invoice_code
    invoice.invoice_number = invoice_number
    invoice.issued_at = timezone.make_aware(datetime.combine(issued_on, time(12)))
    invoice.decided_by = actor
    invoice.save()
    payment_notices.tell_invoice_issued(invoice)
    audit(
        actor,
        "invoice.paper",
        invoice,
        before={"status": before},
        after={"status": invoice.status, "code": invoice_code, "number": invoice_number},
    )
    return invoice


@action
def reject_invoice(*, invoice: Invoice, reason: str, actor: Any) -> Invoice:
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写驳回原因。"))
    invoice = _locked(invoice.pk)
    before = invoice.status
    _move(invoice, InvoiceStatus.REJECTED)
    invoice.reject_reason = reason[:200]
    invoice.decided_by = actor
    invoice.save()
    audit(
        actor, "invoice.reject", invoice, before={"status": before}, after={"status": invoice.status, "reason": reason}
    )
    return invoice


@action
def void_invoice(*, invoice: Invoice, reason: str, actor: Any) -> Invoice:
    """红冲: a paper invoice is voided at once (the red paper one is outside); an electronic one by a red
    invoice through the provider. Its payments are released once it is voided."""
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("请填写红冲原因。"))
    invoice = _locked(invoice.pk)
    before = invoice.status
    if invoice.kind == InvoiceKind.ELECTRONIC and not einvoice.enabled():
        raise DomainError(_("本系统未接入电子发票服务，无法红冲电子发票。"), code="einvoice_disabled", status_code=409)
    if invoice.kind == InvoiceKind.PAPER:
        _move(invoice, InvoiceStatus.VOIDED)
        invoice.voided_at = timezone.now()
    else:
        _move(invoice, InvoiceStatus.VOIDING)
        invoice.void_order_no = invoice.void_order_no or _order_no()
        invoice.failure = ""
        emit(TOPIC_VOID, {"invoice_id": invoice.pk}, key=f"invoice:{invoice.pk}:void:{invoice.void_order_no}")
    invoice.void_reason = reason[:200]
    invoice.save()
    audit(actor, "invoice.void", invoice, before={"status": before}, after={"status": invoice.status, "reason": reason})
    return invoice


@action
def save_invoice_settings(
    *, invoice_seller_tax_number: str, invoice_seller_address: str, invoice_seller_phone: str, actor: Any
) -> BillingSettings:
    tax_number = (invoice_seller_tax_number or "").strip().upper()
    if tax_number and not is_valid_tax_number(tax_number):
        raise field_error(
            "invoice_seller_tax_number", _("税号格式不正确（18 位统一社会信用代码，或 15、17、20 位税号）。")
        )
    config = seller()
    before = {"tax_number": config.invoice_seller_tax_number}
    config.invoice_seller_tax_number = tax_number
    config.invoice_seller_address = (invoice_seller_address or "").strip()
    config.invoice_seller_phone = (invoice_seller_phone or "").strip()
    config.save()
    audit(actor, "invoice.settings", config, before=before, after={"tax_number": tax_number})
    return config


# --- the provider's side, run by the outbox handlers (billing.tasks) ----------------------------


def _issue_request(invoice: Invoice, config: BillingSettings) -> einvoice.IssueRequest:
    with records_language():  # the line printed on the tax invoice
        item_name = _("物业管理服务")
    return einvoice.IssueRequest(
        order_no=invoice.order_no,
        buyer_name=invoice.title,
        buyer_tax_number=invoice.tax_number,
        email=invoice.email,
        seller_tax_number=config.invoice_seller_tax_number,
        seller_address=config.invoice_seller_address,
        seller_phone=config.invoice_seller_phone,
        items=(einvoice.InvoiceItem(name=item_name, amount=invoice.amount),),
        issued_on=timezone.now(),
    )


def submit_invoice(*, invoice_id: int) -> None:
    """Issue (or find) the invoice at the provider and record the outcome; raises StillWaiting meanwhile."""
    invoice = Invoice.objects.get(pk=invoice_id)
    if invoice.status != InvoiceStatus.ISSUING:
        return  # done already (a redelivery)
    provider = einvoice.provider()
    config = seller()
    tax = config.invoice_seller_tax_number
    found = provider.query(order_no=invoice.order_no, seller_tax_number=tax)
    if found is None:
        try:
            serial = provider.issue(_issue_request(invoice, config))
        except einvoice.EInvoiceError as error:
            if error.unreachable:
                raise
            _issue_failed(invoice_id=invoice_id, order_no=invoice.order_no, failure=f"{error.code} {error.message}")
            return
        _record_serial(invoice_id=invoice_id, order_no=invoice.order_no, serial=serial)
        found = provider.query(order_no=invoice.order_no, seller_tax_number=tax)
    if found is None or found.state == "issuing":
        raise StillWaiting(invoice.order_no)
    if found.state == "failed":
        failure = f"{found.failure_code} {found.failure_message}"
        _issue_failed(invoice_id=invoice_id, order_no=invoice.order_no, failure=failure)
        return
    pdf = provider.fetch_pdf(found.pdf_url) if found.pdf_url else b""
    _issued(invoice_id=invoice_id, result=found, pdf=pdf)


@action
def _record_serial(*, invoice_id: int, order_no: str, serial: str) -> None:
    invoice = _locked(invoice_id)
    if invoice.order_no != order_no or invoice.status != InvoiceStatus.ISSUING:
        return
    invoice.provider_serial = serial
    invoice.save(update_fields=["provider_serial", "updated_at"])
    audit(None, "invoice.submitted", invoice, after={"serial": serial, "order_no": order_no})


@action
def _issue_failed(*, invoice_id: int, order_no: str, failure: str) -> None:
    invoice = _locked(invoice_id)
    if invoice.order_no != order_no or invoice.status != InvoiceStatus.ISSUING:
        return
    invoice.status = InvoiceStatus.FAILED
    invoice.failure = failure.strip()[:200]
    invoice.save(update_fields=["status", "failure", "updated_at"])
    audit(None, "invoice.failed", invoice, after={"failure": invoice.failure})


@action
def _issued(*, invoice_id: int, result: einvoice.InvoiceResult, pdf: bytes) -> None:
    invoice = _locked(invoice_id)
    if invoice.order_no != result.order_no or invoice.status != InvoiceStatus.ISSUING:
        return
    invoice.status = InvoiceStatus.ISSUED
    invoice.provider_serial = result.serial
    invoice.invoice_code = result.invoice_code
    invoice.invoice_number = result.invoice_number
    invoice.issued_at = result.issued_at or timezone.now()
    if pdf:
        invoice.pdf.save(f"{invoice.pk}-{result.invoice_number}.pdf", ContentFile(pdf), save=False)
    invoice.save()
    payment_notices.tell_invoice_issued(invoice)
    audit(None, "invoice.issued", invoice, after={"code": result.invoice_code, "number": result.invoice_number})


def submit_void(*, invoice_id: int) -> None:
    """Issue (or find) the red invoice at the provider and record the outcome; raises StillWaiting meanwhile."""
    invoice = Invoice.objects.get(pk=invoice_id)
    if invoice.status != InvoiceStatus.VOIDING or not invoice.void_order_no:
        return
    provider = einvoice.provider()
    config = seller()
    tax = config.invoice_seller_tax_number
    found = provider.query(order_no=invoice.void_order_no, seller_tax_number=tax)
    if found is None:
        original = einvoice.InvoiceResult(
            state="issued",
            order_no=invoice.order_no,
            serial=invoice.provider_serial,
            invoice_code=invoice.invoice_code,
            invoice_number=invoice.invoice_number,
        )
        request = einvoice.VoidRequest(
            order_no=invoice.void_order_no,
            original=original,
            reason=invoice.void_reason,
            request=_issue_request(invoice, config),
        )
        try:
            serial = provider.void(request)
        except einvoice.EInvoiceError as error:
            if error.unreachable:
                raise
            _void_failed(invoice_id=invoice_id, failure=f"{error.code} {error.message}")
            return
        _record_void_serial(invoice_id=invoice_id, serial=serial)
        found = provider.query(order_no=invoice.void_order_no, seller_tax_number=tax)
    if found is None or found.state == "issuing":
        raise StillWaiting(invoice.void_order_no)
    if found.state == "failed":
        _void_failed(invoice_id=invoice_id, failure=f"{found.failure_code} {found.failure_message}")
        return
    pdf = provider.fetch_pdf(found.pdf_url) if found.pdf_url else b""
    _voided(invoice_id=invoice_id, result=found, pdf=pdf)


@action
def _record_void_serial(*, invoice_id: int, serial: str) -> None:
    invoice = _locked(invoice_id)
    if invoice.status != InvoiceStatus.VOIDING:
        return
    invoice.void_serial = serial
    invoice.save(update_fields=["void_serial", "updated_at"])
    audit(None, "invoice.void_submitted", invoice, after={"serial": serial})


@action
def _void_failed(*, invoice_id: int, failure: str) -> None:
    """The red invoice was refused: the invoice stays issued (its payments locked), the reason shown."""
    invoice = _locked(invoice_id)
    if invoice.status != InvoiceStatus.VOIDING:
        return
    invoice.status = InvoiceStatus.ISSUED
    invoice.failure = (_("红冲失败：") + failure.strip())[:200]
    invoice.void_order_no = None  # a new attempt is a new red invoice
    invoice.save(update_fields=["status", "failure", "void_order_no", "updated_at"])
    audit(None, "invoice.void_failed", invoice, after={"failure": invoice.failure})


@action
def _voided(*, invoice_id: int, result: einvoice.InvoiceResult, pdf: bytes = b"") -> None:
    """The red invoice is made: the blue one is voided, the red one's number and PDF kept beside it."""
    invoice = _locked(invoice_id)
    if invoice.status != InvoiceStatus.VOIDING or result.order_no != invoice.void_order_no:
        return
    invoice.status = InvoiceStatus.VOIDED
    invoice.void_serial = result.serial
    invoice.voided_at = result.issued_at or timezone.now()
    invoice.void_invoice_code = result.invoice_code
    invoice.void_invoice_number = result.invoice_number
    if pdf:
        invoice.void_pdf.save(f"{invoice.pk}-{result.invoice_number}-red.pdf", ContentFile(pdf), save=False)
    invoice.save(
        update_fields=[
            "status",
            "void_serial",
            "voided_at",
            "void_invoice_code",
            "void_invoice_number",
            "void_pdf",
            "updated_at",
        ]
    )
    audit(None, "invoice.voided", invoice, after={"red_code": result.invoice_code, "red_number": result.invoice_number})
