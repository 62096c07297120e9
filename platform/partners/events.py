"""What partners tells people about (notifications.events): a company's partner managers hear of an
admitted vendor's document about to run out, before its listings are suspended, and of the platform
stopping a vendor it admitted, and letting it back. (Vendors themselves are told through partners.notices.)"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

DOCUMENT_EXPIRING = register(
    Event(
        name="partners.document_expiring",
        label=_("服务商资质即将到期"),
        title=_("服务商资质即将到期"),
        body=_("%(vendor)s 的%(kind)s（%(number)s）将于 %(expires_on)s 到期，到期后其服务将自动暂停。"),
    )
)

VENDOR_DEACTIVATED = register(
    Event(
        name="partners.vendor_deactivated",
        label=_("服务商被平台停用"),
        title=_("服务商已被平台停用：%(vendor)s"),
        body=_(
            "%(vendor)s 已被平台停用（%(reason)s），其未开始的 %(cancelled)s 个订单已取消并退款；"
            "服务中的订单请在服务订单中处理。"
        ),
        link="/community/vendor-orders",
    )
)

VENDOR_REACTIVATED = register(
    Event(
        name="partners.vendor_reactivated",
        label=_("服务商被平台恢复"),
        title=_("服务商已恢复：%(vendor)s"),
        body=_("%(vendor)s 已被平台恢复，重新出现在业主的服务列表中；停用时取消的订单不会恢复。"),
        link="/community/partners",
    )
)
