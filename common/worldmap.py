"""World maps drawn on the server as SVG: the partner map and the brief's locator map.

Staff work on an intranet and print; a tile server or a map script from a CDN is out
(no network at run time, a strict Content-Security-Policy). The country outlines are
Natural Earth's (public domain) from the npm package ``world-atlas``, preprocessed once
by ``scripts/build_worldmap.py`` into ``common/data/worldmap.json`` (two levels of
detail, ~300 KB) and read on first use.

``render_world_map`` draws countries and points in the Natural Earth projection for
the whole world, or in an equirectangular projection (scaled for the latitude) for a
region (``bbox``); ``render_locator_map`` is the small map of one city for the brief.
The SVG needs no script and no ``style`` attribute: colours are presentation
attributes (so WeasyPrint and a bare ``<img>`` draw them) that a page's stylesheet may
override through the classes (``worldmap``, ``worldmap-sea``, ``country c-BY``,
``point`` plus the point's own class, ``point-label``). Accessibility: a ``<title>``
and ``<desc>``; each point with a link is an ``<a>`` whose text is its label. A map
with links is a ``role="group"`` (``role="img"`` would hide its links from assistive
technology: an image's children are presentational); a map without is a
``role="img"``. Country shapes are decoration (``aria-hidden``). A table of the same
places next to the map is the page's job.

Viet Nam's archipelagos Hoàng Sa and Trường Sa are not in Natural Earth's country
outlines at these scales; maps published in Viet Nam must show them, so they are
drawn as part of Viet Nam (small marks, labelled on regional maps).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.utils.html import escape
from django.utils.translation import gettext as _

DATA = Path(__file__).resolve().parent / "data" / "worldmap.json"

Level = Literal["world", "detail"]
Projection = Literal["natural-earth", "equirectangular"]
Point = tuple[float, float]
Ring = list[Point]
BBox = tuple[float, float, float, float]  # west, south, east, north

# The whole world, less Antarctica (no partner city lies south of 56°S).
WORLD_BBOX = (-180.0, -58.0, 180.0, 84.0)
DETAIL_BELOW_DEGREES = 60  # a view narrower than this uses the 1:50m outlines
NATURAL_EARTH_FROM_DEGREES = 180  # a view this wide or wider is drawn in Natural Earth
ANTIMERIDIAN = 180.0  # longitude; a view past it wraps round to the other side
MIN_RING_POINTS = 3  # a ring with fewer points left has no area to draw

LAND = "#e4e0d2"
BORDER = "#ffffff"
SEA = "#dce8f1"
HIGHLIGHT = "#c5d6b0"
POINT = "#b3261e"
TEXT = "#1b1b1b"


@dataclass(frozen=True, slots=True)
class MapPoint:
    """A place to mark: a partner city, linked to its partnership."""

    latitude: float
    longitude: float
    label: str = ""
    href: str = ""
    css_class: str = ""
    radius: float = 4.0
    # A country's circle on a map of many partnerships: its count drawn inside, and the
    # link's accessible name and tooltip ("Belarus: 37 partnerships") beyond its label.
    text: str = ""
    name: str = ""


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    name: str
    polygons: tuple[tuple[Ring, ...], ...]
    bounds: BBox  # west, south, east, north


def _decode(flat: list[int], scale: int) -> Ring:
    ring: Ring = []
    x = y = 0
    for i in range(0, len(flat), 2):
        x += flat[i]
        y += flat[i + 1]
        ring.append((x / scale, y / scale))
    return ring


@functools.cache
def _countries(level: Level) -> tuple[_Country, ...]:
    data = json.loads(DATA.read_text())
    scale = data["scale"]
    countries = []
    for entry in data[level]:
        polygons = tuple(
            tuple(_decode(ring, scale) for ring in polygon) for polygon in entry["polygons"]
        )
        points = [point for polygon in polygons for point in polygon[0]]
        if not points:
            continue
        bounds = (
            min(p[0] for p in points),
            min(p[1] for p in points),
            max(p[0] for p in points),
            max(p[1] for p in points),
        )
        countries.append(_Country(entry["code"], entry["name"], polygons, bounds))
    return tuple(countries)


@functools.cache
def country_centres() -> dict[str, tuple[float, float]]:
    """Where to mark a country as a whole, by ISO code: (latitude, longitude) of the
    centroid of its largest polygon in the 1:50m outlines (by area, a degree of longitude
    counted as cos(latitude) of one): metropolitan France, not a point between it and
    French Guiana. Countries too small for those outlines are not in it."""
    centres = {}
    for country in _countries("detail"):
        best: tuple[float, float, float] | None = None  # area, latitude, longitude
        for polygon in country.polygons:
            area, lat, lon = _ring_centroid(polygon[0])
            area *= math.cos(math.radians(lat))
            if area and (best is None or area > best[0]):
                best = (area, lat, lon)
        if country.code and best is not None:
            centres[country.code] = (best[1], best[2])
    return centres


def _ring_centroid(ring: Ring) -> tuple[float, float, float]:
    """A ring's area (in square degrees) and centroid (latitude, longitude): the shoelace
    formula on (longitude, latitude)."""
    twice_area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in itertools.pairwise([*ring, ring[0]]):
        cross = x0 * y1 - x1 * y0
        twice_area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if not twice_area:
        return 0.0, ring[0][1], ring[0][0]
    return abs(twice_area) / 2, cy / (3 * twice_area), cx / (3 * twice_area)


# Viet Nam's archipelagos: a few islands of each, so the marks show their extent.
HOANG_SA = ((16.53, 111.61), (16.83, 112.33), (16.45, 111.70), (16.07, 112.90), (15.78, 111.20))
TRUONG_SA = ((8.64, 111.92), (10.38, 114.36), (11.43, 114.33), (9.88, 114.33), (10.18, 114.22))


# ----------------------------------------------------------------------------- projections
def natural_earth(longitude: float, latitude: float) -> tuple[float, float]:
    """Natural Earth I (Šavrič et al. 2011), in radians, y up."""
    lam, phi = math.radians(longitude), math.radians(latitude)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (
        0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))
    )
    y = phi * (
        1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))
    )
    return x, y


def _equirectangular(standard_latitude: float) -> Callable[[float, float], tuple[float, float]]:
    scale = math.cos(math.radians(standard_latitude))

    def project(longitude: float, latitude: float) -> tuple[float, float]:
        return math.radians(longitude) * scale, math.radians(latitude)

    return project


class _Frame:
    """From longitude/latitude to SVG pixels for one view."""

    def __init__(self, bbox: BBox, width: int, projection: Projection) -> None:
        self.view = (tuple(bbox), width, projection)  # equal views draw alike
        west, south, east, north = bbox
        self.project = (
            natural_earth
            if projection == "natural-earth"
            else _equirectangular((south + north) / 2)
        )
        corners = [
            self.project(lon, lat)
            for lon in (west, (west + east) / 2, east)
            for lat in (south, 0 if south < 0 < north else south, north)
        ]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        self.left, self.right = min(xs), max(xs)
        self.bottom, self.top = min(ys), max(ys)
        self.scale = width / (self.right - self.left)
        self.width = width
        self.height = round((self.top - self.bottom) * self.scale)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Frame) and other.view == self.view

    def __hash__(self) -> int:
        return hash(self.view)

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        x, y = self.project(longitude, latitude)
        return (x - self.left) * self.scale, (self.top - y) * self.scale


# ----------------------------------------------------------------------------- geometry
def _number(value: float) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _clip(points: list[Point], width: float, height: float, margin: float) -> list[Point]:
    """Sutherland–Hodgman against the view and a margin, so a region's map does not carry
    the whole of Russia outside its frame."""
    edges = (
        (lambda p: p[0] >= -margin, lambda a, b: _at_x(a, b, -margin)),
        (lambda p: p[0] <= width + margin, lambda a, b: _at_x(a, b, width + margin)),
        (lambda p: p[1] >= -margin, lambda a, b: _at_y(a, b, -margin)),
        (lambda p: p[1] <= height + margin, lambda a, b: _at_y(a, b, height + margin)),
    )
    for inside, cross in edges:
        if not points:
            break
        clipped = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    clipped.append(cross(previous, current))
                clipped.append(current)
            elif inside(previous):
                clipped.append(cross(previous, current))
        points = clipped
    return points


def _at_x(a: Point, b: Point, x: float) -> Point:
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def _at_y(a: Point, b: Point, y: float) -> Point:
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


def _compact(numbers: Iterable[str]) -> str:
    """Numbers of path data with no more separators than SVG needs: ``1-2.5.3`` is
    1, -2.5, 0.3; leading zeros dropped. A third shorter than plain spacing."""
    out: list[str] = []
    previous = ""
    for written in numbers:
        number = _without_leading_zero(written)
        if out and not number.startswith("-") and not (number.startswith(".") and "." in previous):
            out.append(" ")
        out.append(number)
        previous = number
    return "".join(out)


def _without_leading_zero(number: str) -> str:
    """``0.5`` → ``.5``, ``-0.5`` → ``-.5``; other numbers as they are."""
    if number.startswith("0.") and number != "0.":
        return number[1:]
    if number.startswith("-0.") and number != "-0.":
        return "-" + number[2:]
    return number


def _path(
    rings: Iterable[list[tuple[float, float]]], *, min_step: float, precision: int = 10
) -> str:
    """SVG path data in relative moves, to 1/``precision`` px; points closer than
    ``min_step`` px to the last one kept are dropped, and rings left with fewer than
    three points vanish (islands smaller than a pixel or two)."""
    parts: list[str] = []
    for ring in rings:
        kept: list[tuple[int, int]] = []
        for x, y in ring:
            q = (round(x * precision), round(y * precision))
            if kept and math.hypot(q[0] - kept[-1][0], q[1] - kept[-1][1]) < min_step * precision:
                continue
            kept.append(q)
        if len(kept) < MIN_RING_POINTS:
            continue
        start = [_number(kept[0][0] / precision), _number(kept[0][1] / precision)]
        steps = [
            _number((b - a) / precision)
            for (x0, y0), (x1, y1) in itertools.pairwise(kept)
            for a, b in ((x0, x1), (y0, y1))
        ]
        parts.append(f"M{_compact(start)}l{_compact(steps)}z")
    return "".join(parts)


def _intersects(a: BBox, b: BBox) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


# ----------------------------------------------------------------------------- rendering
def render_world_map(  # noqa: PLR0913 (keyword-only drawing options, each with a default)
    points: Sequence[MapPoint] = (),
    *,
    bbox: BBox | None = None,
    width: int = 960,
    title: str = "",
    description: str = "",
    country_classes: Mapping[str, str] | None = None,
    css_class: str = "",
    element_id: str = "worldmap",
    level: Level | None = None,
    projection: Projection | None = None,
) -> str:
    """The world (or the region ``bbox`` = west, south, east, north) with ``points``.

    ``country_classes`` adds classes to countries by ISO code (``{"BY": "partner"}``)
    for a page's CSS to colour; ``element_id`` prefixes the ids of the title and
    description (use a different one for each map on a page). Whole world: Natural
    Earth projection and the 1:110m outlines; a region: equirectangular and the 1:50m
    outlines when it is narrower than 60°. Points outside the view are left out.
    """
    bbox = bbox or WORLD_BBOX
    span = bbox[2] - bbox[0]
    level = level or ("detail" if span < DETAIL_BELOW_DEGREES else "world")
    projection = projection or (
        "natural-earth" if span >= NATURAL_EARTH_FROM_DEGREES else "equirectangular"
    )
    frame = _Frame(bbox, width, projection)
    classes = country_classes or {}
    linked = any(point.href for point in points)
    ids = f"{element_id}-title {element_id}-desc" if description else f"{element_id}-title"
    svg = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} {frame.height}" '
            f'width="{frame.width}" height="{frame.height}" class="{escape(("worldmap " + css_class).strip())}" '
            f'role="{"group" if linked else "img"}" aria-labelledby="{ids}">'
        ),
        f'<title id="{element_id}-title">{escape(title or _("World map"))}</title>',
    ]
    if description:
        svg.append(f'<desc id="{element_id}-desc">{escape(description)}</desc>')
    svg.append(_sea(frame, bbox, projection))
    svg.append(
        f'<g class="worldmap-land" fill="{LAND}" stroke="{BORDER}" stroke-width="0.5" '
        'stroke-linejoin="round" aria-hidden="true">'
    )
    svg.extend(
        _country_paths(tuple(bbox), width, projection, level, tuple(sorted(classes.items())))
    )
    svg.append(_vietnam_islands(frame, bbox, span, classes.get("VN", "")))
    svg.append("</g>")
    svg.append(_points(points, frame))
    svg.append("</svg>")
    return "".join(part for part in svg if part)


@functools.lru_cache(maxsize=16)  # a view is ~100 KB of text; the brief draws one per city
def _country_paths(
    bbox: BBox,
    width: int,
    projection: Projection,
    level: Level,
    classes: tuple[tuple[str, str], ...],
) -> tuple[str, ...]:
    """One ``<path>`` per country in view, clipped to it. A view across the antimeridian
    (the Pacific around Fiji) also draws the countries on its far side, a turn away.

    Kept for the life of the process: the outlines of a view never change, and drawing
    the world's took ~100 ms of every partner map that is not cached (issue 15)."""
    return tuple(_draw_country_paths(_Frame(bbox, width, projection), bbox, level, dict(classes)))


