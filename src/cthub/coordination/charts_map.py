"""World choropleth in SVG: a value per ISO 3166-1 alpha-2 country, Robinson projection.

Geometry is Natural Earth 1:110m (public domain) as packaged by the npm ``world-atlas``
package (``data/countries-110m.json``, TopoJSON keyed by ISO 3166-1 numeric code), vendored
unmodified. Countries too small for 1:110m (Singapore, Bahrain, island states) come from
``data/small-countries.json``, centroids taken from the 1:50m file, and are drawn as dots so
that a recipient is never silently missing from the map. Antarctica is left out to save room.
See ``data/SOURCES.md``.
"""

from __future__ import annotations

import json
import math
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from cthub.coordination.charts_svg import GRID, MUTED, WIDTH, shorten, svg_document, text
from cthub.core.model.countries import country_code

Ring = list[tuple[float, float]]
Polygon = list[Ring]  # exterior ring first, then holes

#: Sequential blues for values, light to dark; "no data" is a pale grey.
VALUE_SCALE: tuple[str, ...] = ("#c6dbef", "#8fbfe0", "#4f93c9", "#2166ac", "#0b3d75")
NO_DATA = "#f2f2f2"

#: world-atlas names that ``country_code`` does not know (abbreviated Natural Earth names),
#: and the two Natural Earth units the UN counts as part of a member state.
_NAMES = {
    "W. Sahara": "EH", "Dem. Rep. Congo": "CD", "Dominican Rep.": "DO", "Falkland Is.": "FK",
    "Fr. S. Antarctic Lands": "TF", "Central African Rep.": "CF", "Eq. Guinea": "GQ",
    "Solomon Is.": "SB", "Bosnia and Herz.": "BA", "S. Sudan": "SS", "N. Cyprus": "CY",
    "Somaliland": "SO",
}  # fmt: skip

#: Robinson projection table: parallel length and distance from the equator every 5 degrees.
_ROBINSON_X = (1.0, .9986, .9954, .99, .9822, .973, .96, .9427, .9216, .8962, .8679, .835, .7986,
               .7597, .7186, .6732, .6213, .5722, .5322)  # fmt: skip
_ROBINSON_Y = (0.0, .062, .124, .186, .248, .31, .372, .434, .4958, .5571, .6176, .6769, .7346,
               .7903, .8435, .8936, .9394, .9761, 1.0)  # fmt: skip


def _data(name: str) -> Any:
    source = resources.files("cthub.coordination").joinpath("data", name)
    return json.loads(source.read_text(encoding="utf-8"))


def decode_topology(topology: Mapping[str, Any], obj: str) -> Iterator[tuple[str, list[Polygon]]]:
    """Yield ``(English name, polygons)`` for each geometry of TopoJSON object ``obj``.

    Arcs are delta-encoded and quantised (``transform``); a negative index ``~i`` is arc ``i``
    reversed. Rings are lists of (longitude, latitude).
    """
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    for geometry in topology["objects"][obj]["geometries"]:
        polygons = geometry.get("arcs", [])
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        shapes = [[_ring(arcs, indices) for indices in polygon] for polygon in polygons]
        yield geometry["properties"]["name"], shapes


def _ring(arcs: Sequence[Ring], indices: Sequence[int]) -> Ring:
    ring: Ring = []
    for index in indices:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(points[1:] if ring else points)
    return ring


@cache
def world_shapes() -> dict[str, tuple[Polygon, ...]]:
    """Country polygons by alpha-2 code from the 1:110m file (Antarctica left out)."""
    shapes: dict[str, list[Polygon]] = {}
    for name, polygons in decode_topology(_data("countries-110m.json"), "countries"):
        code = _NAMES.get(name) or country_code(name)
        if code and code != "AQ":
            shapes.setdefault(code, []).extend(p for poly in polygons for p in _wrap(poly))
    return {code: tuple(polygons) for code, polygons in shapes.items()}


