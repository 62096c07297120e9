"""The notification events of repairs (notifications.events), registered when the app loads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

REPAIR_FILED = register(
    Event(
        name="repair.filed",
        label=_("新报修单"),
        title=_("新报修单 %(number)s"),
        body=_("%(place)s：%(category)s（%(urgency)s），请派单。"),
        link="/service-desk/repairs/%(order_id)s",
    )
)
REPAIR_DISPATCHED = register(
    Event(
        name="repair.dispatched",
        label=_("派单通知"),
        title=_("您有新的维修工单 %(number)s"),
        body=_("%(place)s：%(category)s（%(urgency)s），请及时接单。"),
        link="/service-desk/my-repairs/%(order_id)s",
    )
)
REPAIR_COMPLETED = register(
    Event(
        name="repair.completed",
        label=_("报修已完工"),
        title=_("报修已完工"),
        body=_("您的报修 %(number)s（%(category)s）已完工，请确认并评价。"),
        link="/pages/repairs/detail?id=%(order_id)s",
    )
)
REPAIR_SLA_WARNING = register(
    Event(
        name="repair.sla_warning",
        label=_("报修即将超时"),
        title=_("报修单 %(number)s 即将超时"),
        body=_("%(place)s：%(category)s（%(urgency)s），须在 %(due)s 前完成，请尽快处理。"),
        link="/service-desk/repairs/%(order_id)s",
        urgent=True,
    )
)
REPAIR_SLA_BREACHED = register(
    Event(
        name="repair.sla_breached",
        label=_("报修已超时"),
        title=_("报修单 %(number)s 已超时"),
        body=_("%(place)s：%(category)s（%(urgency)s）已超过完成时限 %(due)s，请督办。"),
        link="/service-desk/repairs/%(order_id)s",
        urgent=True,
    )
)
