"""The alert page's neighbourhood graph, drawn on the server as SVG (as the travel pages draw
co-travellers): the alerted account in the middle, its counterparties on an inner ring and
theirs on an outer one. Each first-hop account gets a sector of the circle in proportion to
the accounts reached through it (one with no branch still gets the average room), and those
sit in its sector on the outer ring, so a branch reads outwards. ``static/graph.js`` makes it
interactive: hovering or focusing a node highlights its links and neighbours and shows its
details beside the graph.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cthub.core.i18n import GetText
from cthub.finance.graph_view import Neighbourhood, Node

WIDTH, HEIGHT = 880.0, 560.0
RINGS = {1: (175.0, 120.0), 2: (322.0, 228.0)}  # (rx, ry) of each hop's ellipse; the rest
ONLY_RING = (290.0, 200.0)  # of the width holds labels. ONLY_RING: nothing two hops away
STAGGER = 20  # more first-hop accounts than this: on two staggered rings
LABELLED = 14  # a ring with more nodes labels only the alerted ones (the rest: on hover)
RADIUS = {0: 17.0, 1: 9.0, 2: 7.0}


@dataclass(frozen=True)
class Dot:
    """A node as drawn; its label sits outside it, away from the centre (``lx``, ``ly``,
    ``anchor``), so it crosses fewer lines."""

    key: str  # "n<i>", the node's id in the SVG
    node: Node
    x: float
    y: float
    r: float
    label: str
    detail: str
    lx: float
    ly: float
    anchor: str


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    title: str


@dataclass(frozen=True)
class Drawing:
    dots: list[Dot]
    links: list[Link]
    width: float
    height: float


def _short(node: Node) -> str:
    if node.name:
        return node.name if len(node.name) <= 18 else node.name[:17] + "…"
    return node.account if len(node.account) <= 12 else "…" + node.account[-10:]


def _detail(node: Node, _: GetText) -> str:
    parts = [node.account]
    if node.name:
        parts.append(node.name)
    if node.hops:
        parts.append(_("{n} hops away").format(n=node.hops) if node.hops > 1 else _("1 hop away"))
        parts.append(_("transactions with {via}: {n}").format(n=node.transactions, via=node.via))
    if node.score is not None:
        parts.append(_("alert score {score}").format(score=f"{node.score:.2f}"))
    return " · ".join(parts)


def _positions(n: Neighbourhood) -> dict[str, tuple[float, float]]:
    cx, cy = WIDTH / 2, HEIGHT / 2
    first = [x for x in n.nodes if x.hops == 1]
    children: dict[str, list[Node]] = {x.account: [] for x in first}
    for x in n.nodes:
        if x.hops == 2 and x.via in children:
            children[x.via].append(x)
    inner = RINGS[1] if any(children.values()) else ONLY_RING
    kids = sum(len(c) for c in children.values())
    base = min(4.0, max(1.0, kids / max(1, len(first))))  # a first-hop account alone keeps room
    weights = [base + len(children[x.account]) for x in first]
    total = float(sum(weights)) or 1.0
    stagger = len(first) > STAGGER  # a crowded first ring alternates two radii
    where: dict[str, tuple[float, float]] = {n.account: (cx, cy)}
    start = -math.pi / 2
    for i, (x, weight) in enumerate(zip(first, weights, strict=True)):
        sector = 2 * math.pi * weight / total
        mid = start + sector / 2
        k = (0.86 if i % 2 else 1.14) if stagger else 1.0
        where[x.account] = (cx + k * inner[0] * math.cos(mid), cy + k * inner[1] * math.sin(mid))
        branch = children[x.account]
        for j, kid in enumerate(branch):
            angle = start + sector * (j + 0.5) / len(branch)
            rx, ry = RINGS[2]
            where[kid.account] = (cx + rx * math.cos(angle), cy + ry * math.sin(angle))
        start += sector
    return where


def _trim(x1: float, y1: float, x2: float, y2: float, r1: float, r2: float) -> tuple[float, ...]:
    """The segment between two circles' edges (the arrow head then sits on the target's)."""
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    ux, uy = dx / length, dy / length
    return (round(x1 + ux * r1, 1), round(y1 + uy * r1, 1),
            round(x2 - ux * (r2 + 3), 1), round(y2 - uy * (r2 + 3), 1))  # fmt: skip


def _label_at(x: float, y: float, r: float, hops: int) -> tuple[float, float, str]:
    if hops == 0:
        return x, y + r + 15, "middle"
    angle = math.atan2(y - HEIGHT / 2, x - WIDTH / 2)
    c, s = math.cos(angle), math.sin(angle)
    lx, ly = x + c * (r + 4), y + s * (r + 4) + 4
    anchor = "start" if c > 0.35 else "end" if c < -0.35 else "middle"
    if anchor == "middle":
        ly = y + (r + 13 if s > 0 else -(r + 5))
    return round(lx, 1), round(ly, 1), anchor


def draw(n: Neighbourhood, _: GetText) -> Drawing:
    """Positions, labels and details of every node and link of ``n``."""
    where = _positions(n)
    ring_sizes = {h: sum(1 for x in n.nodes if x.hops == h) for h in (1, 2)}
    dots: list[Dot] = []
    keys: dict[str, Dot] = {}
    for i, node in enumerate(x for x in n.nodes if x.account in where):
        x, y = where[node.account]
        show = node.hops == 0 or node.alert_id is not None or ring_sizes[node.hops] <= LABELLED
        r = RADIUS[node.hops] + (3 if node.alert_id is not None and node.hops else 0)
        dot = Dot(f"n{i}", node, round(x, 1), round(y, 1), r, _short(node) if show else "",
                  _detail(node, _), *_label_at(x, y, r, node.hops))  # fmt: skip
        dots.append(dot)
        keys[node.account] = dot
    links = []
    for e in n.edges:
        a, b = keys.get(e.sender), keys.get(e.receiver)
        if a is None or b is None:
            continue
        x1, y1, x2, y2 = _trim(a.x, a.y, b.x, b.y, a.r, b.r)
        width = round(min(5.0, 1.0 + math.log2(e.transactions)), 1)
        title = _("{sender} → {receiver}, transactions: {n}").format(
            sender=e.sender, receiver=e.receiver, n=e.transactions
        )
        links.append(Link(a.key, b.key, x1, y1, x2, y2, width, title))
    return Drawing(dots, links, WIDTH, HEIGHT)


__all__ = ["Dot", "Drawing", "Link", "draw"]
