"""Explanations: the chains of edges from an owner to an entity, each edge with its share.

Chains are found on demand by walking up from the entity: first the set of its ancestors over
the chosen interests (a breadth-first sweep of the in-edge CSR, capped at ``max_nodes``), then
the part of that set the owner reaches, then simple paths inside it, depth first, at most
``max_chains``. A chain's share is the product of its edges' intervals. Walks round a cycle are
not listed (there are infinitely many); the effective share includes them and the result says
the entity is affected by a cycle.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cthub.ownership.compute.graph import INTERESTS, OwnershipGraph

Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ChainEdge:
    """One edge of an explanation, with its share interval and carried columns."""

    edge_id: str
    owner_id: str
    asset_id: str
    interest: str
    share_min: float | None
    share_max: float | None
    min_inclusive: bool
    max_inclusive: bool
    source: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "edge_id": self.edge_id,
            "owner_id": self.owner_id,
            "asset_id": self.asset_id,
            "interest": self.interest,
            "share_min": self.share_min,
            "share_max": self.share_max,
            "min_inclusive": self.min_inclusive,
            "max_inclusive": self.max_inclusive,
            "source": self.source,
        }


@dataclass(frozen=True)
class Chain:
    """Edges from the owner (first) down to the entity (last); ``lo``/``hi``: their product."""

    edges: tuple[ChainEdge, ...]
    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool

    def as_dict(self) -> dict[str, object]:
        return {"share": [self.lo, self.hi], "edges": [e.as_dict() for e in self.edges]}


def chain_edge(graph: OwnershipGraph, k: int) -> ChainEdge:
    """Edge ``k`` of the graph as an explanation row (unknown shares as null)."""
    known = bool(graph.known[k])
    has_source = "source" in graph.details.column_names
    src = graph.details.column("source")[k].as_py() if has_source else None
    return ChainEdge(
        edge_id=graph.edge_id(k),
        owner_id=graph.id_list[int(graph.owner[k])],
        asset_id=graph.id_list[int(graph.asset[k])],
        interest=INTERESTS[int(graph.interest[k])],
        share_min=float(graph.lo[k]) if known else None,
        share_max=float(graph.hi[k]) if known else None,
        min_inclusive=bool(graph.lo_closed[k]),
        max_inclusive=bool(graph.hi_closed[k]),
        source=None if src is None else str(src),
    )


def in_edges(
    graph: OwnershipGraph, node: int, interests: Collection[int], allowed: Bools | None = None
) -> list[int]:
    """Edges into ``node`` of the given interests (and, if given, with ``allowed[k]``)."""
    order, indptr = graph.by_asset
    ks = order[indptr[node] : indptr[node + 1]].tolist()
    return [
        k for k in ks if int(graph.interest[k]) in interests and (allowed is None or allowed[k])
    ]


def ancestors(
    graph: OwnershipGraph,
    node: int,
    interests: Collection[int],
    allowed: Bools | None = None,
    max_nodes: int = 100_000,
) -> dict[int, list[int]]:
    """Every node above ``node`` (and itself) -> its in-edges over ``interests``."""
    seen: dict[int, list[int]] = {}
    todo = deque([node])
    while todo and len(seen) < max_nodes:
        u = todo.popleft()
        if u in seen:
            continue
        ks = in_edges(graph, u, interests, allowed)
        seen[u] = ks
        todo.extend(int(graph.owner[k]) for k in ks if int(graph.owner[k]) not in seen)
    return seen


def chains(
    graph: OwnershipGraph,
    entity: int,
    owner: int,
    interests: Collection[int],
    *,
    allowed: Bools | None = None,
    max_chains: int = 50,
    max_depth: int = 64,
) -> list[Chain]:
    """Simple chains from ``owner`` down to ``entity`` over ``interests`` (and ``allowed``)."""
    up = ancestors(graph, entity, interests, allowed)
    if owner not in up:
        return []
    useful = _reaching(graph, up, owner)
    found: list[list[int]] = []
    stack: list[tuple[int, list[int], frozenset[int]]] = [(entity, [], frozenset([entity]))]
    while stack and len(found) < max_chains:
        u, path, on = stack.pop()
        if u == owner:
            found.append(path)
            continue
        if len(path) >= max_depth:
            continue
        for k in up.get(u, []):
            o = int(graph.owner[k])
            if o in useful and o not in on:
                stack.append((o, [k, *path], on | {o}))
    return [_chain(graph, p) for p in found]


def _reaching(graph: OwnershipGraph, up: dict[int, list[int]], owner: int) -> set[int]:
    """The nodes of ``up`` that ``owner`` reaches (itself included)."""
    below: dict[int, list[int]] = {}
    for u, ks in up.items():
        for k in ks:
            below.setdefault(int(graph.owner[k]), []).append(u)
    reach = {owner}
    todo = [owner]
    while todo:
        for v in below.get(todo.pop(), []):
            if v not in reach:
                reach.add(v)
                todo.append(v)
    return reach


def _chain(graph: OwnershipGraph, path: list[int]) -> Chain:
    lo = hi = 1.0
    lo_closed = hi_closed = True
    for k in path:
        lo *= float(graph.lo[k])
        hi *= float(graph.hi[k])
        lo_closed &= bool(graph.lo_closed[k])
        hi_closed &= bool(graph.hi_closed[k])
    return Chain(tuple(chain_edge(graph, k) for k in path), lo, hi, lo_closed, hi_closed)
