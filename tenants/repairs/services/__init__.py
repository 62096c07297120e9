"""Writes about repairs, one module per concern: categories and settings, orders (filing and the
state machine's transitions). Callers use `services.<name>` from here."""

from tenants.repairs.services.categories import (
    create_category,
    delete_category,
    update_category,
    update_settings,
)
from tenants.repairs.services.orders import RATING_TAGS_MAX, file_order, transition

__all__ = [
    "RATING_TAGS_MAX",
    "create_category",
    "delete_category",
    "file_order",
    "transition",
    "update_category",
    "update_settings",
]
