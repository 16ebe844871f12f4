"""PNRGOV (IATA EDIFACT 10.1 to 15.1) to :class:`Message` with :class:`Pnr` records.

Flight header: ORG, TVL, EQN. Per PNR (SRC): RCI, SSR, DAT, IFT, ORG, ADD, EBD; per
traveller TIF with FTI, IFT, SSR (DOCS/DOCO/DOCA/INFT/TKNE/CTC*), TKT, MON, FOP; itinerary TVL
with TRA, RPI, SSR SEAT; check-in TRI with TIF, SSD (seat) and TBD (bags); history ABI, DAT,
SAC and the elements they repeat; LTS free-text history (FORMATS.md 2.4).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

from cthub.travel.edifact.interchange import (
    Interchange,
    Mapped,
    RawMessage,
    future_date,
    parse_ddmmyy,
    past_date,
    split_ddmmmyy,
)
from cthub.travel.edifact.paxlst import flight_number
from cthub.travel.edifact.tokenizer import Segment, Warnings
from cthub.travel.records import HistoryItem, Leg, Message, Passenger, Payment, Pnr, TravelDocument

_TAGS = frozenset(
    {"TIF", "IFT", "TVL", "SSR", "RCI", "DAT", "ORG", "ADD", "EBD", "FTI", "REF", "FAR", "TKT"}
    | {"MON", "PTK", "TXD", "FOP", "RPI", "APD", "TRI", "SSD", "TBD", "ABI", "SAC", "LTS", "TRA"}
    | {"SRC", "EQN", "MSG"}
)
_IGNORE = frozenset({"REF", "FAR", "PTK", "TXD", "APD"})
_MAX_ELEMENTS = {"ORG": 9, "RPI": 2, "SAC": 3, "EQN": 1, "APD": 6}
_LIMITED = frozenset(_MAX_ELEMENTS)
_CTC = re.compile(r"\bCTC(?:\s?([A-Z])(?=\s))?\s*(.*)")
_TICKET = re.compile(r"(\d{13,15})")
_GLUED_TITLES = ("MSTR", "MISS", "MRS", "MR", "MS")
_TITLES = frozenset(
    {"MR", "MRS", "MS", "MISS", "MSTR", "DR", "PROF", "REV", "SIR", "LADY", "MX", "CHD", "INF"}
)


def strip_title(given: str, glued_ms: bool = True) -> str:
    """A given name without its title (``JOHNMR`` and ``JOHN MR`` give ``JOHN``)."""
    if " " not in given and not given.endswith(_GLUED_TITLES) and given not in _TITLES:
        return given
    words = given.split()
    if not _TITLES.isdisjoint(words):
        words = [x for x in words if x not in _TITLES]
    if words and words[-1].endswith(_GLUED_TITLES):
        last = words[-1]
        for t in _GLUED_TITLES:
            if (glued_ms or t != "MS") and last.endswith(t) and len(last) - len(t) >= 2:
                words[-1] = last[: -len(t)]
                break
    return " ".join(words)


def decode_email(text: str) -> str:
    """An e-mail address in airline free text: ``//`` is @, ``..`` is _, ``./`` is -."""
    return text.strip().replace("//", "@").replace("./", "-").replace("..", "_")


class _Trav:
    __slots__ = (
        "address",
        "bags",
        "birth",
        "birth_place",
        "doc_given",
        "doc_surname",
        "docs",
        "ff",
        "gender",
        "given",
        "name",
        "nationality",
        "phones",
        "ref",
        "residence",
        "role",
        "seat",
        "surname",
        "ticket",
    )

    def __init__(self, surname: str, given: str, name: str, role: str, ref: str) -> None:
        self.surname = surname
        self.given = given
        self.name = name
        self.role = role
        self.ref = ref
        self.gender = self.nationality = self.ff = self.ticket = self.address = ""
        self.birth_place = self.residence = self.doc_surname = self.doc_given = ""
        self.birth: dt.date | None = None
        self.docs: list[TravelDocument] = []
        self.phones: list[str] = []
        self.seat = ""
        self.bags: int | None = None

    def matches(self, surname: str, given: str) -> bool:
        s = _compact(surname)
        if s not in (_compact(self.surname), _compact(self.doc_surname)):
            return False
        g = _compact(given)
        mine = (_compact(self.given), _compact(self.doc_given))
        return not g or any(m and (m.startswith(g) or g.startswith(m)) for m in mine)

    def add_doc(self, doc: TravelDocument) -> None:
        for i, old in enumerate(self.docs):
            if old.number == doc.number and old.type == doc.type:
                if len(old.issuing_country) < len(doc.issuing_country):
                    self.docs[i] = doc
                return
        self.docs.append(doc)

    def build(self) -> Passenger:
        surname = self.doc_surname or self.surname
        given = self.doc_given if self.doc_surname else self.given
        return Passenger(
            name=self.name,
            surname=surname,
            given=given,
            role=self.role,
            gender=self.gender,
            birth_date=self.birth,
            nationality=self.nationality,
            documents=tuple(self.docs),
            ref=self.ref,
            seat=self.seat,
            residence_country=self.residence,
            birth_place=self.birth_place,
            bags=self.bags,
            phones=tuple(self.phones),
            address=self.address,
            frequent_flyer=self.ff,
            ticket=self.ticket,
        )


