"""Parsed messages into the store: flights upserted, manifests merged, PNR pushes versioned.

One file is one transaction: a file that fails to parse or to store leaves no flight, passenger
or PNR of it behind. A PNR pushed again (T-72/48/24 h, at close) becomes a new version only when
its content changed, and the version records what changed since the previous one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput
from cthub.travel import codec
from cthub.travel.models import Flight, Pnr, PnrVersion, TravelFile, TravelHit, TravelPassenger
from cthub.travel.records import FlightKey, Leg, Message, ParseResult, Passenger
from cthub.travel.records import Pnr as PnrRecord

#: Warnings kept per file in the store (the CLI prints them all).
MAX_STORED_WARNINGS = 500


@dataclass
class StoredFile:
    """What one file added: flights touched, passengers and PNRs stored, new PNR versions."""

    file: str
    file_id: int
    kind: str
    flights: list[int] = field(default_factory=list)
    passengers: int = 0
    pnrs: int = 0
    pnr_versions: int = 0
    unchanged_pnrs: int = 0
    warnings: int = 0


_TITLE = re.compile(r"(MRS|MR|MS|MISS|MSTR|DR|CHD|INF)$")
_NUMBER = re.compile(r"^\d{1,4}[A-Z]?$")
#: How far ahead a departure may be (carriers push at most days ahead; schedules a year).
MAX_AHEAD = dt.timedelta(days=400)


def person_key(data: dict[str, Any]) -> str:
    """One person across their rows of a flight (API and PNR): letters of surname and given
    names, without the title PNRs append (``JOHNMR``)."""
    surname = re.sub(r"[^A-Z]", "", str(data.get("surname", "")).upper())
    given = _TITLE.sub("", re.sub(r"[^A-Z]", "", str(data.get("given", "")).upper()))
    return f"{surname}|{given}"


def passenger_key(p: Passenger, locator: str = "") -> str:
    """A stable key for one traveller on one flight: the carrier's reference, else identity."""
    if locator:  # a PNR traveller: the same person in every push, documents added or not
        given = _TITLE.sub("", re.sub(r"[^A-Z]", "", p.given.upper()))
        basis = f"{locator}|{re.sub(r'[^A-Z]', '', p.surname.upper())}|{given}"
    elif p.ref:
        basis = f"ref|{p.ref}"
    else:
        doc = p.documents[0].number if p.documents else ""
        born = p.birth_date.isoformat() if p.birth_date else ""
        basis = f"{p.role}|{p.surname}|{p.given}|{born}|{doc}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def _flight_for(s: Session, org_id: int | None, leg: Leg, file: str) -> Flight:
    key = leg.key
    if key is not None:  # carriers pad flight numbers (0123); the parsers strip the zeros
        key = FlightKey(
            key.carrier, key.number.lstrip("0") or key.number, key.departure_date, key.origin
        )
    if key is not None and not _NUMBER.match(key.number):
        raise InvalidInput(
            "{file}: the flight number {number} is not 1 to 4 digits and an optional letter.",
            hint="Check the TDT (PAXLST) or TVL (PNRGOV) segment.",
            file=file,
            number=key.number[:20],
        )
    if key is not None and key.departure_date > (utcnow() + MAX_AHEAD).date():
        raise InvalidInput(
            "{file}: the flight {flight} departs on {date}, more than 400 days ahead.",
            hint="Check the departure date (DTM+189 or TVL).",
            file=file,
            flight=f"{key.carrier}{key.number}",
            date=key.departure_date.isoformat(),
        )
    if key is None:
        raise InvalidInput(
            "{file}: the flight {flight} has no departure date.",
            hint="Check the TDT/LOC/DTM (PAXLST) or TVL (PNRGOV) segments of the message.",
            file=file,
            flight=f"{leg.carrier}{leg.number}",
        )
    found = s.scalar(
        select(Flight).where(
            Flight.org_id.is_(None) if org_id is None else Flight.org_id == org_id,
            Flight.carrier == key.carrier[:3],
            Flight.number == key.number[:8],
            Flight.departure_date == key.departure_date,
            Flight.origin == key.origin[:5],
        )
    )
    if found is None:
        found = Flight(
            org_id=org_id,
            carrier=key.carrier[:3],
            number=key.number[:8],
            origin=key.origin[:5],
            destination=leg.destination[:5],
            departure_date=key.departure_date,
            departure=leg.departure,
            arrival=leg.arrival,
            legs=[],
        )
        s.add(found)
        s.flush()
    else:
        found.arrival = found.arrival or leg.arrival
        found.updated_at = utcnow()
    return found