def _draw_country_paths(
    frame: _Frame, bbox: BBox, level: Level, classes: Mapping[str, str]
) -> Iterable[str]:
    west, _south, east, _north = bbox
    turns = (
        [0.0]
        + ([360.0] if east > ANTIMERIDIAN else [])
        + ([-360.0] if west < -ANTIMERIDIAN else [])
    )
    min_step = 1.0 if level == "world" else 0.8
    precision = 2 if level == "world" else 10  # half a pixel is fine at world scale
    for country in _countries(level):
        rings = []
        for turn in turns:
            w, s, e, n = country.bounds
            if not _intersects((w + turn, s, e + turn, n), bbox):
                continue
            for polygon in country.polygons:
                for ring in polygon:
                    projected = [frame(lon + turn, lat) for lon, lat in ring]
                    rings.append(_clip(projected, frame.width, frame.height, 4.0))
        d = _path(rings, min_step=min_step, precision=precision)
        if not d:
            continue
        extra = classes.get(country.code, "")
        names = ["country", f"c-{country.code}" if country.code else "", extra]
        fill = f' fill="{HIGHLIGHT}"' if extra else ""
        yield f'<path class="{escape(" ".join(filter(None, names)))}"{fill} d="{d}"/>'


def _sea(frame: _Frame, bbox: BBox, projection: Projection) -> str:
    if projection != "natural-earth":
        return f'<rect class="worldmap-sea" width="{frame.width}" height="{frame.height}" fill="{SEA}"/>'
    west, south, east, north = bbox
    step = (north - south) / 24
    left = [frame(west, south + i * step) for i in range(25)]
    right = [frame(east, north - i * step) for i in range(25)]
    return f'<path class="worldmap-sea" fill="{SEA}" d="{_path([left + right], min_step=0)}"/>'


