"""A layered layout for small directed graphs drawn on the server as SVG: each node has a level
(a row of the drawing, e.g. owners above the entity they own and holdings below), nodes in a
level are ordered to cross fewer edges (barycentre sweeps), a level with more nodes than fit
across wraps onto further rows, and each edge becomes a curve from its source's box to its
target's, with the point its label sits on.

Edges between rows run from the bottom of the upper box to the top of the lower one, their
ends spread along the box edge in the order of the other ends, so arrows into one box do not
meet in one point. An edge that goes up (round a cycle) leaves the top of its box and bends out
to the right; one within a row arches above it. Both are ``back`` edges, drawn apart.
Pure geometry: no names, no templates; ``ownership_graph`` uses it, and any page drawing a
hierarchy (``static/graph.js`` makes it interactive) can.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 880.0
BOX_W, BOX_H = 132.0, 40.0
GAP_X = 12.0
LEVEL_GAP = 92.0  # from one level's last row to the next level's first
ROW_GAP = 58.0  # between the wrapped rows of one level
MARGIN = 22.0
SWEEPS = 4
BEND, ARCH = 76.0, 40.0  # how far an edge up (a cycle) or within a row curves out


@dataclass(frozen=True)
class Box:
    """A node's box: centre ``x``, ``y``; width ``w``, height ``h``; its level and row."""

    key: str
    x: float
    y: float
    w: float
    h: float
    level: int
    row: int

    @property
    def top(self) -> float:
        return self.y - self.h / 2

    @property
    def bottom(self) -> float:
        return self.y + self.h / 2


@dataclass(frozen=True)
class Route:
    """An edge as drawn: the SVG path ``d``, where its label goes (``lx``, ``ly``), and
    whether it runs against the levels (``back``: up, or within a row)."""

    source: str
    target: str
    d: str
    lx: float
    ly: float
    back: bool


@dataclass(frozen=True)
class Layout:
    boxes: dict[str, Box]
    routes: list[Route]
    width: float
    height: float


