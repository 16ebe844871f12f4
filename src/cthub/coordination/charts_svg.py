"""SVG building blocks shared by the report's charts: text measuring and wrapping, WCAG
contrast, axis ticks, the accessible ``<svg>`` wrapper, text elements and a swatch legend.

WeasyPrint draws inline SVG itself and reads ``font-family`` literally, so the family list is
unquoted; text widths are estimates (a wide CJK glyph counts one em, Latin 0.58 em), which is
enough to lay out labels without a font engine.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from xml.sax.saxutils import escape

FONT_FAMILY = "Noto Sans, Noto Sans CJK SC, sans-serif"  # unquoted: WeasyPrint's SVG reader
TEXT = "#1a1a1a"
MUTED = "#4d4d4d"
GRID = "#d0d0d0"
WIDTH = 680


def luminance(colour: str) -> float:
    """WCAG relative luminance of a ``#rrggbb`` colour."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two ``#rrggbb`` colours (1 to 21)."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_colour_on(background: str) -> str:
    """Black or white text, whichever contrasts more with ``background``."""
    return (
        "#000000"
        if contrast(background, "#000000") >= contrast(background, "#ffffff")
        else ("#ffffff")
    )


def text_width(text: str, size: float) -> float:
    """Estimated rendered width of ``text`` at font ``size`` (wide CJK glyphs count one em)."""
    wide = sum(1 for ch in text if unicodedata.east_asian_width(ch) in "WF")
    return (wide + 0.58 * (len(text) - wide)) * size


def shorten(text: str, size: float, room: float) -> str:
    """``text`` cut with an ellipsis so that it fits ``room`` at font ``size``."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, size: float, room: float, max_lines: int = 4) -> list[str]:
    """``text`` broken into lines that fit ``room`` (at spaces, or anywhere between CJK glyphs);
    the last line is shortened with an ellipsis when ``max_lines`` is not enough."""
    tokens = re.findall(r"[\u2e80-\u9fff\uff00-\uffef]|[^\s\u2e80-\u9fff\uff00-\uffef]+\s*", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and text_width((line + token).rstrip(), size) > room:
            lines.append(line.rstrip())
            line = ""
        line += token
    lines.append(line.rstrip())
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], shorten(" ".join(lines[max_lines - 1 :]), size, room)]
    return lines


def nice_ticks(maximum: float, count: int = 5) -> list[float]:
    """Round axis ticks from 0 to at least ``maximum`` (1, 2 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    return [step * i for i in range(math.ceil(maximum / step - 1e-9) + 1)]


def svg_document(
    chart_id: str, width: float, height: float, title: str, desc: str, body: str
) -> str:
    """Wrap ``body`` in an accessible ``<svg>``: ``role="img"`` labelled by title and desc."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}" class="chart" role="img" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
        f'<g font-family="{FONT_FAMILY}" fill="{TEXT}">{body}</g></svg>'
    )


def text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 11,
    anchor: str = "start",
    fill: str = TEXT,
    weight: str = "normal",
) -> str:
    """One ``<text>`` element; ``content`` is escaped."""
    bold = ' font-weight="bold"' if weight == "bold" else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" text-anchor="{anchor}" '
        f'fill="{fill}"{bold}>{escape(content)}</text>'
    )


def legend(
    items: Sequence[tuple[str, str]], top: float, width: float, heading: str = ""
) -> tuple[str, float]:
    """Swatches with labels in two columns from ``top``; returns (svg, height used)."""
    parts = [text(0, top + 11, heading, weight="bold")] if heading else []
    y0 = top + (18 if heading else 0)
    column = width / 2
    for index, (colour, label) in enumerate(items):
        x, y = (index % 2) * column, y0 + (index // 2) * 17
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="12" height="12" fill="{colour}" '
            f'stroke="{MUTED}" stroke-width="0.5"/>'
        )
        parts.append(text(x + 17, y + 10.5, shorten(label, 11, column - 22)))
    return "".join(parts), y0 - top + math.ceil(len(items) / 2) * 17


__all__ = [
    "FONT_FAMILY",
    "GRID",
    "MUTED",
    "TEXT",
    "WIDTH",
    "contrast",
    "legend",
    "luminance",
    "nice_ticks",
    "shorten",
    "svg_document",
    "text",
    "text_colour_on",
    "text_width",
    "wrap",
]
