"""BODS 0.2 and 0.3: the statement model (entity, person and ownership-or-control statements).

Ids: an entity or person is ``bods:<statementID>`` (0.2 has no record id); an interest is the
edge ``bods:<statementID>#<index>``. Relationships are resolved after the whole file is read,
since a statement may refer to one further down. ``replacesStatements`` is passed to the store,
which marks the replaced statements' edges ``replaced`` (in this load or a later one).

Schema deviations that do not change the meaning (missing ``isComponent``, a ``statementID``
under 32 characters, ``source.type`` as a string, ``retrievedAt`` as a date) are warnings and
the statement is imported, as real publishers (GLEIF, the Danish CVR via Open Ownership) send
them. A statement is skipped only when its id, its type or a relationship's subject is
unusable.
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
from cthub.ownership.ingest.checks import Seen, finish
from cthub.ownership.ingest.reading import Document
from cthub.ownership.ingest.records import Batch, EntityRec, StatementRec
from cthub.ownership.ingest.values import digest, ident, jurisdiction, parse_date, text

_KINDS = {
    "entityStatement": "entity",
    "personStatement": "person",
    "ownershipOrControlStatement": "relationship",
}


def parse(doc: Document) -> Batch:
    batch = Batch(doc.file, "bods-0.2", problems=list(doc.problems))
    seen = Seen(batch)
    relationships: list[tuple[str, dict[str, Any], str]] = []
    for locator, raw in doc.records:
        batch.read += 1
        if not isinstance(raw, dict):
            batch.problem(locator, "", "schema", "a statement must be a JSON object; skipped")
            continue
        sid = ident(batch, locator, "statementID", raw.get("statementID"))
        if sid is None or not seen.first(sid, dig := digest(raw)):
            continue
        kind = _KINDS.get(raw.get("statementType"))  # type: ignore[arg-type]
        if kind is None:
            batch.problem(
                sid,
                "statementType",
                "schema",
                f"{str(raw.get('statementType'))[:60]!r} is not a statement type; skipped",
            )
            continue
        version = _version(raw)
        _envelope(batch, sid, raw)
        stored = f"bods:{sid}"
        batch.statements.append(
            StatementRec(
                stored,
                kind,
                dig,
                date=_date_text(raw.get("statementDate")),
                replaces=_replaces(batch, sid, raw.get("replacesStatements")),
            )
        )
        if kind == "relationship":
            relationships.append((sid, raw, version))
        elif kind == "entity":
            batch.add_entity(_entity(batch, sid, raw))
        else:
            batch.add_entity(_person(batch, sid, raw))
    for sid, raw, version in relationships:
        _relationship(batch, sid, raw, version)
    joint_groups(batch)
    finish(batch)
    return batch


def _version(raw: dict[str, Any]) -> str:
    details = raw.get("publicationDetails")
    version = details.get("bodsVersion") if isinstance(details, dict) else None
    return version if isinstance(version, str) and version.startswith("0.") else "0.2"


def _date_text(value: Any) -> str | None:
    return value[:32] if isinstance(value, str) else None


def _envelope(batch: Batch, sid: str, raw: dict[str, Any]) -> None:
    """Warnings for schema deviations that leave the statement usable."""
    if not 32 <= len(sid) <= 64:
        batch.warn(
            sid, "statementID", "schema", f"{len(sid)} characters; the schema asks for 32 to 64"
        )
    if not isinstance(raw.get("isComponent"), bool):
        batch.warn(sid, "isComponent", "schema", "required boolean missing; read as false")
    details = raw.get("publicationDetails")
    if not isinstance(details, dict):
        batch.warn(sid, "publicationDetails", "schema", "required object missing")
    else:
        for key in ("publicationDate", "bodsVersion", "publisher"):
            if key not in details:
                batch.warn(sid, f"publicationDetails.{key}", "schema", "required field missing")
    parse_date(batch, sid, "statementDate", raw.get("statementDate"))
    _source(batch, sid, raw.get("source"))


def _source(batch: Batch, sid: str, source: Any) -> None:
    if source is None:
        return
    if not isinstance(source, dict):
        batch.warn(sid, "source", "schema", "must be an object")
        return
    kinds = source.get("type")
    if kinds is not None and not isinstance(kinds, list):
        batch.warn(sid, "source.type", "schema", "must be an array of source types")
        kinds = [kinds]
    for i, k in enumerate(kinds or []):
        check_code(batch, sid, f"source.type[{i}]", k, "sourceType")
    at = source.get("retrievedAt")
    if isinstance(at, str) and "T" not in at:
        batch.warn(sid, "source.retrievedAt", "schema", "must be a date-time, not a date")
    if "assertedBy" in source and not isinstance(source["assertedBy"], list):
        batch.warn(sid, "source.assertedBy", "schema", "must be an array of agents")


def _replaces(batch: Batch, sid: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        batch.problem(
            sid, "replacesStatements", "schema", "must be an array of statement ids; ignored"
        )
        return ()
    return tuple(f"bods:{v}" for v in value if v != sid)


def _entity(batch: Batch, sid: str, raw: dict[str, Any]) -> EntityRec:
    etype = raw.get("entityType")
    if isinstance(etype, dict):  # 0.4 style, seen in 0.3 drafts
        etype = etype.get("type")
    code = check_code(batch, sid, "entityType", etype, "entityType")
    if etype is None:
        batch.warn(sid, "entityType", "schema", "required field missing; kind unknown")
    where = raw.get("incorporatedInJurisdiction") or raw.get("jurisdiction")
    unspecified = raw.get("unspecifiedEntityDetails")
    details = {
        k: v
        for k, v in (
            ("founded", _iso(parse_date(batch, sid, "foundingDate", raw.get("foundingDate")))),
            (
                "dissolved",
                _iso(parse_date(batch, sid, "dissolutionDate", raw.get("dissolutionDate"))),
            ),
            ("unspecified", unspecified.get("reason") if isinstance(unspecified, dict) else None),
            ("alternate_names", _strings(raw.get("alternateNames"))),
        )
        if v
    }
    return EntityRec(
        id=f"bods:{sid}",
        kind=ENTITY_KINDS.get(code or "", "unknown"),
        statement_id=f"bods:{sid}",
        name=text(batch, sid, "name", raw.get("name")) or "",
        subtype=code or "",
        jurisdiction=jurisdiction(where),
        identifiers=identifiers(batch, sid, "identifiers", raw.get("identifiers")),
        details=details,
    )


def _person(batch: Batch, sid: str, raw: dict[str, Any]) -> EntityRec:
    ptype = check_code(batch, sid, "personType", raw.get("personType"), "personType")
    if raw.get("personType") is None:
        batch.warn(sid, "personType", "schema", "required field missing")
    nationalities = raw.get("nationalities")
    codes = [c for c in (jurisdiction(n) for n in nationalities or [] if isinstance(n, dict)) if c]
    born = parse_date(batch, sid, "birthDate", raw.get("birthDate"))
    pep = raw.get("hasPepStatus")
    exposure = raw.get("politicalExposure")
    if isinstance(exposure, dict):
        pep = exposure.get("status") == "isPep"
    details = {
        k: v
        for k, v in (
            ("birth_date", str(raw["birthDate"])[:10] if born else None),
            ("nationalities", codes),
            ("pep", pep if isinstance(pep, bool) else None),
        )
        if v is not None and v != []
    }
    return EntityRec(
        id=f"bods:{sid}",
        kind="person",
        statement_id=f"bods:{sid}",
        name=person_name(batch, sid, raw.get("names")),
        subtype=ptype or "",
        jurisdiction=codes[0] if codes else None,
        identifiers=identifiers(batch, sid, "identifiers", raw.get("identifiers")),
        details=details,
    )


def _relationship(batch: Batch, sid: str, raw: dict[str, Any], version: str) -> None:
    subject = raw.get("subject")
    target = subject.get("describedByEntityStatement") if isinstance(subject, dict) else None
    if not isinstance(target, str) or not target:
        batch.problem(
            sid,
            "subject.describedByEntityStatement",
            "schema",
            "the subject must name an entity statement; skipped",
        )
        return
    party = raw.get("interestedParty")
    party = party if isinstance(party, dict) else {}
    owner = party.get("describedByEntityStatement") or party.get("describedByPersonStatement")
    if not isinstance(owner, str) or not owner:
        if isinstance(party.get("unspecified"), dict):
            batch.unspecified += 1  # declared unknown or absent: nothing to link
            return
        batch.problem(
            sid,
            "interestedParty",
            "schema",
            "names no entity, person or unspecified party; skipped",
        )
        return
    owner = ident(batch, sid, "interestedParty", owner)
    target = ident(batch, sid, "subject.describedByEntityStatement", target)
    if owner is None or target is None:
        return
    components = raw.get("componentStatementIDs")
    batch.edges += interest_edges(
        batch,
        sid,
        f"bods:{owner}",
        f"bods:{target}",
        raw.get("interests"),
        version=version,
        has_components=isinstance(components, list) and bool(components),
        source=source_label(raw.get("source"), batch.file),
        stored_id=f"bods:{sid}",
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _strings(value: Any) -> list[str] | None:
    if not isinstance(value, list):
        return None
    return [v[:300] for v in value if isinstance(v, str)][:20] or None


__all__ = ["parse"]