def per_row(width: float = WIDTH, box_w: float = BOX_W) -> int:
    """How many boxes fit across the drawing."""
    return max(1, int((width - 2 * MARGIN + GAP_X) // (box_w + GAP_X)))


def _order(levels: dict[str, int], edges: Sequence[tuple[str, str]]) -> dict[int, list[str]]:
    """Nodes per level, in the order that crosses fewer edges (given order first)."""
    rows: dict[int, list[str]] = {}
    for key, level in levels.items():
        rows.setdefault(level, []).append(key)
    near: dict[str, list[str]] = {k: [] for k in levels}
    for a, b in edges:
        if a in near and b in near and a != b:
            near[a].append(b)
            near[b].append(a)
    ranks = sorted(rows)
    for sweep in range(SWEEPS):
        where = {k: i / max(1, len(r) - 1) for r in rows.values() for i, k in enumerate(r)}
        for level in ranks if sweep % 2 == 0 else reversed(ranks):
            side = level - 1 if sweep % 2 == 0 else level + 1

            def centre(k: str, side: int = side, at: dict[str, float] = where) -> float:
                xs = [at[n] for n in near[k] if levels[n] == side]
                return sum(xs) / len(xs) if xs else at[k]

            rows[level] = sorted(rows[level], key=centre)
            where.update({k: i / max(1, len(rows[level]) - 1)
                          for i, k in enumerate(rows[level])})  # fmt: skip
    return rows


def _chunks(keys: list[str], fit: int) -> list[list[str]]:
    """A level's rows: ``fit`` boxes, then one fewer, and so on, so that the boxes of a
    wrapped row sit in the gaps of the row above and the lines from above pass between."""
    out: list[list[str]] = []
    i = 0
    while i < len(keys):
        n = fit if len(out) % 2 == 0 or fit == 1 else fit - 1
        out.append(keys[i : i + n])
        i += n
    return out


def _place(rows: dict[int, list[str]], width: float, box_w: float, box_h: float) -> dict[str, Box]:
    fit = per_row(width, box_w)
    step = box_w + GAP_X
    boxes: dict[str, Box] = {}
    y = MARGIN + box_h / 2
    for level in sorted(rows):
        chunks = _chunks(rows[level], fit)
        for r, chunk in enumerate(chunks):
            x0 = width / 2 - (len(chunk) - 1) * step / 2
            if r and (len(chunks[r - 1]) - len(chunk)) % 2 == 0:  # would line up: shift
                x0 += step / 2 if x0 + len(chunk) * step <= width - MARGIN else -step / 2
            for i, key in enumerate(chunk):
                boxes[key] = Box(key, round(x0 + i * step, 1), round(y, 1), box_w, box_h,
                                 level, r)  # fmt: skip
            y += ROW_GAP if r < len(chunks) - 1 else LEVEL_GAP
    return boxes


def _sides(a: Box, b: Box) -> tuple[str, str]:
    """Which edge of each box an edge from ``a`` to ``b`` leaves and enters by."""
    if b.y > a.y:
        return "bottom", "top"
    return ("top", "bottom") if b.y < a.y else ("top", "top")


@dataclass(frozen=True)
class Band:
    """The rows of one level: the top of its first row, the bottom of its last, and the
    index of its last row."""

    top: float
    bottom: float
    last: int


def _bands(boxes: dict[str, Box]) -> dict[int, Band]:
    out: dict[int, Band] = {}
    for b in boxes.values():
        now = out.get(b.level)
        out[b.level] = Band(min(b.top, now.top if now else b.top),
                            max(b.bottom, now.bottom if now else b.bottom),
                            max(b.row, now.last if now else b.row))  # fmt: skip
    return out


def _through(box: Box, side: str, bands: dict[int, Band]) -> bool:
    """Whether an edge on ``side`` of ``box`` must pass the other rows of its level (through
    the gaps between their boxes, straight down)."""
    if side == "bottom":
        return box.row < bands[box.level].last
    return side == "top" and box.row > 0


def _ports(
    boxes: dict[str, Box], edges: Sequence[tuple[str, str]], bands: dict[int, Band]
) -> dict[int, float]:
    """Per edge (by index) and end, the x where it meets its box: ``2i`` the source end,
    ``2i+1`` the target end, spread along the box edge in the order of the other ends (in the
    middle where the edge passes other rows of the level, through the gap there)."""
    sides: dict[tuple[str, str], list[tuple[float, int]]] = {}
    for i, (a, b) in enumerate(edges):
        out, into = _sides(boxes[a], boxes[b])
        sides.setdefault((a, out), []).append((boxes[b].x, 2 * i))
        sides.setdefault((b, into), []).append((boxes[a].x, 2 * i + 1))
    ports: dict[int, float] = {}
    for (key, side), ends in sides.items():
        box = boxes[key]
        ends.sort()
        span = 0.0 if _through(box, side, bands) else min(box.w * 0.8, 16.0 * (len(ends) - 1))
        for j, (_, end) in enumerate(ends):
            offset = 0.0 if len(ends) == 1 else -span / 2 + span * j / (len(ends) - 1)
            ports[end] = round(box.x + offset, 1)
    return ports


Point = tuple[float, float]


def _at(p: tuple[Point, Point, Point, Point], t: float) -> Point:
    """The point at ``t`` (0..1) of a cubic Bezier curve."""
    u = 1 - t
    w = (u**3, 3 * u * u * t, 3 * u * t * t, t**3)
    return (round(sum(k * q[0] for k, q in zip(w, p, strict=True)), 1),
            round(sum(k * q[1] for k, q in zip(w, p, strict=True)), 1))  # fmt: skip


Curve = tuple[Point, Point, Point, Point]
LABEL_W, LABEL_H = 34.0, 14.0  # the room a share label is kept clear in
TRIES = (0.5, 0.3, 0.7, 0.2, 0.8, 0.4, 0.6, 0.12, 0.88)


def _curve(
    a: Box, b: Box, i: int, ports: dict[int, float], bands: dict[int, Band]
) -> tuple[str, Curve, Point | None]:
    """Edge ``i`` from ``a`` to ``b``: its SVG path, the Bezier part of it, and where its
    label goes when that is known already (in the gap above a box of a wrapped row)."""
    x1, x2 = ports[2 * i], ports[2 * i + 1]
    if b.y > a.y:  # downwards: a vertical S-curve from a's bottom to b's top
        y1, y2 = a.bottom, b.top - 2
        head = bands[a.level].bottom if a.row < bands[a.level].last else y1
        tail = bands[b.level].top - 2 if b.row > 0 else y2
        mid = (head + tail) / 2
        curve: Curve = ((x1, head), (x1, mid), (x2, mid), (x2, tail))
        d = f"M{x1},{y1} L{x1},{head} " if head != y1 else f"M{x1},{y1} "
        d += f"C{x1},{mid:.1f} {x2},{mid:.1f} {x2},{tail}"
        d += f" L{x2},{y2}" if tail != y2 else ""
        gap = (x2, round(b.top - (ROW_GAP - b.h) / 2, 1)) if tail != y2 else None
        return d, curve, gap
    if b.y < a.y:  # upwards (a cycle): from a's top to b's bottom, bent to the right
        y1, y2 = a.top, b.bottom + 2
        third = (y1 - y2) / 3
        curve = ((x1, y1), (x1 + BEND, y1 - third), (x2 + BEND, y2 + third), (x2, y2))
    else:  # in one row: an arch above it
        y1, y2 = a.top, b.top - 2
        curve = ((x1, y1), (x1, y1 - ARCH), (x2, y2 - ARCH), (x2, y2))
    (_, _), c1, c2, (_, _) = curve
    d = f"M{x1},{y1} C{c1[0]:.1f},{c1[1]:.1f} {c2[0]:.1f},{c2[1]:.1f} {x2},{y2}"
    return d, curve, None


def _clear(p: Point, boxes: list[Box], taken: list[Point]) -> bool:
    x, y = p
    if any(abs(x - b.x) < b.w / 2 + LABEL_W / 2 and abs(y - b.y) < b.h / 2 + LABEL_H / 2
           for b in boxes):  # fmt: skip
        return False
    return all(abs(x - q[0]) >= LABEL_W + 4 or abs(y - q[1]) >= LABEL_H for q in taken)


def _label_at(curve: Curve, first: float, boxes: list[Box], taken: list[Point]) -> Point:
    """Where on ``curve`` its label goes: at ``first`` if that is clear of every box and of
    the labels placed before, else at the first clear point of ``TRIES``, else at ``first``."""
    for t in (first, *TRIES):
        p = _at(curve, t)
        if _clear(p, boxes, taken):
            return p
    return _at(curve, first)


def layered(
    levels: dict[str, int],
    edges: Sequence[tuple[str, str]],
    *,
    width: float = WIDTH,
    box_w: float = BOX_W,
    box_h: float = BOX_H,
) -> Layout:
    """Boxes for ``levels`` (node key -> level; lower levels are drawn higher) and a route for
    each edge ``(source, target)`` whose ends both have a box (the others are left out)."""
    rows = _order(levels, edges)
    boxes = _place(rows, width, box_w, box_h)
    drawn = [(a, b) for a, b in edges if a in boxes and b in boxes and a != b]
    bands = _bands(boxes)
    ports = _ports(boxes, drawn, bands)
    fan_in = Counter(b for _, b in drawn)
    fan_out = Counter(a for a, _ in drawn)
    every = list(boxes.values())
    taken: list[Point] = []
    routes: list[Route] = []
    for i, (a, b) in enumerate(drawn):
        d, curve, gap = _curve(boxes[a], boxes[b], i, ports, bands)
        back = boxes[b].y <= boxes[a].y
        # nearer the end whose box has fewer edges, where the curves are apart
        first = 0.5 if back else (0.3 if fan_in[b] > fan_out[a] else
                                  0.7 if fan_out[a] > fan_in[b] else 0.5)  # fmt: skip
        lx, ly = gap if gap and _clear(gap, [], taken) else _label_at(curve, first, every, taken)
        taken.append((lx, ly))
        routes.append(Route(a, b, d, lx, ly, back))
    bottom = max((b.bottom for b in boxes.values()), default=MARGIN)
    right = max((r.lx + 30 for r in routes if r.back), default=0.0)
    return Layout(boxes, routes, max(width, math.ceil(right)), round(bottom + MARGIN, 1))


__all__ = ["Box", "Layout", "Route", "layered", "per_row"]