def _wrap(polygon: Polygon) -> list[Polygon]:
    """Split a polygon that crosses the antimeridian (Russia, Fiji) into pieces within ±180°.

    TopoJSON rings cross it with a 360° jump; the ring is unwrapped to continuous longitudes,
    then each 360°-shifted copy is clipped to [-180, 180] (Sutherland-Hodgman on two lines).
    """
    if not any(abs(b[0] - a[0]) > 180 for a, b in zip(polygon[0], polygon[0][1:], strict=False)):
        return [polygon]
    pieces = []
    for shift in (-360.0, 0.0, 360.0):
        rings = [_clip([(lon + shift, lat) for lon, lat in _unwrap(ring)]) for ring in polygon]
        if len(rings[0]) >= 3:
            pieces.append([ring for ring in rings if len(ring) >= 3])
    return pieces


def _unwrap(ring: Ring) -> Ring:
    out: Ring = [ring[0]]
    for lon, lat in ring[1:]:
        prev = out[-1][0]
        out.append((lon + 360 * round((prev - lon) / 360), lat))
    return out


def _clip(ring: Ring) -> Ring:
    for edge, sign in ((180.0, 1.0), (-180.0, -1.0)):
        inside = [sign * (lon - edge) <= 0 for lon, _lat in ring]
        out: Ring = []
        for i, (p, q) in enumerate(zip(ring, ring[1:] + ring[:1], strict=True)):
            q_in = inside[(i + 1) % len(ring)]
            if inside[i] != q_in:
                t = (edge - p[0]) / (q[0] - p[0])
                out.append((edge, p[1] + t * (q[1] - p[1])))
            if q_in:
                out.append(q)
        ring = out
        if not ring:
            break
    return ring


@cache
def small_countries() -> dict[str, tuple[float, float]]:
    """(longitude, latitude) of countries absent from the 1:110m file, by alpha-2 code."""
    points = _data("small-countries.json")["points"]
    return {code: (float(lon), float(lat)) for code, (lon, lat) in points.items()}


def robinson(lon: float, lat: float) -> tuple[float, float]:
    """Robinson projection of a point, in units where the equator is 2π·0.8487 long."""
    a = min(abs(lat), 89.9999) / 5
    i = int(a)
    f = a - i
    px = _ROBINSON_X[i] + (_ROBINSON_X[i + 1] - _ROBINSON_X[i]) * f
    py = _ROBINSON_Y[i] + (_ROBINSON_Y[i + 1] - _ROBINSON_Y[i]) * f
    return 0.8487 * px * math.radians(lon), math.copysign(1.3523 * py, lat)


_SCALE = WIDTH / (2 * math.pi * 0.8487)
_TOP_LAT = 84.0  # northernmost land drawn
_Y0 = robinson(0, _TOP_LAT)[1]


def _xy(lon: float, lat: float) -> tuple[float, float]:
    x, y = robinson(lon, lat)
    return WIDTH / 2 + x * _SCALE, (_Y0 - y) * _SCALE


MAP_HEIGHT = _xy(0, -58)[1]  # southern tip of South America; Antarctica is not drawn