class _LegB:
    __slots__ = (
        "arrival",
        "booking_class",
        "carrier",
        "departure",
        "destination",
        "number",
        "operating",
        "origin",
        "status",
    )

    def __init__(self) -> None:
        self.carrier = self.number = self.origin = self.destination = ""
        self.status = self.booking_class = self.operating = ""
        self.departure: dt.datetime | None = None
        self.arrival: dt.datetime | None = None

    def build(self) -> Leg:
        return Leg(
            self.carrier,
            self.number,
            self.origin,
            self.destination,
            self.departure,
            self.arrival,
            self.status,
            self.booking_class,
        )

    def copy(self) -> _LegB:
        b = _LegB.__new__(_LegB)  # every slot is set here: no need to run __init__ first
        b.carrier = self.carrier
        b.number = self.number
        b.origin = self.origin
        b.destination = self.destination
        b.status = self.status
        b.booking_class = self.booking_class
        b.operating = self.operating
        b.departure = self.departure
        b.arrival = self.arrival
        return b


def _leg(seg: Segment) -> _LegB:
    b = _LegB()
    when = seg.element(0)
    d0 = when[0] if when else ""
    t0 = when[1] if len(when) > 1 else ""
    d1 = when[2].strip() if len(when) > 2 else ""
    t1 = when[3] if len(when) > 3 else ""
    b.departure = parse_ddmmyy(d0, t0)
    if len(d1) == 4 and not t1:  # dep date:dep time:arr time
        d1, t1 = "", d1
    if d1:
        b.arrival = parse_ddmmyy(d1, t1)
    elif t1 and b.departure is not None:
        arr = parse_ddmmyy(d0, t1)
        if arr is not None and arr < b.departure:
            arr += dt.timedelta(days=1)
        b.arrival = arr
    b.origin = seg.get(1).strip()
    b.destination = seg.get(2).strip()
    carrier = seg.get(3).strip()
    b.operating = seg.get(3, 1).strip()
    b.carrier, b.number = flight_number(carrier + seg.get(4).strip(), carrier)
    b.booking_class = seg.get(4, 1).strip()
    return b


def _text(seg: Segment, first: int = 1) -> str:
    """Free text: the elements from ``first`` joined, components kept with ':'."""
    return " ".join([b for b in map(str.strip, seg.joined(first)) if b])


class _PnrB:
    """Collects one SRC group."""

    def __init__(self, seg: Segment) -> None:
        self.seg = seg
        self.locator = self.carrier = self.agency = self.agency_country = ""
        self.created: dt.datetime | None = None
        self.last_modified: dt.datetime | None = None
        self.ticketed: dt.datetime | None = None
        self.travellers: list[_Trav] = []
        self.by_ref: dict[str, _Trav] = {}
        self.legs: list[_LegB] = []
        self.payments: list[Payment] = []
        self.contacts: list[str] = []
        self.emails: list[str] = []
        self.addresses: list[str] = []
        self.remarks: list[str] = []
        self.history: list[HistoryItem] = []
        self.codeshare: list[str] = []
        self.other_locators: list[str] = []
        self.split_from = ""
        self.ebd: int | None = None
        self.currency = ""
        # deferred: (kind, text, ref, traveller at the time, segment)
        self.ssrs: list[tuple[str, str, str, _Trav | None, Segment]] = []
        # leg, traveller (check-in) or None, traveller ref, seat, from check-in
        self.seats: list[tuple[_LegB | None, _Trav | None, str, str, bool]] = []
        self.bags: list[tuple[_LegB | None, _Trav, int]] = []

    @staticmethod
    def _add(items: list[str], value: str) -> None:
        value = value.strip()
        if value and value not in items:
            items.append(value)

    def contact(self, text: str, trav: _Trav | None) -> bool:
        """Take a CTCx contact out of free text; False when the text holds none."""
        if "CTC" not in text:
            return False
        m = _CTC.search(text)
        if m is None:
            return False
        kind, value = m.group(1) or "", m.group(2).strip()
        if kind == "E":
            self._add(self.emails, decode_email(value))
        else:
            self._add(self.contacts, value)
            if trav is not None and value and value not in trav.phones:
                trav.phones.append(value)
        return True


