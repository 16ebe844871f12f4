"""SVG charts: well-formed, accessible, the right marks with the right values, AA contrast."""

from __future__ import annotations

import itertools
import json
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as ET
import pytest

from cthub.coordination import charts, charts_map
from cthub.coordination.taxonomy import AREA_KEYS

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> Element:
    root: Element = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text
    assert root.get("aria-labelledby", "").split() == [f"{root.get('id')}-title",
                                                        f"{root.get('id')}-desc"]  # fmt: skip
    group = root.find(f"{SVG}g")
    assert group is not None
    assert "Noto Sans CJK SC" in (group.get("font-family") or "")
    return root


def marks(root: Element, tag: str, css: str) -> list[Element]:
    return [e for e in root.iter(f"{SVG}{tag}") if css in (e.get("class") or "").split()]


def texts(root: Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


LAYERS = [charts.Layer("legislation", "Legislation", charts.AREA_COLOURS["legislation"]),
          charts.Layer("customs", "海关 customs", charts.AREA_COLOURS["customs"])]  # fmt: skip


def test_stacked_bars_have_one_segment_per_nonzero_value_with_its_value() -> None:
    values = {("KE", "legislation"): 3, ("KE", "customs"): 2, ("ML", "customs"): 7}
    root = parse(charts.stacked_bar_chart("c1", "Projects <by> recipient", [("KE", "Kenya"),
                 ("ML", "Mali & co")], LAYERS, values, legend_heading="Area"))  # fmt: skip
    segs = marks(root, "rect", "seg")
    got = {(s.get("data-category"), s.get("data-layer")): int(s.get("data-value") or 0)
           for s in segs}  # fmt: skip
    assert got == values
    widths = {(s.get("data-category"), s.get("data-layer")): float(s.get("width") or 0)
              for s in segs}  # fmt: skip
    assert widths["ML", "customs"] == pytest.approx(widths["KE", "customs"] * 3.5, rel=0.01)
    labels = texts(root)
    assert {"Kenya", "Mali & co", "5", "7", "Area", "Legislation", "海关 customs"} <= set(labels)
    tips = [s.findtext(f"{SVG}title") for s in segs]
    assert "Kenya — Legislation: 3" in tips


def test_long_labels_wrap_instead_of_overflowing() -> None:
    long = "European Commission, Service for Foreign Policy Instruments"
    root = parse(charts.stacked_bar_chart("c2", "t", [("x", long)], LAYERS, {("x", "customs"): 1}))
    assert "".join(texts(root)).replace(" ", "").find(long.replace(" ", "")) >= 0
    assert max(charts.text_width(t, 10.5) for t in texts(root)) < 240


def test_empty_bar_chart_is_still_valid() -> None:
    root = parse(charts.stacked_bar_chart("c3", "Nothing", [], LAYERS, {}))
    assert marks(root, "rect", "seg") == []


def test_heatmap_cells_carry_their_gap_and_blank_cells_have_none() -> None:
    rows = [("KE", "Kenya"), ("ML", "马里")]
    cols = [("legislation", "Legislation"), ("customs", "Customs")]
    matrix: list[list[float | None]] = [[0.25, None], [1.0, 0.0]]
    root = parse(charts.heatmap_chart("h", "Gaps", rows, cols, matrix,
                                      legend_labels=("Covered", "Unmet", "No need")))  # fmt: skip
    cells = {(c.get("data-row"), c.get("data-column")): c for c in marks(root, "rect", "cell")}
    assert len(cells) == 4
    assert float(cells["KE", "legislation"].get("data-value") or -1) == pytest.approx(0.25)
    assert cells["KE", "customs"].get("data-value") is None
    assert cells["ML", "legislation"].get("fill") == charts.GAP_SCALE[-1]
    assert cells["ML", "customs"].get("fill") == charts.GAP_SCALE[0]
    assert {"25%", "100%", "0%", "马里", "Covered", "Unmet", "No need"} <= set(texts(root))


def test_palettes_meet_wcag_aa() -> None:
    assert set(charts.AREA_COLOURS) == set(AREA_KEYS)
    for colour in charts.AREA_COLOURS.values():
        assert charts.contrast(colour, "#ffffff") >= 3.0, colour  # non-text graphics
    for colour in (*charts.GAP_SCALE, *charts_map.VALUE_SCALE):
        assert charts.contrast(colour, charts.text_colour_on(colour)) >= 4.5, colour
    assert charts.contrast(charts.TEXT, "#ffffff") >= 4.5
    assert charts.contrast(charts.MUTED, "#ffffff") >= 4.5
    assert charts.contrast(charts.MUTED, "#f5f7f9") >= 4.5  # zebra rows of the report


def test_helpers() -> None:
    assert charts.nice_ticks(17) == [0, 5, 10, 15, 20]
    assert charts.nice_ticks(0) == [0.0, 1.0]
    assert charts.shorten("abcdefghijkl", 10, 40).endswith("…")
    assert charts.wrap("Illegal arms trafficking and export control", 9, 70) == [
        "Illegal arms", "trafficking", "and export", "control"]  # fmt: skip
    assert len(charts.wrap("非法武器贩运和出口管制", 9, 40)) == 3
    assert charts.text_width("中文", 10) == 20


def test_world_geometry_is_keyed_by_alpha2_and_crosses_no_antimeridian() -> None:
    shapes = charts_map.world_shapes()
    assert {"KE", "ML", "RU", "FJ", "US", "CN", "FR", "CD", "SS", "XK"} <= set(shapes)
    assert "AQ" not in shapes
    assert len(shapes) > 160
    for polygons in shapes.values():
        for ring in (r for p in polygons for r in p):
            assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring)
            assert all(abs(b[0] - a[0]) < 180 for a, b in itertools.pairwise(ring))
    assert {"SG", "BH", "MV", "MT", "TV"} <= set(charts_map.small_countries())


