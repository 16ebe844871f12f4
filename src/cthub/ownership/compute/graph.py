"""Compile an ownership edge table into integer-indexed arrays, reporting bad records.

Input contract (shared with the importers, BODS/PSC/FtM -> edges): a pyarrow table with one row
per statement "``owner`` holds an interest in ``asset``":

* ``owner``, ``asset``: entity ids (strings);
* ``interest``: ``ownership`` (shareholding), ``voting`` (voting rights) or ``control`` (board
  appointment, significant influence, other control);
* ``share_min``, ``share_max``: float64 fractions 0..1, null when unknown; an exact share has
  ``share_min == share_max``; a band is an interval, e.g. the PSC band "more than 25% but not
  more than 50%" is ``share_min=0.25, min_inclusive=False, share_max=0.5, max_inclusive=True``;
* ``min_inclusive``, ``max_inclusive``: bool (null reads as true);
* ``joint_group``: string, nullable: owners declared as holding jointly or acting together;
* optional ``edge_id``, ``source``, ``start_date``, ``end_date``: carried into explanations.

An unknown share reads as the whole interval ``[0, 1]`` (``share_min`` null reads 0,
``share_max`` null reads 1), so it can make a result "possible" but never certain.

Data problems never raise: each bad record becomes a :class:`Problem` naming its edge id and
row. ``error`` records are left out of the graph; ``warning`` records stay in and may affect
results (an asset whose shares add up to more than 100%, effective shares are then capped at
1); ``info`` notes a fact worth knowing (an unknown share, a cycle). Only a missing required
column raises :class:`~cthub.core.errors.InvalidInput`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components

from cthub.core.errors import InvalidInput
from cthub.ownership.compute.records import (
    CONTROL,
    ENTITY,
    INTERESTS,
    OWNERSHIP,
    PERSON,
    UNKNOWN,
    VOTING,
    Problem,
    Records,
    over_allocated,
    strings,
)

__all__ = [
    "CONTROL",
    "ENTITY",
    "INTERESTS",
    "OWNERSHIP",
    "PERSON",
    "UNKNOWN",
    "VOTING",
    "OwnershipGraph",
    "Problem",
    "compile_graph",
    "cycle_problems",
    "strong_components",
]
CARRIED = ("edge_id", "source", "start_date", "end_date")

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class OwnershipGraph:
    """Node ``i`` is ``ids[i]``; edge ``k`` is ``owner[k]`` -> ``asset[k]`` (valid edges only).

    ``lo``/``hi`` are the share interval ends with unknowns read as 0 and 1; ``lo_closed`` /
    ``hi_closed`` whether each end is attained; ``known`` whether any share was given.
    ``group`` indexes ``groups`` (-1: none).
    ``details`` holds the carried columns of each edge, row ``k`` for edge ``k``.
    """

    ids: pa.Array
    kind: npt.NDArray[np.int8]
    names: pa.Array | None
    owner: Ints
    asset: Ints
    interest: npt.NDArray[np.int8]
    lo: Floats
    hi: Floats
    lo_closed: Bools
    hi_closed: Bools
    known: Bools
    group: Ints
    groups: pa.Array
    details: pa.Table
    problems: tuple[Problem, ...]

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_edges(self) -> int:
        return len(self.owner)

    @cached_property
    def index(self) -> dict[str, int]:
        """Entity id -> node number (built on first use)."""
        return {v: i for i, v in enumerate(self.id_list)}

    def node(self, entity_id: str) -> int:
        """The node number of ``entity_id``, ``-1`` when it is not in the graph."""
        return self.index.get(entity_id, -1)

    def nodes(self, entity_ids: pa.Array | Sequence[str]) -> Ints:
        """Node numbers of many ids at once (``-1`` for ids not in the graph)."""
        if "index" in self.__dict__ or not isinstance(entity_ids, pa.Array):
            return np.asarray([self.node(str(e)) for e in list(entity_ids)], dtype=np.int64)
        wanted = strings(entity_ids)
        at = _encode(self.ids, wanted)  # hash the few wanted ids, probe the graph's
        out = np.full(len(wanted), -1, dtype=np.int64)
        hit = np.flatnonzero(at >= 0)
        out[at[hit]] = hit
        dup = _encode(wanted, wanted)  # repeated wanted ids take their first copy's node
        return np.asarray(out[np.maximum(dup, 0)] * (dup >= 0) - (dup < 0), dtype=np.int64)

    @cached_property
    def by_asset(self) -> tuple[Ints, Ints]:
        """(edge order, indptr): the edges into node ``i`` are ``order[indptr[i]:indptr[i+1]]``."""
        return _grouped(self.asset, self.n_nodes)

    @cached_property
    def by_owner(self) -> tuple[Ints, Ints]:
        """(edge order, indptr) of the edges out of each node."""
        return _grouped(self.owner, self.n_nodes)

    def mask(self, interest: int) -> Bools:
        return np.asarray(self.interest == interest)

    def matrix(self, interest: int, bound: Literal["lo", "hi"]) -> csr_matrix:
        """Square (asset x owner) matrix of the ``bound`` shares of one interest."""
        m = self.mask(interest)
        data = (self.lo if bound == "lo" else self.hi)[m]
        n = self.n_nodes
        coo = coo_matrix((data, (self.asset[m], self.owner[m])), shape=(n, n))
        return coo.tocsr()

    @cached_property
    def id_list(self) -> list[str]:
        return [str(v) for v in self.ids.to_pylist()]

    def edge_id(self, k: int) -> str:
        return str(self.details.column("edge_id")[k].as_py())

    def name(self, i: int) -> str | None:
        if self.names is None:
            return None
        v = self.names[i].as_py()
        return None if v is None else str(v)

    def subgraph(self, nodes: Ints) -> OwnershipGraph:
        """The graph on ``nodes`` (renumbered in that order) and the edges between them; the
        problems stay with the full graph (those naming these nodes are kept)."""
        new = np.full(self.n_nodes + 1, -1, dtype=np.int64)
        new[nodes] = np.arange(len(nodes))
        keep = np.flatnonzero((new[self.owner] >= 0) & (new[self.asset] >= 0))
        take = pa.array(nodes)
        wanted = set(self.ids.take(take).to_pylist())
        return OwnershipGraph(
            ids=self.ids.take(take),
            kind=self.kind[nodes],
            names=None if self.names is None else self.names.take(take),
            owner=new[self.owner[keep]],
            asset=new[self.asset[keep]],
            interest=self.interest[keep],
            lo=self.lo[keep],
            hi=self.hi[keep],
            lo_closed=self.lo_closed[keep],
            hi_closed=self.hi_closed[keep],
            known=self.known[keep],
            group=self.group[keep],
            groups=self.groups,
            details=self.details.take(pa.array(keep)),
            problems=tuple(p for p in self.problems if p.entity_id in wanted),
        )


def _grouped(key: Ints, n: int) -> tuple[Ints, Ints]:
    order = np.argsort(key, kind="stable")
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=n), out=indptr[1:])
    return order.astype(np.int64), indptr


def compile_graph(
    edges: pa.Table, nodes: pa.Table | None = None, *, as_of: date | None = None
) -> OwnershipGraph:
    """Validate ``edges`` and compile the valid ones (see the module docstring).

    ``nodes`` (optional): ``entity_id``, ``kind`` (``person`` or anything else for a legal
    entity, null when unknown) and ``name``; without it no node is known to be a person.
    ``as_of``: only edges in force that day (``start_date <= as_of <= end_date``, open ends
    allowed) are used.
    """
    missing = [c for c in ("owner", "asset", "interest") if c not in edges.column_names]
    if missing:
        raise InvalidInput(
            "The edge table has no column {columns}.",
            hint="Columns: owner, asset, interest, share_min, share_max, min_inclusive, "
            "max_inclusive, joint_group.",
            columns=", ".join(missing),
        )
    if as_of is not None:
        edges = edges.filter(pa.array(_in_force(edges, as_of)))
    rec = Records(edges)
    ids, owner, asset, kind, names = _nodes(rec, nodes)
    rec.check_links(owner, asset, kind)
    keep = ~rec.bad
    over_allocated(rec, asset, keep)
    groups, group = _groups(edges, keep)
    details = _details(edges, rec, keep)
    graph = OwnershipGraph(
        ids=ids,
        kind=kind,
        names=names,
        owner=owner[keep],
        asset=asset[keep],
        interest=rec.interest[keep].astype(np.int8),
        lo=rec.lo[keep],
        hi=rec.hi[keep],
        lo_closed=rec.lo_closed[keep],
        hi_closed=rec.hi_closed[keep],
        known=rec.known[keep],
        group=group,
        groups=groups,
        details=details,
        problems=(),
    )
    problems = tuple(rec.problems) + tuple(cycle_problems(graph))
    object.__setattr__(graph, "problems", problems)
    return graph


def _in_force(edges: pa.Table, as_of: date) -> Bools:
    ok = np.ones(edges.num_rows, dtype=np.bool_)
    for name, late in (("start_date", True), ("end_date", False)):
        if name not in edges.column_names:
            continue
        col = edges.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            col = pc.strptime(col, format="%Y-%m-%d", unit="s", error_is_null=True)
        day = pc.cast(col, pa.date32())
        cmp = pc.greater(day, as_of) if late else pc.less(day, as_of)
        ok &= ~np.asarray(pc.fill_null(cmp, False), dtype=np.bool_)
    return ok


def _nodes(
    rec: Records, nodes: pa.Table | None
) -> tuple[pa.Array, Ints, Ints, npt.NDArray[np.int8], pa.Array | None]:
    """Node ids (``nodes`` first, in order, then new ones as met) and both ends encoded."""
    parts = [rec.owner, rec.asset]
    if nodes is not None:
        parts.insert(0, strings(nodes.column("entity_id")))
    enc = pc.dictionary_encode(pa.concat_arrays(parts))
    codes = np.asarray(pc.fill_null(enc.indices, -1), dtype=np.int64)
    every = enc.dictionary
    empty = np.asarray(pc.fill_null(pc.equal(every, ""), True), dtype=np.bool_)
    keep = ~empty
    renum = np.cumsum(keep) - 1
    renum = np.append(np.where(keep, renum, -1), -1)  # a missing id (-1) stays -1
    codes = renum[codes]
    ids = pc.filter(every, pa.array(keep))
    n_e = len(rec.owner)
    off = 0 if nodes is None else len(parts[0])
    owner, asset = codes[off : off + n_e], codes[off + n_e :]
    kind = np.full(len(ids), UNKNOWN, dtype=np.int8)
    names: pa.Array | None = None
    if nodes is not None:
        node_codes = codes[:off]
        row_of = np.full(len(ids), -1, dtype=np.int64)
        valid = node_codes >= 0
        row_of[node_codes[valid][::-1]] = np.flatnonzero(valid)[::-1]  # first row wins
        at = pa.array(row_of, mask=row_of < 0)
        if "kind" in nodes.column_names:
            k = pc.take(pc.cast(nodes.column("kind"), pa.string()), at)
            is_person = np.asarray(pc.fill_null(pc.equal(k, "person"), False), dtype=np.bool_)
            known = np.asarray(pc.is_valid(k), dtype=np.bool_)
            kind[known] = ENTITY
            kind[is_person] = PERSON
        if "name" in nodes.column_names:
            names = pc.take(pc.cast(nodes.column("name"), pa.string()), at)
    return ids, owner, asset, kind, names


def _encode(values: pa.Array, ids: pa.Array) -> Ints:
    at = pc.index_in(values, value_set=ids)
    return np.asarray(pc.fill_null(at, -1), dtype=np.int64)


def _groups(edges: pa.Table, keep: Bools) -> tuple[pa.Array, Ints]:
    if "joint_group" not in edges.column_names:
        return pa.array([], pa.string()), np.full(int(keep.sum()), -1, dtype=np.int64)
    col = pc.filter(strings(edges.column("joint_group")), pa.array(keep))
    col = pc.if_else(pc.equal(col, ""), pa.scalar(None, pa.string()), col)
    groups = pc.drop_null(pc.unique(col))
    return groups, _encode(col, groups)


def _details(edges: pa.Table, rec: Records, keep: Bools) -> pa.Table:
    rows = np.flatnonzero(keep)
    out: dict[str, pa.Array | pa.ChunkedArray] = {}
    for name in CARRIED:
        if name in edges.column_names:
            out[name] = pc.take(edges.column(name), pa.array(rows))
    if "edge_id" not in out:
        out["edge_id"] = pa.array([f"row:{i}" for i in rows.tolist()], pa.string())
    else:
        ids = pc.cast(out["edge_id"], pa.string())
        if ids.null_count:
            fallback = pa.array([f"row:{i}" for i in rows.tolist()], pa.string())
            ids = pc.coalesce(ids, fallback)
        out["edge_id"] = ids
    out["row"] = pa.array(rows)
    return pa.table(out)


def strong_components(graph: OwnershipGraph, interests: Sequence[int]) -> tuple[int, Ints]:
    """(count, label per node) of the strongly connected components over ``interests``."""
    m = np.isin(graph.interest, np.asarray(interests))
    n = graph.n_nodes
    data = np.ones(int(m.sum()), dtype=np.int8)
    adj = coo_matrix((data, (graph.owner[m], graph.asset[m])), shape=(n, n)).tocsr()
    count, labels = connected_components(adj, directed=True, connection="strong")
    return int(count), np.asarray(labels, dtype=np.int64)


def cycle_problems(graph: OwnershipGraph) -> list[Problem]:
    """One ``info`` problem per ownership/voting/control cycle (component of two or more)."""
    if graph.n_nodes == 0:
        return []
    _, labels = strong_components(graph, (OWNERSHIP, VOTING, CONTROL))
    sizes = np.bincount(labels)
    out: list[Problem] = []
    big = np.flatnonzero(sizes > 1)
    if len(big) == 0:
        return out
    members = np.flatnonzero(sizes[labels] > 1)
    members = members[np.argsort(labels[members], kind="stable")]
    cuts = np.cumsum(sizes[big])[:-1]
    for group in np.split(members, cuts):
        names = [str(graph.ids[int(i)].as_py()) for i in group[:10]]
        more = f" and {len(group) - 10} more" if len(group) > 10 else ""
        out.append(
            Problem(
                "cycle",
                "info",
                f"ownership cycle of {len(group)} entities: {', '.join(names)}{more}",
                None,
                None,
                names[0],
            )
        )
    return out
