"""Build common/data/worldmap.json, the country outlines of common/worldmap.py.

Run once when the outlines should change; the output is committed and nothing is
fetched at run time. Input: the npm package ``world-atlas`` (ISC licence; the data
are Natural Earth's, public domain), unpacked anywhere:

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 -m uv run python scripts/build_worldmap.py package/

The TopoJSON files are decoded (delta-encoded, quantized arcs → longitude/latitude
rings), each shared border is simplified once (Douglas–Peucker on the arc, so the
two neighbours still meet), rings crossing the antimeridian are cut there (a planar
map would draw them as a line across the world), and each country is written with its ISO 3166-1
alpha-2 code as two levels of detail:

``world``   countries-110m (1:110 million), for the whole-world partner map;
``detail``  countries-50m (1:50 million) simplified to 0.05°, for the locator map
            of one city in the brief.

Coordinates are stored as integers in hundredths of a degree, each ring delta-
encoded, which keeps the file small and the load fast.

Features without an ISO code follow Viet Nam's recognition: Northern Cyprus is drawn
as part of Cyprus, Somaliland of Somalia, Kosovo of Serbia; the Siachen Glacier is
drawn without a country.
"""

from __future__ import annotations

import itertools
import json
import math
import sys
from pathlib import Path

from django_countries.data import ALT_CODES  # a plain dict: no Django settings needed

OUTPUT = Path(__file__).resolve().parent.parent / "common" / "data" / "worldmap.json"
SCALE = 100  # stored units per degree
TURN = 360  # degrees of longitude round the world
HALF_TURN = 180  # the antimeridian's longitude
MIN_RING_POINTS = 3  # fewer points enclose no area
MIN_ENCODED_NUMBERS = 6  # three distinct points once quantized, two numbers each
# Douglas–Peucker tolerances in degrees: a third of a pixel on a 1,000-pixel world map,
# about a pixel on a locator map 20° wide and 400 pixels across.
WORLD_TOLERANCE = 0.1
DETAIL_TOLERANCE = 0.05
UNCODED = {"N. Cyprus": "CY", "Somaliland": "SO", "Kosovo": "RS", "Indian Ocean Ter.": "AU"}
NUMERIC_TO_ALPHA2 = {numeric: code for code, (_alpha3, numeric) in ALT_CODES.items() if numeric}

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _distance(p: Point, a: Point, b: Point) -> float:
    (x, y), (x1, y1), (x2, y2) = p, a, b
    dx, dy = x2 - x1, y2 - y1
    if dx == dy == 0:
        return math.hypot(x - x1, y - y1)
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy)))
    return math.hypot(x - (x1 + t * dx), y - (y1 + t * dy))


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker, iterative; the ends are kept (they are where borders meet)."""
    if tolerance <= 0 or len(points) < MIN_RING_POINTS:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def ring(arcs: list[list[Point]], indexes: list[int]) -> list[Point]:
    points: list[Point] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def split_at_antimeridian(points: list[Point]) -> list[list[Point]]:
    """A ring that crosses ±180° (Fiji, Chukotka) as rings on either side of it.

    The ring is unwrapped (longitudes made continuous, so it may run past 180°), then
    clipped to the band it mostly lies in and to the neighbouring band shifted back
    by 360°; a ring that does not cross comes back unchanged.
    """
    if all(abs(b[0] - a[0]) <= HALF_TURN for a, b in itertools.pairwise(points)):
        return [points]
    unwrapped = [points[0]]
    for x, y in points[1:]:
        unwrapped.append((_near(x, unwrapped[-1][0]), y))
    x0, x1 = unwrapped[0][0], unwrapped[-1][0]
    if abs(x1 - x0) > HALF_TURN:  # the ring goes round a pole (Antarctica): close it over the pole
        pole = -90.0 if sum(y for _x, y in unwrapped) < 0 else 90.0
        unwrapped += [(x1, pole), (x0, pole)]
    pieces = []
    # Each band a turn wide, and the shift that brings it back between -180° and 180°.
    for west, shift in ((-3 * HALF_TURN, TURN), (-HALF_TURN, 0), (HALF_TURN, -TURN)):
        piece = clip_band(unwrapped, west, west + TURN)
        if len(piece) >= MIN_RING_POINTS:
            pieces.append([(x + shift, y) for x, y in piece])
    return pieces


def _near(x: float, previous: float) -> float:
    """The longitude ``x`` moved by whole turns to within half a turn of ``previous``."""
    while x - previous > HALF_TURN:
        x -= TURN
    while previous - x > HALF_TURN:
        x += TURN
    return x


def clip_band(points: list[Point], west: float, east: float) -> list[Point]:
    """Sutherland–Hodgman against the two meridians ``west`` and ``east``."""
    for edge, inside in ((west, lambda x: x >= west), (east, lambda x: x <= east)):
        clipped: list[Point] = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current[0]):
                if not inside(previous[0]):
                    clipped.append(_crossing(previous, current, edge))
                clipped.append(current)
            elif inside(previous[0]):
                clipped.append(_crossing(previous, current, edge))
        points = clipped
        if not points:
            break
    return points


def _crossing(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def encode(points: list[Point]) -> list[int]:
    flat: list[int] = []
    px = py = 0
    for x, y in points:
        qx, qy = round(x * SCALE), round(y * SCALE)
        if flat and (qx, qy) == (px, py):
            continue
        flat += [qx - px, qy - py]
        px, py = qx, qy
    return flat


def countries(path: Path, tolerance: float) -> dict[str, dict]:
    topology = json.loads(path.read_text())
    arcs = [simplify(arc, tolerance) for arc in decode_arcs(topology)]
    result: dict[str, dict] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry["properties"]["name"]
        code = NUMERIC_TO_ALPHA2.get(int(geometry["id"])) if geometry.get("id") else None
        code = code or UNCODED.get(name, "")
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        entry = result.setdefault(code or name, {"code": code, "name": name, "polygons": []})
        for polygon in polygons:
            outer, *holes = (ring(arcs, indexes) for indexes in polygon)
            for piece in split_at_antimeridian(outer):
                rings = [encode(piece), *(encode(hole) for hole in holes)]
                if len(rings[0]) >= MIN_ENCODED_NUMBERS:
                    entry["polygons"].append([r for r in rings if len(r) >= MIN_ENCODED_NUMBERS])
    return result


def main(package: str) -> None:
    root = Path(package)
    data = {
        "source": "world-atlas 2.0.2 (Natural Earth, public domain); scripts/build_worldmap.py",
        "scale": SCALE,
        "world": list(countries(root / "countries-110m.json", WORLD_TOLERANCE).values()),
        "detail": list(countries(root / "countries-50m.json", DETAIL_TOLERANCE).values()),
    }
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{OUTPUT}: {OUTPUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package")
