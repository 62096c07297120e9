"""Property-management features that live in each company's schema (estates, residents, staff, ...)."""
