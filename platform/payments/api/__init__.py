"""Payments' API on a company's host, by who uses it: the owner paying (owner), the company as a
WeChat Pay sub-merchant and WeChat Pay's notifications (merchant), staff following orders (staff),
and the daily reconciliation (reconciliation)."""

from __future__ import annotations

from payments.api import merchant, owner, reconciliation, staff

PATHS = [*owner.PATHS, *merchant.PATHS, *staff.PATHS, *reconciliation.PATHS]
