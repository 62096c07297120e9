"""Writes about repairs, one module per concern: categories and settings, orders (filing and the
state machine's transitions), photos (upload; attached by filings and moves), SLA timers and
auto-close (sla), auto-dispatch rules (dispatch_rules), a paid repair's fee on the billing ledger
(fees). Callers use `services.<name>` from here."""

from tenants.repairs.services.categories import (
    create_category,
    delete_category,
    update_category,
    update_settings,
)
from tenants.repairs.services.dispatch_rules import create_rule, delete_rule, update_rule
from tenants.repairs.services.fees import correct_fee
from tenants.repairs.services.orders import RATING_TAGS_MAX, file_order, transition
from tenants.repairs.services.photos import discard_unattached as discard_unattached_photos
from tenants.repairs.services.photos import upload_photo
from tenants.repairs.services.sla import sweep as sweep_timers

__all__ = [
    "RATING_TAGS_MAX",
    "correct_fee",
    "create_category",
    "create_rule",
    "delete_category",
    "delete_rule",
    "discard_unattached_photos",
    "file_order",
    "sweep_timers",
    "transition",
    "update_category",
    "update_rule",
    "update_settings",
    "upload_photo",
]
