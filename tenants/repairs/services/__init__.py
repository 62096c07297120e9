"""Writes about repairs, one module per concern: categories and settings, orders (filing and the
state machine's transitions), photos (upload; attached by filings and moves). Callers use
`services.<name>` from here."""

from tenants.repairs.services.categories import (
    create_category,
    delete_category,
    update_category,
    update_settings,
)
from tenants.repairs.services.orders import RATING_TAGS_MAX, file_order, transition
from tenants.repairs.services.photos import upload_photo

__all__ = [
    "RATING_TAGS_MAX",
    "create_category",
    "delete_category",
    "file_order",
    "transition",
    "update_category",
    "update_settings",
    "upload_photo",
]
