"""A person's notification preferences: the non-essential events they mute (not pushed by SMS or
e-mail; still in their inbox) and their quiet hours (non-urgent messages wait for the end)."""

from __future__ import annotations

from datetime import time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import services as account_services
from core.actions import action
from core.errors import DomainError
from notifications import events
from notifications.models import Preference


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, fields={field: [message]})


@action
def update_preferences(
    *, user: Any, muted_events: list[str], quiet_start: time | None, quiet_end: time | None
) -> Preference:
    muted = sorted(set(muted_events))
    for name in muted:
        try:
            event = events.get(name)
        except events.UnknownEvent:
            raise _invalid("muted_events", _("未知的通知类型：%(name)s") % {"name": name}) from None
        if event.essential:
            raise _invalid("muted_events", _("%(label)s 是必要通知，不能关闭。") % {"label": event.label})
    if (quiet_start is None) != (quiet_end is None):
        raise _invalid("quiet_end", _("免打扰时段需同时填写开始和结束时间。"))
    if quiet_start is not None and quiet_start == quiet_end:
        raise _invalid("quiet_end", _("免打扰时段的开始和结束时间不能相同。"))
    preference, _created = Preference.objects.select_for_update().get_or_create(user=user)
    before = _snapshot(preference)
    preference.muted_events = muted
    preference.quiet_start, preference.quiet_end = quiet_start, quiet_end
    preference.updated_at = timezone.now()
    preference.save()
    account_services.record_audit(
        actor=user,
        action="notification.preferences",
        object_type="user",
        object_id=user.pk,
        before=before,
        after=_snapshot(preference),
    )
    return preference


def _snapshot(preference: Preference) -> dict[str, Any]:
    return {
        "muted_events": list(preference.muted_events),
        "quiet_start": preference.quiet_start.isoformat() if preference.quiet_start else None,
        "quiet_end": preference.quiet_end.isoformat() if preference.quiet_end else None,
    }
