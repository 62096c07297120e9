"""Writes of notifications: notify (inside the caller's action), delivery (workers), the inbox's
read receipts, preferences, and staff retrying a failed delivery."""

from notifications.services.notify import Address, notify

__all__ = ["Address", "notify"]