_LegKey = tuple[str, str, str, str, dt.datetime | None, dt.datetime | None, str, str]


class _Glued(Exception):
    """A segment has more data elements than its tag takes: a terminator was lost."""


class _Mapper:
    def __init__(self, raw: RawMessage, ic: Interchange, w: Warnings) -> None:
        self.raw = raw
        self.ic = ic
        self.w = w
        self.today = dt.date.today()
        self._reset()

    def _reset(self) -> None:
        """Forget what a reading of the message collected."""
        self.flight: _LegB | None = None
        self.pnrs: list[_PnrB] = []
        self.counts: dict[str, int] = {}
        self.count_seg: Segment | None = None
        self.ref_date = self.today
        self.bad_dates: list[tuple[Segment, str]] = []  # warned about once the reading is done
        self.built_legs: dict[_LegKey, Leg] = {}

    def run(self) -> Mapped:
        try:
            self._read(self.raw.segments, _LIMITED)
        except _Glued:  # rare: split the glued segments, then read the message again
            self._reset()
            self._read(self._unglued(), frozenset())
        for seg, message in self.bad_dates:
            self.w.at(seg, "bad-date", message)
        return self._finish()

    def _read(self, segments: list[Segment], limited: frozenset[str]) -> None:
        """Collect the flight and the PNRs; :class:`_Glued` if a tag in ``limited`` is too long.

        The check rides along with the reading (a separate pass over the segments would cost
        more); ``run`` starts again on the split segments when it fails.
        """
        trav: _Trav | None = None
        leg: _LegB | None = None
        tri: _Trav | None = None
        section = "pnr"
        hist_at: dt.datetime | None = None
        hist_action = ""
        hist_text: list[str] = []
        split_next = False
        non_air = False
        ignore = _IGNORE
        special = ignore | limited
        limits = _MAX_ELEMENTS
        legs_seen: dict[str, _LegB] = {}

        it = iter(segments)
        first: Segment | None = None
        for seg in it:  # the flight header, up to the first PNR
            tag = seg.tag
            if tag in limited and len(seg.parts) - 1 > limits[tag]:
                raise _Glued
            if tag == "SRC" or tag == "RCI":
                first = seg
                break
            if tag == "TVL":
                if self.flight is None:
                    self.flight = _leg(seg)
                    if self.flight.departure is not None:
                        self.ref_date = self.flight.departure.date()
            elif tag == "EQN":
                value = seg.get(0).strip()
                if value.isdigit():
                    self.counts["EQN"] = self.counts.get("EQN", 0) + int(value)
                    self.count_seg = seg
        if first is None:
            return
        pnr = _PnrB(first)
        self.pnrs.append(pnr)

        def flush_history() -> None:
            nonlocal hist_text
            if hist_text:
                pnr.history.append(HistoryItem(hist_action, " / ".join(hist_text), hist_at))
            hist_text = []

        # An RCI without SRC opens the first PNR and is read as part of it. The branches are
        # ordered by how often the tags occur in a push.
        body = it if first.tag == "SRC" else itertools.chain((first,), it)
        for seg in body:
            tag = seg.tag
            if tag in special:
                if tag in limited and len(seg.parts) - 1 > limits[tag]:
                    raise _Glued
                if tag in ignore:
                    continue
            if tag == "TIF":
                e1 = seg.element(1)
                n1 = len(e1)
                if section == "tvl" or section == "tri":  # the traveller of a check-in group
                    section = "tri"
                    ref = e1[2].strip() if n1 > 2 else ""
                    tri = pnr.by_ref.get(ref) if ref else None
                    if tri is None:
                        given = strip_title(e1[0].strip() if e1 else "")
                        tri = self._find(pnr, "", seg.get(0).strip(), given)
                    continue
                e0 = seg.element(0)
                surname = e0[0].strip() if e0 else ""
                if len(e0) > 1 and e0[1].strip() == "G":
                    pnr._add(pnr.remarks, f"group {surname}")
                    continue
                given_raw = e1[0].strip() if e1 else ""
                kind = e1[1].strip().upper() if n1 > 1 else ""
                role = "infant" if kind in ("IN", "INF") else "passenger"
                name = f"{surname}/{given_raw}" if given_raw else surname
                ref = e1[2].strip() if n1 > 2 else ""
                trav = _Trav(surname, strip_title(given_raw), name, role, ref)
                pnr.travellers.append(trav)
                if ref:
                    pnr.by_ref.setdefault(ref, trav)
                section = "trav"
            elif tag == "DAT":
                if section == "pnr" or section == "trav":
                    self._dat(pnr, seg)
            elif tag == "SSD":
                seat = seg.get(0).strip()
                if tri is not None and seat and seat != "XXX":
                    pnr.seats.append((leg, tri, "", seat, True))
            elif tag == "TRI":
                section = "tri"
                tri = None
            elif tag == "SSR":
                self._ssr(pnr, seg, section, trav, leg)
            elif tag == "TBD":
                if tri is not None:
                    n = seg.get(1).strip()
                    if n.isdigit():
                        pnr.bags.append((leg, tri, int(n)))
            elif tag == "RCI":
                if split_next:
                    split_next = False
                    loc = seg.get(0, 1).strip()
                    pnr.split_from = pnr.split_from or loc
                    pnr._add(pnr.other_locators, f"{seg.get(0).strip()}:{loc}")
                elif not pnr.locator:
                    self._rci(pnr, seg)
            elif tag == "IFT":
                self._ift(pnr, seg, trav if section == "trav" else None)
            elif tag == "TVL":
                if not seg.get(0) and not seg.get(1) and leg is not None:  # operating flight
                    number = seg.get(4).strip().lstrip("0")
                    pnr._add(pnr.codeshare, f"{leg.carrier}{leg.number}/{leg.operating}{number}")
                    leg.operating = ""
                    continue
                self._close_codeshare(pnr, leg)
                if non_air:
                    non_air = False
                    pnr._add(pnr.remarks, f"non-air segment {seg.render()}")
                    leg = None
                    section = "tvl"
                    continue
                key = "+".join(seg.parts)  # the same flight recurs in every PNR of a push
                known = legs_seen.get(key)
                if known is None or seg.__class__ is not Segment:
                    known = legs_seen[key] = _leg(seg)
                leg = known.copy()
                pnr.legs.append(leg)
                section, tri = "tvl", None
            elif tag == "TKT":
                if trav is not None and not trav.ticket:
                    number = seg.get(0).strip()
                    if number:
                        trav.ticket = number
            elif tag == "FTI":
                if trav is not None and not trav.ff:
                    e0 = seg.element(0)
                    airline = e0[0].strip() if e0 else ""
                    number = e0[1].strip() if len(e0) > 1 else ""
                    trav.ff = f"{airline} {number}".strip()
            elif tag == "MON":
                for c in seg.elements:
                    if c[0].strip() == "T" and len(c) > 2:
                        currency = c[2].strip()
                        if currency:
                            pnr.currency = currency
            elif tag == "FOP":
                for c in seg.elements:
                    kind = c[0].strip()
                    if kind:
                        size = len(c)
                        amount = c[2].strip() if size > 2 else ""
                        vendor = c[3].strip() if size > 3 else ""
                        card = c[4].strip() if size > 4 else ""
                        pnr.payments.append(Payment(kind, vendor, card, amount, pnr.currency))
            elif tag == "ORG":
                if section == "pnr" and not pnr.agency:
                    office = [c.strip() for c in seg.element(1) if c.strip()]
                    where = [c.strip() for c in seg.element(0) if c.strip()]
                    pnr.agency = " ".join(office or where)
                    pnr.agency_country = seg.get(5).strip()
                    pnr.currency = pnr.currency or seg.get(5, 1).strip()
            elif tag == "ADD":
                self._add_address(pnr, seg, trav if section == "trav" else None)
            elif tag == "ABI" or tag == "SRC":
                if tag == "ABI":  # the history group: every segment up to the next SRC
                    self._close_codeshare(pnr, leg)
                    flush_history()
                    hist_at, hist_action = None, ""
                    for seg in body:
                        tag = seg.tag
                        if tag == "SRC":
                            break
                        if tag in limited and len(seg.parts) - 1 > limits[tag]:
                            raise _Glued
                        if tag == "ABI":
                            flush_history()
                            hist_at, hist_action = None, ""
                        elif tag == "DAT":
                            hist_at = parse_ddmmyy(seg.get(0, 1), seg.get(0, 2)) or hist_at
                        elif tag == "SAC":
                            flush_history()
                            hist_action = seg.get(2).strip()
                        elif tag == "LTS":
                            flush_history()
                            pnr.history.append(HistoryItem("", _text(seg, 0), None))
                        elif tag == "IFT":
                            hist_text.append(_text(seg))
                        else:
                            hist_text.append(seg.render())
                    else:
                        break  # the message ends in the history group
                flush_history()  # an SRC: the next PNR
                pnr = _PnrB(seg)
                self.pnrs.append(pnr)
                section, trav, leg, tri = "pnr", None, None, None
                split_next = non_air = False
            elif tag == "RPI":
                if leg is not None and section == "tvl":
                    leg.status = seg.get(1).strip()
            elif tag == "TRA":
                if leg is not None:
                    op = seg.get(0).strip()
                    number = seg.get(1).strip().lstrip("0")
                    pnr._add(pnr.codeshare, f"{leg.carrier}{leg.number}/{op}{number}")
                    leg.operating = ""
            elif tag == "EBD":
                n = seg.get(1).strip()
                if n.isdigit():
                    pnr.ebd = (pnr.ebd or 0) + int(n)
            elif tag == "LTS":
                pnr.history.append(HistoryItem("", _text(seg, 0), None))
            elif tag == "EQN":
                split_next = True
            elif tag == "MSG":
                non_air = True
        flush_history()
        self._close_codeshare(pnr, leg)

    def _dat(self, pnr: _PnrB, seg: Segment) -> None:
        for c in seg.elements:
            n = len(c)
            day = c[1] if n > 1 else ""
            when = parse_ddmmyy(day, c[2] if n > 2 else "")
            if when is None:
                if day.strip():
                    self.bad_dates.append((seg, f"DAT {day!r} is not a date"))
                continue
            q = c[0].strip()
            if q == "700":
                pnr.last_modified = pnr.last_modified or when
            elif q == "710" and (pnr.ticketed is None or when < pnr.ticketed):
                pnr.ticketed = when

    def _unglued(self) -> list[Segment]:
        """The message body with glued segments (a lost terminator) split again."""
        segments = self.raw.segments
        limits = _MAX_ELEMENTS
        out: list[Segment] = []
        for seg in segments:
            limit = limits.get(seg.tag)
            if limit is None or seg.count <= limit:
                out.append(seg)
                continue
            out.extend(self._unglue(seg, limit))
        return out

    def _unglue(self, seg: Segment, limit: int) -> list[Segment]:
        parts = seg.parts
        for i in range(1, min(limit, len(parts) - 1) + 1):
            value = parts[i]
            tail = value[-3:]
            if len(value) > 3 and tail in _TAGS and value[-4].isalnum():
                offset = sum(len(p) + 1 for p in parts[:i]) + len(value) - 3
                first = seg.derive([*parts[:i], value[:-3]], seg.position)
                second = seg.derive([tail, *parts[i + 1 :]], seg.position + offset)
                self.w.at(seg, "missing-terminator", f"split before the glued {tail} segment")
                return [first, *self._unglue_again(second)]
        self.w.at(seg, "extra-elements", f"{seg.count} elements, at most {limit} expected")
        return [seg]

    def _unglue_again(self, seg: Segment) -> list[Segment]:
        limit = _MAX_ELEMENTS.get(seg.tag)
        if limit is None or seg.count <= limit:
            return [seg]
        return self._unglue(seg, limit)

    def _find(self, pnr: _PnrB, ref: str, surname: str, given: str) -> _Trav | None:
        if ref and ref in pnr.by_ref:
            return pnr.by_ref[ref]
        for t in pnr.travellers:
            if t.matches(surname, given):
                return t
        return None

    def _rci(self, pnr: _PnrB, seg: Segment) -> None:
        for i in range(seg.count):
            comps = [c.strip() for c in seg.element(i)]
            if len(comps) < 2 or not comps[1]:
                continue
            if not pnr.locator:
                pnr.carrier, pnr.locator = comps[0], comps[1]
                rest = comps[2:]
                for j, c in enumerate(rest):
                    if len(c) == 6 and c.isdigit():
                        time = rest[j + 1] if j + 1 < len(rest) else ""
                        pnr.created = parse_ddmmyy(c, time)
                        break
            else:
                pnr._add(pnr.other_locators, f"{comps[0]}:{comps[1]}")

    def _ift(self, pnr: _PnrB, seg: Segment, trav: _Trav | None) -> None:
        kind = seg.get(0, 1).strip()
        if kind in ("15", "63"):
            return  # fare calculation, empty
        bits = [b for b in map(str.strip, seg.joined(1)) if b]
        if not bits:
            return
        if kind == "43":
            pnr._add(pnr.addresses, ", ".join(bits))
            return
        text = " ".join(bits)
        if kind != "28" or not pnr.contact(text, trav):
            pnr._add(pnr.remarks, text)

    def _add_address(self, pnr: _PnrB, seg: Segment, trav: _Trav | None) -> None:
        comps = [c.strip() for c in seg.element(1)]
        phone = comps[7] if len(comps) > 7 else ""
        parts = comps[1:7]
        if phone and sum(map(str.isdigit, phone)) < 5 and "CTC" not in phone:
            parts.append(phone)  # a postcode sent in the phone position
            phone = ""
        address = ", ".join([c for c in parts if c])
        if address:
            pnr._add(pnr.addresses, address)
            if trav is not None and not trav.address:
                trav.address = address
        if phone and not pnr.contact(phone, trav):
            pnr._add(pnr.contacts, phone)

    def _ssr(
        self, pnr: _PnrB, seg: Segment, section: str, trav: _Trav | None, leg: _LegB | None
    ) -> None:
        e0 = seg.element(0)
        code = e0[0].strip().upper() if e0 else ""
        if code == "SEAT" or code in ("RQST", "NSST"):
            for i in range(1, seg.count):
                c = seg.element(i)
                seat = c[0].strip()
                if seat and seat != "XXX":
                    ref = c[2].strip() if len(c) > 2 else ""
                    pnr.seats.append((leg, None, ref, seat, False))
            return
        text = ":".join(e0[8:]).strip()  # the free text after the fixed components
        owner = trav if section == "trav" else None
        if code in ("DOCS", "DOCO", "DOCA", "INFT", "TKNE"):
            if text:
                pnr.ssrs.append((code, text, seg.get(1, 2).strip(), owner, seg))
        elif code.startswith("CTC"):
            pnr.contact(f"CTC{code[3:4]} {text}", owner)
        elif code in ("OTHS", "CKIN", "OSI", "GRPS", "PCTC") and text:
            pnr._add(pnr.remarks, text)

    def _close_codeshare(self, pnr: _PnrB, leg: _LegB | None) -> None:
        if leg is not None and leg.operating and leg.operating != leg.carrier:
            pnr._add(pnr.codeshare, f"{leg.carrier}{leg.number}/{leg.operating}")
        if leg is not None:
            leg.operating = ""

    # --- finishing -----------------------------------------------------------------------------

    def _finish(self) -> Mapped:
        ic = self.ic
        flight = self.flight.build() if self.flight is not None else Leg("", "", "", "")
        if self.flight is None:
            self.w.at(self.raw.unh, "no-flight", "no TVL flight header in the message")
        pnrs = tuple([self._pnr(b, flight) for b in self.pnrs])
        message = Message(
            kind="PNRGOV",
            version=self.raw.version,
            flight=flight,
            legs=(flight,),
            pnrs=pnrs,
            sender=ic.sender,
            recipient=ic.recipient,
            prepared=ic.prepared,
            reference=self.raw.access_ref,
        )
        return Mapped(message, self.raw, self.counts, self.count_seg)

    def _pnr(self, b: _PnrB, flight: Leg) -> Pnr:
        for code, text, ref, owner, seg in b.ssrs:
            self._apply_ssr(b, code, text, ref, owner, seg)
        main = [x for x in b.legs if _same_leg(x, flight)]
        by_ref = b.by_ref
        for leg_b, who, ref, seat, _checked in sorted(b.seats, key=lambda s: not s[4]):
            t = who or (by_ref.get(ref) if ref else None)
            if t is not None and not t.seat and (leg_b in main or not main):
                t.seat = seat.lstrip("0") or seat
        for leg_b, t, n in b.bags:
            if leg_b in main or not main:
                t.bags = max(t.bags or 0, n)
        bags = [t.bags for t in b.travellers if t.bags is not None]
        if not b.locator:
            self.w.at(b.seg, "no-locator", "PNR without a record locator (RCI)")
        return Pnr(
            locator=b.locator,
            carrier=b.carrier,
            created=b.created,
            last_modified=b.last_modified,
            ticketed=b.ticketed,
            travellers=tuple([t.build() for t in b.travellers]),
            itinerary=self._itinerary(b.legs),
            payments=tuple(b.payments),
            contacts=tuple(b.contacts),
            emails=tuple(b.emails),
            addresses=tuple(b.addresses),
            agency=b.agency,
            agency_country=b.agency_country,
            remarks=tuple(b.remarks),
            history=tuple(b.history),
            codeshare=tuple(b.codeshare),
            bags=sum(bags) if bags else b.ebd,
            split_from=b.split_from,
            other_locators=tuple(b.other_locators),
        )

    def _itinerary(self, legs: list[_LegB]) -> tuple[Leg, ...]:
        """The legs as records; equal legs (a push repeats its flights) share one record."""
        built = self.built_legs
        out: list[Leg] = []
        for x in legs:
            key = (
                x.carrier,
                x.number,
                x.origin,
                x.destination,
                x.departure,
                x.arrival,
                x.status,
                x.booking_class,
            )
            leg = built.get(key)
            if leg is None:
                leg = built[key] = Leg(*key)
            out.append(leg)
        return tuple(out)

    def _owner(self, b: _PnrB, ref: str, owner: _Trav | None) -> _Trav | None:
        t = b.by_ref.get(ref) if ref else None
        if t is not None:
            return t
        if owner is not None:
            return owner
        adults = [t for t in b.travellers if t.role != "infant"]
        return adults[0] if len(adults) == 1 else None

    def _apply_ssr(
        self, b: _PnrB, code: str, text: str, ref: str, owner: _Trav | None, seg: Segment
    ) -> None:
        if code == "DOCS":
            self._docs(b, text, ref, owner, seg)
            return
        if code == "INFT":
            self._inft(b, text, seg)
            return
        t = self._owner(b, ref, owner)
        if code == "TKNE":
            m = _TICKET.search(text)
            if m is None:
                return
            if text.startswith("INF"):
                infants = [x for x in b.travellers if x.role == "infant"]
                t = infants[0] if len(infants) == 1 else None
            if t is not None and not t.ticket:
                t.ticket = m.group(1)
            return
        if t is None:
            self.w.at(seg, "no-traveller", f"SSR {code} matches no traveller; ignored")
            return
        f = [x.strip() for x in text.split("/")]
        if code == "DOCO":  # birth place / type / number / place of issue / issue date / country
            f += [""] * (7 - len(f))
            if f[0] and not t.birth_place:
                t.birth_place = f[0]
            if f[1] or f[2]:
                parts = split_ddmmmyy(f[4])
                issued = past_date(parts, self.ref_date)[0] if parts else None
                t.add_doc(TravelDocument(f[1], f[2], f[5], None, issued))
        elif code == "DOCA":  # type / country / street / city / state / postcode
            f = f[1:] if f and not f[0] else f
            f += [""] * (6 - len(f))
            address = ", ".join(x for x in [*f[2:6], f[1]] if x)
            if address:
                b._add(b.addresses, address)
                if not t.address:
                    t.address = address
            if f[0] == "R" and f[1]:
                t.residence = f[1]

    def _docs(self, b: _PnrB, text: str, ref: str, owner: _Trav | None, seg: Segment) -> None:
        d = parse_docs(text, self.ref_date)
        for code, problem in d.problems:
            self.w.at(seg, code, f"SSR DOCS {problem}")
        t = self._owner(b, ref, owner)
        if d.infant and (t is None or t.role != "infant"):
            t = next(
                (x for x in b.travellers if x.role == "infant" and x.matches(d.surname, d.given)),
                None,
            )
            if t is None:
                name = f"{d.surname}/{d.given}" if d.given else d.surname
                t = _Trav(d.surname, d.given, name, "infant", "")
                b.travellers.append(t)
        if t is None:
            self.w.at(seg, "no-traveller", "SSR DOCS matches no traveller; ignored")
            return
        _apply_docs(t, d)

    def _inft(self, b: _PnrB, text: str, seg: Segment) -> None:
        f = [x.strip() for x in text.split("/") if x.strip()]
        if not f:
            return
        birth: dt.date | None = None
        last = f[-1].split()
        if last and split_ddmmmyy(last[-1]):
            parts = split_ddmmmyy(last[-1])
            birth = past_date(parts, self.ref_date)[0] if parts else None
            f[-1] = " ".join(last[:-1])
            f = [x for x in f if x]
        surname = f[0]
        given = strip_title(" ".join(f[1:2]))
        t = next(
            (x for x in b.travellers if x.role == "infant" and x.matches(surname, given)), None
        )
        if t is None:
            name = f"{surname}/{given}" if given else surname
            t = _Trav(surname, given, name, "infant", "")
            b.travellers.append(t)
        if birth is not None and t.birth is None:
            t.birth = birth


