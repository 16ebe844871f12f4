"""Travel service: receive carrier files, and read flights, manifests, PNRs and co-travellers.

Every function takes ``(hub, actor, ...)``, checks a ``travel.*`` permission and writes one audit
event. A file is parsed first, outside any transaction, then stored in one transaction: a file
that fails leaves nothing of itself visible. Reads are scoped to the actor's organisation (and
organisations that shared ``passenger_data`` with it).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.travel import codec, retention
from cthub.travel.models import Flight, Pnr, PnrVersion, TravelHit, TravelPassenger
from cthub.travel.parse import gc_paused, parse_bytes
from cthub.travel.records import ParseWarning, Passenger
from cthub.travel.review import shared_hits
from cthub.travel.store import StoredFile, person_key, store_result


@dataclass
class IngestResult:
    """One file received: what it held and every warning (all of them, not only the stored)."""

    file: str
    stored: StoredFile
    warnings: list[ParseWarning] = field(default_factory=list)


def ingest(hub: Hub, actor: Actor, name: str, data: bytes) -> IngestResult:
    """Parse and store one carrier file, all or nothing; a refused file is audited too."""
    with hub.unit(actor, "travel.ingest") as u:  # the role gate comes before any parsing
        parsed = parse_bytes(data, name)  # raises InvalidInput naming file, segment, position
        with gc_paused():  # the stored rows are acyclic; collection passes only cost time
            stored = store_result(u.s, actor.org_id, parsed, data, actor.name)
        retention.remask(u.s, stored.flights, utcnow())
        u.audit(
            "travel_file",
            stored.file_id,
            details={
                "file": name[:200],
                "kind": stored.kind,
                "flights": len(stored.flights),
                "passengers": stored.passengers,
                "pnrs": stored.pnrs,
                "warnings": stored.warnings,
            },
        )
    return IngestResult(name, stored, parsed.warnings)


@dataclass(frozen=True)
class FlightView:
    id: int
    carrier: str
    number: str
    origin: str
    destination: str
    departure_date: dt.date
    departure: dt.datetime | None
    arrival: dt.datetime | None
    passengers: int
    pnrs: int
    open_hits: int
    hits: int
    masked: bool

    @property
    def designator(self) -> str:
        return f"{self.carrier}{self.number}"

    @property
    def label(self) -> str:
        return f"{self.carrier}{self.number}/{self.departure_date:%Y-%m-%d}"


def _scoped(u: Unit, stmt: Select[Any], column: Any) -> Select[Any]:
    orgs = u.visible_orgs()
    if orgs is None:
        return stmt
    return stmt.where(column.in_(orgs))


def _counts(s: Session, flight_ids: list[int]) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = defaultdict(dict)
    if not flight_ids:
        return out
    for fid, n in s.execute(
        select(TravelPassenger.flight_id, func.count())
        .where(TravelPassenger.flight_id.in_(flight_ids))
        .group_by(TravelPassenger.flight_id)
    ):
        out["passengers"][fid] = n
    for fid, n in s.execute(
        select(Pnr.flight_id, func.count())
        .where(Pnr.flight_id.in_(flight_ids))
        .group_by(Pnr.flight_id)
    ):
        out["pnrs"][fid] = n
    for fid, state, n in s.execute(
        select(TravelHit.flight_id, TravelHit.state, func.count())
        .where(TravelHit.flight_id.in_(flight_ids))
        .group_by(TravelHit.flight_id, TravelHit.state)
    ):
        out["hits"][fid] = out["hits"].get(fid, 0) + n
        if state == "open":
            out["open"][fid] = n
    return out


def _flight_views(s: Session, flights: list[Flight]) -> list[FlightView]:
    counts = _counts(s, [f.id for f in flights])
    return [
        FlightView(
            f.id,
            f.carrier,
            f.number,
            f.origin,
            f.destination,
            f.departure_date,
            f.departure,
            f.arrival,
            counts["passengers"].get(f.id, 0),
            counts["pnrs"].get(f.id, 0),
            counts["open"].get(f.id, 0),
            counts["hits"].get(f.id, 0),
            f.masked_at is not None,
        )
        for f in flights
    ]


_DESIGNATOR = re.compile(r"^([A-Z0-9]{2}[A-Z]?)(\d{1,5}[A-Z]?)$")


def split_designator(text: str) -> tuple[str, str]:
    """``XY0123`` -> ``("XY", "123")``: carrier code and flight number without padding zeros."""
    code = text.strip().upper().replace(" ", "")
    m = _DESIGNATOR.match(code)
    if not m:
        raise InvalidInput(
            "{value} is not a flight designator.", hint="For example XY0123.", value=text
        )
    carrier, number = m.group(1), m.group(2)
    return carrier, number.lstrip("0") or number


def flights(
    hub: Hub,
    actor: Actor,
    day: dt.date | None = None,
    designator: str | None = None,
    limit: int = 500,
) -> list[FlightView]:
    """Flights of one departure day (all days when ``None``), newest first, with hit counts."""
    with hub.unit(actor, "travel.read") as u:
        stmt = _scoped(u, select(Flight), Flight.org_id)
        if day is not None:
            stmt = stmt.where(Flight.departure_date == day)
        if designator:
            carrier, number = split_designator(designator)
            stmt = stmt.where(Flight.carrier == carrier, Flight.number == number)
        rows = list(
            u.s.scalars(
                stmt.order_by(Flight.departure_date.desc(), Flight.departure, Flight.id).limit(
                    limit
                )
            )
        )
        views = _flight_views(u.s, rows)
        u.audit("flight", details={"day": str(day) if day else None, "count": len(views)})
    return views


def _owned_flight(u: Unit, flight_id: int) -> Flight:
    found = u.s.get(Flight, flight_id)
    orgs = u.visible_orgs()
    if found is None or (orgs is not None and found.org_id not in orgs):
        raise NotFound("No flight {id}.", hint="See `cthub travel check --all`.", id=flight_id)
    return found


@dataclass(frozen=True)
class PassengerView:
    id: int
    flight_id: int
    source: str
    role: str
    name: str
    record: Passenger
    pnr_id: int | None
    pnr_locator: str
    masked: bool
    open_hits: int = 0
    hits: int = 0

    @property
    def ref(self) -> str:
        return self.record.ref or f"P{self.id}"


def passenger_view(row: TravelPassenger, open_hits: int = 0, hits: int = 0) -> PassengerView:
    return PassengerView(
        row.id,
        row.flight_id,
        row.source,
        row.role,
        row.name,
        codec.load(Passenger, row.data),
        row.pnr_id,
        row.pnr_locator,
        row.masked,
        open_hits,
        hits,
    )


def passenger_rows(s: Session, flight_ids: Iterable[int]) -> list[TravelPassenger]:
    ids = list(flight_ids)
    if not ids:
        return []
    return list(
        s.scalars(
            select(TravelPassenger)
            .where(TravelPassenger.flight_id.in_(ids))
            .order_by(TravelPassenger.flight_id, TravelPassenger.source, TravelPassenger.id)
        )
    )


@dataclass(frozen=True)
class Manifest:
    flight: FlightView
    legs: list[dict[str, Any]]
    passengers: list[PassengerView]


def manifest(hub: Hub, actor: Actor, flight_id: int) -> Manifest:
    """A flight with every passenger and crew member, each with hit counts."""
    with hub.unit(actor, "travel.read") as u:
        f = _owned_flight(u, flight_id)
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for pid, state, n in u.s.execute(
            select(TravelHit.passenger_id, TravelHit.state, func.count())
            .where(TravelHit.flight_id == f.id)
            .group_by(TravelHit.passenger_id, TravelHit.state)
        ):
            counts[pid][1] += n
            if state == "open":
                counts[pid][0] += n
        people = [passenger_view(r, *counts.get(r.id, [0, 0])) for r in passenger_rows(u.s, [f.id])]
        view = _flight_views(u.s, [f])[0]
        u.audit("flight", f.id, org_id=f.org_id)
    return Manifest(view, list(f.legs or []), people)


@dataclass(frozen=True)
class PnrVersionView:
    version: int
    received_at: dt.datetime
    changes: list[dict[str, Any]]


@dataclass(frozen=True)
class CoTraveller:
    passenger_id: int
    name: str
    link: str  # pnr, contact, payment, seat
    detail: str


@dataclass(frozen=True)
class PassengerDetail:
    passenger: PassengerView
    flight: FlightView
    pnr: dict[str, Any] | None
    pnr_versions: list[PnrVersionView]
    co_travellers: list[CoTraveller]
    hits: list[TravelHit]


def _seat_neighbours(seat: str) -> set[str]:
    row, letter = seat[:-1], seat[-1:]
    if not row.isdigit() or not letter.isalpha():
        return set()
    return {f"{row}{chr(ord(letter) + d)}" for d in (-1, 1)}


def _person_key(row: TravelPassenger) -> str:
    return person_key(row.data or {})


def co_travellers(
    s: Session, row: TravelPassenger, pnr_data: dict[str, Any] | None
) -> list[CoTraveller]:
    """Who travels with this passenger: same PNR, shared contact or card, or the seat next door.

    One person appears once (an API row and the PNR row of the same traveller are one person;
    the closest link wins), and never as their own co-traveller.
    """
    me = _person_key(row)
    others = [
        p for p in passenger_rows(s, [row.flight_id]) if p.id != row.id and _person_key(p) != me
    ]
    own_pnr = row.pnr_id
    if own_pnr is None and row.pnr_locator:
        own_pnr = s.scalar(
            select(Pnr.id).where(Pnr.flight_id == row.flight_id, Pnr.locator == row.pnr_locator)
        )
    found: dict[str, CoTraveller] = {}

    def link(p: TravelPassenger, kind: str, detail: str) -> None:
        found.setdefault(_person_key(p), CoTraveller(p.id, p.name, kind, detail))

    if row.pnr_locator:
        for p in others:
            if p.pnr_locator == row.pnr_locator:
                link(p, "pnr", row.pnr_locator)
    if pnr_data:
        contacts = set(pnr_data.get("contacts", [])) | set(pnr_data.get("emails", []))
        cards = {
            (p.get("card_vendor"), p.get("card_number"))
            for p in pnr_data.get("payments", [])
            if p.get("card_number")
        }
        for r in s.scalars(select(Pnr).where(Pnr.flight_id == row.flight_id, Pnr.id != own_pnr)):
            shared = contacts & (set(r.data.get("contacts", [])) | set(r.data.get("emails", [])))
            same_card = cards & {
                (p.get("card_vendor"), p.get("card_number")) for p in r.data.get("payments", [])
            }
            for p in others:
                if p.pnr_locator != r.locator:
                    continue
                if shared:
                    link(p, "contact", sorted(shared)[0])
                elif same_card:
                    card = sorted(same_card, key=str)[0]
                    link(p, "payment", f"{card[0]} {card[1]}")
    seat = (row.data or {}).get("seat", "")
    if seat:
        near = _seat_neighbours(seat)
        for p in others:
            if (p.data or {}).get("seat", "") in near and (
                not row.pnr_locator or p.pnr_locator != row.pnr_locator
            ):
                link(p, "seat", (p.data or {}).get("seat", ""))
    return sorted(found.values(), key=lambda c: (c.link, c.name))


def passenger(hub: Hub, actor: Actor, passenger_id: int) -> PassengerDetail:
    """One passenger: record, PNR with its push history, co-travellers and explained hits."""
    with hub.unit(actor, "travel.read") as u:
        row = u.s.get(TravelPassenger, passenger_id)
        orgs = u.visible_orgs()
        if row is None or (orgs is not None and row.org_id not in orgs):
            raise NotFound("No passenger {id}.", id=passenger_id)
        flight = _flight_views(u.s, [u.s.get_one(Flight, row.flight_id)])[0]
        pnr_row = u.s.get(Pnr, row.pnr_id) if row.pnr_id else None
        if pnr_row is None and row.pnr_locator:
            pnr_row = u.s.scalar(
                select(Pnr).where(Pnr.flight_id == row.flight_id, Pnr.locator == row.pnr_locator)
            )
        versions = (
            [
                PnrVersionView(v.version, v.received_at, v.changes)
                for v in u.s.scalars(
                    select(PnrVersion)
                    .where(PnrVersion.pnr_id == pnr_row.id)
                    .order_by(PnrVersion.version)
                )
            ]
            if pnr_row
            else []
        )
        pnr_data = pnr_row.data if pnr_row else None
        hits = list(
            u.s.scalars(
                select(TravelHit)
                .where(TravelHit.passenger_id == row.id, shared_hits(u))
                .order_by(TravelHit.score.desc(), TravelHit.id)
            )
        )
        for h in hits:
            u.s.expunge(h)
        detail = PassengerDetail(
            passenger_view(row),
            flight,
            pnr_data,
            versions,
            co_travellers(u.s, row, pnr_data),
            hits,
        )
        u.audit("passenger", row.id, org_id=row.org_id)
    return detail


__all__ = [
    "CoTraveller",
    "FlightView",
    "IngestResult",
    "Manifest",
    "PassengerDetail",
    "PassengerView",
    "PnrVersionView",
    "co_travellers",
    "flights",
    "ingest",
    "manifest",
    "passenger",
    "passenger_rows",
    "passenger_view",
]