def _vietnam_islands(frame: _Frame, bbox: BBox, span: float, extra: str) -> str:
    marks = []
    for name, islands in (
        (_("Hoang Sa (Viet Nam)"), HOANG_SA),
        (_("Truong Sa (Viet Nam)"), TRUONG_SA),
    ):
        inside = [
            (lat, lon)
            for lat, lon in islands
            if bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]
        ]
        if not inside:
            continue
        radius = 0.8 if span >= DETAIL_BELOW_DEGREES else 1.4
        dots = "".join(
            f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{radius}"/>'
            for x, y in (frame(lon, lat) for lat, lon in inside)
        )
        classes = " ".join(filter(None, ["country c-VN islands", extra]))
        fill = HIGHLIGHT if extra else "#9c978a"
        marks.append(f'<g class="{escape(classes)}" fill="{fill}" stroke="none">{dots}')
        if span < DETAIL_BELOW_DEGREES:
            x, y = frame(*reversed(inside[0]))
            marks.append(
                f'<text class="islands-label" x="{_number(x + 4)}" y="{_number(y - 3)}" '
                f'font-size="8" fill="#555" stroke="none">{escape(name)}</text>'
            )
        marks.append("</g>")
    return "".join(marks)


def _points(points: Sequence[MapPoint], frame: _Frame) -> str:
    if not points:
        return ""
    parts = ['<g class="worldmap-points">']
    placed: list[BBox] = []
    for point in points:
        if point.label:  # where its label goes depends on the labels placed before it
            parts.append(_point(point, frame, placed))
        else:
            parts.append(_unlabelled_point(point, frame))
    parts.append("</g>")
    return "".join(parts)


