"""BODS 0.4: the record model (statements about entity, person and relationship records).

Ids: an entity or person is ``bods:<recordId>``, an interest is ``bods:<statementId>#<index>``.
Several statements about one record are its history; only the latest (``statementDate``, then
file order) is imported and the others are stored as superseded, so the store can mark older
stored statements of the record ``replaced`` too. ``recordStatus: closed`` closes the record:
its edges are stored with status ``closed`` and an entity is flagged closed.

Required by ``statement.json`` (0.4): ``statementId``, ``declarationSubject``, ``recordId``,
``recordType``, ``recordDetails``. A missing ``declarationSubject`` is a warning; the others
make the statement unusable and it is skipped.
"""

from __future__ import annotations

from typing import Any

from cthub.ownership.ingest.bods import (
    ENTITY_KINDS,
    check_code,
    identifiers,
    interest_edges,
    joint_groups,
    person_name,
    source_label,
)
from cthub.ownership.ingest.checks import Seen, finish, latest_per_record
from cthub.ownership.ingest.reading import Document
from cthub.ownership.ingest.records import Batch, EntityRec, StatementRec
from cthub.ownership.ingest.values import digest, ident, jurisdiction, parse_date, text

_TYPES = ("entity", "person", "relationship")


def parse(doc: Document) -> Batch:
    batch = Batch(doc.file, "bods-0.4", problems=list(doc.problems))
    seen = Seen(batch)
    raws: dict[str, dict[str, Any]] = {}
    for locator, raw in doc.records:
        batch.read += 1
        st = _statement(batch, seen, locator, raw)
        if st is not None:
            batch.statements.append(st)
            raws[st.id] = raw
    latest, superseded = latest_per_record(batch.statements)
    for older, newer in superseded:
        older.superseded_by = newer.id
        if older.kind != newer.kind:
            batch.warn(
                newer.id[5:],
                "recordType",
                "record_type_changed",
                f"record {newer.record_id} was a {older.kind}, now a {newer.kind}",
            )
    for st in latest.values():
        _record(batch, st, raws[st.id])
    joint_groups(batch)
    finish(batch)
    return batch


def _statement(batch: Batch, seen: Seen, locator: str, raw: Any) -> StatementRec | None:
    if not isinstance(raw, dict):
        batch.problem(locator, "", "schema", "a statement must be a JSON object; skipped")
        return None
    sid = ident(batch, locator, "statementId", raw.get("statementId"))
    if sid is None or not seen.first(sid, dig := digest(raw)):
        return None
    rid = ident(batch, sid, "recordId", raw.get("recordId"))
    rtype = raw.get("recordType")
    if rtype not in _TYPES:
        batch.problem(
            sid,
            "recordType",
            "schema",
            f"{str(rtype)[:40]!r} is not entity, person or relationship; skipped",
        )
        return None
    if rid is None or not isinstance(raw.get("recordDetails"), dict):
        if rid is not None:
            batch.problem(sid, "recordDetails", "schema", "required object missing; skipped")
        return None
    if not 32 <= len(sid) <= 64:
        batch.warn(
            sid, "statementId", "schema", f"{len(sid)} characters; the schema asks for 32 to 64"
        )
    if not isinstance(raw.get("declarationSubject"), str):
        batch.warn(sid, "declarationSubject", "schema", "required field missing")
    parse_date(batch, sid, "statementDate", raw.get("statementDate"))
    status = check_code(batch, sid, "recordStatus", raw.get("recordStatus"), "recordStatus")
    date = raw.get("statementDate")
    return StatementRec(
        f"bods:{sid}",
        str(rtype),
        dig,
        record_id=f"bods:{rid}",
        date=date[:32] if isinstance(date, str) else None,
        status=status or "new",
    )


def _record(batch: Batch, st: StatementRec, raw: dict[str, Any]) -> None:
    sid, details = st.id[5:], raw["recordDetails"]
    closed = st.status == "closed"
    if not isinstance(details.get("isComponent"), bool):
        batch.warn(sid, "recordDetails.isComponent", "schema", "required boolean missing")
    if st.kind == "relationship":
        edges = _relationship(batch, sid, st, raw, details)
        for e in edges:
            e.status = "closed" if closed else "current"
        batch.edges += edges
        return
    entity = _entity(batch, sid, details) if st.kind == "entity" else _person(batch, sid, details)
    entity.id, entity.statement_id, entity.closed = str(st.record_id), st.id, closed
    batch.add_entity(entity)


