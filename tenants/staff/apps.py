"""Staff: departments, posts, staff profiles linked to user accounts, shifts, attendance (clock in/out),
and per-staff performance figures, read from the work orders themselves (repairs). Tables live in
each company's schema."""

from django.apps import AppConfig

from core.schemas import Schema


class StaffConfig(AppConfig):
    name = "tenants.staff"
    schema = Schema.COMPANY
    label = "staff"
    verbose_name = "Staff"
