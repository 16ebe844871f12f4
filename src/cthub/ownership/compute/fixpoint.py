"""The monotone fixed point behind every sanctions ownership rule, vectorised by rounds.

State: a set of pairs (entity, controller). A seed (a listed entity) is its own controller
when holdings are not aggregated across persons (UK), and every seed shares controller 0 when
they are (OFAC, EU). Round ``r`` takes the pairs found in round ``r - 1`` and, through the
out-edge CSR of the graph, adds each of their holdings, counted in full, to the accumulated
holding of (asset, controller), per measure (ownership, voting). A pair that reaches the
threshold, or that a controller reaches through a control edge, joins the set in round
``r``. Nothing is ever removed, so adding seeds or raising shares can only add pairs: the rule
is monotone and the iteration stops at its least fixed point after at most depth + 1 rounds.

Two runs give the three-valued answer: the lower run uses each edge's ``share_min`` and only
definitely controlling control edges, the upper run ``share_max`` and every possibly
controlling one. Blocked in the lower run: blocked; only in the upper: possibly blocked.

With joint holdings counted (UK), the edges of one joint group into one asset form a unit:
when any member's controller is found, the whole unit's holding counts once for it.

The "multiplied" variant (holdings of a blocked entity weighted by its blocked share rather
than counted in full; no such rule is built in) is a linear fixed point instead:
``w = min(1, seed + A w)``, iterated until it stops moving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix

from cthub.ownership.compute.graph import CONTROL, OWNERSHIP, VOTING, OwnershipGraph
from cthub.ownership.compute.intervals import meets_definitely, meets_possibly
from cthub.ownership.compute.propagate import ranges

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

LISTED, BY_OWNERSHIP, BY_VOTING, BY_CONTROL = 0, 1, 2, 3
MEASURES = (OWNERSHIP, VOTING)


@dataclass(frozen=True)
class Rule:
    """What the fixed point needs of a regime (see :class:`.regimes.Regime`)."""

    threshold: float
    inclusive: bool
    aggregate: bool
    measures: tuple[int, ...]
    control: bool
    joint: bool
    multiplied: bool


@dataclass(frozen=True, eq=False)
class Run:
    """One fixed point. Pairs (``node``, ``ctrl``) in discovery order with their ``round`` and
    ``reason``; per node: ``share[m]`` the largest accumulated holding over controllers of
    measure ``m``, ``first`` the first round it was found (-1: never), ``why`` its reason,
    ``weight`` the blocked weight in the multiplied variant (else all 1 for found nodes)."""

    node: Ints
    ctrl: Ints
    round: Ints
    reason: Ints
    share: dict[int, Floats]
    first: Ints
    why: Ints
    weight: Floats


@dataclass
class _Acc:
    keys: Ints
    vals: Floats
    opens: Floats


def run(graph: OwnershipGraph, seeds: Ints, rule: Rule, upper: bool) -> Run:
    """The lower (``upper=False``) or upper fixed point from the seed nodes."""
    if rule.multiplied:
        return _multiplied(graph, seeds, rule, upper)
    seeds = np.unique(seeds)
    n = graph.n_nodes
    n_ctrl = 1 if rule.aggregate else max(len(seeds), 1)
    ctrl = np.zeros(len(seeds), np.int64) if rule.aggregate else np.arange(len(seeds))
    unit, u_asset, u_val, u_open = _units(graph, rule, upper)
    ctl_edge = _control_edges(graph, upper) if rule.control else np.zeros(0, np.bool_)
    order, indptr = graph.by_owner
    known = np.sort(seeds * n_ctrl + ctrl)
    counted = np.zeros(0, np.int64)
    acc = {m: _Acc(np.zeros(0, np.int64), np.zeros(0), np.zeros(0)) for m in rule.measures}
    parts = [(seeds, ctrl, np.zeros(len(seeds), np.int64), np.full(len(seeds), LISTED))]
    f_node, f_ctrl, rnd = seeds, ctrl, 0
    while len(f_node):
        rnd += 1
        ks = ranges(indptr[f_node], indptr[f_node + 1])
        edges = order[ks]
        e_ctrl = np.repeat(f_ctrl, indptr[f_node + 1] - indptr[f_node])
        found_k: list[Ints] = []
        found_r: list[Ints] = []
        for m in rule.measures:
            sel = graph.interest[edges] == m
            u, c = unit[edges[sel]], e_ctrl[sel]
            if rule.joint:
                u, c, counted = _first_time(u, c, n_ctrl, counted)
            keys = u_asset[u] * n_ctrl + c
            touched = _merge(acc[m], keys, u_val[u], u_open[u])
            hit = _meets(acc[m], touched, rule, upper)
            found_k.append(hit)
            found_r.append(np.full(len(hit), BY_OWNERSHIP if m == OWNERSHIP else BY_VOTING))
        if rule.control:
            sel = (graph.interest[edges] == CONTROL) & ctl_edge[edges]
            hit = graph.asset[edges[sel]] * n_ctrl + e_ctrl[sel]
            found_k.append(hit)
            found_r.append(np.full(len(hit), BY_CONTROL))
        new_k, new_r = _new(np.concatenate(found_k), np.concatenate(found_r), known)
        known = np.union1d(known, new_k)
        f_node, f_ctrl = new_k // n_ctrl, new_k % n_ctrl
        parts.append((f_node, f_ctrl, np.full(len(new_k), rnd), new_r))
    return _assemble(parts, acc, n, n_ctrl)


def _units(graph: OwnershipGraph, rule: Rule, upper: bool) -> tuple[Ints, Ints, Floats, Floats]:
    """Edge -> unit, and per unit its asset, holding and count of open ends. An edge is its
    own unit (number ``k``) unless it is in a joint group and joint holdings count: then the
    group's edges into one asset of one interest share unit ``n_edges + j``."""
    val = graph.hi if upper else graph.lo
    opens = (~(graph.hi_closed if upper else graph.lo_closed)).astype(np.float64)
    n_e = graph.n_edges
    unit = np.arange(n_e)
    grouped = np.flatnonzero(graph.group >= 0) if rule.joint else np.zeros(0, np.int64)
    if len(grouped) == 0:
        return unit, graph.asset, val, opens
    g = len(graph.groups)
    key = (graph.asset[grouped] * g + graph.group[grouped]) * 3 + graph.interest[grouped]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    j = np.asarray(inverse, dtype=np.int64)
    unit[grouped] = n_e + j
    n_u = n_e + len(first)
    u_val = np.asarray(np.bincount(unit, weights=val, minlength=n_u), dtype=np.float64)
    u_open = np.asarray(np.bincount(unit, weights=opens, minlength=n_u), dtype=np.float64)
    u_asset = np.concatenate([graph.asset, graph.asset[grouped[first]]])
    return unit, u_asset, u_val, u_open


