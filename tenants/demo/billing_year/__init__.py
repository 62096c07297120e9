"""The demo's year of billing, by concern; tenants.demo.billing_seed runs it."""
