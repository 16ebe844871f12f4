"""Reading the edge store: the edge table for computation, one entity, and entity search.

``edges_table`` is the contract with ``cthub.ownership.compute``: one row per current interest,

    owner, asset: string (entity ids)        interest: 'ownership' | 'voting' | 'control'
    share_min, share_max: float64 (0..1, null = unknown)
    min_inclusive, max_inclusive: bool       joint_group: string (null unless held jointly)
    edge_id, source: string                  start_date, end_date: date32 (null = unknown)

Replaced and closed edges, and ``summary`` edges (indirect interests whose chain of component
statements is stored as well), are left out unless asked for. The columns are read in bulk
into Arrow and kept as a snapshot file until the next load (``snapshot``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import func, or_, select, text

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.ownership import snapshot
from cthub.ownership.ingest.values import normalized
from cthub.ownership.models import OwnershipEdge, OwnershipEntity, OwnershipIdentifier

#: The engine's edge contract: the first columns of the snapshot's (``snapshot.COLUMNS``).
EDGE_SCHEMA = pa.schema(list(snapshot.COLUMNS)[:12])
DETAIL_FIELDS = [
    ("interest_type", pa.string()),
    ("direct", pa.string()),
    ("beneficial", pa.bool_()),
    ("summary", pa.bool_()),
    ("status", pa.string()),
    ("statement_id", pa.string()),
]
ENTITY_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("kind", pa.string()),
        ("name", pa.string()),
        ("jurisdiction", pa.string()),
        ("identifiers", pa.list_(pa.string())),
    ]
)


@dataclass(frozen=True)
class EdgeView:
    edge_id: str
    owner: str
    asset: str
    interest: str
    interest_type: str
    share_min: float | None
    share_max: float | None
    min_inclusive: bool
    max_inclusive: bool
    joint_group: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    status: str
    source: str

    @property
    def share(self) -> str:
        """The share as an interval in percent, e.g. ``(25, 50]``, ``50``, or ``?``."""
        lo, hi = self.share_min, self.share_max
        if lo is None and hi is None:
            return "?"
        if lo == hi:
            return f"{lo * 100:g}" if lo is not None else "?"
        left = "[" if self.min_inclusive else "("
        right = "]" if self.max_inclusive else ")"
        return f"{left}{_percent(lo)}, {_percent(hi)}{right}"


def _percent(value: float | None) -> str:
    return "?" if value is None else f"{value * 100:g}"


@dataclass(frozen=True)
class EntityView:
    id: str
    kind: str
    subtype: str
    name: str
    jurisdiction: str | None
    identifiers: list[str]
    placeholder: bool
    closed: bool
    replaced_by: str | None
    details: dict[str, Any]
    owners: list[EdgeView] = field(default_factory=list)  # edges into this entity
    holdings: list[EdgeView] = field(default_factory=list)  # edges out of it


def edges_table(
    hub: Hub, actor: Actor, *, include_history: bool = False, detail: bool = False
) -> pa.Table:
    """Current edges in the contract above; ``detail`` adds interest_type, direct, beneficial,
    summary, status and statement_id; ``include_history`` adds replaced, closed and summary
    edges."""
    with hub.unit(actor, "ownership.read") as u:
        u.audit("ownership", details={"read": "edges", "history": include_history})
    fields = [*EDGE_SCHEMA, *(DETAIL_FIELDS if detail else [])]
    schema = pa.schema(fields)
    plain = not detail and not include_history
    return snapshot.edges(hub, schema, current_only=not include_history, cached=plain)


def _table(rows: list[Any], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema.names]
    arrays = []
    for values, fld in zip(columns, schema, strict=True):
        if pa.types.is_boolean(fld.type) and any(
            isinstance(v, int) and not isinstance(v, bool) for v in values[:1000]
        ):
            arrays.append(pa.array(values, type=pa.int8()).cast(pa.bool_()))  # SQLite 0/1
        elif pa.types.is_date(fld.type) and values and any(isinstance(v, str) for v in values):
            arrays.append(pa.array(values, type=pa.string()).cast(pa.date32()))  # SQLite text
        else:
            arrays.append(pa.array(values, type=fld.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def entities_table(hub: Hub, actor: Actor) -> pa.Table:
    """Every stored entity: id, kind, name, jurisdiction, identifiers (``scheme:value``)."""
    with hub.unit(actor, "ownership.read") as u:
        u.audit("ownership", details={"read": "entities"})
    with hub.db.session(readonly=True) as s:
        rows = s.execute(
            text("SELECT id, kind, name, jurisdiction FROM ownership_entities ORDER BY id")
        ).all()
        idents: dict[str, list[str]] = {}
        for eid, scheme, value in s.execute(
            text("SELECT entity_id, scheme, value FROM ownership_identifiers")
        ):
            idents.setdefault(eid, []).append(f"{scheme}:{value}")
    table = _table([(*r, sorted(idents.get(r[0], []))) for r in rows], ENTITY_SCHEMA)
    return table


def _edge(e: OwnershipEdge) -> EdgeView:
    return EdgeView(
        e.edge_id,
        e.owner,
        e.asset,
        e.interest,
        e.interest_type,
        e.share_min,
        e.share_max,
        e.min_inclusive,
        e.max_inclusive,
        e.joint_group,
        e.start_date,
        e.end_date,
        e.status,
        e.source,
    )


def entity(hub: Hub, actor: Actor, entity_id: str, *, history: bool = False) -> EntityView:
    """One entity with its identifiers, its owners and its holdings (current edges)."""
    with hub.unit(actor, "ownership.read") as u:
        found = u.s.get(OwnershipEntity, entity_id)
        if found is None:
            raise NotFound(
                "No ownership entity {id}.",
                hint="Find one with: cthub ownership search NAME.",
                id=entity_id[:200],
            )
        ids = u.s.execute(
            select(OwnershipIdentifier.scheme, OwnershipIdentifier.value).where(
                OwnershipIdentifier.entity_id == entity_id
            )
        ).all()
        edges = select(OwnershipEdge).order_by(OwnershipEdge.edge_id)
        if not history:
            edges = edges.where(OwnershipEdge.status == "current")
        owners = [_edge(e) for e in u.s.scalars(edges.where(OwnershipEdge.asset == entity_id))]
        holds = [_edge(e) for e in u.s.scalars(edges.where(OwnershipEdge.owner == entity_id))]
        u.audit("ownership_entity", entity_id[:120])
        return EntityView(
            found.id,
            found.kind,
            found.subtype,
            found.name,
            found.jurisdiction,
            sorted(f"{s}:{v}" for s, v in ids),
            found.placeholder,
            found.closed,
            found.replaced_by,
            dict(found.details),
            owners,
            holds,
        )


def search_entities(
    hub: Hub, actor: Actor, query: str, *, kind: str | None = None, limit: int = 50
) -> list[EntityView]:
    """Entities whose name contains ``query`` (any case) or with an identifier equal to it
    (``scheme:value`` or the bare value, compared on letters and digits)."""
    q = query.strip()
    if not q or len(q) > 200:
        raise InvalidInput("Give a name or identifier of 1 to 200 characters to search for.")
    if not 1 <= limit <= 1000:
        raise InvalidInput("The limit must be between 1 and 1000.")
    norm = normalized(q.split(":", 1)[1] if ":" in q else q)
    with hub.unit(actor, "ownership.read") as u:
        by_id = select(OwnershipIdentifier.entity_id).where(OwnershipIdentifier.norm == norm)
        like = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = select(OwnershipEntity).where(
            or_(
                func.lower(OwnershipEntity.name).like(like, escape="\\"),
                OwnershipEntity.id.in_(by_id) if norm else OwnershipEntity.id == q,
            )
        )
        if kind:
            stmt = stmt.where(OwnershipEntity.kind == kind)
        found = list(
            u.s.scalars(stmt.order_by(OwnershipEntity.name, OwnershipEntity.id).limit(limit))
        )
        idents: dict[str, list[str]] = {}
        for eid, scheme, value in u.s.execute(
            select(
                OwnershipIdentifier.entity_id, OwnershipIdentifier.scheme, OwnershipIdentifier.value
            ).where(OwnershipIdentifier.entity_id.in_([e.id for e in found]))
        ):
            idents.setdefault(eid, []).append(f"{scheme}:{value}")
        u.audit("ownership", details={"search": "entities", "found": len(found)})
        return [
            EntityView(
                e.id,
                e.kind,
                e.subtype,
                e.name,
                e.jurisdiction,
                sorted(idents.get(e.id, [])),
                e.placeholder,
                e.closed,
                e.replaced_by,
                dict(e.details),
            )
            for e in found
        ]


__all__ = [
    "EDGE_SCHEMA",
    "ENTITY_SCHEMA",
    "EdgeView",
    "EntityView",
    "edges_table",
    "entities_table",
    "entity",
    "search_entities",
]
