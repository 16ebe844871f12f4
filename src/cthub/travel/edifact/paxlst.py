"""PAXLST (API, UN D:02B/D:05B) to :class:`Message` with :class:`Passenger` records.

Segment map (FORMATS.md 2.2): BGM list type; TDT/LOC/DTM flight legs (125/87 the reported
flight, 92 routing legs); per traveller NAD (FL passenger, FM crew, DDU/DDT in transit),
ATT gender, DTM+329 birth, MEA/FTX bags, LOC 22/178/179/174/180, COM, NAT, RFF AVF/ABO/SEA,
then DOC groups with DTM 36/182 and LOC 91; CNT totals.
"""

from __future__ import annotations

import datetime as dt

from cthub.travel.edifact.interchange import (
    Interchange,
    Mapped,
    RawMessage,
    future_yymmdd,
    parse_dtm,
    past_yymmdd,
)
from cthub.travel.edifact.tokenizer import Segment, Warnings
from cthub.travel.records import Leg, Message, Passenger, TravelDocument

ROLES = {
    "FL": "passenger",
    "FM": "crew",
    "DDU": "transit_passenger",
    "DDT": "transit_crew",
}


class _Doc:
    __slots__ = ("expiry", "issued", "issuer", "number", "type")

    def __init__(self, type_: str, number: str) -> None:
        self.type = type_
        self.number = number
        self.issuer = ""
        self.expiry: dt.date | None = None
        self.issued: dt.date | None = None

    def build(self) -> TravelDocument:
        return TravelDocument(self.type, self.number, self.issuer, self.expiry, self.issued)


class _Pax:
    __slots__ = (
        "address",
        "bags",
        "birth",
        "birth_place",
        "clearance",
        "deb",
        "docs",
        "emb",
        "gender",
        "given",
        "name",
        "nationality",
        "phones",
        "pnr",
        "ref",
        "residence",
        "role",
        "seat",
        "surname",
        "tags",
        "ticket",
    )

    def __init__(self, role: str, surname: str, given: str, name: str, address: str) -> None:
        self.role = role
        self.surname = surname
        self.given = given
        self.name = name
        self.address = address
        self.gender = self.nationality = self.ref = self.pnr = self.seat = ""
        self.emb = self.deb = self.residence = self.birth_place = self.ticket = ""
        self.clearance = ""
        self.birth: dt.date | None = None
        self.bags: int | None = None
        self.tags = 0
        self.docs: list[_Doc] = []
        self.phones: list[str] = []

    def build(self) -> Passenger:
        bags = self.bags if self.bags is not None else (self.tags or None)
        return Passenger(
            name=self.name,
            surname=self.surname,
            given=self.given,
            role=self.role,
            gender=self.gender,
            birth_date=self.birth,
            nationality=self.nationality,
            documents=tuple(d.build() for d in self.docs if d.type or d.number),
            ref=self.ref,
            pnr_locator=self.pnr,
            seat=self.seat,
            embarkation=self.emb,
            debarkation=self.deb,
            residence_country=self.residence,
            birth_place=self.birth_place,
            bags=bags,
            phones=tuple(self.phones),
            address=self.address,
            ticket=self.ticket,
            clearance_port=self.clearance,
        )


class _LegB:
    __slots__ = ("arrival", "carrier", "departure", "destination", "main", "number", "origin")

    def __init__(self, carrier: str, number: str) -> None:
        self.carrier = carrier
        self.number = number
        self.origin = self.destination = ""
        self.departure: dt.datetime | None = None
        self.arrival: dt.datetime | None = None
        self.main = False

    def build(self) -> Leg:
        return Leg(
            self.carrier, self.number, self.origin, self.destination, self.departure, self.arrival
        )


def flight_number(flight: str, carrier: str) -> tuple[str, str]:
    """(carrier, number) of a flight identification such as ``UA0989``; zeros stripped."""
    flight = flight.strip().replace(" ", "")
    carrier = carrier.strip()
    if carrier and flight.startswith(carrier):
        number = flight[len(carrier) :]
    elif len(flight) > 2:
        carrier = carrier or flight[:2]
        number = flight[2:]
    else:
        number = flight
    return carrier, number.lstrip("0") or number


