"""The billing API (收费管理 for staff, 缴费 for owners); one module per concern, wired in `routes`."""
