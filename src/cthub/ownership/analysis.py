"""Ownership analysis over the stored edges: UBOs of one entity, and which entities a
sanctions regime blocks through ownership and control.

The engine (``compute``) works on the edge store's Arrow snapshot (``views.edges_table``),
compiled once per snapshot and kept per process. Seeds, the listed entities the regimes start
from, are the stored entities linked to an entry of an active list version:

* by identifier, exactly (letters and digits; LEI, company number, IMO, tax number, ...);
* by name, through ``cthub.screening`` at ``name_threshold`` (0.8 by default: a seed blocks
  others, so only a close name match counts: screening scores an exact name with no other
  evidence at about 0.8; ``None`` skips names).

Each seed carries its list and reference, so every blocked entity's path starts at a listing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from sqlalchemy import text

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import active_entries
from cthub.ownership.compute import (
    REGIMES,
    BlockedResult,
    OwnershipGraph,
    blocked,
    compile_graph,
    ubo_of,
)
from cthub.ownership.linking import ID_PROPS, comparable
from cthub.ownership.views import edges_table, entities_table
from cthub.screening import Query, cached_screener, screen

SEEDS = pa.schema([("entity_id", pa.string()), ("listed", pa.bool_()), ("list", pa.string()),
                   ("list_ref", pa.string()), ("via", pa.string())])  # fmt: skip
_TYPES = {"person": "person", "company": "organization", "arrangement": "organization"}
_CACHE: dict[str, OwnershipGraph] = {}
_LOCK = threading.Lock()


@dataclass
class Exposure:
    """A regime's answer over the whole store, the seeds it started from, and notes."""

    regime: str
    result: BlockedResult
    seeds: pa.Table
    notes: list[str] = field(default_factory=list)

    def report(self) -> pa.Table:
        """``entity_id,name,status,owners_share,path`` of blocked and possibly blocked."""
        return self.result.report(include_possible=True, with_path=True)


def _marker(hub: Hub) -> str:
    with hub.db.session(readonly=True) as s:
        last = s.execute(text("SELECT max(id), count(*) FROM ownership_loads")).first()
    return f"{hub.db.url}|{last[0] if last else 0}|{last[1] if last else 0}"


def graph(hub: Hub, actor: Actor) -> OwnershipGraph:
    """The compiled graph of the current edges (checks ``ownership.read``, audited)."""
    edges, nodes = edges_table(hub, actor), entities_table(hub, actor)
    key = _marker(hub)
    with _LOCK:
        found = _CACHE.get(key)
        if found is None:
            node_table = pa.table({"entity_id": nodes.column("id"),
                                   "kind": nodes.column("kind"),
                                   "name": nodes.column("name")})  # fmt: skip
            found = compile_graph(edges, node_table)
            _CACHE.clear()
            _CACHE[key] = found
        return found


def listed_seeds(
    hub: Hub,
    actor: Actor,
    *,
    lists: Iterable[str] | None = None,
    name_threshold: float | None = 0.8,
    notes: list[str] | None = None,
) -> pa.Table:
    """Stored entities linked to an active list entry (``SEEDS``), by identifier or name."""
    chosen = list(lists) if lists else None
    nodes = entities_table(hub, actor)
    by_key: dict[str, list[str]] = {}
    for eid, idents in zip(nodes.column("id").to_pylist(),
                           nodes.column("identifiers").to_pylist(), strict=True):  # fmt: skip
        for ident in idents or []:
            value = comparable(ident.split(":", 1)[-1])
            if value:
                by_key.setdefault(value, []).append(eid)
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    try:
        entries = active_entries(hub, actor, chosen)
    except NotFound as exc:
        (notes if notes is not None else []).append(exc.render())
        return SEEDS.empty_table()
    for e in entries:
        for prop in ID_PROPS:
            for value in e.properties.get(prop, []):
                for eid in by_key.get(comparable(value), []):
                    rows[(eid, e.list_name, e.ref)] = {"entity_id": eid, "listed": True,
                        "list": e.list_name, "list_ref": e.ref, "via": "identifier"}  # fmt: skip
    if name_threshold is not None:
        screener = cached_screener(hub, actor, chosen)
        queries = [(eid, Query(name=name, type=_TYPES.get(kind)))
                   for eid, kind, name in zip(nodes.column("id").to_pylist(),
                                              nodes.column("kind").to_pylist(),
                                              nodes.column("name").to_pylist(), strict=True)
                   if name and kind in _TYPES]  # fmt: skip
        for eid, hit in screen(hub, actor, screener, queries, threshold=name_threshold, top=1):
            key = (eid, hit.entry.list, hit.entry.ref)
            rows.setdefault(key, {"entity_id": eid, "listed": True, "list": hit.entry.list,
                                  "list_ref": hit.entry.ref, "via": "name"})  # fmt: skip
    return pa.Table.from_pylist(sorted(rows.values(), key=lambda r: (r["entity_id"], r["list"])),
                                schema=SEEDS)  # fmt: skip


def exposure(
    hub: Hub,
    actor: Actor,
    regime: str,
    *,
    lists: Iterable[str] | None = None,
    name_threshold: float | None = 0.8,
) -> Exposure:
    """Which stored entities ``regime`` (ofac, eu, uk) blocks, from the listed seeds."""
    if regime not in REGIMES:
        raise InvalidInput("Unknown regime {regime}.", hint="Use one of {known}.",
                           regime=regime[:20], known=", ".join(sorted(REGIMES)))  # fmt: skip
    notes: list[str] = []
    seeds = listed_seeds(hub, actor, lists=lists, name_threshold=name_threshold, notes=notes)
    g = graph(hub, actor)
    result = blocked(g, seeds, regime)
    with hub.unit(actor, "ownership.read") as u:
        u.audit("ownership", details={"regime": regime, "seeds": seeds.num_rows})
    return Exposure(regime, result, seeds, notes)


def ubo(
    hub: Hub, actor: Actor, entity_id: str, *, threshold: float = 0.25, max_chains: int = 20
) -> dict[str, object]:
    """The beneficial owners of one entity (EU AMLR Art. 52) with their chains, as a dict."""
    if not 0 < threshold <= 1:
        raise InvalidInput("The threshold must be above 0 and at most 1, not {value}.",
                           hint="For example 0.25 for 25%.", value=threshold)  # fmt: skip
    g = graph(hub, actor)
    if g.node(entity_id) < 0:
        raise NotFound(
            "No entity {id} in the ownership store.",
            hint="Find it with `cthub ownership search`.",
            id=entity_id[:200],
        )
    return ubo_of(g, entity_id, threshold=threshold).report(entity_id, max_chains=max_chains)


__all__ = ["SEEDS", "Exposure", "exposure", "graph", "listed_seeds", "ubo"]
