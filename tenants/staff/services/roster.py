"""Staff writes: the roster (排班)."""

from __future__ import annotations

from datetime import date
from typing import Any

from core.actions import action
from tenants.staff.models import (
    RosterEntry,
    Shift,
    StaffProfile,
)
from tenants.staff.services.common import audit


@action
def set_roster_day(*, staff: StaffProfile, day: date, shift: Shift | None, actor: Any) -> RosterEntry:
    """That date's shift for one staff member, replacing any earlier override; no shift: a day off."""
    entry, _created = RosterEntry.objects.update_or_create(staff=staff, date=day, defaults={"shift": shift})
    audit(actor, "roster.set", entry, after={"staff": staff.pk, "date": day.isoformat(), "shift": entry.shift_id})
    return entry


@action
def clear_roster_day(*, entry: RosterEntry, actor: Any) -> None:
    snapshot = {"staff": entry.staff_id, "date": entry.date.isoformat(), "shift": entry.shift_id}
    pk = entry.pk
    entry.delete()
    entry.pk = pk
    audit(actor, "roster.clear", entry, before=snapshot)