@functools.lru_cache(maxsize=4096)
def _unlabelled_point(point: MapPoint, frame: _Frame) -> str:
    """A point without a label, drawn once per process and view (frames are equal when
    their views are): its markup depends on nothing else. A map of ~250 countries'
    circles, drawn again after every change of the record, then draws only the circles
    that changed (issue 16)."""
    return _point(point, frame, [])


def _point(point: MapPoint, frame: _Frame, placed: list[BBox]) -> str:
    for turn in (0.0, 360.0, -360.0):
        x, y = frame(point.longitude + turn, point.latitude)
        if 0 <= x <= frame.width and 0 <= y <= frame.height:
            break
    else:
        return ""
    classes = escape(" ".join(filter(None, ["point", point.css_class])))
    circle = (
        f'<circle cx="{_number(x)}" cy="{_number(y)}" r="{_number(point.radius)}" '
        f'fill="{POINT}" stroke="#ffffff" stroke-width="1"/>'
    )
    label = _label(point, x, y, frame, placed)
    body = circle + label
    if point.name:
        body = f"<title>{escape(point.name)}</title>{body}"
    if point.href:
        # Named by its drawn label, else by aria-label (its label, or its own name).
        named = point.name or ("" if label else point.label)
        name = f' aria-label="{escape(named)}"' if point.name or not label else ""
        drawn = f'<a href="{escape(point.href)}" class="{classes}"{name}>{body}</a>'
    else:
        drawn = f'<g class="{classes}">{body}</g>'
    # After the link, not in it: a link's visible text must be part of its name
    # (WCAG 2.5.3), and "Belarus: 37 partnerships" does not contain "37Belarus".
    return drawn + _inner_text(point, x, y)


