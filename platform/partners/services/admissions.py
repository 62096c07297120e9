"""Admission (准入): a company invites a vendor or a vendor applies; the company reviews the vendor's
documents and admits it for some of its estates at a commission, rejects it, suspends or reinstates it.

The rows are the public schema's (a vendor sees its admissions across companies). The company's side
runs on its own host, in its own schema (its actions are declared Schema.COMPANY: refused on the
public schema), finds only admissions carrying its own company, and is audited on its own trail. The
vendor's application runs on the public host and is audited on both trails.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, tenant_context

from accounts import services as account_services
from companies.models import Company, CompanyStatus
from core.actions import action
from core.db import current_schema
from core.errors import DomainError, NotFound
from core.schemas import Schema
from partners import bridge, selectors
from partners.models import Admission, AdmissionStatus, NoticeKind, VendorAccount
from partners.services import notices
from partners.services.expiry import lapsed_documents
from partners.services.vendors import label

# Which estate ids of the current company's schema exist: registered by tenants.estates when it loads
# (platform apps never import a company app). Unregistered, no estate can be named: fail closed.
_estate_lookup: Callable[[Iterable[int]], set[int]] | None = None


def register_estate_lookup(lookup: Callable[[Iterable[int]], set[int]]) -> None:
    global _estate_lookup
    _estate_lookup = lookup


def _snapshot(admission: Admission) -> dict[str, Any]:
    return {
        "status": admission.status,
        "estate_ids": list(admission.estate_ids),
        "commission_rate": str(admission.commission_rate),
        "note": admission.note,
    }


def own_company() -> Company:
    schema = current_schema()
    company = Company.objects.filter(schema_name=schema).first()
    if company is None or schema == get_public_schema_name():
        raise NotFound()
    return company


def _locked(admission_id: Any) -> Admission:
    found = selectors.company_admissions().select_for_update(of=("self",)).filter(pk=admission_id).first()
    if found is None:  # another company's admission is none of this company's business: not found
        raise NotFound()
    return found


def _move(admission: Admission, *, to: str, allowed_from: set[str], actor: Any, verb: str, **changes: Any) -> Admission:
    if admission.status not in allowed_from:
        raise DomainError(
            _("当前状态（%(status)s）不能执行此操作。") % {"status": admission.get_status_display()},
            code="invalid_state",
        )
    before = _snapshot(admission)
    admission.status = to
    for field, value in changes.items():
        setattr(admission, field, value)
    admission.save()
    account_services.record_audit(
        actor=actor,
        action=f"partner_admission.{verb}",
        object_type="partner_admission",
        object_id=admission.pk,
        before=before,
        after={**_snapshot(admission), "vendor": admission.vendor.name},
    )
    if verb in TOLD:
        _tell(admission, TOLD[verb])
    return admission


# What the vendor hears of a company's decision (partners.services.notices).
TOLD = {
    "approve": NoticeKind.ADMISSION_APPROVED,
    "reject": NoticeKind.ADMISSION_REJECTED,
    "suspend": NoticeKind.ADMISSION_SUSPENDED,
    "reinstate": NoticeKind.ADMISSION_REINSTATED,
}


def _tell(admission: Admission, kind: str, context: dict[str, Any] | None = None) -> None:
    notices.tell_vendor(
        vendor_id=admission.vendor_id,
        kind=kind,
        key=f"admission:{admission.pk}:{kind}:{admission.updated_at.isoformat()}",
        context={"reason": admission.note} if context is None else context,
        company=admission.company,
    )


@action(schema=Schema.COMPANY)
def invite_vendor(*, vendor_code: str, actor: Any) -> Admission:
    """The company invites a vendor by the code the vendor gave it; the vendor accepts by applying."""
    company = own_company()
    vendor = selectors.vendor_by_code(vendor_code)
    if vendor is None:
        message = _("没有这个服务商编号。")
        raise DomainError(message, fields={"vendor_code": [message]})
    admission = Admission.objects.select_for_update().filter(company=company, vendor=vendor).first()
    if admission is not None:
        message = _("该服务商已在本公司的服务商列表中。")
        raise DomainError(message, code="already_listed", fields={"vendor_code": [message]})
    admission = Admission.objects.create(company=company, vendor=vendor, status=AdmissionStatus.INVITED)
    account_services.record_audit(
        actor=actor,
        action="partner_admission.invite",
        object_type="partner_admission",
        object_id=admission.pk,
        after={**_snapshot(admission), "vendor": vendor.name},
    )
    _tell(admission, NoticeKind.ADMISSION_INVITED)
    return admission


def _estates(estate_ids: list[int]) -> list[int]:
    wanted = sorted(set(estate_ids))
    if not wanted:
        message = _("请至少选择一个服务的小区。")
        raise DomainError(message, fields={"estate_ids": [message]})
    known = _estate_lookup(wanted) if _estate_lookup is not None else set()
    unknown = [pk for pk in wanted if pk not in known]
    if unknown:
        message = _("小区不存在：%(ids)s") % {"ids": ", ".join(map(str, unknown))}
        raise DomainError(message, fields={"estate_ids": [message]})
    return wanted


def _rate(rate: Any) -> Decimal:
    try:
        value = Decimal(str(rate))
    except (InvalidOperation, ValueError) as exc:
        raise DomainError(_("佣金比例有误。"), fields={"commission_rate": [_("佣金比例有误。")]}) from exc
    if not value.is_finite() or value < 0 or value >= 1 or value != value.quantize(Decimal("0.0001")):
        message = _("佣金比例须在 0 到 1 之间（如 0.05 即 5%），最多四位小数。")
        raise DomainError(message, fields={"commission_rate": [message]})
    return value


@action(schema=Schema.COMPANY)
def approve_admission(*, admission_id: Any, actor: Any, estate_ids: list[int], commission_rate: Any) -> Admission:
    """资质审核 passed: the vendor serves these estates at this commission. Its documents must all be
    current (none past its date without a newer one) and there must be at least one."""
    admission = _locked(admission_id)
    estates, rate = _estates(estate_ids), _rate(commission_rate)
    documents = list(selectors.company_admission_documents(admission).values_list("pk", flat=True))
    if not documents or lapsed_documents(vendor=admission.vendor).exists():
        raise DomainError(_("该服务商没有有效的资质文件，不能准入。"), code="documents_missing")
    admission = _move(
        admission,
        to=AdmissionStatus.APPROVED,
        allowed_from={AdmissionStatus.APPLIED},
        actor=actor,
        verb="approve",
        estate_ids=estates,
        commission_rate=rate,
        documents_reviewed_at=timezone.now(),
        note="",
    )
    return admission


@action(schema=Schema.COMPANY)
def change_admission_terms(*, admission_id: Any, actor: Any, estate_ids: list[int], commission_rate: Any) -> Admission:
    """An admitted vendor's terms change: the estates it serves and its commission, checked as on
    approval. Only while approved: a suspended vendor is reinstated first, an applicant approved."""
    admission = _locked(admission_id)
    estates, rate = _estates(estate_ids), _rate(commission_rate)
    changed = sorted(admission.estate_ids) != estates or admission.commission_rate != rate
    admission = _move(
        admission,
        to=AdmissionStatus.APPROVED,
        allowed_from={AdmissionStatus.APPROVED},
        actor=actor,
        verb="terms",
        estate_ids=estates,
        commission_rate=rate,
    )
    if changed:  # the vendor learns what it now serves and what it keeps of each new order
        percent = f"{(rate * 100).normalize():f}%"
        _tell(admission, NoticeKind.ADMISSION_TERMS, {"estates": len(estates), "rate": percent})
    return admission


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请填写原因。"), fields={"reason": [_("请填写原因。")]})
    if len(reason) > 200:
        raise DomainError(_("原因不能超过 200 字。"), fields={"reason": [_("原因不能超过 200 字。")]})
    return reason


@action(schema=Schema.COMPANY)
def reject_admission(*, admission_id: Any, actor: Any, reason: str) -> Admission:
    admission = _locked(admission_id)
    return _move(
        admission,
        to=AdmissionStatus.REJECTED,
        allowed_from={AdmissionStatus.APPLIED},
        actor=actor,
        verb="reject",
        note=_reason(reason),
    )


@action(schema=Schema.COMPANY)
def suspend_admission(*, admission_id: Any, actor: Any, reason: str) -> Admission:
    """The vendor loses the company's orders in the portal at once; those not started are cancelled
    and refunded in the same transaction (nobody would serve them), those under way stay for staff."""
    admission = _locked(admission_id)
    admission = _move(
        admission,
        to=AdmissionStatus.SUSPENDED,
        allowed_from={AdmissionStatus.APPROVED},
        actor=actor,
        verb="suspend",
        note=_reason(reason),
    )
    bridge.orders().vendor_suspended(vendor_id=admission.vendor_id, actor=actor)
    return admission


@action(schema=Schema.COMPANY)
def reinstate_admission(*, admission_id: Any, actor: Any) -> Admission:
    admission = _locked(admission_id)
    return _move(
        admission,
        to=AdmissionStatus.APPROVED,
        allowed_from={AdmissionStatus.SUSPENDED},
        actor=actor,
        verb="reinstate",
        note="",
    )


def _open_company(slug: str) -> Company | None:
    hidden = {get_public_schema_name(), settings.TENANT_BASE_SCHEMA}
    return (
        Company.objects.filter(slug=(slug or "").strip().lower(), status=CompanyStatus.ACTIVE)
        .exclude(schema_name__in=hidden)
        .first()
    )


@action
def apply_to_company(*, account: VendorAccount, company_slug: str) -> Admission:
    """The vendor asks a company to admit it, or accepts the company's invitation (or asks again
    after a rejection). Audited on the public trail and on the company's own."""
    company = _open_company(company_slug)
    if company is None:
        message = _("没有这家物业公司。")
        raise DomainError(message, fields={"company": [message]})
    vendor = account.vendor
    admission = Admission.objects.select_for_update().filter(company=company, vendor=vendor).first()
    before = _snapshot(admission) if admission is not None else None
    if admission is None:
        admission = Admission.objects.create(company=company, vendor=vendor, status=AdmissionStatus.APPLIED)
    elif admission.status in (AdmissionStatus.INVITED, AdmissionStatus.REJECTED):
        admission.status = AdmissionStatus.APPLIED
        admission.note = ""
        admission.save(update_fields=["status", "note", "updated_at"])
    else:
        message = _("已向该公司提交过申请。")
        raise DomainError(message, code="already_applied", fields={"company": [message]})
    event: dict[str, Any] = {
        "actor": None,
        "actor_label": label(account),
        "action": "partner_admission.apply",
        "object_type": "partner_admission",
        "object_id": admission.pk,
        "before": before,
        "after": {**_snapshot(admission), "vendor": vendor.name},
    }
    account_services.record_audit(**event)
    with tenant_context(company):
        account_services.record_audit(**event)
    return admission
