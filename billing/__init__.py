"""Fees and billing — the charge ledger, bills, late fees, prepaid balances, receipts — in each company's schema."""
