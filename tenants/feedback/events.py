"""The notification events of feedback (notifications.events), registered when the app loads."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.events import Event, register

FEEDBACK_FILED = register(
    Event(
        name="feedback.filed",
        label=_("新投诉建议"),
        title=_("新的%(kind)s"),
        body=_("%(place)s：%(summary)s，请在 %(due)s 前回复。"),
        link="/feedback?id=%(feedback_id)s",
    )
)
FEEDBACK_ASSIGNED = register(
    Event(
        name="feedback.assigned",
        label=_("投诉建议分派"),
        title=_("您有一条%(kind)s待处理"),
        body=_("%(place)s：%(summary)s，请在 %(due)s 前回复。"),
        link="/feedback?id=%(feedback_id)s",
    )
)
FEEDBACK_REPLIED = register(
    Event(
        name="feedback.replied",
        label=_("投诉建议已回复"),
        title=_("您的%(kind)s已回复"),
        body=_("物业回复：%(reply)s"),
        link="/pages/feedback/detail?id=%(feedback_id)s",
    )
)
FEEDBACK_RESOLVED = register(
    Event(
        name="feedback.resolved",
        label=_("投诉建议已解决"),
        title=_("您的%(kind)s已解决"),
        body=_("您的%(kind)s已处理完毕，请评价满意度。"),
        link="/pages/feedback/detail?id=%(feedback_id)s",
    )
)
FEEDBACK_OVERDUE = register(
    Event(
        name="feedback.overdue",
        label=_("投诉建议回复超时"),
        title=_("%(kind)s回复已超时"),
        body=_("%(place)s：%(summary)s，回复时限 %(due)s 已过，请尽快处理。"),
        link="/feedback?id=%(feedback_id)s",
        urgent=True,
    )
)
