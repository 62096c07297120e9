"""Quiet hours: a wall-clock window in Asia/Shanghai (22:00–07:00 passes midnight) during which
non-urgent messages wait; the end of the window is when they go out."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def quiet_until(*, start: time | None, end: time | None, now: datetime) -> datetime | None:
    """The end of the quiet window `now` falls in, or None when it falls in none."""
    if start is None or end is None or start == end:
        return None
    local = now.astimezone(SHANGHAI)
    clock = local.time().replace(tzinfo=None)
    today_end = datetime.combine(local.date(), end, tzinfo=SHANGHAI)
    if start < end:
        return today_end if start <= clock < end else None
    if clock >= start:
        return today_end + timedelta(days=1)
    if clock < end:
        return today_end
    return None
