"""PNRGOV XML (IATA PADIS ``IATA_PNRGOV_NotifRQ``) to a :class:`Message` of :class:`Pnr`.

Parsed with lxml without entity expansion, network or DTD loading; a document type
declaration is refused outright. Elements are matched by local name, so a missing or
different namespace is read (with a warning). Warnings carry the element's line as
``segment`` and the byte offset of that line as ``position``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any

from lxml import etree

from cthub.core.errors import InvalidInput
from cthub.travel.edifact.interchange import future_date, past_date, split_ddmmmyy
from cthub.travel.edifact.pnrgov import decode_email, parse_docs, strip_title
from cthub.travel.edifact.tokenizer import MAX_VALUE, Warnings
from cthub.travel.records import (
    HistoryItem,
    Leg,
    Message,
    ParseResult,
    Passenger,
    Payment,
    Pnr,
    TravelDocument,
)

NS = "http://www.iata.org/IATA/2007/00"
ROOT = "IATA_PNRGOV_NotifRQ"
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _local(el: Any) -> str:
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


class _Reader:
    def __init__(self, data: bytes, file: str) -> None:
        self.file = file
        self.data = data
        self.w = Warnings(file)
        self.lines = [0] + [m.end() for m in re.finditer(b"\n", data)]
        self.ref_date = dt.date.today()

    def warn(self, el: Any, code: str, message: str) -> None:
        """Warn about ``el``: its start tag's line as segment, its byte offset as position."""
        line = int(el.sourceline or 0)  # libxml2 gives the line where the start tag ends
        name = _local(el)
        end = self.lines[line] if 0 < line < len(self.lines) else len(self.data)
        position = max(
            self.data.rfind(b"<" + name.encode(), 0, end),
            self.data.rfind(b":" + name.encode(), 0, end),
        )
        if position < 0:
            position = self.lines[line - 1] if 0 < line <= len(self.lines) else 0
        elif self.data[position : position + 1] == b":":
            position = self.data.rfind(b"<", 0, position)
        line = bisect.bisect_right(self.lines, position)
        self.w.add(code, line, position, message, name)

    def text(self, el: Any, value: str | None) -> str:
        """An attribute or text value: stripped, control characters removed, capped."""
        if value is None:
            return ""
        v = value.strip()
        if "\n" in v or "\r" in v:
            v = v.replace("\r", "").replace("\n", "")
        if _CTRL.search(v):
            self.warn(el, "control-char", "removed control characters")
            v = _CTRL.sub("", v)
        if len(v) > MAX_VALUE:
            self.warn(el, "too-long", f"value of {len(v)} characters cut to {MAX_VALUE}")
            v = v[:MAX_VALUE]
        return v

    def attr(self, el: Any, *names: str) -> str:
        for name in names:
            value = el.get(name)
            if value is not None and value.strip():
                return self.text(el, value)
        return ""

    def children(self, el: Any, name: str) -> list[Any]:
        return [c for c in el if _local(c) == name]

    def child(self, el: Any, name: str) -> Any:
        for c in el:
            if _local(c) == name:
                return c
        return None

    def child_text(self, el: Any, name: str) -> str:
        c = self.child(el, name)
        return self.text(c, c.text) if c is not None else ""

    def when(self, el: Any, *names: str) -> dt.datetime | None:
        value = self.attr(el, *names)
        if not value:
            return None
        try:
            when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            self.warn(el, "bad-date", f"{value!r} is not a date/time; dropped")
            return None
        return when.replace(tzinfo=None)

    def day(self, el: Any, *names: str, past: bool = True) -> dt.date | None:
        value = self.attr(el, *names)
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
        parts = split_ddmmmyy(value)
        day: dt.date | None = None
        if parts:
            day = past_date(parts, self.ref_date)[0] if past else future_date(parts, self.ref_date)
        if day is None:
            self.warn(el, "bad-date", f"{value!r} is not a date; dropped")
        return day

    # --- mapping -------------------------------------------------------------------------------

    def leg(self, el: Any, carrier: str = "") -> Leg:
        dep = self.child(el, "DepartureAirport")
        arr = self.child(el, "ArrivalAirport")
        op = self.child(el, "OperatingAirline")
        mk = self.child(el, "MarketingAirline")
        carrier = self.attr(el, "CarrierCode") or (self.attr(mk, "Code") if mk is not None else "")
        carrier = carrier or (self.attr(op, "Code") if op is not None else "")
        number = self.attr(el, "FlightNumber").lstrip("0")
        return Leg(
            carrier=carrier,
            number=number,
            origin=self.attr(dep, "LocationCode") if dep is not None else "",
            destination=self.attr(arr, "LocationCode") if arr is not None else "",
            departure=self.when(el, "DepartureDateTime"),
            arrival=self.when(el, "ArrivalDateTime"),
            status=self.attr(el, "Status"),
            booking_class=self.attr(el, "ResBookDesigCode"),
        )

    def passenger(self, el: Any, seats: dict[str, str]) -> Passenger:
        surname = self.child_text(el, "Surname")
        given_raw = " ".join(self.text(g, g.text) for g in self.children(el, "GivenName"))
        rph = self.attr(el, "RPH", "SurnameRefNumber")
        kind = self.attr(el, "PassengerTypeCode").upper()
        role = "infant" if kind in ("INF", "IN") else "passenger"
        docs: list[TravelDocument] = []
        birth: dt.date | None = None
        gender = nationality = birth_place = address = residence = ""
        doc_surname = doc_given = ""
        for ssr in self.children(el, "DOC_SSR"):
            for d in ssr:
                kind = _local(d)
                if kind == "DOCS":
                    dtype = self.attr(d, "DocType", "TravelDocType")
                    number = self.attr(d, "DocID", "DocNumber", "TravelDocNbr")
                    issuer = self.attr(d, "DocIssueCountry", "IssuingLoc", "DocIssueLocation")
                    nat = self.attr(d, "PaxNationality", "Nationality")
                    expiry = self.day(d, "ExpiryDate", "ExpireDate", past=False)
                    if dtype or number:
                        docs.append(TravelDocument(dtype, number, issuer, expiry, None, nat))
                    birth = birth or self.day(d, "DateOfBirth", "BirthDate")
                    gender = gender or self.attr(d, "Gender")[:1]
                    nationality = nationality or nat
                    if not doc_surname and self.attr(d, "Surname"):
                        doc_surname = self.attr(d, "Surname")
                        names = [self.attr(d, "FirstGivenName"), self.attr(d, "SecondGivenName")]
                        doc_given = " ".join(x for x in names if x)
                    if self.attr(d, "Gender").upper() in ("FI", "MI"):
                        role = "infant"
                elif kind == "DOCO":
                    birth_place = birth_place or self.attr(d, "BirthLocation")
                    dtype = self.attr(d, "TravelDocType")
                    number = self.attr(d, "TravelDocNbr")
                    if dtype or number:
                        issued = self.day(d, "DateOfIssue")
                        country = self.attr(d, "CountryState")
                        docs.append(TravelDocument(dtype, number, country, None, issued))
                elif kind == "DOCA":
                    bits = ["Address", "CityName", "StateProvCounty", "PostalCode", "Country"]
                    text = ", ".join(x for x in (self.attr(d, b) for b in bits) if x)
                    address = address or text
                    if self.attr(d, "AddressType").upper() == "R":
                        residence = residence or self.attr(d, "Country")
        for ssr in self.children(el, "SSR"):  # text DOCS as in EDIFACT
            if self.attr(ssr, "SSRCode", "SSR_Code").upper() == "DOCS":
                text = self.child_text(ssr, "Text") or self.child_text(ssr, "TEXT")
                if text:
                    parsed = parse_docs(text, self.ref_date)
                    if parsed.document is not None and parsed.document not in docs:
                        docs.append(parsed.document)
                    birth = birth or parsed.birth
        loyalty = self.child(el, "CustLoyalty")
        ff = ""
        if loyalty is not None:
            ff = f"{self.attr(loyalty, 'ProgramID')} {self.attr(loyalty, 'MembershipID')}".strip()
        ticket = ""
        for t in self.children(el, "TicketDocument"):
            ticket = ticket or self.attr(t, "TicketDocumentNbr")
        bags = None
        for b in self.children(el, "ExcessBaggage"):
            n = self.attr(b, "UnitOfMeasureQuantity")
            if n.isdigit():
                bags = (bags or 0) + int(n)
        phones = tuple(
            x for x in (self.attr(c, "PhoneNumber") for c in self.children(el, "ContactInfo")) if x
        )
        name = f"{surname}/{given_raw}" if given_raw else surname
        return Passenger(
            name=name,
            surname=doc_surname or surname,
            given=doc_given if doc_surname else strip_title(given_raw),
            role=role,
            gender=gender,
            birth_date=birth,
            nationality=nationality,
            documents=tuple(docs),
            ref=rph,
            seat=seats.get(rph, ""),
            residence_country=residence,
            birth_place=birth_place,
            bags=bags,
            phones=phones,
            address=address,
            frequent_flyer=ff,
            ticket=ticket,
        )

    def pnr(self, el: Any, flight: Leg) -> Pnr:
        ref = self.child(el, "BookingRefID")
        locator = self.attr(ref, "ID") if ref is not None else ""
        company = self.child(ref, "CompanyName") if ref is not None else None
        if not locator:
            self.warn(el, "no-locator", "PNR without BookingRefID")
        itinerary: list[Leg] = []
        seats: dict[str, str] = {}
        codeshare: list[str] = []
        remarks: list[str] = []
        for f in self.children(el, "Flight"):
            leg = self.leg(f)
            itinerary.append(leg)
            op = self.child(f, "OperatingAirline")
            if op is not None and self.attr(op, "Code") and self.attr(op, "Code") != leg.carrier:
                number = self.attr(op, "FlightNumber").lstrip("0")
                codeshare.append(f"{leg.carrier}{leg.number}/{self.attr(op, 'Code')}{number}")
            main = leg.origin == flight.origin and leg.destination == flight.destination
            for ssr in self.children(f, "SSR"):
                code = self.attr(ssr, "SSRCode", "SSR_Code").upper()
                text = self.child_text(ssr, "Text") or self.child_text(ssr, "TEXT")
                if code == "SEAT" and main and text:
                    seats.setdefault(self.attr(ssr, "RPH"), text.lstrip("0"))
                elif code in ("OTHS", "CKIN") and text:
                    remarks.append(text)
        contacts: list[str] = []
        emails: list[str] = []
        addresses: list[str] = []
        for c in self.children(el, "ContactInfo"):
            if self.attr(c, "PhoneNumber"):
                contacts.append(self.attr(c, "PhoneNumber"))
            if self.attr(c, "EmailAddress"):
                emails.append(decode_email(self.attr(c, "EmailAddress")))
            bits = [self.child_text(c, n) for n in ("AddressLine", "CityName", "PostalCode")]
            bits.append(self.child_text(c, "StateProv"))
            bits.append(self.child_text(c, "CountryName"))
            address = ", ".join(x for x in bits if x and x != "-")
            if address:
                addresses.append(address)
        agency = country = ""
        pos = self.child(el, "POS")
        source = self.child(pos, "Source") if pos is not None else None
        if source is not None:
            req = self.child(source, "RequestorID")
            agency = (self.attr(req, "ID") if req is not None else "") or self.attr(
                source, "PseudoCityCode"
            )
            country = self.attr(source, "ISOCountry", "ISOCOuntry")
        travellers = tuple(self.passenger(p, seats) for p in self.children(el, "Passenger"))
        payments: list[Payment] = []
        for p in el.iter():
            if _local(p) == "PaymentInfo":
                payments.append(
                    Payment(
                        type=self.attr(p, "PaymentType"),
                        card_vendor=self.attr(p, "VendorCode"),
                        card_number=self.attr(p, "AccountNbr"),
                        amount=self.attr(p, "PaymentAmount"),
                        currency=self.attr(p, "CurrencyCode"),
                    )
                )
        bags = None
        for b in self.children(el, "PrepaidBag"):
            n = self.attr(b, "UnitOfMeasureQuantity")
            if n.isdigit():
                bags = (bags or 0) + int(n)
        history = tuple(
            HistoryItem(self.attr(h, "Action"), self.text(h, h.text), self.when(h, "DateTime"))
            for h in el.iter()
            if _local(h) == "History"
        )
        return Pnr(
            locator=locator,
            carrier=self.attr(company, "Code") if company is not None else "",
            created=self.when(el, "PNR_CreationDate"),
            last_modified=self.when(el, "PNR_TransDate"),
            ticketed=self._ticketed(el),
            travellers=travellers,
            itinerary=tuple(itinerary),
            payments=tuple(payments),
            contacts=tuple(contacts),
            emails=tuple(emails),
            addresses=tuple(addresses),
            agency=agency,
            agency_country=country,
            remarks=tuple(remarks),
            history=history,
            codeshare=tuple(codeshare),
            bags=bags,
        )

    def _ticketed(self, el: Any) -> dt.datetime | None:
        for t in el.iter():
            if _local(t) == "TicketDocument" and self.attr(t, "DateOfIssue"):
                day = self.day(t, "DateOfIssue")
                if day is not None:
                    return dt.datetime(day.year, day.month, day.day)
        return None

    def run(self, root: Any) -> ParseResult:
        ns = etree.QName(root).namespace
        if ns != NS:
            self.warn(root, "namespace", f"namespace {ns!r}, expected {NS!r}; read anyway")
        orig = self.child(root, "Originator")
        sender = self.attr(orig, "AirlineCode") if orig is not None else ""
        system = self.attr(orig, "SystemCode") if orig is not None else ""
        fl = self.child(root, "FlightLeg")
        if fl is None:
            self.warn(root, "no-flight", "no FlightLeg")
            flight = Leg("", "", "", "")
        else:
            flight = self.leg(fl)
        if flight.departure is not None:
            self.ref_date = flight.departure.date()
        pnrs_el = self.child(root, "PNRs")
        pnr_els = self.children(pnrs_el, "PNR") if pnrs_el is not None else []
        pnrs = tuple(self.pnr(p, flight) for p in pnr_els)
        if pnrs_el is not None:
            declared = self.attr(pnrs_el, "NumberOfPnrs")
            if declared.isdigit() and int(declared) != len(pnrs):
                self.warn(pnrs_el, "eqn-count", f"NumberOfPnrs {declared}, found {len(pnrs)}")
        message = Message(
            kind="PNRGOV-XML",
            version=self.attr(root, "Version"),
            flight=flight,
            legs=(flight,),
            pnrs=pnrs,
            sender=" ".join(x for x in (sender, system) if x),
            prepared=self.when(root, "TimeStamp"),
            reference=self.attr(root, "EchoToken"),
        )
        return ParseResult(self.file, [message], self.w.finish())


def parse(data: bytes, file: str) -> ParseResult:
    """Parse a PNRGOV XML notification (raises :class:`InvalidInput` for anything else)."""
    if b"<!DOCTYPE" in data[:65536].upper() or b"<!ENTITY" in data.upper():
        raise InvalidInput(
            "{file}: XML with a document type declaration is not accepted",
            hint="Send PNRGOV XML without DOCTYPE or entity declarations.",
            file=file,
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno or 0
        raise InvalidInput(
            "{file}: line {line}: not well-formed XML: {problem}",
            hint="Check the file is complete and encoded as declared.",
            file=file,
            line=line,
            problem=str(exc.msg),
        ) from exc
    if _local(root) != ROOT:
        raise InvalidInput(
            "{file}: XML root {root} is not {expected}",
            hint="Only PNRGOV XML notifications (IATA_PNRGOV_NotifRQ) are read.",
            file=file,
            root=_local(root) or "?",
            expected=ROOT,
        )
    return _Reader(data, file).run(root)


__all__ = ["NS", "ROOT", "parse"]