def test_choropleth_shades_the_given_countries_in_classes() -> None:
    values = {"KE": 1.0, "ML": 4.0, "PK": 9.0, "SG": 2.0, "RU": 20.0, "FR": 3.0}
    root = parse(
        charts_map.choropleth_map(
            "m",
            "Projects",
            values,
            name=lambda c: f"<{c}>",
            legend_heading="Projects",
            no_data_label="None",
        )
    )
    shaded = {e.get("data-code"): e for e in marks(root, "path", "country") if e.get("data-value")}
    dots = {e.get("data-code"): e for e in marks(root, "circle", "country")}
    assert set(shaded) == {"KE", "ML", "PK", "RU", "FR"}
    assert set(dots) == {"SG"}
    assert float(shaded["PK"].get("data-value") or 0) == 9.0
    assert shaded["RU"].get("fill") == charts_map.VALUE_SCALE[-1]
    assert shaded["KE"].get("fill") == charts_map.VALUE_SCALE[0]
    unshaded = [e for e in marks(root, "path", "country") if not e.get("data-value")]
    assert {e.get("fill") for e in unshaded} == {charts_map.NO_DATA}
    assert "<PK>: 9" in [e.findtext(f"{SVG}title") for e in shaded.values()]
    classes = {"1\u20132", "3", "4", "5\u20139", "10\u201320", "None"}  # en dashes
    assert classes <= set(texts(root))


def test_class_breaks_are_quantiles() -> None:
    assert charts_map.class_breaks([1, 2, 3]) == [1, 2, 3]
    assert charts_map.class_breaks(list(range(1, 11))) == [2, 4, 6, 8, 10]
    assert charts_map.class_breaks([0, 0]) == []


def test_robinson_is_symmetric_and_bounded() -> None:
    x, y = charts_map.robinson(180, 90)
    assert charts_map.robinson(-180, -90) == pytest.approx((-x, -y))
    assert charts_map.robinson(0, 0) == (0.0, 0.0)
    assert y == pytest.approx(1.3523)


def test_web_geojson_for_echarts() -> None:
    geo = charts_map.world_geojson()
    names = {f["properties"]["name"] for f in geo["features"]}
    assert {"KE", "RU"} <= names
    assert json.loads(json.dumps(geo)) == geo