def _merge_legs(flight: Flight, legs: tuple[Leg, ...]) -> None:
    known = list(flight.legs or [])
    for leg in legs:
        data = codec.dump(leg)
        if data not in known:
            known.append(data)
    flight.legs = known


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[dict[str, Any]]:
    """What changed between two stored PNR states, field by field (lists as added/removed)."""
    out: list[dict[str, Any]] = []
    for name in sorted(set(old) | set(new)):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            b, a = before or [], after or []
            added = [x for x in a if x not in b]
            removed = [x for x in b if x not in a]
            out.append({"field": name, "added": added, "removed": removed})
        else:
            out.append({"field": name, "from": before, "to": after})
    return out


def _store_pnrs(
    s: Session, flight: Flight, recs: tuple[PnrRecord, ...], file_id: int, result: StoredFile
) -> None:
    """Store one message's PNR pushes for one flight: new PNRs, new versions with their
    changes, unchanged pushes counted; travellers upserted. Rows are read once per message and
    written in one flush (a query per PNR cost more than the parsing)."""
    locators = {rec.locator[:20] for rec in recs}
    pnrs = {
        r.locator: r
        for r in s.scalars(select(Pnr).where(Pnr.flight_id == flight.id, Pnr.locator.in_(locators)))
    }
    known = {
        r.key: r
        for r in s.scalars(
            select(TravelPassenger).where(
                TravelPassenger.flight_id == flight.id, TravelPassenger.source == "pnr"
            )
        )
    }
    counts: dict[str, int] = {}
    for rec in recs:
        counts[rec.locator[:20]] = counts.get(rec.locator[:20], 0) + 1
    fresh = [r for r in recs if r.locator[:20] not in pnrs and counts[r.locator[:20]] == 1]
    if fresh:  # the first push of a PNR, the usual case: written in bulk
        _insert_new_pnrs(s, flight, fresh, file_id, known, result)
        recs = tuple(r for r in recs if r.locator[:20] in pnrs or counts[r.locator[:20]] > 1)
        if not recs:
            return
    states = [_pnr_version(s, flight, rec, pnrs, file_id, result) for rec in recs]
    s.flush()  # ids of new PNRs, for their versions and travellers
    present: dict[int, set[str]] = {}
    for rec, (row, version) in zip(recs, states, strict=True):
        if version is not None:
            version.pnr_id = row.id
            s.add(version)
        keys = present.setdefault(row.id, set())
        for traveller in rec.travellers:
            keys.add(_upsert_traveller(s, flight, traveller, file_id, row, rec.locator, known))
            result.passengers += 1
        result.pnrs += 1
    s.flush()
    _drop_gone(s, present)


def _insert_new_pnrs(
    s: Session,
    flight: Flight,
    recs: list[PnrRecord],
    file_id: int,
    known: dict[str, TravelPassenger],
    result: StoredFile,
) -> None:
    """PNRs seen for the first time: one multi-row insert each for the PNRs (with their new
    ids), their first versions and their travellers (raw ``executemany``, as manifests are)."""
    data = [codec.dump(rec) for rec in recs]
    text = [_to_json(d) for d in data]  # the PNR and its first version hold the same state
    now = utcnow()
    _insert_rows(s, Pnr.__tablename__, _PNR_COLUMNS, [
        (flight.org_id, flight.id, rec.locator[:20], 1, t, False, now)
        for rec, t in zip(recs, text, strict=True)
    ])  # fmt: skip
    ids: dict[str, int] = {
        locator: pnr_id
        for locator, pnr_id in s.execute(
            select(Pnr.locator, Pnr.id).where(
                Pnr.flight_id == flight.id, Pnr.locator.in_([r.locator[:20] for r in recs])
            )
        )
    }
    _insert_rows(s, PnrVersion.__tablename__, _VERSION_COLUMNS, [
        (ids[rec.locator[:20]], 1, file_id, t, "[]", False, now)
        for rec, t in zip(recs, text, strict=True)
    ])  # fmt: skip
    travellers: dict[str, tuple[Any, ...]] = {}
    for rec, d in zip(recs, data, strict=True):
        pnr_id = ids[rec.locator[:20]]
        dumped = d.get("travellers") or [codec.dump(p) for p in rec.travellers]
        for p, pdata in zip(rec.travellers, dumped, strict=True):
            key = passenger_key(p, rec.locator)
            row = known.get(key)
            if row is not None:  # booked before under another locator on this flight
                row.pnr_id, row.pnr_locator, row.file_id = pnr_id, rec.locator[:20], file_id
                row.name, row.role, row.data, row.updated_at = p.name[:600], p.role, pdata, now
                row.masked = False
            else:
                travellers[key] = (
                    flight.org_id, flight.id, "pnr", key, pnr_id, p.role, p.name[:600],
                    rec.locator[:20], _to_json(pdata), False, file_id, now,
                )  # fmt: skip
            result.passengers += 1
        result.pnrs += 1
        result.pnr_versions += 1
    if travellers:
        _insert_passengers(s, list(travellers.values()))