@dataclass(slots=True)
class DocsText:
    """The fields of an SSR DOCS text ``/P/GBR/123456789/GBR/12JUL64/M/23AUG19/SMITH/JOHN``."""

    type: str = ""
    issuer: str = ""
    number: str = ""
    nationality: str = ""
    birth: dt.date | None = None
    gender: str = ""  # M, F, U, X (an infant's MI/FI gives M/F and ``infant``)
    expiry: dt.date | None = None
    surname: str = ""
    given: str = ""
    infant: bool = False
    problems: tuple[tuple[str, str], ...] = ()

    @property
    def document(self) -> TravelDocument | None:
        if not (self.type or self.number):
            return None
        return TravelDocument(
            self.type, self.number, self.issuer, self.expiry, None, self.nationality
        )


def parse_docs(text: str, ref: dt.date) -> DocsText:
    """Split a DOCS free text; two-digit years are read relative to ``ref`` (flight date)."""
    f = list(map(str.strip, text.split("/")))
    if not f[0]:
        del f[0]
    if len(f) < 11:
        f += [""] * (11 - len(f))
    dtype, issuer, number, nat, dob, gender, expiry, surname = f[:8]
    first, middle = strip_title(f[8], False), f[9]
    given = f"{first} {middle}" if first and middle else first or middle
    problems: list[tuple[str, str]] = []
    birth = None
    if dob:
        parts = split_ddmmmyy(dob)
        birth, ambiguous = past_date(parts, ref) if parts else (None, False)
        if birth is None:
            problems.append(("bad-date", f"birth date {dob!r} is not a date; dropped"))
        elif ambiguous:
            problems.append(("century", f"birth date {dob!r} read as {birth:%Y-%m-%d}"))
    exp = None
    if expiry:
        parts = split_ddmmmyy(expiry)
        exp = future_date(parts, ref) if parts else None
        if exp is None:
            problems.append(("bad-date", f"expiry date {expiry!r} is not a date; dropped"))
    g = gender.upper()
    return DocsText(
        dtype,
        issuer,
        number,
        nat,
        birth,
        g[:1],
        exp,
        surname,
        given,
        g in ("FI", "MI", "UI"),
        tuple(problems) if problems else (),
    )