def _name(seg: Segment) -> tuple[str, str, str]:
    comps = [c.strip() for c in seg.element(3)]
    surname = comps[0] if comps else ""
    given = " ".join(c for c in comps[1:] if c)
    if not surname and not given:
        surname = " ".join(c.strip() for c in seg.element(2) if c.strip())
    name = f"{surname}/{given}" if given else surname
    return surname, given, name


def _address(seg: Segment) -> str:
    bits: list[str] = []
    for i in range(4, seg.count):
        bits.extend(c.strip() for c in seg.element(i) if c.strip())
    return ", ".join(bits)


def map_message(raw: RawMessage, ic: Interchange, w: Warnings) -> Mapped:
    """Map one PAXLST message (or one part of a multi-part one)."""
    legs: list[_LegB] = []
    leg: _LegB | None = None
    pax: list[_Pax] = []
    p: _Pax | None = None
    doc: _Doc | None = None
    ref_date: dt.date | None = None
    list_type = ""
    reference = raw.access_ref
    counts: dict[str, int] = {}
    count_seg: Segment | None = None
    last_loc = ""
    for seg in raw.segments:
        tag = seg.tag
        if p is not None:
            if tag == "LOC":
                q, value = seg.pair()
                if q == "91":
                    if doc is not None:
                        doc.issuer = value.strip()
                elif q == "178":
                    p.emb = value.strip()
                elif q == "179":
                    p.deb = value.strip()
                elif q == "174":
                    p.residence = value.strip()
                elif q == "22":
                    p.clearance = value.strip()
                elif q == "180":
                    p.birth_place = ", ".join(c.strip() for c in seg.element(1) if c.strip())
                continue
            if tag == "DTM":
                q, value = seg.pair()
                if not value.strip():
                    continue
                if ref_date is None:
                    ref_date = _ref_date(legs, ic)
                if q == "329":
                    p.birth = _past(seg, value, ref_date, w, "birth")
                elif q in ("36", "182"):
                    if doc is None:
                        w.at(seg, "no-document", f"DTM+{q} outside a DOC group ignored")
                    elif q == "36":
                        expiry = _expiry(seg, value, ref_date, w)
                        if doc.expiry is not None and expiry is not None:
                            w.at(seg, "duplicate", "second expiry date of a document ignored")
                        elif expiry is not None:
                            doc.expiry = expiry
                    else:
                        doc.issued = _past(seg, value, ref_date, w, "issue")
                continue
            if tag == "RFF":
                q, value = seg.pair()
                value = value.strip()
                if q == "AVF":
                    p.pnr = value
                elif q == "ABO":
                    p.ref = value
                elif q == "SEA":
                    p.seat = value.lstrip("0") or value
                elif q == "YZY":
                    p.ticket = value
                continue
            if tag == "DOC":
                doc = _Doc(seg.get(0).strip(), seg.get(1).strip())
                p.docs.append(doc)
                continue
            if tag == "ATT":
                if seg.get(0) == "2":
                    p.gender = seg.get(2).strip()
                continue
            if tag == "NAT":
                p.nationality = seg.pair()[1].strip()
                continue
            if tag == "MEA":
                if seg.get(0) == "CT":
                    value = (seg.get(2, 1) or seg.get(2)).strip()
                    if value.isdigit():
                        p.bags = (p.bags or 0) + int(value)
                continue
            if tag == "FTX":
                if seg.get(0) == "BAG":
                    n = seg.get(3, 1).strip()
                    p.tags += int(n) if n.isdigit() else 1
                continue
            if tag == "COM":
                for i in range(seg.count):
                    number, kind = seg.get(i).strip(), seg.get(i, 1).strip().upper()
                    if number and kind != "EM":
                        p.phones.append(number)
                continue
        if tag == "NAD":
            q = seg.get(0).strip()
            role = ROLES.get(q)
            if role is None:
                p = doc = None
                continue
            surname, given, name = _name(seg)
            p = _Pax(role, surname, given, name, _address(seg))
            doc = None
            pax.append(p)
        elif tag == "TDT":
            carrier, number = flight_number(seg.get(1), seg.get(4))
            leg = _LegB(carrier, number)
            legs.append(leg)
            last_loc = ""
        elif tag == "LOC" and p is None:
            q = seg.get(0)
            if leg is None:
                leg = _LegB("", "")
                legs.append(leg)
            place = seg.get(1).strip()
            if q == "125" or (q == "92" and not leg.origin):
                leg.origin = place
            elif q in ("87", "92"):
                leg.destination = place
            leg.main = leg.main or q in ("125", "87")
            last_loc = q
        elif tag == "DTM" and p is None:
            q = seg.get(0)
            when = parse_dtm(seg.get(0, 1), seg.get(0, 2))
            if when is None:
                if seg.get(0, 1).strip():
                    w.at(seg, "bad-date", f"DTM+{q} value {seg.get(0, 1)!r} is not a date; dropped")
                continue
            if leg is None:
                continue
            if q == "189" or (q == "" and last_loc in ("125", "92")):
                leg.departure = when
            elif q == "232":
                leg.arrival = when
        elif tag == "BGM":
            list_type = seg.get(0).strip()
        elif tag == "RFF" and p is None:
            if seg.get(0) == "TN" and not reference:
                reference = seg.get(0, 1).strip()
        elif tag == "CNT":
            q = seg.get(0).strip()
            value = (seg.get(0, 1) or seg.get(1)).strip()
            if value.isdigit():
                counts[q] = int(value)
                count_seg = seg
            else:
                w.at(seg, "bad-count", f"CNT value {value!r} is not a number")
    main = next((b for b in legs if b.main), legs[0] if legs else None)
    built = [b.build() for b in legs]
    if main is None:
        flight = Leg("", "", "", "")
        w.at(raw.unh, "no-flight", "no TDT flight in the message")
    else:
        flight = built[legs.index(main)]
    others = tuple(x for b, x in zip(legs, built, strict=True) if b is not main)
    message = Message(
        kind="PAXLST",
        version=raw.version,
        flight=flight,
        legs=(flight, *others) if main is not None else others,
        passengers=tuple(x.build() for x in pax),
        sender=ic.sender,
        recipient=ic.recipient,
        prepared=ic.prepared,
        reference=reference,
        list_type=list_type,
        interactive="IAPI" in ic.application_ref.upper(),
    )
    return Mapped(message, raw, counts, count_seg)


