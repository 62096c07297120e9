"""What each kind of vendor notice says (partners.models.VendorNotice): its title and text, rendered
from the stored context when read, in the reader's language; and which kinds also go by text message
to the vendor's contact phone, with which of the platform's SMS templates (notifications.sms)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import DocumentKind, NoticeKind, VendorNotice

FULFILMENTS = {"delivery": _("送货上门"), "pickup": _("到店自提")}
BY = {
    "owner": _("业主"),
    "company": _("物业"),
    "system": _("系统"),
}


@dataclass(frozen=True)
class NoticeSpec:
    title: Promise
    body: Promise
    sms: str = ""  # the platform's template (notifications.sms.TEMPLATES); "" for the portal alone
    sms_params: tuple[str, ...] = ()


SPECS: dict[str, NoticeSpec] = {
    NoticeKind.ORDER_BOOKED: NoticeSpec(
        title=_("新订单待确认：%(offering)s"),
        body=_("%(company)s %(estate)s 的业主下了订单 %(number)s（%(offering)s%(when)s），请及时确认。"),
        sms="vendor_order_booked",
        sms_params=("company", "number"),
    ),
    NoticeKind.ORDER_CANCELLED: NoticeSpec(
        title=_("订单已取消：%(number)s"),
        body=_("%(company)s 的订单 %(number)s（%(offering)s）已由%(by)s取消。%(reason)s"),
        sms="vendor_order_cancelled",
        sms_params=("company", "number"),
    ),
    NoticeKind.ORDER_PAID: NoticeSpec(
        title=_("业主已付款：%(amount)s 元"),
        body=_("%(company)s 的订单 %(number)s（%(offering)s）业主已付款 %(amount)s 元。"),
    ),
    NoticeKind.ORDER_RATED: NoticeSpec(
        title=_("业主评价：%(rating)s 星"),
        body=_("%(company)s 的订单 %(number)s（%(offering)s）收到 %(rating)s 星评价。%(comment)s"),
    ),
    NoticeKind.ADMISSION_INVITED: NoticeSpec(
        title=_("%(company)s 邀请您入驻"),
        body=_("%(company)s 邀请您为其小区提供服务，请在“合作物业”中提交申请。"),
        sms="vendor_admission",
        sms_params=("company",),
    ),
    NoticeKind.ADMISSION_APPROVED: NoticeSpec(
        title=_("%(company)s 已通过您的入驻申请"),
        body=_("%(company)s 已审核通过，您的服务已向其业主展示。"),
        sms="vendor_admission",
        sms_params=("company",),
    ),
    NoticeKind.ADMISSION_REJECTED: NoticeSpec(
        title=_("%(company)s 未通过您的入驻申请"),
        body=_("%(company)s 未通过您的入驻申请。原因：%(reason)s"),
        sms="vendor_admission",
        sms_params=("company",),
    ),
    NoticeKind.ADMISSION_SUSPENDED: NoticeSpec(
        title=_("%(company)s 暂停了与您的合作"),
        body=_("%(company)s 暂停了与您的合作，未开始的订单已取消并退款。原因：%(reason)s"),
        sms="vendor_admission",
        sms_params=("company",),
    ),
    NoticeKind.ADMISSION_REINSTATED: NoticeSpec(
        title=_("%(company)s 恢复了与您的合作"),
        body=_("%(company)s 恢复了与您的合作，您的服务重新向其业主展示。"),
        sms="vendor_admission",
        sms_params=("company",),
    ),
    NoticeKind.ADMISSION_TERMS: NoticeSpec(
        title=_("%(company)s 调整了合作条款"),
        body=_(
            "%(company)s 调整了与您的合作条款：服务 %(estates)s 个小区，佣金比例 %(rate)s。此后的新订单按新条款结算。"
        ),
        sms="vendor_admission",
        sms_params=("company",),
    ),
    NoticeKind.DOCUMENT_EXPIRING: NoticeSpec(
        title=_("%(kind)s即将到期"),
        body=_("您的%(kind)s（%(number)s）将于 %(expires_on)s 到期，请及时上传新证件；到期后服务将自动暂停。"),
        sms="vendor_document",
        sms_params=("kind", "expires_on"),
    ),
    NoticeKind.DOCUMENT_EXPIRED: NoticeSpec(
        title=_("%(kind)s已过期，服务已暂停"),
        body=_("您的%(kind)s（%(number)s）已于 %(expires_on)s 过期，您的服务已暂停展示；上传有效证件后自动恢复。"),
        sms="vendor_document",
        sms_params=("kind", "expires_on"),
    ),
}


def spec(kind: str) -> NoticeSpec:
    """An unknown kind is an error, not a blank message."""
    return SPECS[NoticeKind(kind)]


def _values(notice: VendorNotice) -> dict[str, Any]:
    values: dict[str, Any] = {key: value for key, value in notice.context.items() if isinstance(value, str | int)}
    if "by" in values:
        values["by"] = str(BY.get(str(values["by"]), values["by"]))
    if "kind" in values and notice.kind in (NoticeKind.DOCUMENT_EXPIRING, NoticeKind.DOCUMENT_EXPIRED):
        values["kind"] = str(dict(DocumentKind.choices).get(str(values["kind"]), values["kind"]))
    if notice.context.get("when"):
        values["when"] = gettext("，%(when)s") % {"when": notice.context["when"]}
    elif notice.context.get("fulfilment") in FULFILMENTS:  # goods: how many, delivered or picked up
        values["when"] = gettext("，%(quantity)s 件，%(fulfilment)s") % {
            "quantity": notice.context.get("quantity", 1),
            "fulfilment": FULFILMENTS[notice.context["fulfilment"]],
        }
    if notice.context.get("reason") and notice.kind == NoticeKind.ORDER_CANCELLED:
        values["reason"] = gettext("原因：%(reason)s") % {"reason": notice.context["reason"]}
    if notice.context.get("comment"):
        values["comment"] = gettext("“%(comment)s”") % {"comment": notice.context["comment"]}
    return values


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(notice: VendorNotice) -> tuple[str, str]:
    """(title, text) in the active language; a value the context lacks reads as empty."""
    shown = spec(notice.kind)
    values = _Blank(_values(notice))
    return str(shown.title) % values, str(shown.body) % values


def sms_params(notice: VendorNotice) -> dict[str, str]:
    """The text message's parameters, in the platform's language (the message is the record)."""
    values = _values(notice)
    return {name: str(values.get(name, ""))[:20] for name in spec(notice.kind).sms_params}
