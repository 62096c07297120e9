"""Places on the map: a point given as latitude and longitude (both or neither), and the distance
between two points — what owners see as how far a merchant is from their estate.

Coordinates are kept as Chinese maps give them (GCJ-02); over the few kilometres that matter here
the distance between two points of the same datum is what a haversine on them says, to a few metres."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)
Point = tuple[Decimal, Decimal]


def checked_point(latitude: Any, longitude: Any) -> Point | None:
    """The point, or None when neither is given; a DomainError naming the field when one is given
    without the other or is off the globe."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        message = _("经纬度须同时填写或同时留空。")
        raise DomainError(message, fields={missing: [message]})
    lat, lng = Decimal(latitude), Decimal(longitude)
    if not lat.is_finite() or not -90 <= lat <= 90:
        message = _("纬度须在 -90 到 90 之间。")
        raise DomainError(message, fields={"latitude": [message]})
    if not lng.is_finite() or not -180 <= lng <= 180:
        message = _("经度须在 -180 到 180 之间。")
        raise DomainError(message, fields={"longitude": [message]})
    return lat, lng


def distance_m(a: Point, b: Point) -> int:
    """Great-circle distance in whole metres."""
    lat1, lng1, lat2, lng2 = (math.radians(float(v)) for v in (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h))))