def _pnr_version(
    s: Session,
    flight: Flight,
    rec: PnrRecord,
    pnrs: dict[str, Pnr],
    file_id: int,
    result: StoredFile,
) -> tuple[Pnr, PnrVersion | None]:
    """The PNR row for ``rec`` and the version to add (``None`` when the push is unchanged)."""
    data = codec.dump(rec)
    locator = rec.locator[:20]
    row = pnrs.get(locator)
    if row is None:
        row = pnrs[locator] = Pnr(
            org_id=flight.org_id, flight_id=flight.id, locator=locator, version=1, data=data
        )
        s.add(row)
        result.pnr_versions += 1
        return row, PnrVersion(version=1, file_id=file_id, data=data, changes=[])
    if row.data == data:
        result.unchanged_pnrs += 1
        return row, None
    delta = [] if row.masked else changes(row.data, data)
    row.version += 1
    row.data, row.updated_at = data, utcnow()
    if row.masked:
        row.masked = False
    result.pnr_versions += 1
    return row, PnrVersion(version=row.version, file_id=file_id, data=data, changes=delta)


def _upsert_traveller(
    s: Session,
    flight: Flight,
    p: Passenger,
    file_id: int,
    pnr: Pnr,
    locator: str,
    known: dict[str, TravelPassenger],
) -> str:
    key = passenger_key(p, locator)
    row = known.get(key)
    if row is None:
        row = known[key] = TravelPassenger(
            org_id=flight.org_id, flight_id=flight.id, source="pnr", key=key, role=p.role
        )
        s.add(row)
    row.name, row.role = p.name[:600], p.role
    row.pnr_locator = (locator or p.pnr_locator)[:20]
    row.pnr_id, row.data, row.file_id, row.updated_at = pnr.id, codec.dump(p), file_id, utcnow()
    if row.masked:  # new data for a masked row: masked again at once (see ingest)
        row.masked = False
    return key


def _drop_gone(s: Session, present: dict[int, set[str]]) -> None:
    """Travellers the latest push of their PNR no longer carries (cancelled, split), unless a
    hit refers to them."""
    gone = [
        r
        for r in s.scalars(
            select(TravelPassenger).where(
                TravelPassenger.pnr_id.in_(list(present)), TravelPassenger.source == "pnr"
            )
        )
        if r.key not in present.get(r.pnr_id or 0, set())
    ]
    if not gone:
        return
    kept = set(
        s.scalars(
            select(TravelHit.passenger_id).where(TravelHit.passenger_id.in_([g.id for g in gone]))
        )
    )
    for row in gone:
        if row.id not in kept:
            s.delete(row)


_INSERT_COLUMNS = (
    "org_id",
    "flight_id",
    "source",
    "key",
    "pnr_id",
    "role",
    "name",
    "pnr_locator",
    "data",
    "masked",
    "file_id",
    "updated_at",
)


def _to_json(data: Any) -> str:
    """Compact JSON text of a stored record (orjson: a fifth of ``json.dumps``'s time here)."""
    return orjson.dumps(data).decode()


def _insert_passengers(s: Session, rows: list[tuple[Any, ...]]) -> None:
    """New manifest (or PNR traveller) rows: see ``_insert_rows``."""
    _insert_rows(s, TravelPassenger.__tablename__, _INSERT_COLUMNS, rows)


