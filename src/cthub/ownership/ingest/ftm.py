"""FollowTheMoney entities as JSON lines (``{"id", "schema", "properties": {prop: [values]}}``).

``Ownership`` (owner -> asset) and ``Directorship`` (director -> organization) become edges;
``Person`` is a person, ``Company`` / ``Organization`` / ``LegalEntity`` / ``PublicBody`` a
company, and other things that can be owned (``Vessel``, ``RealEstate``, ``Asset``, ...) are
stored with kind ``unknown`` and their schema as subtype. Other schemata (``Sanction``,
``Address``, ...) are skipped. Fragments of one id on several lines are merged, as in an
unaggregated export. Ids are ``ftm:<id>``.

``percentage`` is free text in FtM; ``50``, ``50%``, ``25-50``, ``>25``, ``more than 25``,
``<10`` and ``up to 10`` are read as intervals, anything else is a warning and an unknown
share. ``ownershipType`` / ``role`` mentioning voting, control, board, trustee or nominee
make the edge ``voting`` or ``control``; otherwise an Ownership is ``ownership``.
"""

from __future__ import annotations

import re
from typing import Any

from cthub.ownership.ingest.checks import finish
from cthub.ownership.ingest.reading import Document
from cthub.ownership.ingest.records import Batch, EdgeRec, EntityRec, StatementRec
from cthub.ownership.ingest.values import (
    Share,
    digest,
    ident,
    interval,
    jurisdiction,
    parse_date,
    text,
)

_PARTIES = {
    "Person": "person",
    "Company": "company",
    "Organization": "company",
    "LegalEntity": "company",
    "PublicBody": "company",
}
_THINGS = (
    "Asset",
    "Vessel",
    "RealEstate",
    "Airplane",
    "Security",
    "BankAccount",
    "CryptoWallet",
    "Vehicle",
)
_LINKS = {"Ownership": ("owner", "asset"), "Directorship": ("director", "organization")}
_IDS = {
    "leiCode": "lei",
    "innCode": "ru-inn",
    "ogrnCode": "ru-ogrn",
    "taxNumber": "tax",
    "vatCode": "vat",
    "dunsCode": "duns",
    "swiftBic": "swift",
    "imoNumber": "imo",
    "mmsi": "mmsi",
    "idNumber": "id",
    "passportNumber": "passport",
    "permId": "permid",
    "bvdId": "bvd",
    "uniqueEntityId": "sam-uei",
    "icijId": "icij",
}
_NUM = r"(\d+(?:[.,]\d+)?)"
_EXACT = re.compile(rf"^{_NUM}\s*%?$")
_RANGE = re.compile(rf"^{_NUM}\s*%?\s*(?:-|\u2013|to)\s*{_NUM}\s*%?$")
_ABOVE = re.compile(rf"^(>=|≥|>|more than|over|above|at least)\s*{_NUM}\s*%?$")
_BELOW = re.compile(rf"^(<=|≤|<|less than|under|below|up to|at most)\s*{_NUM}\s*%?$")
_CONTROL = ("control", "director", "board", "trustee", "nominee", "manag", "protector")


def parse(doc: Document) -> Batch:
    batch = Batch(doc.file, "ftm", problems=list(doc.problems))
    merged: dict[str, tuple[str, dict[str, list[Any]], dict[str, Any]]] = {}
    for locator, raw in doc.records:
        batch.read += 1
        if not isinstance(raw, dict) or not isinstance(raw.get("properties"), dict):
            batch.problem(locator, "properties", "schema", "not an FtM entity; skipped")
            continue
        eid = ident(batch, locator, "id", raw.get("id"))
        schema = raw.get("schema")
        if eid is None or not isinstance(schema, str):
            if eid is not None:
                batch.problem(eid, "schema", "schema", "missing or not a string; skipped")
            continue
        held = merged.setdefault(eid, (schema, {}, raw))
        if held[0] != schema:
            batch.warn(
                eid,
                "schema",
                "schema_conflict",
                f"fragment says {schema[:40]}, first said {held[0][:40]}; the first is kept",
            )
        for prop, values in raw["properties"].items():
            bucket = held[1].setdefault(str(prop), [])
            bucket += [
                v for v in (values if isinstance(values, list) else [values]) if v not in bucket
            ]
    for eid, (schema, props, raw) in merged.items():
        if schema in _LINKS:
            _link(batch, eid, schema, props, raw)
        elif schema in _PARTIES or schema in _THINGS:
            batch.add_entity(_entity(batch, eid, schema, props))
            batch.statements.append(_statement(eid, "entity", props, raw))
    finish(batch)
    return batch