def _entity(batch: Batch, sid: str, d: dict[str, Any]) -> EntityRec:
    etype = d.get("entityType")
    code = subtype = None
    if isinstance(etype, dict):
        code = check_code(
            batch, sid, "recordDetails.entityType.type", etype.get("type"), "entityType"
        )
        subtype = etype.get("subtype") if isinstance(etype.get("subtype"), str) else None
    else:
        batch.warn(sid, "recordDetails.entityType", "schema", "required object missing")
    founded = parse_date(batch, sid, "recordDetails.foundingDate", d.get("foundingDate"))
    listing = d.get("publicListing")
    extra = {
        "founded": founded.isoformat() if founded else None,
        "listed": listing.get("hasPublicListing") if isinstance(listing, dict) else None,
        "unspecified": _reason(d.get("unspecifiedEntityDetails")),
    }
    return EntityRec(
        id="",
        kind=ENTITY_KINDS.get(code or "", "unknown"),
        statement_id="",
        name=text(batch, sid, "recordDetails.name", d.get("name")) or "",
        subtype=(subtype or code or "")[:60],
        jurisdiction=jurisdiction(d.get("jurisdiction")),
        identifiers=identifiers(batch, sid, "recordDetails.identifiers", d.get("identifiers")),
        details={k: v for k, v in extra.items() if v is not None},
    )


def _person(batch: Batch, sid: str, d: dict[str, Any]) -> EntityRec:
    ptype = check_code(batch, sid, "recordDetails.personType", d.get("personType"), "personType")
    nats = d.get("nationalities")
    codes = [c for c in (jurisdiction(n) for n in nats or [] if isinstance(n, dict)) if c]
    born = parse_date(batch, sid, "recordDetails.birthDate", d.get("birthDate"))
    exposure = d.get("politicalExposure")
    extra = {
        "birth_date": str(d["birthDate"])[:10] if born else None,
        "nationalities": codes or None,
        "pep": exposure.get("status") == "isPep" if isinstance(exposure, dict) else None,
        "unspecified": _reason(d.get("unspecifiedPersonDetails")),
    }
    return EntityRec(
        id="",
        kind="person",
        statement_id="",
        name=person_name(batch, sid, d.get("names")),
        subtype=ptype or "",
        jurisdiction=codes[0] if codes else None,
        identifiers=identifiers(batch, sid, "recordDetails.identifiers", d.get("identifiers")),
        details={k: v for k, v in extra.items() if v is not None},
    )


def _relationship(
    batch: Batch, sid: str, st: StatementRec, raw: dict[str, Any], d: dict[str, Any]
) -> list[Any]:
    subject, party = d.get("subject"), d.get("interestedParty")
    for name, value in (("subject", subject), ("interestedParty", party)):
        if isinstance(value, dict) and isinstance(value.get("reason"), str):
            batch.unspecified += 1  # declared unknown or absent: nothing to link
            return []
        if not isinstance(value, str) or not value:
            batch.problem(
                sid,
                f"recordDetails.{name}",
                "schema",
                "must be a recordId or an unspecified-record object; skipped",
            )
            return []
    party = ident(batch, sid, "recordDetails.interestedParty", party)
    subject = ident(batch, sid, "recordDetails.subject", subject)
    if party is None or subject is None:
        return []
    components = d.get("componentRecords")
    return interest_edges(
        batch,
        sid,
        f"bods:{party}",
        f"bods:{subject}",
        d.get("interests"),
        version=_version(raw),
        has_components=isinstance(components, list) and bool(components),
        source=source_label(raw.get("source"), batch.file),
        stored_id=st.id,
    )


def _version(raw: dict[str, Any]) -> str:
    details = raw.get("publicationDetails")
    version = details.get("bodsVersion") if isinstance(details, dict) else None
    return version if isinstance(version, str) and version.startswith("0.") else "0.4"


def _reason(value: Any) -> str | None:
    return value.get("reason") if isinstance(value, dict) else None


__all__ = ["parse"]
