"""A staff member's own preferences of the web admin: for now whether the dashboard's 开始使用
checklist is hidden. Each change is an action with its audit row."""

from __future__ import annotations

from accounts.models import User
from accounts.services import record_audit
from core.actions import action


@action
def set_onboarding_hidden(*, user: User, hidden: bool) -> User:
    """Hide (or show again) the first-run checklist for this user; setting what is already set writes nothing."""
    if user.onboarding_hidden == hidden:
        return user
    User.objects.filter(pk=user.pk).update(onboarding_hidden=hidden)
    user.onboarding_hidden = hidden
    record_audit(
        actor=user,
        action="onboarding.hidden" if hidden else "onboarding.shown",
        object_type="user",
        object_id=user.pk,
        before={"onboarding_hidden": not hidden},
        after={"onboarding_hidden": hidden},
    )
    return user
