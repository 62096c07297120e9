"""Every write about staff, by concern: organisation (departments, posts, shifts), profiles and duty,
roster, clocking. Clock times are always the server's. (Performance is not written here: it is read
from the repairs themselves, tenants.repairs.selectors_stats.)"""

from __future__ import annotations

from tenants.staff.services.clocking import (
    LATE_CLOCK_OUT,
    clean_location,
    clock_in,
    clock_out,
)
from tenants.staff.services.common import (
    MAX_GRACE_MINUTES,
)
from tenants.staff.services.organisation import (
    create_department,
    create_post,
    create_shift,
    delete_department,
    delete_post,
    delete_shift,
    update_department,
    update_post,
    update_shift,
)
from tenants.staff.services.profiles import (
    create_profile,
    create_staff_member,
    set_on_duty,
    set_own_duty,
    update_profile,
)
from tenants.staff.services.roster import (
    clear_roster_day,
    set_roster_day,
)

__all__ = [
    "LATE_CLOCK_OUT",
    "MAX_GRACE_MINUTES",
    "clean_location",
    "clear_roster_day",
    "clock_in",
    "clock_out",
    "create_department",
    "create_post",
    "create_profile",
    "create_shift",
    "create_staff_member",
    "delete_department",
    "delete_post",
    "delete_shift",
    "set_on_duty",
    "set_own_duty",
    "set_roster_day",
    "update_department",
    "update_post",
    "update_profile",
    "update_shift",
]