def _statement(
    eid: str, kind: str, props: dict[str, list[Any]], raw: dict[str, Any]
) -> StatementRec:
    when = raw.get("last_change") or raw.get("last_seen") or raw.get("first_seen")
    return StatementRec(
        f"ftm:{eid}",
        kind,
        digest([raw.get("schema"), props]),
        record_id=f"ftm:{eid}",
        date=when[:32] if isinstance(when, str) else None,
    )


def _first(batch: Batch, eid: str, props: dict[str, list[Any]], prop: str) -> str | None:
    values = props.get(prop) or []
    return text(batch, eid, f"properties.{prop}", values[0]) if values else None


def _entity(batch: Batch, eid: str, schema: str, props: dict[str, list[Any]]) -> EntityRec:
    country = next(
        (
            c
            for p in ("jurisdiction", "country", "nationality", "flag")
            for c in (jurisdiction(v) for v in props.get(p, []))
            if c
        ),
        None,
    )
    ids = []
    for prop, scheme in (*_IDS.items(), ("registrationNumber", "")):
        for value in props.get(prop, [])[:10]:
            clean = text(batch, eid, f"properties.{prop}", value, 200)
            if clean:
                reg = "gb-coh" if country == "GB" else "registration"
                ids.append((scheme or reg, clean))
    details = {"birth_date": _first(batch, eid, props, "birthDate")}
    return EntityRec(
        f"ftm:{eid}",
        _PARTIES.get(schema, "unknown"),
        f"ftm:{eid}",
        name=_first(batch, eid, props, "name") or "",
        subtype=schema[:60],
        jurisdiction=country,
        identifiers=ids,
        details={k: v for k, v in details.items() if v},
    )


def _link(
    batch: Batch, eid: str, schema: str, props: dict[str, list[Any]], raw: dict[str, Any]
) -> None:
    from_prop, to_prop = _LINKS[schema]
    owners = [
        v for v in props.get(from_prop, []) if ident(batch, eid, f"properties.{from_prop}", v)
    ]
    assets = [v for v in props.get(to_prop, []) if ident(batch, eid, f"properties.{to_prop}", v)]
    if not owners or not assets:
        missing = from_prop if not owners else to_prop
        batch.problem(
            eid, f"properties.{missing}", "schema", f"{schema} without {missing}; skipped"
        )
        return
    st = _statement(eid, "relationship", props, raw)
    batch.statements.append(st)
    kind_text = " ".join(str(v) for p in ("ownershipType", "role") for v in props.get(p, []))
    interest = "control" if schema == "Directorship" else _interest(kind_text)
    share = _share(batch, eid, props.get("percentage", []))
    if share is None:  # out of 0..100 or empty: reported, the link is not imported
        return
    start = parse_date(batch, eid, "properties.startDate", (props.get("startDate") or [None])[0])
    end = parse_date(batch, eid, "properties.endDate", (props.get("endDate") or [None])[0])
    source = (
        _first(batch, eid, props, "publisher")
        or _first(batch, eid, props, "sourceUrl")
        or batch.file
    )
    i = 0
    for owner in owners[:50]:
        for asset in assets[:50]:
            batch.edges.append(
                EdgeRec(
                    f"{st.id}#{i}",
                    f"ftm:{owner}",
                    f"ftm:{asset}",
                    interest,
                    (kind_text or schema.lower())[:60],
                    st.id,
                    share.low,
                    share.high,
                    share.low_inclusive,
                    share.high_inclusive,
                    start_date=start,
                    end_date=end,
                    source=source[:300],
                )
            )
            i += 1


def _interest(kind_text: str) -> str:
    low = kind_text.lower()
    if "vot" in low:
        return "voting"
    return "control" if any(w in low for w in _CONTROL) else "ownership"


def _share(batch: Batch, eid: str, values: list[Any]) -> Share | None:
    if not values:
        return Share()
    raw = str(values[0]).strip().lower().replace(",", ".")
    fld = "properties.percentage"
    found: Share | None = None
    if m := _EXACT.match(raw):
        found = interval(batch, eid, fld, float(m[1]), float(m[1]), True, True)
    elif m := _RANGE.match(raw):
        found = interval(batch, eid, fld, float(m[1]), float(m[2]), True, True)
    elif m := _ABOVE.match(raw):
        found = interval(batch, eid, fld, float(m[2]), 100.0, m[1] in (">=", "≥", "at least"), True)
    elif m := _BELOW.match(raw):
        found = interval(
            batch,
            eid,
            fld,
            0.0,
            float(m[2]),
            True,
            m[1] not in ("<", "less than", "under", "below"),
        )
    else:
        batch.warn(eid, fld, "bad_share", f"{raw[:40]!r} is not a percentage; share unknown")
        return Share()
    return found


__all__ = ["parse"]
