"""Beneficial owners of every entity (EU AMLR, Regulation (EU) 2024/1624, Arts. 51-53).

Art. 52(1): an ownership interest is "direct or indirect ownership of 25 % or more of the
shares or voting rights or other ownership interest"; "the indirect ownership shall be
calculated by multiplying the shares or voting rights ... held by the intermediate entities in
the chain ... and by adding together the results from those various chains", and "all
shareholdings on every level of ownership shall be taken into account". So:

* the threshold is **inclusive**: 25% or more (AMLR changed AMLD's "more than 25%");
  ``threshold`` and ``inclusive`` are parameters for other rules;
* ``ownership`` (shareholding edges) and ``voting`` (voting-rights edges) are two measures,
  each multiplied along chains and added over chains (:mod:`.propagate`), never added to each
  other; a person meeting the threshold in either has an ownership interest;
* ``control`` (Art. 53, control via other means) is reported apart: a chain of controlling
  links from the person to the entity, a link being a ``control`` edge (board appointment,
  significant influence; with a share only when that share is over 50%) or a majority (over
  50%) ownership or voting edge. It is yes / possible / no.

Shares known only as bands give intervals: ``lo`` multiplies and adds the band minima, ``hi``
the maxima (plus the pruning / cycle slack, see :mod:`.propagate`). Status is three-valued:
``ubo`` when ``lo`` meets the threshold (or control is certain), ``possibly_ubo`` when only
``hi`` does (or control is possible), else ``not_ubo``. Rows are kept for every pair whose
upper bound meets ``report_from`` (default: the threshold) or that has possible control.

An owner here is a terminal node: a natural person, or an entity nobody is recorded as owning
(``owner_kind`` says which; such an entity is a dead end whose own owners are unknown). A
closed cycle (A owns 100% of B, B owns 100% of A) has no ultimate owner: its members and what
they hold get no owner through it, and ``in_cycle`` says so.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cthub.ownership.compute.chains import ancestors, chains
from cthub.ownership.compute.graph import (
    CONTROL,
    ENTITY,
    OWNERSHIP,
    PERSON,
    VOTING,
    OwnershipGraph,
)
from cthub.ownership.compute.intervals import TOL, meets_definitely, meets_possibly
from cthub.ownership.compute.owners import (
    TABLE_COLUMNS,
    Pairs,
    UBOOwner,
    UBOResult,
    controlling_links,
    result_table,
)
from cthub.ownership.compute.propagate import Layout, Propagation, layout, propagate

__all__ = [
    "TABLE_COLUMNS",
    "UBOOwner",
    "UBOResult",
    "compute_ubo",
    "controlling_links",
    "ubo_of",
]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class _Measure:
    lo: Propagation
    hi: Propagation


def compute_ubo(
    graph: OwnershipGraph,
    *,
    threshold: float = 0.25,
    inclusive: bool = True,
    report_from: float | None = None,
    prune: float = 1e-6,
    eps: float = 1e-12,
    max_iter: int = 10_000,
    workers: int = 2,
) -> UBOResult:
    """Beneficial owners of every entity of ``graph`` (see the module docstring).

    ``prune``: effective shares below it are dropped (their total is kept as slack in the
    upper bounds); ``eps``/``max_iter``: stopping rule of large cycle iterations; ``workers``:
    threads for the six independent propagations (scipy releases the GIL in its products).
    """
    lay = layout(graph.owner, graph.asset, graph.n_nodes)
    jobs = _jobs(graph, lay, prune, eps, max_iter)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        done = dict(zip(jobs, pool.map(lambda job: job(), jobs.values()), strict=True))
    own = _Measure(done.get("own_lo", done["own_hi"]), done["own_hi"])
    vote = _Measure(done.get("vote_lo", done["vote_hi"]), done["vote_hi"])
    ctl = _Measure(done["ctl_lo"], done["ctl_hi"])
    floor = threshold if report_from is None else report_from
    found = [_candidates(own.hi, floor), _candidates(vote.hi, floor), _candidates(ctl.hi, 0.5)]
    keys = _sorted_unique(np.concatenate(found))
    n = graph.n_nodes
    rule = _Rule(graph, lay, keys // n, keys % n, threshold, inclusive)
    pairs = _pairs(rule, own, vote, ctl)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(pairs.entity, minlength=n), out=indptr[1:])
    companies = pa.table(
        {
            "entity_id": graph.ids,
            "in_cycle": pa.array(lay.affected),
            "slack": pa.array(own.hi.slack[lay.pos]),
            "n_ubo": pa.array(np.bincount(pairs.entity[pairs.status == 0], minlength=n)),
            "n_possible": pa.array(np.bincount(pairs.entity[pairs.status == 1], minlength=n)),
        }
    )
    converged = all(p.converged for p in (own.lo, own.hi, vote.lo, vote.hi))
    table = result_table(graph, pairs)
    return UBOResult(graph, threshold, inclusive, table, companies, converged, pairs, indptr)


def ubo_of(
    graph: OwnershipGraph,
    entity_id: str,
    *,
    threshold: float = 0.25,
    inclusive: bool = True,
    report_from: float | None = None,
) -> UBOResult:
    """The beneficial owners of one entity computed on demand, on the subgraph of its
    ancestors over every interest (nothing else can change them). The result answers
    ``owners(entity_id)``, ``explain`` and ``report`` like the all-entities one."""
    i = graph.node(entity_id)
    up = sorted(ancestors(graph, i, (OWNERSHIP, VOTING, CONTROL))) if i >= 0 else []
    sub = graph.subgraph(np.asarray(up, dtype=np.int64))
    return compute_ubo(
        sub, threshold=threshold, inclusive=inclusive, report_from=report_from, workers=1
    )


@dataclass(frozen=True)
class _Rule:
    graph: OwnershipGraph
    lay: Layout
    entity: Ints
    owner: Ints
    threshold: float
    inclusive: bool

    def test(self, m: _Measure, interest: int) -> tuple[Floats, Floats, Bools, Bools]:
        """(lo, hi, definitely meets, possibly meets) of one measure at every pair."""
        lo = _sample(m.lo, self.entity, self.owner, False)
        hi = _sample(m.hi, self.entity, self.owner, True)
        ones = np.ones(len(lo), dtype=np.bool_)
        t, incl = self.threshold, self.inclusive
        lo_closed = ones if incl else self.attained(lo, interest, lower=True)
        hi_closed = self.attained(hi, interest, lower=False) if incl else ones
        sure = meets_definitely(lo, lo_closed, t, incl)
        return np.minimum(lo, hi), hi, sure, sure | meets_possibly(hi, hi_closed, t, incl)

    def attained(self, value: Floats, interest: int, *, lower: bool) -> Bools:
        return _attained(self.graph, self.entity, self.owner, value, self.threshold, interest,
                         lower=lower, affected=self.lay.affected)  # fmt: skip


def _pairs(rule: _Rule, own: _Measure, vote: _Measure, ctl: _Measure) -> Pairs:
    o_lo, o_hi, o_def, o_pos = rule.test(own, OWNERSHIP)
    v_lo, v_hi, v_def, v_pos = rule.test(vote, VOTING)
    c_def = _sample(ctl.lo, rule.entity, rule.owner, False) > 0
    c_pos = _sample(ctl.hi, rule.entity, rule.owner, False) > 0
    kind = rule.graph.kind[rule.owner]
    return Pairs(
        entity=rule.entity,
        owner=rule.owner,
        kind=np.where(kind == PERSON, 0, np.where(kind == ENTITY, 1, 2)),
        o_lo=o_lo,
        o_hi=o_hi,
        v_lo=v_lo,
        v_hi=v_hi,
        control=np.where(c_def, 0, np.where(c_pos, 1, 2)),
        status=np.where(o_def | v_def | c_def, 0, np.where(o_pos | v_pos | c_pos, 1, 2)),
        basis=np.stack([o_pos, v_pos, c_pos], axis=1),
        in_cycle=rule.lay.affected[rule.entity],
    )


def _jobs(
    graph: OwnershipGraph, lay: Layout, prune: float, eps: float, max_iter: int
) -> dict[str, Callable[[], Propagation]]:
    """The propagations to run: upper and lower bounds of ownership and voting (the lower one
    only when some share is a band or unknown) and certain / possible control."""
    jobs: dict[str, Callable[[], Propagation]] = {}
    for name, interest in (("own", OWNERSHIP), ("vote", VOTING)):
        m = graph.mask(interest)
        owner, asset, lo, hi = graph.owner[m], graph.asset[m], graph.lo[m], graph.hi[m]
        for bound, share in (("hi", hi), ("lo", lo)):
            if bound == "lo" and np.array_equal(lo, hi):
                continue
            jobs[f"{name}_{bound}"] = partial(
                propagate, owner, asset, share, lay, prune=prune, eps=eps, max_iter=max_iter
            )
    for bound, upper in (("lo", False), ("hi", True)):
        m = controlling_links(graph, upper=upper)
        ones = np.ones(int(m.sum()))
        jobs[f"ctl_{bound}"] = partial(
            propagate, graph.owner[m], graph.asset[m], ones, lay, boolean=True, max_iter=max_iter
        )
    return jobs


def _sorted_unique(keys: Ints) -> Ints:
    keys = np.sort(keys)
    keep = np.ones(len(keys), dtype=np.bool_)
    keep[1:] = keys[1:] != keys[:-1]
    return np.asarray(keys[keep], dtype=np.int64)


def _candidates(p: Propagation, floor: float) -> Ints:
    """Keys ``entity * n + owner`` whose upper bound reaches ``floor`` (owner itself excluded)."""
    m = p.shares
    n = m.shape[1]
    row = np.repeat(np.arange(n), np.diff(m.indptr))
    total = m.data + p.slack[row]
    keep = np.flatnonzero(total >= floor - TOL)
    entity, owner = p.layout.order[row[keep]], m.indices[keep].astype(np.int64)
    mine = entity != owner
    return np.asarray(entity[mine] * n + owner[mine], dtype=np.int64)


def _sample(p: Propagation, entity: Ints, owner: Ints, upper: bool) -> Floats:
    if len(entity) == 0:
        return np.zeros(0)
    rows = p.layout.pos[entity]
    vals = np.asarray(p.shares[rows, owner], dtype=np.float64).ravel()
    if upper:
        vals = np.minimum(vals + p.slack[rows], 1.0)
    return vals


def _attained(
    graph: OwnershipGraph,
    entity: Ints,
    owner: Ints,
    value: Floats,
    threshold: float,
    interest: int,
    *,
    lower: bool,
    affected: Bools,
) -> Bools:
    """Whether a bound sitting exactly on the threshold is attained (closed).

    Only those few pairs are checked, by listing their chains: a sum of products reaches its
    lower (upper) end only if every edge on every chain does. Truncated chain lists, and
    entities in or below a cycle, count as attained: the cautious answer (not certain when
    the threshold is exclusive, possible when it is inclusive).
    """
    closed = np.ones(len(value), dtype=np.bool_)
    if (graph.lo_closed if lower else graph.hi_closed).all():
        return closed
    at = np.flatnonzero((np.abs(value - threshold) <= TOL) & ~affected[entity])
    for r in at.tolist():
        found = chains(graph, int(entity[r]), int(owner[r]), {interest}, max_chains=1000)
        if len(found) < 1000:
            ends = [(c.lo_closed, c.lo) if lower else (c.hi_closed, c.hi) for c in found]
            closed[r] = all(ok or (not lower and v == 0) for ok, v in ends)
    return closed