def _control_edges(graph: OwnershipGraph, upper: bool) -> Bools:
    """Control edges that control certainly (lower run) or possibly (upper run): no share
    given, or a share (of the board, say) over 50%."""
    if upper:
        over = meets_possibly(graph.hi, graph.hi_closed, 0.5, False)
    else:
        over = meets_definitely(graph.lo, graph.lo_closed, 0.5, False)
    return np.asarray((graph.interest == CONTROL) & (~graph.known | over))


def _first_time(u: Ints, c: Ints, n_ctrl: int, counted: Ints) -> tuple[Ints, Ints, Ints]:
    """Keep each (unit, controller) once over the whole run: a joint unit counts once."""
    key = u * n_ctrl + c
    key, idx = np.unique(key, return_index=True)
    fresh = ~np.isin(key, counted)
    return u[idx[fresh]], c[idx[fresh]], np.union1d(counted, key[fresh])


def _merge(acc: _Acc, keys: Ints, vals: Floats, opens: Floats) -> Ints:
    """Add contributions into ``acc`` (kept sorted by key); returns the keys touched."""
    if len(keys) == 0:
        return keys
    all_k = np.concatenate([acc.keys, keys])
    order = np.argsort(all_k, kind="stable")
    sk = all_k[order]
    starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
    acc.vals = np.add.reduceat(np.concatenate([acc.vals, vals])[order], starts)
    acc.opens = np.add.reduceat(np.concatenate([acc.opens, opens])[order], starts)
    acc.keys = sk[starts]
    return np.unique(keys)


