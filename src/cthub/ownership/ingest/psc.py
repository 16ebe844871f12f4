"""UK Companies House PSC snapshot: one ``{company_number, data}`` record per line.

The bulk snapshot is JSON Lines; excerpts wrapped in a JSON array are read the same way. The
trailing ``totals#persons-of-significant-control-snapshot`` record and the register
``persons-with-significant-control-statement`` / ``exemptions`` records carry no party and are
counted but not stored.

Ids: the company is ``gb-coh:<company_number>`` (a stub: the snapshot does not name it). A
corporate PSC registered in the UK (``identification.country_registered`` / ``place_registered``
names England, Wales, Scotland, Northern Ireland, the UK or Companies House) with a
``registration_number`` is ``gb-coh:<number>`` too, so chains of UK companies connect; any other
PSC is ``psc:<company>/<psc id>`` from ``links.self``. The statement id is the record's ``etag``
and the record id its ``links.self``, so a later snapshot's version of the record replaces it.

Natures of control map to share bands by the Companies House wording (``psc_descriptions.yml``,
``short_description``): "more than 25% but not more than 50%" is (0.25, 0.50], "more than 50%
but less than 75%" (0.50, 0.75), "75% or more" [0.75, 1.00], and the overseas-entity "more than
25%" (0.25, 1.00]. ``-as-trust`` / ``-as-firm`` natures are held through a trust or firm and
are stored as indirect.
"""

from __future__ import annotations

import re
from typing import Any

from cthub.ownership.ingest.checks import Seen, finish, latest_per_record
from cthub.ownership.ingest.codelists import psc_natures
from cthub.ownership.ingest.reading import Document
from cthub.ownership.ingest.records import Batch, EdgeRec, EntityRec, StatementRec
from cthub.ownership.ingest.values import clean, digest, jurisdiction, parse_date, text

_COMPANY = re.compile(r"^[A-Z0-9]{8}$")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,120}")  # an etag
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")
_UK = (
    "england",
    "wales",
    "scotland",
    "northern ireland",
    "united kingdom",
    "uk",
    "great britain",
    "companies house",
    "cardiff",
    "edinburgh",
    "belfast",
)
_SKIP = ("persons-with-significant-control-statement", "exemptions", "psc-statement")


