"""Writes about feedback, one module per concern: items (filing and the state machine's moves, the
reply rule's settings), photos (upload; attached by the filing), overdue (the reply rule's notice).
Callers use `services.<name>` from here."""

from tenants.feedback.services.items import file_feedback, transition, update_settings
from tenants.feedback.services.overdue import sweep as sweep_overdue
from tenants.feedback.services.photos import discard_unattached as discard_unattached_photos
from tenants.feedback.services.photos import upload_photo

__all__ = [
    "discard_unattached_photos",
    "file_feedback",
    "sweep_overdue",
    "transition",
    "update_settings",
    "upload_photo",
]
