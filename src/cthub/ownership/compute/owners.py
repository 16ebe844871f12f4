"""The beneficial-owner result: every (entity, owner) row as arrays and as a table, with
lookups, explanations and JSON reports for one entity (computed by :mod:`.ubo`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from cthub.ownership.compute.chains import Chain, chains
from cthub.ownership.compute.graph import CONTROL, OWNERSHIP, VOTING, OwnershipGraph
from cthub.ownership.compute.intervals import meets_definitely, meets_possibly

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

STATUSES = ("ubo", "possibly_ubo", "not_ubo")
CONTROL_VALUES = ("yes", "possible", "no")
OWNER_KINDS = ("person", "entity", "unknown")
BASES = ("ownership", "voting", "control")
TABLE_COLUMNS = (
    "entity_id",
    "owner_id",
    "owner_kind",
    "ownership_lo",
    "ownership_hi",
    "voting_lo",
    "voting_hi",
    "control",
    "status",
    "basis",
    "in_cycle",
)


@dataclass(frozen=True)
class UBOOwner:
    """One owner of one entity: intervals per measure, control, status and basis."""

    owner_id: str
    owner_kind: str
    ownership: tuple[float, float]
    voting: tuple[float, float]
    control: str
    status: str
    basis: tuple[str, ...]
    in_cycle: bool

    def as_dict(self) -> dict[str, object]:
        return {
            "owner_id": self.owner_id,
            "owner_kind": self.owner_kind,
            "ownership": list(self.ownership),
            "voting": list(self.voting),
            "control": self.control,
            "status": self.status,
            "basis": list(self.basis),
            "in_cycle": self.in_cycle,
        }


@dataclass(frozen=True)
class Pairs:
    """The result rows as arrays (row ``r``: ``entity[r]`` owned by ``owner[r]``); codes
    index ``OWNER_KINDS``, ``CONTROL_VALUES``, ``STATUSES``; ``basis`` is (rows x 3) flags for
    ownership, voting, control."""

    entity: Ints
    owner: Ints
    kind: Ints
    o_lo: Floats
    o_hi: Floats
    v_lo: Floats
    v_hi: Floats
    control: Ints
    status: Ints
    basis: Bools
    in_cycle: Bools


@dataclass(frozen=True, eq=False)
class UBOResult:
    """Owners of every entity; ``table`` (columns ``TABLE_COLUMNS``) is sorted by entity.

    ``companies``: one row per node: ``entity_id``, ``in_cycle`` (in or below an ownership
    cycle), ``slack`` (what pruning and cycle series may have left out of any one owner's
    ownership share), ``n_ubo``, ``n_possible``. ``converged``: every cycle met ``eps``.
    """

    graph: OwnershipGraph
    threshold: float
    inclusive: bool
    table: pa.Table
    companies: pa.Table
    converged: bool
    pairs: Pairs = field(repr=False)
    indptr: Ints = field(repr=False)

    def owners(self, entity_id: str) -> list[UBOOwner]:
        """The owners of one entity from the precomputed rows (empty when none or unknown)."""
        i = self.graph.node(entity_id)
        if i < 0:
            return []
        a, b = int(self.indptr[i]), int(self.indptr[i + 1])
        if a == b:
            return []
        p, ids = self.pairs, self.graph.id_list
        cols = zip(
            p.owner[a:b].tolist(),
            p.kind[a:b].tolist(),
            p.o_lo[a:b].tolist(),
            p.o_hi[a:b].tolist(),
            p.v_lo[a:b].tolist(),
            p.v_hi[a:b].tolist(),
            p.control[a:b].tolist(),
            p.status[a:b].tolist(),
            p.basis[a:b].tolist(),
            p.in_cycle[a:b].tolist(),
            strict=True,
        )
        return [
            UBOOwner(
                owner_id=ids[o],
                owner_kind=OWNER_KINDS[k],
                ownership=(olo, ohi),
                voting=(vlo, vhi),
                control=CONTROL_VALUES[c],
                status=STATUSES[st],
                basis=tuple(name for name, f in zip(BASES, bs, strict=True) if f),
                in_cycle=cyc,
            )
            for o, k, olo, ohi, vlo, vhi, c, st, bs, cyc in cols
        ]

    def explain(
        self, entity_id: str, owner_id: str, *, interest: str = "ownership", max_chains: int = 50
    ) -> list[Chain]:
        """The chains (each edge with its share) from ``owner_id`` down to ``entity_id``.

        ``interest``: ``ownership``, ``voting`` or ``control`` (control chains follow control
        and ownership/voting edges, as the control status does).
        """
        e, o = self.graph.node(entity_id), self.graph.node(owner_id)
        if e < 0 or o < 0:
            return []
        if interest == "control":
            links = self._links
            every = {OWNERSHIP, VOTING, CONTROL}
            return chains(self.graph, e, o, every, allowed=links, max_chains=max_chains)
        kinds = {VOTING} if interest == "voting" else {OWNERSHIP}
        return chains(self.graph, e, o, kinds, max_chains=max_chains)

    def report(self, entity_id: str, *, max_chains: int = 20) -> dict[str, object]:
        """A JSON-ready report of one entity: its owners, each with its chains per basis."""
        i = self.graph.node(entity_id)
        owners = []
        for own in self.owners(entity_id):
            row = own.as_dict()
            row["name"] = self.graph.name(self.graph.node(own.owner_id))
            row["chains"] = {
                b: [c.as_dict() for c in self.explain(entity_id, own.owner_id, interest=b,
                                                      max_chains=max_chains)]
                for b in own.basis
            }  # fmt: skip
            owners.append(row)
        return {
            "entity_id": entity_id,
            "name": self.graph.name(i) if i >= 0 else None,
            "known": i >= 0,
            "threshold": self.threshold,
            "inclusive": self.inclusive,
            "in_cycle": bool(self.graph.n_nodes and i >= 0 and self._in_cycle[i]),
            "owners": owners,
            "problems": [p.as_dict() for p in self.graph.problems if p.entity_id == entity_id],
        }

    @cached_property
    def _links(self) -> Bools:
        return controlling_links(self.graph, upper=True)

    @cached_property
    def _in_cycle(self) -> Bools:
        return np.asarray(self.companies.column("in_cycle"), dtype=np.bool_)


def controlling_links(graph: OwnershipGraph, *, upper: bool) -> Bools:
    """Edges that control their asset certainly (``upper=False``) or possibly: a control edge
    with no share or a share over 50%, or an ownership / voting edge over 50%."""
    unknown_ctl = (graph.interest == CONTROL) & ~graph.known
    if upper:
        return np.asarray(unknown_ctl | meets_possibly(graph.hi, graph.hi_closed, 0.5, False))
    return np.asarray(unknown_ctl | meets_definitely(graph.lo, graph.lo_closed, 0.5, False))


def labels(names: tuple[str, ...], codes: Ints) -> pa.Array:
    return pa.array(names, pa.string()).take(pa.array(codes.astype(np.int32)))


def _basis(flags: Bools) -> pa.Array:
    """Per row, the measures that meet the threshold at least possibly, as a list column."""
    rows, cols = np.nonzero(flags)
    offsets = np.zeros(len(flags) + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=len(flags)), out=offsets[1:])
    values = labels(BASES, cols)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def result_table(graph: OwnershipGraph, p: Pairs) -> pa.Table:
    return pa.table(
        {
            "entity_id": graph.ids.take(pa.array(p.entity)),
            "owner_id": graph.ids.take(pa.array(p.owner)),
            "owner_kind": labels(OWNER_KINDS, p.kind),
            "ownership_lo": pa.array(p.o_lo),
            "ownership_hi": pa.array(p.o_hi),
            "voting_lo": pa.array(p.v_lo),
            "voting_hi": pa.array(p.v_hi),
            "control": labels(CONTROL_VALUES, p.control),
            "status": labels(STATUSES, p.status),
            "basis": _basis(p.basis),
            "in_cycle": pa.array(p.in_cycle),
        }
    )
