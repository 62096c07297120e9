"""Every write of payments: orders (transition, settle), checkout (create, close), the merchant
settings, notifications and the sweeper."""
