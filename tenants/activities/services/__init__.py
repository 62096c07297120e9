"""Activity writes by concern: editing, the life cycle (publish, cancel, finish), sign-ups and check-in, reminders."""

from tenants.activities.services.editing import create_activity, delete_activity, update_activity
from tenants.activities.services.lifecycle import cancel_activity, finish_activity, finish_ended, publish_activity
from tenants.activities.services.reminders import send_reminders
from tenants.activities.services.signups import cancel_signup, check_in, sign_up

__all__ = [
    "cancel_activity",
    "cancel_signup",
    "check_in",
    "create_activity",
    "delete_activity",
    "finish_activity",
    "finish_ended",
    "publish_activity",
    "send_reminders",
    "sign_up",
    "update_activity",
]
