"""Sanctions ownership rules as policies: who is blocked because of whom, and why.

Each :class:`Regime` is data read by one monotone fixed point (:mod:`.fixpoint`), whose answer
per entity is three-valued: ``blocked``, ``possibly_blocked`` (only when shares are bands or
unknown: some values in the intervals block it, others do not) or ``not_blocked``, with the
aggregated blocked share as an interval and an explanation listing every edge and its share.

* **OFAC** (31 CFR e.g. 594.412; OFAC "Revised Guidance on Entities Owned by Persons Whose
  Property and Interests in Property Are Blocked", 13 Aug 2014; FAQs 398-401): an entity owned
  "50 percent or more", "individually or in the aggregate, directly or indirectly", by blocked
  persons is blocked. Ownership only: "OFAC's 50 Percent Rule speaks only to ownership and not
  to control" (FAQ 398). "Indirectly" means through entities that are themselves 50% or more
  owned by blocked persons (FAQ 401), so a blocked entity's holdings count in full and a non-
  blocked entity's not at all: in FAQ 401 example 1, X owns 50% of A, A owns 50% of B, and B is
  blocked though X's multiplied share is 25%.
* **EU** (Council, "EU Best Practices for the effective implementation of restrictive
  measures", ownership and control, e.g. doc. 10572/22, paras. 62-66; Commission FAQs on
  Art. 2 of Reg. 269/2014): owned means "more than 50%" of the proprietary rights; controlled
  includes the right to appoint or remove a majority of the board and other control criteria,
  so control edges count. Holdings of several listed persons are aggregated.
* **UK** (OFSI, "General guidance for financial sanctions", ch. 4, ownership and control;
  e.g. the Russia (Sanctions) (EU Exit) Regulations 2019, reg. 7 and Sch. 1): owned or
  controlled means holding "more than 50%" of shares or voting rights, directly or
  indirectly (through entities the person holds a majority stake in), or the right to appoint
  or remove a majority of the board, or control in significant respects. OFSI "would not
  simply aggregate different designated persons' holdings ... unless ... the shares or rights
  are subject to a joint arrangement between the designated parties or one party controls the
  rights of another" (para. 4.14, March 2022); joint holdings count in full for each holder.

Shares and voting rights are separate measures: 30% of the shares plus 30% of the votes is
not 60% of anything. Threshold tests use :mod:`.intervals` (exactly 50% meets OFAC's "50% or
more" but not the EU's or UK's "more than 50%"; the PSC band "more than 25% but not more than
50%" can be exactly 50%, so it possibly meets OFAC's rule, and never the EU's or UK's).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cthub.ownership.compute.chains import ChainEdge, chain_edge, in_edges
from cthub.ownership.compute.fixpoint import MEASURES, Rule, Run, run
from cthub.ownership.compute.graph import (
    CONTROL,
    INTERESTS,
    OWNERSHIP,
    VOTING,
    OwnershipGraph,
    Problem,
)
from cthub.ownership.compute.intervals import format_share

Ints = npt.NDArray[np.int64]

STATUSES = ("blocked", "possibly_blocked", "not_blocked")
REASONS = ("listed", "ownership", "voting", "control")
REPORT_COLUMNS = ("entity_id", "name", "status", "owners_share", "path")


@dataclass(frozen=True)
class Regime:
    """One sanctions ownership rule, as data.

    ``threshold``/``inclusive``: "50% or more" is ``(0.5, True)``, "more than 50%" ``(0.5,
    False)``. ``aggregate``: holdings of different blocked persons add up. ``interests``: the
    measures whose holdings count (``ownership``, ``voting``). ``control``: a control edge from
    a blocked owner blocks. ``joint``: a joint group's holding counts in full for each member.
    ``holdings``: ``full`` (a blocked entity's holdings count entirely) or ``multiplied``
    (weighted by its blocked share; aggregate only, no control; not a built-in rule).
    """

    name: str
    title: str
    threshold: float
    inclusive: bool
    aggregate: bool
    interests: frozenset[str]
    control: bool
    joint: bool
    holdings: Literal["full", "multiplied"] = "full"
    citation: str = ""

    def __post_init__(self) -> None:
        if not self.interests <= {"ownership", "voting"}:
            raise ValueError(f"interests must be ownership and/or voting: {self.interests}")
        if self.holdings == "multiplied" and (self.control or not self.aggregate):
            raise ValueError("multiplied holdings need aggregate=True and control=False")

    def rule(self) -> Rule:
        return Rule(
            threshold=self.threshold,
            inclusive=self.inclusive,
            aggregate=self.aggregate,
            measures=tuple(m for m in MEASURES if INTERESTS[m] in self.interests),
            control=self.control,
            joint=self.joint,
            multiplied=self.holdings == "multiplied",
        )


OFAC = Regime(
    name="ofac",
    title="OFAC 50 Percent Rule",
    threshold=0.5,
    inclusive=True,
    aggregate=True,
    interests=frozenset({"ownership"}),
    control=False,
    joint=False,
    citation="OFAC Revised Guidance of 13 August 2014; OFAC FAQs 398-401",
)
EU = Regime(
    name="eu",
    title="EU ownership and control",
    threshold=0.5,
    inclusive=False,
    aggregate=True,
    interests=frozenset({"ownership", "voting"}),
    control=True,
    joint=False,
    citation="Council EU Best Practices on restrictive measures (ownership and control)",
)
UK = Regime(
    name="uk",
    title="UK ownership and control (OFSI)",
    threshold=0.5,
    inclusive=False,
    aggregate=False,
    interests=frozenset({"ownership", "voting"}),
    control=True,
    joint=True,
    citation="OFSI General guidance for financial sanctions, ch. 4 (para. 4.14)",
)
REGIMES = {r.name: r for r in (OFAC, EU, UK)}


@dataclass(frozen=True, eq=False)
class BlockedResult:
    """Per entity under one regime. ``table`` columns: ``entity_id``, ``name``, ``status``,
    ``share_lo``/``share_hi`` (aggregated blocked ownership share: lower run / upper run),
    ``voting_lo``/``voting_hi``, ``reason`` (listed, ownership, voting, control; null when not
    blocked), ``round`` (fixed-point round that found it), ``list``, ``list_ref`` (seeds)."""

    graph: OwnershipGraph
    regime: Regime
    table: pa.Table
    problems: tuple[Problem, ...]
    lower: Run = field(repr=False)
    upper: Run = field(repr=False)

    def pairs(self, rn: Run) -> dict[tuple[int, int], int]:
        """(node, controller) -> round, for one of the two runs (built once)."""
        key = "_pairs_lo" if rn is self.lower else "_pairs_hi"
        if key not in self.__dict__:
            it = zip(rn.node.tolist(), rn.ctrl.tolist(), rn.round.tolist(), strict=True)
            self.__dict__[key] = {(n, c): r for n, c, r in it}
        cached: dict[tuple[int, int], int] = self.__dict__[key]
        return cached

    def first_pair(self, rn: Run, node: int) -> tuple[int, int]:
        """(controller, round) of the first pair found for ``node``."""
        at = np.flatnonzero(rn.node == node)
        if len(at) == 0:
            return 0, int(rn.first[node])
        j = int(at[np.argmin(rn.round[at])])
        return int(rn.ctrl[j]), int(rn.round[j])

    @cached_property
    def _outside(self) -> dict[str, int]:
        """Rows of the seeds that are not in the graph (after the graph's own rows)."""
        n = self.graph.n_nodes
        ids = self.table.column("entity_id").slice(n).to_pylist()
        return {str(v): n + i for i, v in enumerate(ids)}

    def status(self, entity_id: str) -> str:
        """``blocked``, ``possibly_blocked`` or ``not_blocked`` (also for unknown ids)."""
        i = self.graph.node(entity_id)
        r = i if i >= 0 else self._outside.get(entity_id)
        return "not_blocked" if r is None else str(self.table.column("status")[r].as_py())

    def explain(self, entity_id: str, *, max_edges: int = 200) -> list[ChainEdge]:
        """The edges that block ``entity_id``, from the seeds down, each with its share.

        For each entity on the way, the edges into it from owners found in an earlier round
        by the same controller (plus the other members of a counted joint group).
        """
        i = self.graph.node(entity_id)
        if i < 0:
            return []
        rn = self.lower if self.lower.first[i] >= 0 else self.upper
        if rn.first[i] < 0:
            return []
        return [chain_edge(self.graph, k) for k in _explain(self, rn, i, max_edges)]

    def path(self, entity_id: str, *, max_edges: int = 50) -> str:
        """The explanation on one line: ``X -[ownership 50%]-> A; A -[ownership 50%]-> B``."""
        return format_path(self.explain(entity_id, max_edges=max_edges))

    def report(self, *, include_possible: bool = True, with_path: bool = True) -> pa.Table:
        """Blocked (and possibly blocked) entities, columns ``REPORT_COLUMNS``."""
        want = ["blocked", "possibly_blocked"] if include_possible else ["blocked"]
        t = self.table.filter(pc.is_in(self.table.column("status"), pa.array(want)))
        rows = t.to_pylist()
        shares = [_owners_share(r) for r in rows]
        paths = [self.path(str(r["entity_id"])) if with_path else "" for r in rows]
        return pa.table(
            {
                "entity_id": t.column("entity_id"),
                "name": t.column("name"),
                "status": t.column("status"),
                "owners_share": pa.array(shares, pa.string()),
                "path": pa.array(paths, pa.string()),
            }
        )


def format_path(edges: Iterable[ChainEdge]) -> str:
    def label(e: ChainEdge) -> str:
        share = format_share(e.share_min, e.share_max)
        return f"{e.interest} {share}" if share else e.interest

    return "; ".join(f"{e.owner_id} -[{label(e)}]-> {e.asset_id}" for e in edges)


def _owners_share(row: dict[str, object]) -> str:
    reason = row["reason"]
    if reason in ("listed", "control"):
        return str(reason)
    lo, hi = ("voting_lo", "voting_hi") if reason == "voting" else ("share_lo", "share_hi")
    text = format_share(_num(row[lo]), _num(row[hi]))
    return f"voting {text}" if reason == "voting" else text


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) else None


def blocked(
    graph: OwnershipGraph,
    seeds: pa.Table | Iterable[str],
    regime: Regime | str,
    *,
    lists: Collection[str] | None = None,
) -> BlockedResult:
    """Every entity's status under ``regime`` (a :class:`Regime` or ``ofac``/``eu``/``uk``).

    ``seeds``: a table ``entity_id``, ``listed`` (rows with false are ignored), ``list``,
    ``list_ref``, or plain entity ids; ``lists``: only seeds on these lists count.
    """
    reg = REGIMES[regime.lower()] if isinstance(regime, str) else regime
    table = _seed_table(seeds, lists)
    ids = table.column("entity_id").to_pylist()
    nodes = graph.nodes(table.column("entity_id").combine_chunks())
    problems = tuple(
        Problem("seed_not_in_graph", "info", f"listed {s} holds nothing in the graph", entity_id=s)
        for s, i in zip(ids, nodes.tolist(), strict=True)
        if i < 0
    )
    rule = reg.rule()
    lo = run(graph, nodes[nodes >= 0], rule, upper=False)
    hi = run(graph, nodes[nodes >= 0], rule, upper=True)
    out = _result_table(graph, lo, hi, table, nodes)
    return BlockedResult(graph, reg, out, problems, lo, hi)


def _seed_table(seeds: pa.Table | Iterable[str], lists: Collection[str] | None) -> pa.Table:
    if not isinstance(seeds, pa.Table):
        seeds = pa.table({"entity_id": pa.array([str(s) for s in seeds], pa.string())})
    t = seeds
    if "listed" in t.column_names:
        t = t.filter(pc.fill_null(t.column("listed"), True))
    if lists is not None and "list" in t.column_names:
        t = t.filter(pc.is_in(t.column("list"), pa.array(list(lists), pa.string())))
    for name in ("list", "list_ref"):
        if name not in t.column_names:
            t = t.append_column(name, pa.nulls(t.num_rows, pa.string()))
    t = t.select(["entity_id", "list", "list_ref"])
    return t.cast(pa.schema([(c, pa.string()) for c in t.column_names])).combine_chunks()


def _result_table(
    graph: OwnershipGraph, lo: Run, hi: Run, seeds: pa.Table, seed_nodes: Ints
) -> pa.Table:
    """One row per graph node, then one per seed that is not in the graph."""
    n = graph.n_nodes
    code = np.where(lo.first >= 0, 0, np.where(hi.first >= 0, 1, 2))
    why = np.where(lo.first >= 0, lo.why, hi.why)
    seed_row = np.full(n, -1, dtype=np.int64)
    inside = seed_nodes >= 0
    seed_row[seed_nodes[inside]] = np.flatnonzero(inside)
    at = pa.array(seed_row, mask=seed_row < 0)
    nodes = pa.table(
        {
            "entity_id": graph.ids,
            "name": graph.names if graph.names is not None else pa.nulls(n, pa.string()),
            "status": _labels(STATUSES, code),
            "share_lo": pa.array(lo.share[OWNERSHIP]),
            "share_hi": pa.array(hi.share[OWNERSHIP]),
            "voting_lo": pa.array(lo.share[VOTING]),
            "voting_hi": pa.array(hi.share[VOTING]),
            "reason": pc.if_else(pa.array(why < 0), None, _labels(REASONS, np.maximum(why, 0))),
            "round": pa.array(np.where(lo.first >= 0, lo.first, hi.first)),
            "list": pc.take(seeds.column("list"), at),
            "list_ref": pc.take(seeds.column("list_ref"), at),
        }
    )
    outside = seeds.take(pa.array(np.flatnonzero(~inside)))
    m = outside.num_rows
    zeros = pa.array(np.zeros(m))
    extra = pa.table(
        {
            "entity_id": outside.column("entity_id"),
            "name": pa.nulls(m, pa.string()),
            "status": pa.array(["blocked"] * m, pa.string()),
            "share_lo": zeros,
            "share_hi": zeros,
            "voting_lo": zeros,
            "voting_hi": zeros,
            "reason": pa.array(["listed"] * m, pa.string()),
            "round": pa.array(np.zeros(m, dtype=np.int64)),
            "list": outside.column("list"),
            "list_ref": outside.column("list_ref"),
        }
    )
    return pa.concat_tables([nodes, extra.cast(nodes.schema)])


def _labels(names: tuple[str, ...], codes: Ints) -> pa.Array:
    return pa.array(names, pa.string()).take(pa.array(codes.astype(np.int32)))


def _explain(res: BlockedResult, rn: Run, start: int, max_edges: int) -> list[int]:
    """Edge numbers of the explanation of ``start`` in run ``rn`` (see ``explain``)."""
    graph, rule = res.graph, res.regime.rule()
    pairs = res.pairs(rn)
    counted = set(rule.measures) | ({CONTROL} if rule.control else set())
    out: list[int] = []
    seen = {start}
    todo = deque([(start, *res.first_pair(rn, start))])
    while todo and len(out) < max_edges:
        node, ctrl, rnd = todo.popleft()
        ks = in_edges(graph, node, counted)
        found = {k: _found(rn, rule.multiplied, pairs, int(graph.owner[k]), ctrl) for k in ks}
        live = {int(graph.group[k]) for k, r in found.items() if 0 <= r < rnd}
        for k in ks:
            o, r = int(graph.owner[k]), found[k]
            joint = rule.joint and int(graph.group[k]) >= 0 and int(graph.group[k]) in live
            if not (0 <= r < rnd or joint):
                continue
            out.append(k)
            if 0 < r < rnd and o not in seen:
                seen.add(o)
                todo.append((o, ctrl, r))
    rank = {k: i for i, k in enumerate(out)}
    return sorted(out, key=lambda k: (int(rn.first[int(graph.owner[k])]) % (1 << 30), rank[k]))


def _found(rn: Run, multiplied: bool, pairs: dict[tuple[int, int], int], o: int, c: int) -> int:
    """The round owner ``o`` was found in for controller ``c``; -1 when never. In the
    multiplied variant every owner with some blocked weight contributes."""
    if multiplied:
        return int(rn.first[o]) if rn.first[o] >= 0 else (1 if rn.weight[o] > 0 else -1)
    return pairs.get((o, c), -1)


__all__ = [
    "EU",
    "OFAC",
    "REGIMES",
    "REPORT_COLUMNS",
    "STATUSES",
    "UK",
    "BlockedResult",
    "Regime",
    "blocked",
    "format_path",
]