def _inner_text(point: MapPoint, x: float, y: float) -> str:
    """The point's ``text`` (a count) centred in its circle, sized to fit it."""
    if not point.text:
        return ""
    size = min(12.0, max(7.0, point.radius * (1.1 if len(point.text) < 3 else 0.85)))  # noqa: PLR2004
    return (
        f'<text class="point-count" x="{_number(x)}" y="{_number(y + size * 0.36)}" '
        f'text-anchor="middle" font-size="{_number(size)}" fill="#ffffff" pointer-events="none" '
        'aria-hidden="true">'
        f"{escape(point.text)}</text>"
    )


def _text_width(text: str, size: float) -> float:
    """A sans-serif label's width, near enough to keep labels apart: wide (CJK) letters
    are a full em, others about 0.56 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.56 for ch in text)


def _label(point: MapPoint, x: float, y: float, frame: _Frame, placed: list) -> str:
    """The point's label to its right, else its left, on a pale box that keeps it legible
    over borders (a box rather than a text halo: WeasyPrint has no ``paint-order``).
    Left out where both places would overlap a label already placed; the link then
    keeps the name as ``aria-label``."""
    if not point.label:
        return ""
    size = 11.0
    width, height = _text_width(point.label, size) + 4, size + 3
    gap = point.radius + 2
    for anchor, left in (("start", x + gap), ("end", x - gap - width)):
        box = (left, y - height / 2, left + width, y + height / 2)
        if left < 0 or box[2] > frame.width or any(_intersects(box, other) for other in placed):
            continue
        placed.append(box)
        tx = left + 2 if anchor == "start" else left + width - 2
        return (
            f'<rect class="point-label-box" x="{_number(left)}" y="{_number(box[1])}" '
            f'width="{_number(width)}" height="{_number(height)}" rx="2" fill="#ffffff" '
            f'fill-opacity="0.8"/>'
            f'<text class="point-label" x="{_number(tx)}" y="{_number(y + size * 0.36)}" '
            f'text-anchor="{anchor}" font-size="{_number(size)}" fill="{TEXT}">'
            f"{escape(point.label)}</text>"
        )
    return ""


def render_locator_map(  # noqa: PLR0913 (keyword-only drawing options, each with a default)
    latitude: float,
    longitude: float,
    label: str,
    *,
    country: str = "",
    span: float = 24.0,
    width: int = 360,
    title: str = "",
    element_id: str = "locator",
) -> str:
    """A small map centred on one city, for the brief: ``span`` degrees of longitude
    wide, the city's country highlighted (``country``: ISO code), no links."""
    aspect = 0.62  # height / width of the picture
    half_width = span / 2
    # Equirectangular scaled for the latitude: a degree of longitude is cos(latitude)
    # of a degree of latitude wide, so the latitude span shrinks with it.
    half_height = half_width * math.cos(math.radians(latitude)) * aspect
    south = max(latitude - half_height, -85.0)
    north = min(latitude + half_height, 85.0)
    bbox = (longitude - half_width, south, longitude + half_width, north)
    return render_world_map(
        [MapPoint(latitude, longitude, label, css_class="locator-city", radius=4.5)],
        bbox=bbox,
        width=width,
        title=title or label,
        country_classes={country: "located"} if country else None,
        css_class="worldmap-locator",
        element_id=element_id,
    )