def _path(polygons: Sequence[Polygon]) -> str:
    parts = []
    for ring in (ring for polygon in polygons for ring in polygon):
        points = [_xy(lon, lat) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


def class_breaks(values: Sequence[float], classes: int = len(VALUE_SCALE)) -> list[float]:
    """Upper bounds of up to ``classes`` equal-count classes (quantiles) of positive values."""
    ordered = sorted({v for v in values if v > 0})
    if len(ordered) <= classes:
        return ordered
    return sorted(
        {ordered[math.ceil(len(ordered) * (i + 1) / classes) - 1] for i in range(classes)}
    )


def choropleth_map(
    chart_id: str,
    title: str,
    values: Mapping[str, float],
    *,
    name: Callable[[str], str],
    value_text: Callable[[float], str] = lambda v: f"{v:g}",
    legend_heading: str = "",
    no_data_label: str = "",
    desc: str = "",
) -> str:
    """Countries shaded by ``values`` (alpha-2 code -> value > 0) in quantile classes.

    ``name(code)`` gives the translated country name used in tooltips. Each country is a
    ``<path class="country" data-code=... [data-value=...]>``; a valued country too small for
    the map is a ``<circle class="country">`` at its centroid. Codes without geometry (regions)
    are not drawn; callers list them beside the map.
    """
    breaks = class_breaks(list(values.values()))
    parts = [f'<rect x="0" y="0" width="{WIDTH}" height="{MAP_HEIGHT:.0f}" fill="#ffffff"/>']
    for code, rings in sorted(world_shapes().items()):
        value = values.get(code)
        fill = _fill(value, breaks)
        data = f' data-value="{value:g}"' if value else ""
        tip = f"{name(code)}: {value_text(value)}" if value else name(code)
        parts.append(
            f'<path class="country" data-code="{code}"{data} d="{_path(rings)}" fill="{fill}" '
            f'fill-rule="evenodd" stroke="#7f7f7f" stroke-width="0.35">'
            f"<title>{escape(tip)}</title></path>"
        )
    parts.extend(_dots(values, breaks, name, value_text))
    minimum = min((v for v in values.values() if v > 0), default=0.0)
    parts.append(_map_legend(breaks, minimum, value_text, legend_heading, no_data_label))
    height = MAP_HEIGHT + 44
    return svg_document(chart_id, WIDTH, height, title, desc or title, "".join(parts))


def _dots(values: Mapping[str, float], breaks: Sequence[float], name: Callable[[str], str],
          value_text: Callable[[float], str]) -> list[str]:  # fmt: skip
    """Valued countries too small for the 1:110m map, as dots at their centroids."""
    dots = []
    for code, (lon, lat) in sorted(small_countries().items()):
        if values.get(code):
            x, y = _xy(lon, lat)
            dots.append(
                f'<circle class="country" data-code="{code}" data-value="{values[code]:g}" '
                f'cx="{x:.1f}" cy="{y:.1f}" r="3.2" fill="{_fill(values[code], breaks)}" '
                f'stroke="#1a1a1a" stroke-width="0.7"><title>{escape(name(code))}: '
                f"{escape(value_text(values[code]))}</title></circle>"
            )
    return dots


def _fill(value: float | None, breaks: Sequence[float]) -> str:
    if not value or not breaks:
        return NO_DATA
    return VALUE_SCALE[min(bisect_right(breaks, value - 1e-12), len(breaks) - 1)]


def _map_legend(breaks: Sequence[float], minimum: float, value_text: Callable[[float], str],
                heading: str, no_data: str) -> str:  # fmt: skip
    y = MAP_HEIGHT + 10
    parts = [text(0, y + 11, shorten(heading, 10, 190), size=10, weight="bold")]
    whole = all(float(b).is_integer() for b in breaks)
    x, low = 200.0, minimum
    for index, upper in enumerate(breaks):
        first = low + 1 if whole and index else low
        label = (
            value_text(upper)
            if first >= upper
            else (f"{value_text(first)}\u2013{value_text(upper)}")
        )
        parts.append(
            f'<rect x="{x:.1f}" y="{y}" width="52" height="13" '
            f'fill="{VALUE_SCALE[index]}" stroke="{MUTED}" stroke-width="0.5"/>'
        )
        parts.append(text(x + 26, y + 26, label, size=8.5, anchor="middle", fill=MUTED))
        x, low = x + 54, upper
    parts.append(
        f'<rect x="{x + 12:.1f}" y="{y}" width="13" height="13" fill="{NO_DATA}" stroke="{GRID}"/>'
    )
    parts.append(text(x + 30, y + 11, no_data, size=10, fill=MUTED))
    return "".join(parts)


def world_geojson() -> dict[str, Any]:
    """The map as GeoJSON for ``echarts.registerMap``: features carry ``name`` = alpha-2 code."""
    features = [
        {
            "type": "Feature",
            "properties": {"name": code},
            "geometry": {
                "type": "MultiPolygon",
                "coordinates": [
                    [[[round(x, 3), round(y, 3)] for x, y in ring] for ring in polygon]
                    for polygon in polygons
                ],
            },
        }
        for code, polygons in sorted(world_shapes().items())
    ]
    return {"type": "FeatureCollection", "features": features}


__all__ = [
    "MAP_HEIGHT",
    "VALUE_SCALE",
    "choropleth_map",
    "class_breaks",
    "decode_topology",
    "robinson",
    "small_countries",
    "world_geojson",
    "world_shapes",
]
