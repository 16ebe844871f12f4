"""Writing one parsed file into the store, inside the caller's transaction.

The parser has already dealt with what one file can say about itself (repeated ids, several
statements of one record, cycles). Here the file meets what is stored:

1. A statement stored before with the same digest is unchanged and skipped; with another
   digest it is reported (``conflicting_duplicate``) and this file's version replaces it.
2. A newer statement of a stored record replaces the stored one (its edges become
   ``replaced``); an older one is stored as superseded (``stale_statement``) and changes nothing.
3. BODS 0.2 ``replacesStatements``: the named statements' edges become ``replaced``, and an
   entity statement's replacement takes over its edges. A named statement not yet stored is
   remembered, so it is stored as replaced if it arrives later.
4. A party no statement describes, in this file or before, becomes a placeholder entity (kind
   ``unknown``, ``placeholder``), with an ``unknown_party`` warning on each statement naming it;
   the edge is kept, and a later file describing the party fills the placeholder in.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from cthub.ownership.bulk import IN, chunks, rows_in, upsert
from cthub.ownership.ingest.records import Batch, EdgeRec, EntityRec, StatementRec, shown
from cthub.ownership.ingest.values import normalized
from cthub.ownership.models import (
    OwnershipEdge,
    OwnershipEntity,
    OwnershipIdentifier,
    OwnershipStatement,
)

S = cast(Table, OwnershipStatement.__table__)
E = cast(Table, OwnershipEntity.__table__)
ID = cast(Table, OwnershipIdentifier.__table__)
G = cast(Table, OwnershipEdge.__table__)


@dataclass
class Written:
    statements: int = 0
    unchanged: int = 0
    superseded: int = 0
    entities: int = 0
    placeholders: int = 0
    edges: int = 0
    skipped: set[str] = field(default_factory=set)  # stored before with the same digest


def write(s: Session, batch: Batch, load_id: int) -> Written:
    """Store ``batch`` (see the module docstring); the caller commits or rolls back."""
    done = Written()
    fresh = s.execute(select(S.c.id).limit(1)).first() is None
    live = _against_stored(s, batch, done) if not fresh else _in_file(batch)
    aliases = _replacements(s, batch, live, load_id, fresh)
    for e in batch.edges:
        e.owner, e.asset = aliases.get(e.owner, e.owner), aliases.get(e.asset, e.asset)
    keep_ids = {st.id for st in live if st.superseded_by is None}
    edges = [e for e in batch.edges if e.statement_id in keep_ids]
    entities = [x for x in batch.entities.values() if x.statement_id in keep_ids or x.stub]
    entities += _placeholders(s, batch, edges, {x.id for x in entities}, fresh)
    done.placeholders = sum(1 for x in entities if x.details.get("placeholder"))
    done.entities = _write_entities(s, entities, load_id)
    _take_over(s, {old: new for old, new in aliases.items() if old not in batch.entities})
    done.edges = _write_edges(s, edges, load_id)
    fresh_statements = [st for st in batch.statements if st.id not in done.skipped]
    done.statements = _write_statements(s, fresh_statements, load_id) + len(done.skipped)
    done.superseded = sum(1 for st in batch.statements if st.superseded_by)
    return done


def _in_file(batch: Batch) -> list[StatementRec]:
    return [st for st in batch.statements if st.superseded_by is None]


def _against_stored(s: Session, batch: Batch, done: Written) -> list[StatementRec]:
    """Statements of the file still to write, after comparing with the stored ones."""
    stored = {
        r.id: r
        for r in rows_in(
            s, (S.c.id, S.c.digest, S.c.replaced_by), S.c.id, (st.id for st in batch.statements)
        )
    }
    live, changed = [], []
    for st in batch.statements:
        row = stored.get(st.id)
        if row is not None and row.digest == st.digest:
            done.unchanged += 1
            done.skipped.add(st.id)
            st.superseded_by = st.superseded_by or row.replaced_by
            continue
        if row is not None and row.digest == "" and row.replaced_by:
            st.superseded_by = row.replaced_by  # named by an earlier replacesStatements
        elif row is not None:
            changed.append(st.id)
            batch.warn(
                shown(st.id),
                "",
                "conflicting_duplicate",
                "a statement with this id "
                "was loaded before with other content; this file's version replaces it",
            )
        if st.superseded_by is None:
            live.append(st)
    for part in chunks(changed, IN):
        s.execute(delete(G).where(G.c.statement_id.in_(part)))
    return _newest_of_records(s, batch, live)


def _newest_of_records(s: Session, batch: Batch, live: list[StatementRec]) -> list[StatementRec]:
    by_record = {st.record_id: st for st in live if st.record_id}
    if not by_record:
        return live
    cols = (S.c.id, S.c.record_id, S.c.statement_date, S.c.replaced_by)
    rows = [
        r
        for r in rows_in(s, cols, S.c.record_id, by_record)
        if r.replaced_by is None and r.id != by_record[r.record_id].id
    ]
    outdated: list[tuple[str, str]] = []
    for r in rows:
        st = by_record[r.record_id]
        if (r.statement_date or "") > (st.date or ""):
            st.superseded_by = r.id
            batch.warn(
                shown(st.id),
                "statementDate",
                "stale_statement",
                f"record {shown(str(st.record_id))} has a newer stored statement "
                f"({shown(r.id)}); this one is kept as history only",
            )
        else:
            outdated.append((r.id, st.id))
    _mark_replaced(s, outdated)
    return [st for st in live if st.superseded_by is None]


def _mark_replaced(s: Session, pairs: list[tuple[str, str]]) -> None:
    by_new: dict[str, list[str]] = defaultdict(list)
    for old, new in pairs:
        by_new[new].append(old)
    for new, olds in by_new.items():
        for part in chunks(olds, IN):
            s.execute(update(S).where(S.c.id.in_(part)).values(replaced_by=new))
            s.execute(update(G).where(G.c.statement_id.in_(part)).values(status="replaced"))


def _replacements(
    s: Session, batch: Batch, live: list[StatementRec], load_id: int, fresh: bool
) -> dict[str, str]:
    """Apply 0.2 ``replacesStatements``; the entity ids that now mean another entity."""
    in_file = {st.id: st for st in batch.statements}
    pairs = [(old, st.id) for st in live for old in st.replaces]
    if not pairs:
        return {}
    aliases: dict[str, str] = {}
    for old, new in pairs:
        held = in_file.get(old)
        if held is not None and held.superseded_by is None:
            held.superseded_by = new
        if old in batch.entities and new in batch.entities:
            aliases[old] = new
    stored = (
        set() if fresh else {r.id for r in rows_in(s, (S.c.id,), S.c.id, (o for o, _ in pairs))}
    )
    _mark_replaced(s, [(o, n) for o, n in pairs if o in stored])
    missing = [
        {
            "id": o,
            "kind": "unknown",
            "record_id": None,
            "statement_date": None,
            "digest": "",
            "replaced_by": n,
            "load_id": load_id,
        }
        for o, n in dict(pairs).items()
        if o not in stored and o not in in_file
    ]
    upsert(s, S, missing, ["id"], ["replaced_by"])
    for old, new in pairs:
        if old in stored and new in batch.entities:
            aliases[old] = new  # a stored entity: its edges move once the new one is written
    return aliases


def _take_over(s: Session, aliases: dict[str, str]) -> None:
    """Stored edges of replaced entities now name their replacements."""
    for old, new in aliases.items():
        s.execute(update(G).where(G.c.owner == old).values(owner=new))
        s.execute(update(G).where(G.c.asset == old).values(asset=new))
        s.execute(update(E).where(E.c.id == old).values(replaced_by=new))


def _placeholders(
    s: Session, batch: Batch, edges: list[EdgeRec], defined: set[str], fresh: bool
) -> list[EntityRec]:
    named: dict[str, list[tuple[EdgeRec, str]]] = defaultdict(list)
    for e in edges:
        for party, fld in ((e.owner, "interestedParty"), (e.asset, "subject")):
            if party not in defined:
                named[party].append((e, fld))
    if not named:
        return []
    stored = set() if fresh else {r.id for r in rows_in(s, (E.c.id,), E.c.id, named)}
    out = []
    for party in sorted(set(named) - stored):
        seen: set[str] = set()
        for e, fld in named[party]:
            if e.statement_id not in seen:
                seen.add(e.statement_id)
                batch.warn(
                    shown(e.statement_id),
                    fld,
                    "unknown_party",
                    f"{shown(party)} is described by no statement in this file or "
                    "before; stored as a placeholder",
                )
        out.append(
            EntityRec(
                party,
                "unknown",
                named[party][0][0].statement_id,
                stub=True,
                details={"placeholder": True},
            )
        )
    return out


def _write_entities(s: Session, entities: list[EntityRec], load_id: int) -> int:
    full = {x.id: x for x in entities if not x.stub}
    stubs = {x.id: x for x in entities if x.stub and x.id not in full}

    def row(x: EntityRec) -> dict[str, Any]:
        return {
            "id": x.id,
            "kind": x.kind,
            "subtype": x.subtype,
            "name": x.name,
            "jurisdiction": x.jurisdiction,
            "placeholder": bool(x.details.pop("placeholder", False)),
            "closed": x.closed,
            "replaced_by": None,
            "statement_id": x.statement_id,
            "details": x.details,
            "load_id": load_id,
        }

    columns = [
        "kind",
        "subtype",
        "name",
        "jurisdiction",
        "placeholder",
        "closed",
        "statement_id",
        "details",
        "load_id",
    ]
    upsert(s, E, [row(x) for x in full.values()], ["id"], columns)
    upsert(s, E, [row(x) for x in stubs.values()], ["id"], [])
    for part in chunks(list(full), IN):
        s.execute(delete(ID).where(ID.c.entity_id.in_(part)))
    ids = {
        (x.id, scheme, value): normalized(value)
        for x in (*full.values(), *stubs.values())
        for scheme, value in x.identifiers
    }
    rows = [{"entity_id": e, "scheme": sc, "value": v, "norm": n} for (e, sc, v), n in ids.items()]
    upsert(s, ID, rows, ["entity_id", "scheme", "value"], [])
    return len(full) + len(stubs)


def _write_edges(s: Session, edges: list[EdgeRec], load_id: int) -> int:
    rows = {
        e.edge_id: {
            "edge_id": e.edge_id,
            "owner": e.owner,
            "asset": e.asset,
            "interest": e.interest,
            "interest_type": e.interest_type,
            "share_min": e.share_min,
            "share_max": e.share_max,
            "min_inclusive": e.min_inclusive,
            "max_inclusive": e.max_inclusive,
            "joint_group": e.joint_group,
            "direct": e.direct,
            "beneficial": e.beneficial,
            "summary": e.summary,
            "start_date": e.start_date,
            "end_date": e.end_date,
            "statement_id": e.statement_id,
            "status": e.status,
            "source": e.source,
            "load_id": load_id,
        }
        for e in edges
    }
    cols = [c for c in next(iter(rows.values()), {}) if c != "edge_id"]
    upsert(s, G, list(rows.values()), ["edge_id"], cols)
    return len(rows)


def _write_statements(s: Session, statements: list[StatementRec], load_id: int) -> int:
    rows = {
        st.id: {
            "id": st.id,
            "kind": st.kind,
            "record_id": st.record_id,
            "statement_date": st.date,
            "digest": st.digest,
            "replaced_by": st.superseded_by,
            "load_id": load_id,
        }
        for st in statements
    }
    upsert(
        s,
        S,
        list(rows.values()),
        ["id"],
        ["kind", "record_id", "statement_date", "digest", "replaced_by", "load_id"],
    )
    return len(rows)


__all__ = ["Written", "write"]
