"""The entity page's ownership graph, drawn on the server as SVG, and its explanation in words.

The neighbourhood: the entity, its owners upwards (up to ``UP`` levels) and its direct
holdings, at most ``LIMIT`` parties; the parties and edges of the explanation (the path that
blocks it, or the chains of its beneficial owners) are always kept, however far up. Each
party shows its status in the chosen mode (listed, blocked, possibly blocked; beneficial
owner), each edge its share; the explanation's edges are marked. ``graph_layout`` places the
boxes (owners above what they own); ``static/graph.js`` makes the drawing interactive.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from urllib.parse import quote

import numpy as np
import numpy.typing as npt

from cthub.core.i18n import N_, GetText
from cthub.interfaces.web.graph_layout import Layout, layered
from cthub.ownership.compute import ChainEdge, OwnershipGraph

UP, LIMIT, PER_LEVEL = 4, 60, 9  # levels up; parties; a level's parties (two rows)
Ints = npt.NDArray[np.int64]
KINDS = {1: "person", 0: "entity", -1: "unknown"}
STATUS_LABELS = {
    "listed": N_("listed"),
    "blocked": N_("blocked"),
    "possibly_blocked": N_("possibly blocked"),
    "not_blocked": N_("not blocked"),
    "ubo": N_("beneficial owner"),
    "possibly_ubo": N_("possibly a beneficial owner"),
}
KIND_LABELS = {"person": N_("person"), "entity": N_("company or other entity"),
               "unknown": N_("unknown kind")}  # fmt: skip
LINE = 19  # characters per line of a box label


def href(entity_id: str) -> str:
    """The entity page of ``entity_id`` (ids keep their ``:`` and ``/``)."""
    return "/ownership/entities/" + quote(entity_id, safe=":/@-._~")


def percent(value: float, digits: int = 2) -> str:
    return f"{value * 100:.{digits}f}".rstrip("0").rstrip(".") + "%"


def share_text(lo: float | None, hi: float | None, digits: int = 2) -> str:
    """``25%``, ``25%-50%`` (with an en dash), or ``?`` when unknown."""
    if lo is None or hi is None:
        return "?"
    if abs(hi - lo) < 1e-9:
        return percent(lo, digits)
    return f"{percent(lo, digits)}\u2013{percent(hi, digits)}"


def interval(lo: float | None, hi: float | None, lo_inc: bool, hi_inc: bool) -> str:
    """A share as an interval: ``25%``, ``(25%, 50%]``; ``?`` for an unknown end."""
    if lo is not None and hi is not None and abs(hi - lo) < 1e-9:
        return percent(lo)
    if lo is None and hi is None:
        return "?"
    left, right = "[" if lo_inc else "(", "]" if hi_inc else ")"
    a, b = percent(lo) if lo is not None else "?", percent(hi) if hi is not None else "?"
    return f"{left}{a}, {b}{right}"


def edge_label(interest: str, share: str, _: GetText) -> str:
    if interest == "control":
        return _("control")
    if interest == "voting":
        return _("votes {share}").format(share=share)
    return share


@dataclass(frozen=True)
class Dot:
    key: str
    entity_id: str
    href: str
    lines: list[str]
    detail: str
    classes: str
    x: float
    y: float
    w: float
    h: float
    more: str  # "+3": owners or holdings not drawn
    centre: bool


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    d: str
    label: str
    lx: float
    ly: float
    marked: bool
    title: str
    back: bool  # against the levels: round a cycle


@dataclass
class Drawing:
    dots: list[Dot]
    links: list[Link]
    width: float
    height: float
    truncated: bool
    marked: int = 0
    problems: list[str] = field(default_factory=list)


def _largest(g: OwnershipGraph, ks: list[int], side: Ints, must: Collection[int]) -> list[int]:
    """The parties at the ``side`` end of edges ``ks``, the explanation's first, then by the
    largest share held, once each."""
    at = np.asarray(ks, dtype=np.int64)
    parties = side[at]
    first = np.isin(parties, np.fromiter(must, dtype=np.int64, count=len(must)))
    order = np.lexsort((at, -g.hi[at], ~first))
    return list(dict.fromkeys(int(p) for p in parties[order]))


def collect(g: OwnershipGraph, c: int, must: Collection[int]) -> dict[int, int]:
    """Node -> level: owners upwards (negative levels, at most ``PER_LEVEL`` a level besides
    the explanation's), then the direct holdings (1), largest shares first."""
    order_in, ptr_in = g.by_asset
    order_out, ptr_out = g.by_owner
    out = order_out[ptr_out[c] : ptr_out[c + 1]].tolist()
    holdings = _largest(g, out, g.asset, must)
    budget = LIMIT - min(len(holdings), PER_LEVEL)
    level, frontier, depth = {c: 0}, [c], 0
    while frontier and depth < 64:
        depth += 1
        ks = [k for n in frontier for k in order_in[ptr_in[n] : ptr_in[n + 1]].tolist()]
        found: list[int] = []
        for o in _largest(g, ks, g.owner, must):
            room = depth <= UP and len(found) < PER_LEVEL and len(level) < budget
            if o not in level and (o in must or room):
                level[o] = -depth
                found.append(o)
        frontier = found
    added = 0
    for a in holdings:
        if a not in level and (a in must or (added < PER_LEVEL and len(level) < LIMIT)):
            level[a] = 1
            added += 1
    return level


def _edges(g: OwnershipGraph, level: dict[int, int]) -> list[int]:
    order_out, ptr_out = g.by_owner
    return [k for n in level for k in order_out[ptr_out[n] : ptr_out[n + 1]].tolist()
            if int(g.asset[k]) in level]  # fmt: skip


def _hidden(g: OwnershipGraph, n: int, level: dict[int, int]) -> int:
    order_in, ptr_in = g.by_asset
    order_out, ptr_out = g.by_owner
    up = {int(g.owner[k]) for k in order_in[ptr_in[n] : ptr_in[n + 1]].tolist()}
    down = {int(g.asset[k]) for k in order_out[ptr_out[n] : ptr_out[n + 1]].tolist()}
    return len((up | down) - set(level))


def _width(text: str) -> int:
    """Display width in Latin letters: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(text: str, width: int) -> tuple[str, str]:
    """The longest head of ``text`` within ``width``, and the rest."""
    used = 0
    for i, ch in enumerate(text):
        used += _width(ch)
        if used > width:
            return text[:i], text[i:]
    return text, ""


def _lines(name: str) -> list[str]:
    """A box label on at most two lines of ``LINE`` letters (long words are cut)."""
    lines = [""]
    for word in name.split() or [name]:
        if lines[-1] and _width(lines[-1]) + 1 + _width(word) > LINE:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}".strip()
    cut: list[str] = []
    for line in lines:
        while _width(line) > LINE:
            head, line = _cut(line, LINE)
            cut.append(head)
        cut.append(line)
    if len(cut) <= 2:
        return cut
    return [cut[0], _cut(cut[1], LINE - 1)[0] + "\u2026"]


def draw(
    g: OwnershipGraph,
    centre: str,
    *,
    path: Collection[ChainEdge],
    statuses: Callable[[str], str],
    listings: dict[str, str],
    _: GetText,
) -> Drawing:
    """The neighbourhood of ``centre``; ``path``: the edges of the explanation, marked;
    ``statuses``: an entity id's status in the mode shown (``""``: none); ``listings``: the
    list entries of listed parties (``UN CDe.007``) by entity id."""
    c = g.node(centre)
    if c < 0:
        return Drawing([], [], 880.0, 100.0, False)
    marked = {e.edge_id for e in path}
    must = {g.node(x) for e in path for x in (e.owner_id, e.asset_id)} - {-1}
    level = collect(g, c, must)
    ks = _edges(g, level)
    pairs: dict[tuple[int, int], list[int]] = {}
    for k in ks:
        pairs.setdefault((int(g.owner[k]), int(g.asset[k])), []).append(k)
    layout = layered({f"n{n}": lv for n, lv in level.items()},
                     [(f"n{a}", f"n{b}") for a, b in pairs])  # fmt: skip
    dots = [_dot(g, n, c, level, layout, statuses, listings, _) for n in level]
    links = _links(g, pairs, layout, marked, _)
    truncated = any(d.more for d in dots)
    return Drawing(dots, links, layout.width, layout.height, truncated,
                   sum(1 for x in links if x.marked))  # fmt: skip


def _dot(g: OwnershipGraph, n: int, c: int, level: dict[int, int], layout: Layout,
         statuses: Callable[[str], str], listings: dict[str, str], _: GetText) -> Dot:  # fmt: skip
    eid = g.id_list[n]
    name = g.name(n) or eid
    kind = KINDS.get(int(g.kind[n]), "unknown")
    status = statuses(eid)
    box = layout.boxes[f"n{n}"]
    hidden = _hidden(g, n, level)
    parts = [name, _(KIND_LABELS[kind])]
    if status in STATUS_LABELS:
        parts.append(_(STATUS_LABELS[status]))
    if eid in listings:
        parts.append(_("on {listing}").format(listing=listings[eid]))
    if hidden:
        parts.append(_("{n} more linked parties not drawn").format(n=hidden))
    parts.append(eid)
    classes = " ".join(x for x in ("node", kind, f"st-{status}" if status else "",
                                   "centre" if n == c else "") if x)  # fmt: skip
    return Dot(f"n{n}", eid, href(eid), _lines(name), " · ".join(parts), classes, box.x, box.y,
               box.w, box.h, f"+{hidden}" if hidden else "", n == c)  # fmt: skip


def _label(g: OwnershipGraph, ks: list[int], digits: int, _: GetText) -> str:
    """The shares of the edges between one pair: ``30%``, ``30% · votes 20%``, ``control``;
    voting rights equal to the shares are not repeated."""
    found: dict[str, str] = {}
    for k in ks:
        share = share_text(float(g.lo[k]), float(g.hi[k]), digits) if g.known[k] else "?"
        found.setdefault(("ownership", "voting", "control")[int(g.interest[k])], share)
    if "voting" in found and found["voting"] == found.get("ownership"):
        del found["voting"]
    return " · ".join(edge_label(i, v, _) for i, v in found.items())


def _links(g: OwnershipGraph, pairs: dict[tuple[int, int], list[int]], layout: Layout,
           marked: set[str], _: GetText) -> list[Link]:  # fmt: skip
    routes = {(r.source, r.target): r for r in layout.routes}
    out = []
    for (a, b), ks in pairs.items():
        r = routes.get((f"n{a}", f"n{b}"))
        if r is None:
            continue
        label = _label(g, ks, 1, _)
        owner, asset = g.name(a) or g.id_list[a], g.name(b) or g.id_list[b]
        title = _("{owner} → {asset}: {share}").format(owner=owner, asset=asset,
                                                        share=_label(g, ks, 2, _))  # fmt: skip
        out.append(Link(r.source, r.target, r.d, label, r.lx, r.ly,
                        any(g.edge_id(k) in marked for k in ks), title, r.back))  # fmt: skip
    return out


def sentence(e: ChainEdge, names: dict[str, str], listings: dict[str, str], _: GetText) -> str:
    """One edge of an explanation in words: "Listed X (UN CDe.007) owns 25% of Y"."""
    owner = names.get(e.owner_id) or e.owner_id
    if e.owner_id in listings:
        owner = _("Listed {name} ({listing})").format(name=owner, listing=listings[e.owner_id])
    asset = names.get(e.asset_id) or e.asset_id
    share = share_text(e.share_min, e.share_max)
    if e.interest == "control":
        return _("{owner} controls {asset}").format(owner=owner, asset=asset)
    if e.interest == "voting":
        return _("{owner} holds {share} of the voting rights in {asset}").format(
            owner=owner, share=share, asset=asset
        )
    return _("{owner} owns {share} of {asset}").format(owner=owner, share=share, asset=asset)


__all__ = ["Drawing", "collect", "draw", "href", "interval", "percent", "sentence", "share_text"]
