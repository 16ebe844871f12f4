"""Plain records the travel parsers produce and the checks work on, detached from storage.

The EDIFACT and XML mappers turn carrier messages into these; the store persists them; the
risk rules and the watchlist/document checks read them. Codes stay as the carrier sent them
where a standard code list exists (ISO 3166 alpha-3 countries, IATA airports and carriers).
Every free-text value has had CR/LF removed (Type-B line wraps) before it lands here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something odd the parser tolerated: names the file, the segment and where it starts.

    ``segment`` is the 1-based segment number in the interchange (0 = envelope/file level);
    ``position`` the byte offset of the segment's first character in the file; ``code`` a stable
    identifier tests and the UI key on (``unt-count``, ``latin1``, ``lower-case``, ``una``,
    ``type-b``, ``line-break``, ``century``, ``bad-date``, ``unknown-segment``, ...).
    """

    file: str
    segment: int
    position: int
    code: str
    message: str
    tag: str = ""


@dataclass(frozen=True, slots=True)
class FlightKey:
    """What identifies one flight: carrier + number + scheduled departure date + origin."""

    carrier: str
    number: str
    departure_date: dt.date
    origin: str

    def __str__(self) -> str:
        return f"{self.carrier}{self.number}/{self.departure_date:%Y-%m-%d}/{self.origin}"


@dataclass(frozen=True, slots=True)
class Leg:
    """One flight leg: of a manifest (PAXLST TDT/LOC/DTM) or of a PNR itinerary (TVL)."""

    carrier: str
    number: str
    origin: str
    destination: str
    departure: dt.datetime | None = None
    arrival: dt.datetime | None = None
    status: str = ""  # PNR booking status (HK, UN, ...) where sent
    booking_class: str = ""

    @property
    def key(self) -> FlightKey | None:
        if self.departure is None:
            return None
        return FlightKey(self.carrier, self.number, self.departure.date(), self.origin)


@dataclass(frozen=True, slots=True)
class TravelDocument:
    """A document as sent (DOC/DTM/LOC in PAXLST, SSR DOCS in PNRGOV).

    ``type`` is the ICAO/carrier code (P passport, I/C/A identity cards, V visa, ...);
    ``issuing_country`` and ``nationality`` are ISO 3166 alpha-3 as sent.
    """

    type: str
    number: str
    issuing_country: str = ""
    expiry: dt.date | None = None
    issued: dt.date | None = None
    nationality: str = ""


@dataclass(frozen=True, slots=True)
class Passenger:
    """One traveller on a manifest, or one traveller (TIF) in a PNR.

    ``role`` is ``passenger``, ``crew``, ``transit_passenger`` or ``transit_crew`` (NAD FL/FM/
    DDU/DDT); PNR travellers are ``passenger`` (``infant`` for an INFT). ``name`` is the name
    exactly as the carrier sent it (for output and review); ``surname``/``given`` are split.
    ``ref`` is the carrier's passenger reference (RFF+ABO, TIF reference) where sent.
    """

    name: str
    surname: str
    given: str = ""
    role: str = "passenger"
    gender: str = ""  # M, F, U, X as sent
    birth_date: dt.date | None = None
    nationality: str = ""
    documents: tuple[TravelDocument, ...] = ()
    ref: str = ""
    pnr_locator: str = ""
    seat: str = ""
    embarkation: str = ""
    debarkation: str = ""
    residence_country: str = ""
    birth_place: str = ""
    bags: int | None = None
    phones: tuple[str, ...] = ()
    address: str = ""
    frequent_flyer: str = ""
    ticket: str = ""
    clearance_port: str = ""  # PAXLST LOC+22 (added by the EDIFACT mapper)


@dataclass(frozen=True, slots=True)
class Payment:
    """One form of payment (FOP): CC card, CA cash, CK cheque, MS miscellaneous, ..."""

    type: str
    card_vendor: str = ""
    card_number: str = ""  # masked as the carrier sent it
    amount: str = ""  # decimal string as sent, never a float
    currency: str = ""


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One line of PNR history (ABI/DAT/SAC groups or LTS free text)."""

    action: str  # A added, X cancelled, "" unknown/free text
    text: str
    at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Pnr:
    """One passenger name record as pushed for one flight.

    ``itinerary`` holds every TVL leg of the booking; ``contacts`` phone numbers and e-mail
    addresses from IFT/ADD/CTC lines; ``agency`` the booking office (ORG); ``remarks`` general
    remarks (OSI/IFT free text).
    """

    locator: str
    carrier: str = ""
    created: dt.datetime | None = None
    last_modified: dt.datetime | None = None
    ticketed: dt.datetime | None = None
    travellers: tuple[Passenger, ...] = ()
    itinerary: tuple[Leg, ...] = ()
    payments: tuple[Payment, ...] = ()
    contacts: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    agency: str = ""
    agency_country: str = ""
    remarks: tuple[str, ...] = ()
    history: tuple[HistoryItem, ...] = ()
    codeshare: tuple[str, ...] = ()
    bags: int | None = None
    split_from: str = ""
    other_locators: tuple[str, ...] = ()  # further RCI locators, e.g. the airline's "KE:EDP2RW"


@dataclass(frozen=True)
class Message:
    """One reassembled message: a flight with its manifest (PAXLST) or its PNRs (PNRGOV).

    ``kind`` is ``PAXLST``, ``PNRGOV`` or ``PNRGOV-XML``; ``version`` e.g. ``D:05B`` or
    ``11:1``; ``list_type`` the PAXLST BGM code (745 passengers, 250 crew, ...); ``parts`` how
    many UNH parts were joined. ``legs`` lists every flight leg of the message (the first is
    the main one); ``reference`` is the UNH common access reference or the transaction ref.
    """

    kind: str
    version: str
    flight: Leg
    legs: tuple[Leg, ...] = ()
    passengers: tuple[Passenger, ...] = ()
    pnrs: tuple[Pnr, ...] = ()
    sender: str = ""
    recipient: str = ""
    prepared: dt.datetime | None = None
    reference: str = ""
    list_type: str = ""
    parts: int = 1
    interactive: bool = False


@dataclass
class ParseResult:
    """What one file gave: its messages and every warning, in file order."""

    file: str
    messages: list[Message] = field(default_factory=list)
    warnings: list[ParseWarning] = field(default_factory=list)