def _ref_date(legs: list[_LegB], ic: Interchange) -> dt.date:
    for b in legs:
        if b.main and b.departure is not None:
            return b.departure.date()
    for b in legs:
        if b.departure is not None:
            return b.departure.date()
    if ic.prepared is not None:
        return ic.prepared.date()
    return dt.date.today()


def _past(seg: Segment, value: str, ref: dt.date, w: Warnings, what: str) -> dt.date | None:
    day, ambiguous = past_yymmdd(value, ref)
    if day is None:
        w.at(seg, "bad-date", f"{what} date {value.strip()!r} is not a date; dropped")
    elif ambiguous and what == "birth":
        w.at(seg, "century", f"birth date {value!r} read as {day:%Y-%m-%d} (or 100 years earlier)")
    return day


def _expiry(seg: Segment, value: str, ref: dt.date, w: Warnings) -> dt.date | None:
    day = future_yymmdd(value, ref)
    if day is None:
        w.at(seg, "bad-date", f"expiry date {value.strip()!r} is not a date; dropped")
    return day


def check_counts(mapped: Mapped, w: Warnings) -> None:
    """Compare CNT totals (42 passengers, 41 crew) with the travellers found."""
    if mapped.count_seg is None:
        return
    pax = mapped.message.passengers
    crew = sum(1 for p in pax if p.role in ("crew", "transit_crew"))
    found = {"41": crew, "42": len(pax) - crew}
    for q, n in mapped.counts.items():
        if q in found and found[q] != n:
            what = "crew members" if q == "41" else "passengers"
            w.at(mapped.count_seg, "cnt-count", f"CNT+{q} says {n} {what}, found {found[q]}")


__all__ = ["ROLES", "check_counts", "flight_number", "map_message"]
