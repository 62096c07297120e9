"""The notification events of announcements (notifications.events), registered when the app loads.

Outage and safety notices are essential (cannot be muted) and urgent (go out in quiet hours);
general and activity notices are normal and wait for the morning."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

_LINK = "/pages/notices/detail?id=%(notice_id)s"

NOTICE_PUBLISHED = register(
    Event(
        name="notice.published",
        label=_("社区公告"),
        title=_("社区公告：%(title)s"),
        body=_("%(kind)s：%(title)s"),
        link=_LINK,
    )
)
NOTICE_PUBLISHED_URGENT = register(
    Event(
        name="notice.published_urgent",
        label=_("停水停电与安全公告"),
        title=_("重要公告：%(title)s"),
        body=_("%(kind)s：%(title)s"),
        essential=True,
        urgent=True,
        link=_LINK,
    )
)