def _insert_rows(s: Session, table: str, columns: tuple[str, ...], rows: list[Any]) -> None:
    """One DB-API ``executemany``: JSON columns (``data``, ``changes``) encoded by the caller,
    the last column a UTC timestamp.

    The ORM (and even a Core insert) spends more per row on parameter processing than the
    parser spends on the passenger; this is the ingest hot path, so it goes to the driver.
    """
    conn = s.connection()
    dialect = conn.dialect
    cols = ", ".join(columns)
    if dialect.paramstyle == "qmark":
        marks = ", ".join("?" for _ in columns)
    else:
        marks = ", ".join("CAST(%s AS JSON)" if c in _JSON else "%s" for c in columns)
    if dialect.name == "sqlite":  # UTCDateTime stores naive UTC text on SQLite
        stamps = {r[-1] for r in rows}  # one ``now`` for the whole file: formatted once
        text = {t: t.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") for t in stamps}
        rows = [(*r[:-1], text[r[-1]]) for r in rows]
    conn.exec_driver_sql(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)  # noqa: S608


_JSON = ("data", "changes")
_PNR_COLUMNS = ("org_id", "flight_id", "locator", "version", "data", "masked", "updated_at")
_VERSION_COLUMNS = ("pnr_id", "version", "file_id", "data", "changes", "masked", "received_at")


def _store_manifest(s: Session, flight: Flight, people: tuple[Passenger, ...], file_id: int) -> int:
    """Merge a manifest into the flight: new travellers inserted in bulk, known ones updated."""
    existing = {
        r.key: r
        for r in s.scalars(
            select(TravelPassenger).where(
                TravelPassenger.flight_id == flight.id, TravelPassenger.source == "api"
            )
        )
    }
    now = utcnow()
    fresh: dict[str, tuple[Any, ...]] = {}
    for p in people:
        key = passenger_key(p)
        data = codec.dump(p)
        row = existing.get(key)
        if row is not None:
            row.name, row.role, row.data = p.name[:600], p.role, data
            row.pnr_locator, row.file_id, row.updated_at = p.pnr_locator[:20], file_id, now
            if row.masked:  # masked again at once (see ingest)
                row.masked = False
            continue
        fresh[key] = (
            flight.org_id,
            flight.id,
            "api",
            key,
            None,
            p.role,
            p.name[:600],
            p.pnr_locator[:20],
            _to_json(data),
            False,
            file_id,
            now,
        )
    if fresh:
        _insert_passengers(s, list(fresh.values()))
    return len(people)


def store_message(
    s: Session, org_id: int | None, msg: Message, file: str, result: StoredFile
) -> int:
    flight = _flight_for(s, org_id, msg.flight, file)
    _merge_legs(flight, msg.legs or (msg.flight,))
    if msg.passengers:
        result.passengers += _store_manifest(s, flight, msg.passengers, result.file_id)
    if msg.pnrs:
        _store_pnrs(s, flight, msg.pnrs, result.file_id, result)
    if flight.id not in result.flights:
        result.flights.append(flight.id)
    return flight.id


def store_result(
    s: Session, org_id: int | None, parsed: ParseResult, data: bytes, by: str
) -> StoredFile:
    """Store every message of one parsed file in the caller's transaction."""
    kinds = sorted({m.kind for m in parsed.messages}) or ["unknown"]
    row = TravelFile(
        org_id=org_id,
        name=parsed.file[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        kind="+".join(kinds)[:20],
        messages=len(parsed.messages),
        warnings=[
            {
                "segment": w.segment,
                "position": w.position,
                "code": w.code,
                "message": w.message,
                "tag": w.tag,
            }
            for w in parsed.warnings[:MAX_STORED_WARNINGS]
        ],
        received_by=by,
    )
    s.add(row)
    s.flush()
    result = StoredFile(parsed.file, row.id, row.kind, warnings=len(parsed.warnings))
    for msg in parsed.messages:
        store_message(s, org_id, msg, parsed.file, result)
    row.passengers = result.passengers
    row.pnrs = result.pnrs
    return result


def departure_of(flight: Flight) -> dt.datetime:
    """The flight's departure, or midnight of its departure date when no time was sent."""
    return flight.departure or dt.datetime.combine(flight.departure_date, dt.time())


__all__ = [
    "StoredFile",
    "changes",
    "departure_of",
    "passenger_key",
    "person_key",
    "store_message",
    "store_result",
]
