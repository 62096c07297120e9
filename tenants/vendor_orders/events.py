"""The notification events of vendor orders (notifications.events), registered when the app loads:
the owner hears when the vendor confirms, completes (a quoted order: with the amount to pay) or
cancels their order, and when the company
cancels it (its vendor suspended, or by its staff) or completes it for a vendor that no longer can."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

_LINK = "/pages/vendor-orders/detail?id=%(order_id)s"

ORDER_CONFIRMED = register(
    Event(
        name="vendor_order.confirmed",
        label=_("服务订单已确认"),
        title=_("服务已确认：%(offering)s"),
        body=_("%(vendor)s 已确认您的预约（%(when)s），请保持电话畅通。"),
        link=_LINK,
    )
)
ORDER_DONE = register(
    Event(
        name="vendor_order.done",
        label=_("服务订单已完成"),
        title=_("服务已完成：%(offering)s"),
        body=_("%(vendor)s 已完成服务，欢迎评价。"),
        link=_LINK,
    )
)
ORDER_PRICED = register(
    Event(
        name="vendor_order.priced",
        label=_("上门报价订单待支付"),
        title=_("服务已完成，待支付：%(offering)s"),
        body=_("%(vendor)s 已完成服务，实际金额 ¥%(amount)s，请在小程序中支付。"),
        link=_LINK,
    )
)
ORDER_CANCELLED = register(
    Event(
        name="vendor_order.cancelled_by_vendor",
        label=_("服务订单被取消"),
        title=_("服务已取消：%(offering)s"),
        body=_("很抱歉，%(vendor)s 取消了您的订单（%(reason)s），已付款项将原路退回。"),
        link=_LINK,
    )
)
ORDER_CANCELLED_BY_COMPANY = register(
    Event(
        name="vendor_order.cancelled_by_company",
        label=_("服务订单被物业取消"),
        title=_("服务已取消：%(offering)s"),
        body=_("物业服务中心取消了您向 %(vendor)s 下的订单（%(reason)s），已付款项将原路退回。"),
        link=_LINK,
    )
)
