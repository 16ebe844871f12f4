"""The sanctions fixed point restricted to the part of the graph that a change of seeds reaches.

An entity's answer under a regime depends only on the seeds among its ancestors: the fixed
point moves from owners to assets, along the edges the regime counts. When some seeds change
(a list version adds, removes or changes entries), only their descendants along those edges
can change answer; every other entity keeps it. :func:`blocked_within` answers for exactly
those descendants (the *region*), from the current seeds.

It runs :func:`.regimes.blocked` on the subgraph of the region and its ancestors, the inputs:
unchanged by the change, their state is recomputed from the seeds above them rather than read
from an earlier answer that may be stale. Only ancestors that some seed reaches can be blocked,
and an owner that is not blocked adds nothing, so the ancestors are swept only through nodes a
seed reaches (one reachability sweep from every seed, no fixed point), plus, when joint
holdings count (UK), the other members of a joint holding, which count with it. A region node
no seed reaches is not blocked. The nodes keep their order and the edges theirs, so on the
region the answer (status, shares, reason, round and explanation path) is the full
computation's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cthub.ownership.compute.graph import CONTROL, OwnershipGraph
from cthub.ownership.compute.propagate import ranges
from cthub.ownership.compute.regimes import REGIMES, BlockedResult, Regime, blocked

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def followed(regime: Regime) -> tuple[int, ...]:
    """The edge interests the regime's fixed point moves along (its measures, and control)."""
    rule = regime.rule()
    return tuple(rule.measures) + ((CONTROL,) if rule.control else ())


def _sweep(
    graph: OwnershipGraph,
    start: Ints,
    interests: Sequence[int],
    down: bool,
    within: Bools | None = None,
) -> Ints:
    """``start`` and every node reached from it along ``interests`` edges (only through nodes
    of ``within`` when given), sorted."""
    order, indptr = graph.by_owner if down else graph.by_asset
    other = graph.asset if down else graph.owner
    follow = np.zeros(256, dtype=np.bool_)
    follow[np.asarray(interests, dtype=np.int64)] = True
    seen = np.zeros(graph.n_nodes, dtype=np.bool_)
    front = np.unique(start[start >= 0])
    seen[front] = True
    while len(front):
        ks = order[ranges(indptr[front], indptr[front + 1])]
        cand = other[ks[follow[graph.interest[ks]]]]
        cand = cand[~seen[cand]]
        if within is not None:
            cand = cand[within[cand]]
        front = np.unique(cand)
        seen[front] = True
    return np.flatnonzero(seen).astype(np.int64)


def descendants(graph: OwnershipGraph, nodes: Ints, interests: Sequence[int]) -> Ints:
    """``nodes`` and everything they hold, directly or through others, along ``interests``."""
    return _sweep(graph, np.asarray(nodes, dtype=np.int64), interests, down=True)


def ancestors(
    graph: OwnershipGraph, nodes: Ints, interests: Sequence[int], within: Bools | None = None
) -> Ints:
    """``nodes`` and everything holding them, directly or through others, along ``interests``
    (only through nodes of ``within`` when given)."""
    return _sweep(graph, np.asarray(nodes, dtype=np.int64), interests, False, within)


def _joint_owners(graph: OwnershipGraph, nodes: Ints) -> Ints:
    """Owners of the joint-group edges into ``nodes``: a joint holding counts as a unit."""
    order, indptr = graph.by_asset
    ks = order[ranges(indptr[nodes], indptr[nodes + 1])]
    return np.unique(graph.owner[ks[graph.group[ks] >= 0]])


@dataclass(frozen=True, eq=False)
class RegionResult:
    """The answer on ``region`` (node numbers of the full graph, sorted). ``result`` is on the
    subgraph of the region and its ancestors; ``context`` counts those ancestors."""

    result: BlockedResult
    region: Ints
    ids: frozenset[str]
    context: int


def blocked_within(
    graph: OwnershipGraph,
    seeds: pa.Table | Iterable[str],
    regime: Regime | str,
    changed: Iterable[str],
) -> RegionResult:
    """Answer ``regime`` from ``seeds`` (the current ones, as for :func:`.regimes.blocked`) on
    the descendants of the ``changed`` seed ids only (see the module docstring)."""
    reg = REGIMES[regime.lower()] if isinstance(regime, str) else regime
    follow = followed(reg)
    table = seeds if isinstance(seeds, pa.Table) else pa.table(
        {"entity_id": pa.array([str(s) for s in seeds], pa.string())})  # fmt: skip
    if "listed" in table.column_names:
        table = table.filter(pc.fill_null(table.column("listed"), True))
    seed_nodes = graph.nodes(pc.cast(table.column("entity_id"), pa.string()).combine_chunks())
    region = descendants(graph, graph.nodes(pa.array(sorted(set(changed)), pa.string())), follow)
    reached = np.zeros(graph.n_nodes, dtype=np.bool_)  # what some seed reaches: all that can be
    reached[descendants(graph, seed_nodes, follow)] = True  # blocked, and all that can block
    inputs = ancestors(graph, region[reached[region]], follow, reached)
    if reg.joint and len(inputs):
        inputs = np.union1d(inputs, _joint_owners(graph, inputs))
    sub = graph.subgraph(inputs)
    inside = table.filter(pc.is_in(pc.cast(table.column("entity_id"), pa.string()), sub.ids))
    ids = frozenset(str(v) for v in graph.ids.take(pa.array(region)).to_pylist())
    context = len(np.setdiff1d(inputs, region, assume_unique=True))
    return RegionResult(blocked(sub, inside, reg), region, ids, context)


__all__ = ["RegionResult", "ancestors", "blocked_within", "descendants", "followed"]