def _meets(acc: _Acc, touched: Ints, rule: Rule, upper: bool) -> Ints:
    if len(touched) == 0:
        return touched
    at = np.searchsorted(acc.keys, touched)
    val, closed = acc.vals[at], acc.opens[at] == 0
    if upper:
        ok = meets_possibly(val, closed, rule.threshold, rule.inclusive)
    else:
        ok = meets_definitely(val, closed, rule.threshold, rule.inclusive)
    return touched[ok]


def _new(keys: Ints, reasons: Ints, known: Ints) -> tuple[Ints, Ints]:
    """Keys not yet known, once each, with the first reason (ownership before voting...)."""
    order = np.lexsort((reasons, keys))
    keys, reasons = keys[order], reasons[order]
    first = np.r_[True, keys[1:] != keys[:-1]] if len(keys) else np.zeros(0, np.bool_)
    keys, reasons = keys[first], reasons[first]
    fresh = ~np.isin(keys, known)
    return keys[fresh], reasons[fresh]


def _assemble(
    parts: list[tuple[Ints, Ints, Ints, Ints]], acc: dict[int, _Acc], n: int, n_ctrl: int
) -> Run:
    node, ctrl, rnd, reason = (np.concatenate([p[i] for p in parts]) for i in range(4))
    first = np.full(n, -1, dtype=np.int64)
    why = np.full(n, -1, dtype=np.int64)
    rev = np.arange(len(node))[::-1]  # earliest pair wins
    first[node[rev]] = rnd[rev]
    why[node[rev]] = reason[rev]
    share = {}
    for m in MEASURES:
        best = np.zeros(n)
        if m in acc:
            np.maximum.at(best, acc[m].keys // n_ctrl, acc[m].vals)
        share[m] = np.minimum(best, 1.0)
    weight = (first >= 0).astype(np.float64)
    return Run(node, ctrl, rnd, reason, share, first, why, weight)


def _multiplied(graph: OwnershipGraph, seeds: Ints, rule: Rule, upper: bool) -> Run:
    """``w = min(1, seed + A w)`` per measure; blocked where some measure meets the rule."""
    n = graph.n_nodes
    seed = np.zeros(n)
    seed[seeds] = 1.0
    first = np.where(seed > 0, 0, -1).astype(np.int64)
    why = np.where(seed > 0, LISTED, -1).astype(np.int64)
    share: dict[int, Floats] = {m: np.zeros(n) for m in MEASURES}
    weight = seed.copy()
    for m in rule.measures:
        mask = graph.interest == m
        val = (graph.hi if upper else graph.lo)[mask]
        a = csr_matrix((val, (graph.asset[mask], graph.owner[mask])), shape=(n, n))
        w = seed.copy()
        for it in range(1, 10_000):
            nxt = np.minimum(1.0, np.maximum(seed, a @ w))
            ones = np.ones(n, dtype=np.bool_)
            ok = meets_possibly(nxt, ones, rule.threshold, rule.inclusive) if upper else (
                meets_definitely(nxt, ones, rule.threshold, rule.inclusive))  # fmt: skip
            fresh = ok & (first < 0)
            first[fresh], why[fresh] = it, BY_OWNERSHIP if m == OWNERSHIP else BY_VOTING
            done = float(np.abs(nxt - w).max(initial=0.0)) <= 1e-12
            w = nxt
            if done:
                break
        share[m] = np.where(seed > 0, 0.0, w)
        weight = np.maximum(weight, w)
    node = np.flatnonzero(first >= 0)
    zeros = np.zeros(len(node), np.int64)
    return Run(node, zeros, first[node], why[node], share, first, why, weight)
