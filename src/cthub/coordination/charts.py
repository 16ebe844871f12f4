"""Server-side SVG charts for the CTC report: stacked bars and a gap heatmap (the map is in
``charts_map``).

The report is a PDF and a self-contained HTML page, so charts are static SVG strings with no
JavaScript. Every chart is an accessible image (``role="img"``, a ``<title>`` and ``<desc>``),
every mark has its own ``<title>`` with the exact figure, text uses a CJK-capable font list, and
colours meet WCAG AA: marks reach 3:1 against white, text on a coloured cell is black or white,
whichever contrasts more (always at least 4.5:1). Labels arrive translated; this module never
translates. The building blocks (text, legend, contrast) are in ``charts_svg``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from cthub.coordination.charts_svg import (
    FONT_FAMILY,
    GRID,
    MUTED,
    TEXT,
    WIDTH,
    contrast,
    legend,
    nice_ticks,
    shorten,
    svg_document,
    text,
    text_colour_on,
    text_width,
    wrap,
)

#: One colour per CTC assistance area (keys of ``taxonomy.AREAS``), each >= 3:1 on white.
AREA_COLOURS: dict[str, str] = {
    "legislation": "#1f5fa8",
    "financial_law": "#b5520f",
    "customs": "#2e7d32",
    "immigration": "#7b3fa0",
    "extradition": "#8c6d1f",
    "law_enforcement": "#c2185b",
    "arms_export_control": "#546373",
    "transport_security": "#00838f",
}

#: Sequential scale for gaps (0 = fully covered ... 1 = nothing committed), light to dark.
GAP_SCALE: tuple[str, ...] = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#d94801", "#8c2d04")


@dataclass(frozen=True)
class Layer:
    """One stack of a bar chart: a stable ``key``, its translated ``label`` and fill colour."""

    key: str
    label: str
    colour: str


def stacked_bar_chart(
    chart_id: str,
    title: str,
    categories: Sequence[tuple[str, str]],
    layers: Sequence[Layer],
    values: Mapping[tuple[str, str], int],
    *,
    value_text: Callable[[int], str] = str,
    desc: str = "",
    legend_heading: str = "",
) -> str:
    """Horizontal bars, one per ``(key, label)`` category, stacked by layer.

    ``values[(category key, layer key)]`` is a non-negative integer (a count or an amount in
    minor units, formatted by ``value_text``); each bar ends with its total. Each segment is a
    ``<rect class="seg" data-category=... data-layer=... data-value=...>``.
    """
    room = min(240.0, max([text_width(lbl, 10.5) for _k, lbl in categories] + [40]) + 10)
    labels = [wrap(lbl, 10.5, room - 10, 2) for _k, lbl in categories]
    row_h = 25.0 if any(len(lines) > 1 for lines in labels) else 18.0
    totals = [sum(values.get((key, lay.key), 0) for lay in layers) for key, _l in categories]
    ticks = nice_ticks(max(totals, default=0))
    scale = (WIDTH - room - 50) / ticks[-1]
    legend_svg, legend_h = legend([(lay.colour, lay.label) for lay in layers], 0, WIDTH,
                                  legend_heading)  # fmt: skip
    top = legend_h + 26
    parts = [legend_svg, _axis(ticks, room, scale, (top, top + row_h * len(categories)),
                               value_text)]  # fmt: skip
    for row, ((key, label), lines, total) in enumerate(
        zip(categories, labels, totals, strict=True)
    ):
        middle, x = top + row * row_h + row_h / 2, room
        for i, line in enumerate(lines):
            parts.append(text(room - 6, middle + 3.5 + 11 * (i - (len(lines) - 1) / 2), line,
                              size=10.5, anchor="end"))  # fmt: skip
        for lay in layers:
            value = values.get((key, lay.key), 0)
            if value:
                tip = f"{label} — {lay.label}: {value_text(value)}"
                parts.append(_segment(x, middle - 7, value * scale, lay, key, value, tip))
                x += value * scale
        parts.append(text(x + 4, middle + 3.5, value_text(total), size=10, fill=MUTED))
    height = top + row_h * len(categories) + 6
    return svg_document(chart_id, WIDTH, height, title, desc or title, "".join(parts))


def _axis(ticks: Sequence[float], left: float, scale: float, span: tuple[float, float],
          value_text: Callable[[int], str]) -> str:  # fmt: skip
    parts = []
    for tick in ticks:
        x = left + tick * scale
        parts.append(f'<line x1="{x:.1f}" y1="{span[0] - 4}" x2="{x:.1f}" y2="{span[1]}" '
                     f'stroke="{GRID}" stroke-width="0.7"/>')  # fmt: skip
        parts.append(text(x, span[0] - 8, value_text(int(tick)), size=9, anchor="middle",
                          fill=MUTED))  # fmt: skip
    return "".join(parts)


def _segment(x: float, y: float, w: float, lay: Layer, key: str, value: int, tip: str) -> str:
    return (
        f'<rect class="seg" data-category={quoteattr(key)} data-layer={quoteattr(lay.key)} '
        f'data-value="{value}" x="{x:.2f}" y="{y:.1f}" width="{w:.2f}" height="14" '
        f'fill="{lay.colour}" stroke="#ffffff" stroke-width="0.5"><title>{escape(tip)}</title>'
        "</rect>"
    )


def gap_colour(gap: float) -> str:
    """The ``GAP_SCALE`` colour of a gap in [0, 1] (five equal classes)."""
    return GAP_SCALE[min(int(max(gap, 0.0) * len(GAP_SCALE)), len(GAP_SCALE) - 1)]


def heatmap_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    matrix: Sequence[Sequence[float | None]],
    *,
    legend_labels: tuple[str, str, str],
    desc: str = "",
) -> str:
    """A rows-by-columns grid of gaps in [0, 1], each cell labelled with its percentage.

    ``rows``/``columns`` are ``(key, translated label)``; ``matrix[r][c]`` is the gap or ``None``
    (no need recorded, drawn blank). ``legend_labels`` = (low, high, no need). Each cell is a
    ``<rect class="cell" data-row=... data-column=... data-value=...>``.
    """
    label_room = min(200.0, max([text_width(lbl, 10) for _k, lbl in rows] + [40]) + 8)
    cell_w = (WIDTH - label_room) / max(len(columns), 1)
    heads = [wrap(label, 9, cell_w - 4) for _key, label in columns]
    top = 40 + 11 * max((len(lines) for lines in heads), default=0) + 4
    parts = [_heatmap_legend(legend_labels), _heatmap_head(heads, label_room, cell_w, top)]
    for r, (row_key, label) in enumerate(rows):
        y = top + r * 16
        short = shorten(label, 10, label_room - 8)
        parts.append(text(label_room - 6, y + 11.5, short, size=10, anchor="end"))
        for c, (col_key, col_label) in enumerate(columns):
            tip = f"{label} — {col_label}"
            x = label_room + c * cell_w
            parts.append(_cell(x, y, cell_w, matrix[r][c], (row_key, col_key), tip))
    height = top + 16 * len(rows) + 4
    return svg_document(chart_id, WIDTH, height, title, desc or title, "".join(parts))


def _heatmap_head(heads: list[list[str]], left: float, cell_w: float, top: float) -> str:
    parts = []
    for c, lines in enumerate(heads):
        x = left + (c + 0.5) * cell_w
        for i, line in enumerate(lines):
            parts.append(
                text(x, top - 4 - 11 * (len(lines) - 1 - i), line, size=9, anchor="middle")
            )
    return "".join(parts)


def _cell(x: float, y: float, w: float, gap: float | None, keys: tuple[str, str], tip: str) -> str:
    data = f"data-row={quoteattr(keys[0])} data-column={quoteattr(keys[1])}"
    if gap is None:
        return (
            f'<rect class="cell" {data} x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="16" '
            f'fill="#ffffff" stroke="{GRID}" stroke-width="0.5"><title>{escape(tip)}: \u2013'
            "</title></rect>"
        )
    fill, label = gap_colour(gap), f"{round(gap * 100)}%"
    return (
        f'<rect class="cell" {data} data-value="{gap:.4f}" x="{x:.1f}" y="{y:.1f}" '
        f'width="{w:.1f}" height="16" fill="{fill}" stroke="#ffffff" stroke-width="1">'
        f"<title>{escape(tip)}: {label}</title></rect>"
        + text(x + w / 2, y + 11.5, label, size=9, anchor="middle", fill=text_colour_on(fill))
    )


def _heatmap_legend(labels: tuple[str, str, str]) -> str:
    low, high, none = labels
    parts = [text(0, 12, low, size=10, fill=MUTED)]
    x = text_width(low, 10) + 6
    for index, colour in enumerate(GAP_SCALE):
        parts.append(
            f'<rect x="{x + index * 44:.1f}" y="2" width="44" height="13" fill="{colour}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
        )
        parts.append(
            text(
                x + index * 44 + 22,
                26,
                f"{index * 20}\u2013{index * 20 + 20}%",
                size=8,
                anchor="middle",
                fill=MUTED,
            )
        )
    x += 44 * len(GAP_SCALE) + 6
    parts.append(text(x, 12, high, size=10, fill=MUTED))
    x += text_width(high, 10) + 24
    parts.append(f'<rect x="{x:.1f}" y="2" width="13" height="13" fill="#ffffff" stroke="{GRID}"/>')
    parts.append(text(x + 18, 12, none, size=10, fill=MUTED))
    return "".join(parts)


__all__ = [
    "AREA_COLOURS",
    "FONT_FAMILY",
    "GAP_SCALE",
    "GRID",
    "MUTED",
    "TEXT",
    "WIDTH",
    "Layer",
    "contrast",
    "gap_colour",
    "heatmap_chart",
    "nice_ticks",
    "shorten",
    "stacked_bar_chart",
    "text_colour_on",
    "text_width",
    "wrap",
]
