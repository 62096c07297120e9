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