def company_number(value: Any) -> str | None:
    """A Companies House number: 8 characters, digits padded with leading zeros."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    number = str(value).strip().upper().replace(" ", "")
    if number.isdigit():
        number = number.zfill(8)
    return number if _COMPANY.match(number) else None


def parse(doc: Document) -> Batch:
    batch = Batch(doc.file, "uk-psc", problems=list(doc.problems))
    seen = Seen(batch)
    held: dict[str, tuple[str, str, dict[str, Any]]] = {}
    for locator, raw in doc.records:
        batch.read += 1
        data = raw.get("data") if isinstance(raw, dict) else None
        kind = data.get("kind") if isinstance(data, dict) else None
        if not isinstance(kind, str):
            batch.problem(locator, "data.kind", "schema", "not a PSC snapshot record; skipped")
            continue
        if kind.startswith("totals#") or kind in _SKIP or not isinstance(data, dict):
            continue
        company = company_number(raw.get("company_number"))
        if company is None:
            batch.problem(
                locator,
                "company_number",
                "schema",
                f"{str(raw.get('company_number'))[:20]!r} is not a company number; skipped",
            )
            continue
        st = _statement(batch, seen, locator, raw, data, company)
        if st is not None:
            batch.statements.append(st)
            held[st.id] = (company, kind, data)
    latest, superseded = latest_per_record(batch.statements)
    for older, newer in superseded:
        older.superseded_by = newer.id
    for st in latest.values():
        company, kind, data = held[st.id]
        _record(batch, st, company, kind, data)
    finish(batch)
    return batch


def _statement(
    batch: Batch, seen: Seen, locator: str, raw: dict[str, Any], data: dict[str, Any], company: str
) -> StatementRec | None:
    dig = digest(raw)
    etag = data.get("etag")
    sid = etag if isinstance(etag, str) and _TOKEN.fullmatch(etag) else dig[:40]
    if not seen.first(sid, dig):
        return None
    links = data.get("links")
    link = links.get("self") if isinstance(links, dict) else None
    if not isinstance(link, str) or not link.strip():
        batch.warn(sid, "data.links.self", "schema", "missing; the etag identifies the record")
        link = f"/company/{company}/psc/{sid}"
    link = clean(link, 180)
    when = raw.get("ContentDate") or data.get("notified_on")
    return StatementRec(
        f"psc:{sid}",
        "relationship",
        dig,
        record_id=f"psc:{link.strip()[:180]}",
        date=when[:32] if isinstance(when, str) else None,
        status="closed" if data.get("ceased_on") or data.get("ceased") is True else "new",
    )


def _record(batch: Batch, st: StatementRec, company: str, kind: str, data: dict[str, Any]) -> None:
    sid = st.id[4:]
    asset = f"gb-coh:{company}"
    overseas = company.startswith("OE")  # Register of Overseas Entities: a foreign entity
    batch.add_entity(EntityRec(
        asset, "company", st.id, subtype="overseas-entity" if overseas else "",
        jurisdiction=None if overseas else "GB", identifiers=[("gb-coh", company)], stub=True,
    ))  # fmt: skip
    owner = _owner(batch, sid, st, company, kind, data)
    if owner is None:
        return
    batch.add_entity(owner)
    start = parse_date(batch, sid, "data.notified_on", data.get("notified_on"))
    end = parse_date(batch, sid, "data.ceased_on", data.get("ceased_on"))
    natures = data.get("natures_of_control")
    if kind.startswith("super-secure"):
        natures = natures or ["super-secure"]
    elif not isinstance(natures, list) or not natures:
        batch.warn(
            sid,
            "data.natures_of_control",
            "no_interests",
            "no nature of control given: stored as control of unknown nature",
        )
        natures = ["unknown"]
    for i, code in enumerate(natures):
        edge = _edge(batch, sid, i, code, owner.kind == "person")
        edge.edge_id, edge.statement_id, edge.owner, edge.asset = (
            f"{st.id}#{i}",
            st.id,
            owner.id,
            asset,
        )
        edge.start_date, edge.end_date, edge.source = start, end, "UK Companies House PSC register"
        edge.status = "closed" if st.status == "closed" else "current"
        batch.edges.append(edge)


def _edge(batch: Batch, sid: str, i: int, code: Any, person: bool) -> EdgeRec:
    nature = psc_natures().get(code) if isinstance(code, str) else None
    base = EdgeRec("", "", "", "control", str(code)[:120], "", direct="unknown", beneficial=person)
    if nature is None:
        if code not in ("super-secure", "unknown"):
            batch.warn(
                sid,
                f"data.natures_of_control[{i}]",
                "unknown_code",
                f"{str(code)[:80]!r} is not a known nature of control; stored as control",
            )
        return base
    base.interest = nature.interest
    base.direct = "indirect" if nature.via else "unknown"  # "directly or indirectly"
    if nature.low is not None:
        base.share_min, base.min_inclusive = nature.low / 100, nature.low_inclusive
    if nature.high is not None:
        base.share_max, base.max_inclusive = nature.high / 100, nature.high_inclusive
    return base


def _owner(
    batch: Batch, sid: str, st: StatementRec, company: str, kind: str, data: dict[str, Any]
) -> EntityRec | None:
    tail = _UNSAFE.sub("-", str(st.record_id).rstrip("/").rsplit("/", 1)[-1])[:80]
    own_id = f"psc:{company}/{tail}"
    name = text(batch, sid, "data.name", data.get("name")) or ""
    if kind.startswith("individual"):
        return _individual(batch, sid, own_id, st.id, name, data)
    if kind.startswith("super-secure"):
        return EntityRec(own_id, "person", st.id, subtype="super-secure")
    if kind.startswith(("corporate-entity", "legal-person")):
        ident = data.get("identification")
        ident = ident if isinstance(ident, dict) else {}
        where = " ".join(
            str(ident.get(k) or "") for k in ("country_registered", "place_registered")
        )
        number = company_number(ident.get("registration_number"))
        uk = number is not None and any(w in where.lower() for w in _UK)
        country = (
            "GB"
            if uk
            else (
                jurisdiction(ident.get("country_registered"))
                or jurisdiction(ident.get("legal_authority"))
            )
        )
        ids = [("gb-coh", number)] if uk and number else []
        raw_number = ident.get("registration_number")
        if not ids and isinstance(raw_number, str) and raw_number.strip():
            scheme = f"{country.lower()}-registration" if country else "registration"
            ids = [(scheme, raw_number.strip()[:100])]
        return EntityRec(
            f"gb-coh:{number}" if uk else own_id,
            "company",
            st.id,
            name=name,
            subtype=kind.removesuffix("-person-with-significant-control")[:60],
            jurisdiction=country,
            identifiers=ids,
        )
    batch.problem(sid, "data.kind", "unknown_code", f"{kind[:60]!r} is not a PSC kind; skipped")
    return None


#: Nationalities as Companies House writes them (demonyms) that are not country names.
_DEMONYMS = {"british": "GB", "english": "GB", "scottish": "GB", "welsh": "GB",
             "northern irish": "GB", "irish": "IE", "american": "US", "french": "FR",
             "german": "DE", "italian": "IT", "spanish": "ES", "dutch": "NL", "chinese": "CN",
             "indian": "IN", "russian": "RU", "polish": "PL", "swiss": "CH"}  # fmt: skip


def _country(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    low = value.strip().lower()
    if low in _DEMONYMS:
        return _DEMONYMS[low]
    return "GB" if low in _UK else jurisdiction(value)


def _individual(
    batch: Batch, sid: str, own_id: str, stored: str, name: str, data: dict[str, Any]
) -> EntityRec:
    parts = data.get("name_elements")
    if not name and isinstance(parts, dict):
        keys = ("forename", "middle_name", "surname")
        name = " ".join(str(parts[k]) for k in keys if isinstance(parts.get(k), str))
        name = text(batch, sid, "data.name_elements", name) or ""
    born = data.get("date_of_birth")
    details: dict[str, Any] = {}
    if isinstance(born, dict) and isinstance(born.get("year"), int):
        month = born.get("month") if isinstance(born.get("month"), int) else None
        details["birth_date"] = f"{born['year']:04d}" + (f"-{month:02d}" if month else "")
    country = _country(data.get("nationality")) or _country(data.get("country_of_residence"))
    if country:
        details["nationalities"] = [country]
    return EntityRec(
        own_id,
        "person",
        stored,
        name=name,
        subtype="individual",
        jurisdiction=country,
        details=details,
    )


__all__ = ["company_number", "parse"]
