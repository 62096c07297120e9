"""Vendor orders' fixtures: the payments' paying owner (a WeChat Pay sub-merchant company) and the
partners' signed-up vendor."""

from __future__ import annotations

from tests.payments.conftest import alpha_merchant, payer
from tests.platform.partners.conftest import _private_files, sign_up_vendor, vendor

__all__ = ["_private_files", "alpha_merchant", "payer", "sign_up_vendor", "vendor"]
