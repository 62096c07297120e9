"""The notification events of activities (notifications.events), registered when the app loads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

_LINK = "/pages/activities/detail?id=%(activity_id)s"

ACTIVITY_PUBLISHED = register(
    Event(
        name="activity.published",
        label=_("社区活动"),
        title=_("社区活动：%(title)s"),
        body=_("%(title)s，%(start)s 在 %(place)s，欢迎报名。"),
        link=_LINK,
    )
)
ACTIVITY_PROMOTED = register(
    Event(
        name="activity.promoted",
        label=_("活动候补转正"),
        title=_("候补成功：%(title)s"),
        body=_("有人取消了报名，您已从候补转为报名成功（%(people)s 人），请准时参加。"),
        link=_LINK,
    )
)
ACTIVITY_CANCELLED = register(
    Event(
        name="activity.cancelled",
        label=_("活动取消"),
        title=_("活动取消：%(title)s"),
        body=_("很抱歉，您报名的活动「%(title)s」已取消。"),
        link=_LINK,
    )
)
ACTIVITY_CHANGED = register(
    Event(
        name="activity.changed",
        label=_("活动时间地点变更"),
        title=_("活动变更：%(title)s"),
        body=_("您报名的活动「%(title)s」改为 %(start)s 在 %(place)s 举行。"),
        link=_LINK,
    )
)
ACTIVITY_REMINDER = register(
    Event(
        name="activity.reminder",
        label=_("活动开始提醒"),
        title=_("活动提醒：%(title)s"),
        body=_("「%(title)s」将于 %(start)s 在 %(place)s 开始（您报名 %(people)s 人），请准时参加并出示签到码。"),
        link=_LINK,
    )
)
