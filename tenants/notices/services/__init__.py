"""Announcement writes by concern: editing (create, update, delete), publishing, reads, body images."""

from tenants.notices.services.editing import create_notice, delete_notice, update_notice
from tenants.notices.services.images import discard_unused_images, upload_image
from tenants.notices.services.publishing import publish_due, publish_notice, withdraw_notice
from tenants.notices.services.reads import record_read

__all__ = [
    "create_notice",
    "delete_notice",
    "discard_unused_images",
    "publish_due",
    "publish_notice",
    "record_read",
    "update_notice",
    "upload_image",
    "withdraw_notice",
]
