"""Draw the owner app's tab bar icons (81x81 PNG, normal + selected) with the standard library only.

WeChat wants tab icons as local PNG files of at most 40 KB, 81x81 recommended. The glyphs are
described as simple shapes (polygons, circles, thick strokes), rasterised here with 4x4
supersampling for smooth edges, and written as RGBA PNG with zlib — no downloaded assets, no
image library. The normal icon is an outline in the tab text grey; the selected icon is the same
glyph filled in a dark neutral, so it sits well beside the selected text, whose colour follows the
company's primary colour at runtime (uni.setTabBarStyle recolours text, never images).

    python3 miniprogram/scripts/tabbar-icons.py      # writes miniprogram/src/static/tabbar/*.png
"""

import math
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

SIZE = 81
SUB = 4
NORMAL = (138, 143, 153)  # pages.json tabBar.color #8a8f99
SELECTED = (51, 56, 64)  # #333840
STROKE = 3.0  # half the line width, in icon pixels
OUT = Path(__file__).resolve().parent.parent / "src" / "static" / "tabbar"

Shape = Callable[[float, float], bool]
Point = tuple[float, float]


def polygon(points: list[Point]) -> Shape:
    def inside(x: float, y: float) -> bool:
        hit = False
        j = len(points) - 1
        for i, (xi, yi) in enumerate(points):
            xj, yj = points[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                hit = not hit
            j = i
        return hit

    return inside


def rect(x0: float, y0: float, x1: float, y1: float) -> Shape:
    return lambda x, y: x0 <= x <= x1 and y0 <= y <= y1


def disc(cx: float, cy: float, r: float) -> Shape:
    return lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def ring(cx: float, cy: float, r: float) -> Shape:
    return lambda x, y: abs(math.hypot(x - cx, y - cy) - r) <= STROKE


def upper_ring(cx: float, cy: float, r: float) -> Shape:
    return lambda x, y: y <= cy and abs(math.hypot(x - cx, y - cy) - r) <= STROKE


def polyline(points: list[Point], closed: bool = False) -> Shape:
    segs = list(zip(points, points[1:] + points[:1] if closed else points[1:]))

    def near(x: float, y: float) -> bool:
        for (ax, ay), (bx, by) in segs:
            dx, dy = bx - ax, by - ay
            t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
            if math.hypot(x - ax - t * dx, y - ay - t * dy) <= STROKE:
                return True
        return False

    return near


def union(*shapes: Shape) -> Shape:
    return lambda x, y: any(f(x, y) for f in shapes)


def minus(shape: Shape, hole: Shape) -> Shape:
    return lambda x, y: shape(x, y) and not hole(x, y)


ROOF = [(40.5, 10.0), (9.0, 38.0), (72.0, 38.0)]
HOME_OUTLINE = union(
    polyline(ROOF, closed=True),
    polyline([(18, 38), (18, 68), (63, 68), (63, 38)]),
    polyline([(34, 68), (34, 51), (47, 51), (47, 68)]),
)
HOME_FILLED = minus(union(polygon(ROOF), rect(18, 36, 63, 68)), rect(34, 49, 47, 69))
PERSON_OUTLINE = union(ring(40.5, 24, 12), upper_ring(40.5, 70, 25), polyline([(15.5, 70), (65.5, 70)]))
PERSON_FILLED = union(
    disc(40.5, 24, 15), lambda x, y: y <= 71 and (x - 40.5) ** 2 + (y - 71) ** 2 <= 28**2
)


def png(shape: Shape, color: tuple[int, int, int]) -> bytes:
    rows = bytearray()
    for py in range(SIZE):
        rows.append(0)
        for px in range(SIZE):
            hits = sum(
                shape(px + (sx + 0.5) / SUB, py + (sy + 0.5) / SUB) for sx in range(SUB) for sy in range(SUB)
            )
            rows.extend((*color, round(255 * hits / (SUB * SUB))))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    icons = {
        "home.png": (HOME_OUTLINE, NORMAL),
        "home-active.png": (HOME_FILLED, SELECTED),
        "profile.png": (PERSON_OUTLINE, NORMAL),
        "profile-active.png": (PERSON_FILLED, SELECTED),
    }
    for name, (shape, color) in icons.items():
        (OUT / name).write_bytes(png(shape, color))


if __name__ == "__main__":
    main()