def _apply_docs(t: _Trav, d: DocsText) -> None:
    """Put what a DOCS says on a traveller, keeping what is already there."""
    doc = d.document
    if doc is not None:
        t.add_doc(doc)
    if d.birth is not None and t.birth is None:
        t.birth = d.birth
    if d.gender and not t.gender:
        t.gender = d.gender
    if d.nationality and not t.nationality:
        t.nationality = d.nationality
    if d.surname and not t.doc_surname:
        # a Type-B wrap may have left a space inside a name: keep the TIF spelling then
        same = d.surname.replace(" ", "") == t.surname.replace(" ", "")
        t.doc_surname = t.surname if same else d.surname
        same = same and d.given.replace(" ", "") == t.given.replace(" ", "")
        t.doc_given = t.given if same else d.given


def _compact(name: str) -> str:
    return name.replace(" ", "")


def _same_leg(leg: _LegB, flight: Leg) -> bool:
    if not flight.origin or leg.origin != flight.origin:
        return False
    if flight.destination and leg.destination and leg.destination != flight.destination:
        return False
    if flight.departure is not None and leg.departure is not None:
        return leg.departure.date() == flight.departure.date()
    return True


def map_message(raw: RawMessage, ic: Interchange, w: Warnings) -> Mapped:
    """Map one PNRGOV message (or one part of a multi-part one)."""
    return _Mapper(raw, ic, w).run()


def check_counts(mapped: Mapped, w: Warnings) -> None:
    """Compare EQN (number of PNRs) with the PNRs found."""
    n = mapped.counts.get("EQN")
    if n is not None and mapped.count_seg is not None and n != len(mapped.message.pnrs):
        w.at(mapped.count_seg, "eqn-count", f"EQN says {n} PNRs, found {len(mapped.message.pnrs)}")


__all__ = [
    "DocsText",
    "check_counts",
    "decode_email",
    "map_message",
    "parse_docs",
    "strip_title",
]
