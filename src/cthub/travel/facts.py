"""Facts: one flat row of typed attributes per passenger on a flight, for the risk rules.

The rules (``cthub.travel.rules``) never read records directly: they read the rows built here,
so every criterion is expressed over a documented attribute of the :data:`CATALOGUE`, and a
reviewer can see exactly which value made a rule fire. The attributes follow what GTAS exposes
to its users (booking window, trip type and duration, route, dwell time, form of payment,
agency, contacts, co-travellers, hits) and the data categories of Directive (EU) 2016/681
Annex I.

Conventions:

* Missing data is ``None``. A rule condition on a ``None`` value never matches, and the
  explanation says the field was missing.
* Codes are upper case as sent (ISO 3166 alpha-3 countries, IATA airports); lists of codes are
  tuples in route or message order, without duplicates.
* Times are the carriers' local times as sent (the records carry no time zones), so hour
  differences across zones are approximate; day-scale attributes are unaffected.
* No attribute reveals a special category of data (Directive 2016/681 Art. 6(4), 13(4)):
  special-meal and health SSRs are not read at all, and remarks are offered only as free text
  that the rule validator screens (see ``cthub.travel.rules.SENSITIVE``).
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from importlib import resources

from cthub.core.model.countries import countries
from cthub.travel.records import Leg, Message, Passenger, Payment, Pnr, TravelDocument

# --------------------------------------------------------------------------------------------
# Attribute types, operators, catalogue
# --------------------------------------------------------------------------------------------

NUMBER = "number"
STRING = "string"
CODE = "code"
BOOL = "bool"
CODES = "codes"

#: Operators each attribute type allows (``cthub travel rules fields`` prints them).
OPERATORS: dict[str, tuple[str, ...]] = {
    NUMBER: ("=", "!=", "<", "<=", ">", ">=", "between"),
    STRING: ("=", "!=", "in", "not_in", "starts_with", "contains"),
    CODE: ("=", "!=", "in", "not_in", "starts_with", "contains"),
    BOOL: ("is_true", "is_false"),
    CODES: ("contains_any", "contains_all", "is_empty"),
}

#: Attribute groups, in display order.
GROUPS: tuple[str, ...] = ("api", "pnr", "itinerary", "payment", "contact", "derived", "hits")


@dataclass(frozen=True, slots=True)
class Attribute:
    """One attribute a rule can test: name, type, group and a plain-English description.

    ``evidence`` names another attribute whose value explains a boolean (``route_via_hub`` is
    explained by ``hubs_on_route``); explanations quote it.
    """

    name: str
    type: str
    group: str
    description: str
    unit: str = ""
    evidence: str = ""

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS[self.type]

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "type": self.type,
            "group": self.group,
            "description": self.description,
            "unit": self.unit,
            "evidence": self.evidence,
            "operators": list(self.operators),
        }


_ATTRIBUTES: tuple[Attribute, ...] = (
    # --- api: what the passenger's API (or the PNR's DOCS/DOCO) says --------------------------
    Attribute("age", NUMBER, "api", "Age at departure, from the birth date.", "years"),
    Attribute("gender", CODE, "api", "Gender as sent (M, F, U or X)."),
    Attribute("nationality", CODE, "api", "Nationality (ISO 3166 alpha-3 as sent)."),
    Attribute("residence_country", CODE, "api", "Country of residence (LOC+174, DOCA/R)."),
    Attribute("birth_place", STRING, "api", "Place of birth as sent (LOC+180)."),
    Attribute("role", CODE, "api", "passenger, crew, transit_passenger, transit_crew or infant."),
    Attribute("is_crew", BOOL, "api", "The person is crew (NAD+FM or DDT)."),
    Attribute("is_transit", BOOL, "api", "The person is in transit (NAD+DDU or DDT)."),
    Attribute("document_type", CODE, "api", "Type of the main travel document (P, I, C, A, ...)."),
    Attribute("document_issuing_country", CODE, "api", "Issuing state of the main document."),
    Attribute("document_types", CODES, "api", "Types of every document sent, visas included."),
    Attribute("document_count", NUMBER, "api", "Number of documents sent."),
    Attribute(
        "document_expires_days",
        NUMBER,
        "api",
        "Days from departure to the main document's expiry (negative: already expired).",
        "days",
    ),
    Attribute("document_expired", BOOL, "api", "The main document expired before departure."),
    Attribute(
        "document_expires_during_trip",
        BOOL,
        "api",
        "The main document expires before the end of the trip (last leg of the itinerary, "
        "else this flight's arrival).",
        evidence="document_expires_days",
    ),
    Attribute(
        "document_issued_days",
        NUMBER,
        "api",
        "Days between the main document's issue date and departure.",
        "days",
    ),
    Attribute(
        "document_issuer_differs_from_nationality",
        BOOL,
        "api",
        "The main document was issued by a state other than the stated nationality.",
    ),
    Attribute("has_visa", BOOL, "api", "A visa (document type V) was sent."),
    Attribute(
        "nationality_differs_from_residence",
        BOOL,
        "api",
        "Nationality and country of residence differ.",
    ),
    Attribute("embarkation", CODE, "api", "Airport where the person boards this flight."),
    Attribute("debarkation", CODE, "api", "Airport where the person leaves this flight."),
    Attribute("embarkation_country", CODE, "api", "Country of the embarkation airport."),
    Attribute("debarkation_country", CODE, "api", "Country of the debarkation airport."),
    Attribute("bags", NUMBER, "api", "Checked bags of the person (MEA+CT, or TBD at check-in)."),
    Attribute("seat", CODE, "api", "Seat as sent (RFF+SEA, SSD)."),
    Attribute("has_seat", BOOL, "api", "A seat is assigned."),
    Attribute(
        "checked_in",
        BOOL,
        "api",
        "Checked in: on the API manifest; false for a PNR traveller missing from a manifest "
        "received for the flight; missing when no manifest is known.",
    ),
    Attribute("api_present", BOOL, "api", "The person appears in API data for this flight."),
    Attribute("source", CODE, "api", "Message the row comes from: PAXLST, PNRGOV, PNRGOV-XML."),
    Attribute("interactive", BOOL, "api", "The API came interactively (iAPI at check-in)."),
    # --- pnr -----------------------------------------------------------------------------
    Attribute("pnr_present", BOOL, "pnr", "A PNR is linked to the person."),
    Attribute("pnr_carrier", CODE, "pnr", "Carrier that holds the PNR."),
    Attribute(
        "hours_booking_to_departure",
        NUMBER,
        "pnr",
        "Hours between PNR creation and this flight's departure.",
        "hours",
    ),
    Attribute(
        "days_booking_to_departure",
        NUMBER,
        "pnr",
        "Days between PNR creation and this flight's departure.",
        "days",
    ),
    Attribute(
        "days_last_change_to_departure",
        NUMBER,
        "pnr",
        "Days between the last PNR change and this flight's departure.",
        "days",
    ),
    Attribute(
        "hours_ticketing_to_departure",
        NUMBER,
        "pnr",
        "Hours between ticketing (DAT 710) and this flight's departure.",
        "hours",
    ),
    Attribute("ticket_same_day", BOOL, "pnr", "The ticket was issued on the day of departure."),
    Attribute("booked_same_day", BOOL, "pnr", "The PNR was created on the day of departure."),
    Attribute("ticketed", BOOL, "pnr", "A ticket number or ticketing date is present."),
    Attribute("history_count", NUMBER, "pnr", "Number of PNR history entries (changes)."),
    Attribute("history_cancellations", NUMBER, "pnr", "History entries that cancelled an item."),
    Attribute(
        "pnr_push_count",
        NUMBER,
        "pnr",
        "Pushes of this PNR received for the flight (from the store; missing when unknown).",
    ),
    Attribute("travellers_in_pnr", NUMBER, "pnr", "Travellers in the PNR, infants excluded."),
    Attribute("infants_in_pnr", NUMBER, "pnr", "Infants in the PNR."),
    Attribute("travelling_alone", BOOL, "pnr", "The PNR holds only this traveller."),
    Attribute(
        "co_travellers_on_flight",
        NUMBER,
        "pnr",
        "Other people on this flight with the same booking locator.",
    ),
    Attribute("split_pnr", BOOL, "pnr", "The PNR was split (divided) from another PNR."),
    Attribute("codeshare", BOOL, "pnr", "The booking involves a codeshare flight."),
    Attribute("frequent_flyer", BOOL, "pnr", "A frequent flyer number is present."),
    Attribute("pnr_bags", NUMBER, "pnr", "Bags recorded at PNR level (EBD excess bags)."),
    Attribute("remarks", STRING, "pnr", "General remarks (OSI, free text), joined with ' | '."),
    Attribute("remarks_count", NUMBER, "pnr", "Number of general remarks."),
    Attribute("booking_status", CODE, "pnr", "Booking status of this flight's segment (HK, ...)."),
    Attribute("booking_class", CODE, "pnr", "Booking class of this flight's segment."),
    Attribute(
        "no_show_history",
        BOOL,
        "pnr",
        "History or remarks record a no-show (text NOSHOW / NO SHOW).",
    ),
    Attribute("go_show", BOOL, "pnr", "History or remarks record a go-show (text GOSHOW)."),
    Attribute("agency", CODE, "pnr", "Booking office or travel agency (ORG) as sent."),
    Attribute("agency_country", CODE, "pnr", "Country of the booking office or agency."),
    Attribute(
        "booked_by_agency",
        BOOL,
        "pnr",
        "The booking office is not the carrier's own (agency set and not starting with the "
        "carrier code).",
        evidence="agency",
    ),
    # --- itinerary -------------------------------------------------------------------------
    Attribute("legs_count", NUMBER, "itinerary", "Active flight legs in the PNR itinerary."),
    Attribute("origin", CODE, "itinerary", "Airport where the journey starts."),
    Attribute(
        "destination",
        CODE,
        "itinerary",
        "Journey destination: the turnaround point of a round trip (longest stay), else the "
        "last airport.",
    ),
    Attribute("origin_country", CODE, "itinerary", "Country where the journey starts."),
    Attribute("destination_country", CODE, "itinerary", "Country of the journey destination."),
    Attribute("flight_origin", CODE, "itinerary", "Departure airport of this flight."),
    Attribute("flight_destination", CODE, "itinerary", "Arrival airport of this flight."),
    Attribute("flight_origin_country", CODE, "itinerary", "Country this flight leaves."),
    Attribute("flight_destination_country", CODE, "itinerary", "Country this flight reaches."),
    Attribute(
        "transit_airports",
        CODES,
        "itinerary",
        "Airports where the traveller connects (every stop except the turnaround).",
    ),
    Attribute("transit_countries", CODES, "itinerary", "Countries of the transit airports."),
    Attribute("route_airports", CODES, "itinerary", "Every airport of the itinerary, in order."),
    Attribute("route_countries", CODES, "itinerary", "Every country of the itinerary, in order."),
    Attribute(
        "route_via_hub",
        BOOL,
        "itinerary",
        "The route touches a hub of the configured hub list (any airport but the origin).",
        evidence="hubs_on_route",
    ),
    Attribute("hubs_on_route", CODES, "itinerary", "The configured hubs the route touches."),
    Attribute(
        "destination_in_country_list",
        BOOL,
        "itinerary",
        "The journey destination is in the configured country list.",
        evidence="destination_country",
    ),
    Attribute(
        "route_touches_country_list",
        BOOL,
        "itinerary",
        "Any airport of the route is in a country of the configured list.",
        evidence="listed_countries_on_route",
    ),
    Attribute(
        "listed_countries_on_route",
        CODES,
        "itinerary",
        "Countries of the configured list that the route touches.",
    ),
    Attribute(
        "one_way",
        BOOL,
        "itinerary",
        "No return: the itinerary does not come back to the origin airport or country.",
        evidence="route_airports",
    ),
    Attribute("round_trip", BOOL, "itinerary", "The itinerary returns to the origin."),
    Attribute(
        "trip_duration_days",
        NUMBER,
        "itinerary",
        "Days from the first departure to the last arrival of a round trip.",
        "days",
    ),
    Attribute(
        "destination_stay_days",
        NUMBER,
        "itinerary",
        "Days spent at the turnaround point of a round trip (dwell time).",
        "days",
    ),
    Attribute(
        "layover_hours_max", NUMBER, "itinerary", "Longest connection time at a stop.", "hours"
    ),
    Attribute(
        "layover_hours_min", NUMBER, "itinerary", "Shortest connection time at a stop.", "hours"
    ),
    Attribute(
        "hub_layover_hours_max",
        NUMBER,
        "itinerary",
        "Longest connection time at a configured hub.",
        "hours",
    ),
    Attribute(
        "broken_travel",
        BOOL,
        "itinerary",
        "The itinerary has a surface gap: a leg leaves from another airport than the previous "
        "one reached (travel continued by road, ferry or another booking).",
        evidence="surface_segments",
    ),
    Attribute(
        "surface_segments",
        CODES,
        "itinerary",
        "The surface gaps as ARRIVAL-DEPARTURE airport pairs (e.g. AMM-BEY).",
    ),
    Attribute("carriers_count", NUMBER, "itinerary", "Distinct carriers in the itinerary."),
    Attribute("international", BOOL, "itinerary", "This flight crosses a border."),
    Attribute("departure_hour", NUMBER, "itinerary", "Local hour of departure (0-23)."),
    Attribute("departure_weekday", NUMBER, "itinerary", "Weekday of departure (0 Monday-6)."),
    Attribute(
        "days_to_departure",
        NUMBER,
        "itinerary",
        "Days from the evaluation time ('now') to departure (negative: departed).",
        "days",
    ),
    # --- payment ---------------------------------------------------------------------------
    Attribute(
        "payment_types",
        CODES,
        "payment",
        "Forms of payment (FOP): CC card, CA cash, CK cheque, MS miscellaneous, VO voucher...",
    ),
    Attribute(
        "paid_cash", BOOL, "payment", "Paid (at least partly) in cash.", evidence="payment_types"
    ),
    Attribute(
        "paid_card", BOOL, "payment", "Paid (at least partly) by card.", evidence="payment_types"
    ),
    Attribute("payment_count", NUMBER, "payment", "Number of forms of payment."),
    Attribute("card_vendors", CODES, "payment", "Card vendor codes (VI, CA, AX, ...)."),
    Attribute(
        "payment_shared_with_other_pnrs",
        NUMBER,
        "payment",
        "Other PNRs (in the data evaluated together) paid with the same masked card.",
    ),
    Attribute("payment_total", NUMBER, "payment", "Sum of the payment amounts as sent."),
    Attribute("payment_currency", CODE, "payment", "Currency of the first payment."),
    # --- contact ---------------------------------------------------------------------------
    Attribute(
        "email_domains", CODES, "contact", "Domains of the PNR e-mail addresses (lower case)."
    ),
    Attribute("has_email", BOOL, "contact", "The PNR has an e-mail address."),
    Attribute(
        "phone_country_codes",
        CODES,
        "contact",
        "International calling codes of the phone numbers (e.g. 44, 90), where dialable.",
    ),
    Attribute("has_phone", BOOL, "contact", "A phone number is present (PNR or API)."),
    Attribute(
        "contact_shared_with_other_pnrs",
        NUMBER,
        "contact",
        "Other PNRs (in the data evaluated together) sharing an e-mail address or phone.",
    ),
    Attribute("has_address", BOOL, "contact", "A postal address is present (PNR or API)."),
    # --- derived ---------------------------------------------------------------------------
    Attribute("is_minor", BOOL, "derived", "Under 18 at departure."),
    Attribute(
        "minor_with_unrelated_adults",
        BOOL,
        "derived",
        "A minor travelling in a PNR with adults none of whom shares the minor's surname.",
    ),
    Attribute(
        "no_bags_long_trip",
        BOOL,
        "derived",
        "No checked bags on a long trip (round trip of at least the configured days, or "
        "one-way international).",
    ),
    # --- hits (from the other checks, through the context) ---------------------------------
    Attribute("watchlist_hit", BOOL, "hits", "The person has a watchlist hit."),
    Attribute("document_hit", BOOL, "hits", "A document of the person is listed lost/stolen."),
    Attribute(
        "co_traveller_watchlist_hit",
        BOOL,
        "hits",
        "Someone in the same booking has a watchlist hit.",
    ),
    Attribute(
        "co_traveller_document_hit",
        BOOL,
        "hits",
        "Someone in the same booking has a lost/stolen document hit.",
    ),
    Attribute(
        "shared_contact_with_hit",
        BOOL,
        "hits",
        "The PNR shares a card, e-mail or phone with a PNR of someone with a watchlist hit.",
    ),
)

#: Every attribute a rule may test, by name.
CATALOGUE: dict[str, Attribute] = {a.name: a for a in _ATTRIBUTES}


def catalogue_rows(group: str | None = None) -> list[dict[str, object]]:
    """The catalogue as plain rows (for ``cthub travel rules fields`` and the API)."""
    order = {g: i for i, g in enumerate(GROUPS)}
    attrs = sorted(CATALOGUE.values(), key=lambda a: (order.get(a.group, 99), a.name))
    return [a.to_dict() for a in attrs if group is None or a.group == group]


# --------------------------------------------------------------------------------------------
# Reference tables
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Airport:
    iata: str
    name: str
    city: str
    country: str  # ISO 3166 alpha-2
    country3: str  # ISO 3166 alpha-3


@cache
def airports() -> dict[str, Airport]:
    """The bundled airport table (``data/airports.csv``), by IATA code."""
    text = resources.files("cthub.travel").joinpath("data/airports.csv").read_text("utf-8")
    return {
        row["iata"]: Airport(row["iata"], row["name"], row["city"], row["country"], row["country3"])
        for row in csv.DictReader(text.splitlines())
    }


@lru_cache(maxsize=8192)
def airport_country(code: str) -> str | None:
    """ISO alpha-3 country of an IATA airport code, or None when the table does not know it."""
    found = airports().get(code.strip().upper())
    return found.country3 if found else None


@cache
def _alpha3() -> dict[str, str]:
    table = {c.code: c.alpha3 for c in countries().values()}
    table.update({c.alpha3: c.alpha3 for c in countries().values()})
    return table


def country_alpha3(code: str) -> str:
    """An ISO alpha-2 or alpha-3 code as alpha-3 (unknown codes come back upper-cased)."""
    upper = code.strip().upper()
    return _alpha3().get(upper, upper)


#: ITU-T E.164 country calling codes (one to three digits), for ``phone_country_codes``.
_CALLING_CODES_TEXT = (
    "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 "
    "62 63 64 65 66 81 82 84 86 90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 "
    "225 226 227 228 229 230 231 232 233 234 235 236 237 238 239 240 241 242 243 244 245 246 "
    "248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 266 267 268 269 290 "
    "291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 "
    "378 379 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 "
    "509 590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 678 679 680 681 "
    "682 683 685 686 687 688 689 690 691 692 850 852 853 855 856 880 886 960 961 962 963 964 "
    "965 966 967 968 970 971 972 973 974 975 976 977 992 993 994 995 996 998"
)
CALLING_CODES: frozenset[str] = frozenset(_CALLING_CODES_TEXT.split())

_NON_DIGITS = re.compile(r"\D+")


def phone_digits(text: str) -> str:
    """The digits of a phone number (a join key across PNRs)."""
    return _NON_DIGITS.sub("", text)


@lru_cache(maxsize=65536)
def phone_country_code(text: str) -> str | None:
    """The calling code of an internationally written number (``+90 ...``, ``0044 ...``, or an
    SSR ``CTCM``/``CTCH``/``CTCB`` number, which IATA writes with the country code), else None."""
    raw = text.strip().upper()
    international = raw.startswith(("+", "00")) or raw.startswith(("CTCM", "CTCH", "CTCB", "CTCP"))
    digits = phone_digits(raw)
    if raw.startswith("00") or (not raw.startswith("+") and digits.startswith("00")):
        digits = digits[2:]
    if not international or len(digits) < 7:
        return None
    for size in (3, 2, 1):
        if digits[:size] in CALLING_CODES:
            return digits[:size]
    return None


@lru_cache(maxsize=65536)
def email_address(text: str) -> str | None:
    """An e-mail address normalised: IATA ``//`` and ``(AT)`` for ``@``, lower case, no
    ``/EN``-style suffix. None when there is no ``@``."""
    value = text.strip()
    for prefix in ("CTCE ", "CTCE/", "CTCE"):
        if value.upper().startswith(prefix):
            value = value[len(prefix) :]
            break
    value = value.replace("//", "@").replace("(AT)", "@").replace("(at)", "@")
    value = value.split()[0] if value.split() else ""
    if "@" not in value:
        return None
    local, _, domain = value.partition("@")
    domain = domain.split("/")[0].strip(".").lower()
    if not local or not domain:
        return None
    return f"{local.lower()}@{domain}"


def document_key(doc: TravelDocument) -> str:
    """The lost/stolen-document key: issuing state + number (upper case, letters and digits)."""
    number = re.sub(r"[^A-Z0-9]", "", doc.number.upper())
    return f"{country_alpha3(doc.issuing_country) if doc.issuing_country else ''}:{number}"


_TITLES = frozenset({"MR", "MRS", "MS", "MISS", "MSTR", "DR", "PROF", "MX", "CHD", "INF"})
_LETTERS = re.compile(r"[^A-Z0-9]+")


def name_key(p: Passenger) -> str:
    """Surname plus first given name, upper case, titles (MR, MRS, ...) dropped."""
    return _name_key(p.surname, p.given, p.name)


_GLUED_TITLES = ("MRS", "MSTR", "MISS", "MR", "MS")
_TOKENS = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=65536)
def _name_key(surname: str, given: str, name: str) -> str:
    last = _LETTERS.sub("", surname.upper()) or _LETTERS.sub("", name.upper())
    tokens = [t for t in _TOKENS.split(given.upper()) if t and t not in _TITLES]
    first = tokens[0] if tokens else ""
    if len(tokens) == 1:  # "JOHNMR", as some carriers write a title glued to the name
        for title in _GLUED_TITLES:
            if len(first) > len(title) + 1 and first.endswith(title):
                first = first[: -len(title)]
                break
    return f"{last}/{first}"


def traveller_keys(p: Passenger) -> frozenset[str]:
    """Keys that identify a traveller across messages, for the hit sets of :class:`FactContext`.

    ``DOC:<issuer>:<number>`` per document; ``NAME:<surname/given>:<birth date>`` when the birth
    date is known; ``NAME:<surname/given>`` only when neither is known.
    """
    try:
        return _cached_keys(p)
    except TypeError:  # a record built with lists instead of tuples is not hashable
        return _traveller_keys(p)


@lru_cache(maxsize=65536)
def _cached_keys(p: Passenger) -> frozenset[str]:
    return _traveller_keys(p)


def _traveller_keys(p: Passenger) -> frozenset[str]:
    keys = {f"DOC:{document_key(d)}" for d in p.documents if d.number}
    if p.birth_date is not None:
        keys.add(f"NAME:{name_key(p)}:{p.birth_date.isoformat()}")
    if not keys:
        keys.add(f"NAME:{name_key(p)}")
    return frozenset(keys)


# --------------------------------------------------------------------------------------------
# Context
# --------------------------------------------------------------------------------------------


@dataclass
class CrossIndex:
    """Who shares what across the PNRs evaluated together: cards, e-mails and phones by PNR
    locator, and the traveller keys of each PNR (for ``shared_contact_with_hit``)."""

    cards: dict[str, set[str]] = field(default_factory=dict)
    emails: dict[str, set[str]] = field(default_factory=dict)
    phones: dict[str, set[str]] = field(default_factory=dict)
    travellers_by_locator: dict[str, list[Passenger]] = field(default_factory=dict)
    _keys: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)
    _contacts: dict[int, tuple[Pnr, list[str], list[str], set[str]]] = field(
        default_factory=dict, repr=False
    )

    @classmethod
    def build(cls, pnrs: Iterable[Pnr]) -> CrossIndex:
        index = cls()
        for pnr in pnrs:
            index.add(pnr)
        return index

    def add(self, pnr: Pnr) -> None:
        loc = pnr.locator
        if not loc:
            return
        cards, emails, phones = self.contact_keys(pnr)
        for card in cards:
            self.cards.setdefault(card, set()).add(loc)
        for email in emails:
            self.emails.setdefault(email, set()).add(loc)
        for phone in phones:
            self.phones.setdefault(phone, set()).add(loc)
        self.travellers_by_locator.setdefault(loc, []).extend(pnr.travellers)
        self._keys.pop(loc, None)

    def contact_keys(self, pnr: Pnr) -> tuple[list[str], list[str], set[str]]:
        """The card, e-mail and phone keys of a PNR (computed once per PNR object)."""
        found = self._contacts.get(id(pnr))
        if found is None or found[0] is not pnr:
            keys = (
                _card_keys(pnr.payments),
                _emails(pnr),
                _phone_keys(pnr.contacts, pnr.travellers),
            )
            found = self._contacts[id(pnr)] = (pnr, *keys)
        return found[1], found[2], found[3]

    def keys_of(self, locator: str) -> frozenset[str]:
        """The :func:`traveller_keys` of every traveller of a PNR (computed once)."""
        keys = self._keys.get(locator)
        if keys is None:
            people = self.travellers_by_locator.get(locator, [])
            keys = self._keys[locator] = frozenset(k for t in people for k in traveller_keys(t))
        return keys

    def sharing_card(self, pnr: Pnr) -> set[str]:
        """Locators of the other PNRs paid with one of this PNR's cards."""
        out: set[str] = set()
        for card in self.contact_keys(pnr)[0]:
            out |= self.cards.get(card, set())
        out.discard(pnr.locator)
        return out

    def sharing_contact(self, pnr: Pnr) -> set[str]:
        """Locators of the other PNRs with one of this PNR's e-mail addresses or phones."""
        _, emails, phones = self.contact_keys(pnr)
        out: set[str] = set()
        for email in emails:
            out |= self.emails.get(email, set())
        for phone in phones:
            out |= self.phones.get(phone, set())
        out.discard(pnr.locator)
        return out


@dataclass(frozen=True, eq=False)
class FactContext:
    """Settings-like inputs of the facts: what the records alone cannot tell.

    * ``now`` — evaluation time, for ``days_to_departure``.
    * ``hubs`` — IATA codes of the hub airports ``route_via_hub`` looks for.
    * ``destination_countries`` — the configured country list (alpha-2 or alpha-3; stored as
      alpha-3) for ``destination_in_country_list`` and ``route_touches_country_list``.
    * ``watchlist_hits`` / ``document_hits`` — who has a hit. Members are either subject ids
      (the caller's row ids, passed to :func:`passenger_facts` as ``subject_id``) or the strings
      of :func:`traveller_keys` (``document_hits`` also takes :func:`document_key` strings).
    * ``groups`` — subject id → booking group (e.g. ``(flight_id, locator)``): co-travellers
      are the other subjects of the same group. Without it, co-travellers are the PNR's other
      travellers and the manifest's passengers with the same locator, matched by keys.
    * ``hit_locators`` — PNR locators of bookings with a watchlist hit (for
      ``shared_contact_with_hit`` when hits are keyed by subject id).
    * ``push_counts`` — PNR locator → pushes received for the flight.
    * ``index`` — the :class:`CrossIndex` of every PNR evaluated together; built from the
      message's PNRs when absent.
    * ``long_trip_days`` — from how many days a round trip counts as long (``no_bags_long_trip``).
    """

    now: dt.datetime | None = None
    hubs: frozenset[str] = frozenset()
    destination_countries: frozenset[str] = frozenset()
    watchlist_hits: frozenset[Hashable] = frozenset()
    document_hits: frozenset[Hashable] = frozenset()
    groups: Mapping[Hashable, Hashable] = field(default_factory=dict)
    hit_locators: frozenset[str] = frozenset()
    push_counts: Mapping[str, int] = field(default_factory=dict)
    index: CrossIndex | None = None
    long_trip_days: float = 7.0
    _group_watch: dict[Hashable, set[Hashable]] = field(
        init=False, repr=False, default_factory=dict
    )
    _group_docs: dict[Hashable, set[Hashable]] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "hubs", frozenset(h.strip().upper() for h in self.hubs))
        object.__setattr__(
            self,
            "destination_countries",
            frozenset(country_alpha3(c) for c in self.destination_countries),
        )
        for member, group in self.groups.items():
            if member in self.watchlist_hits:
                self._group_watch.setdefault(group, set()).add(member)
            if member in self.document_hits:
                self._group_docs.setdefault(group, set()).add(member)

    def group_hits(self, subject_id: Hashable, documents: bool = False) -> bool | None:
        """Whether another subject of ``subject_id``'s group has a hit; None if not grouped."""
        if subject_id not in self.groups:
            return None
        table = self._group_docs if documents else self._group_watch
        return bool(table.get(self.groups[subject_id], set()) - {subject_id})


# --------------------------------------------------------------------------------------------
# Helpers over records
# --------------------------------------------------------------------------------------------

_CANCELLED = frozenset({"HX", "XX", "XL", "UN", "UC", "NO", "XK"})
_NO_SHOW = re.compile(r"\bNO[- ]?SHOW\b|\bNOSHO\b")
_GO_SHOW = re.compile(r"\bGO[- ]?SHOW\b|\bGOSHO\b")
_PAYMENT_ALIASES = {
    "CASH": "CA",
    "CARD": "CC",
    "CREDITCARD": "CC",
    "CREDIT": "CC",
    "CHEQUE": "CK",
    "CHECK": "CK",
    "INVOICE": "IN",
    "VOUCHER": "VO",
}


def _card_keys(payments: Iterable[Payment]) -> list[str]:
    out = []
    for pay in payments:
        number = _LETTERS.sub("", pay.card_number.upper())
        if len(_NON_DIGITS.sub("", number)) >= 4:
            out.append(f"{pay.card_vendor.upper()}:{number}")
    return out


def _emails(pnr: Pnr) -> list[str]:
    return [e for e in (email_address(x) for x in pnr.emails) if e]


def _phone_keys(contacts: Iterable[str], travellers: Iterable[Passenger] = ()) -> set[str]:
    numbers = list(contacts) + [p for t in travellers for p in t.phones]
    return {d for d in (phone_digits(n) for n in numbers) if len(d) >= 7}


def _payment_type(pay: Payment) -> str:
    code = _LETTERS.sub("", pay.type.upper())
    return _PAYMENT_ALIASES.get(code, code)


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _minus(a: dt.datetime, b: dt.datetime) -> dt.timedelta:
    """``a - b``; when only one is time-zone aware, both are compared as wall-clock times."""
    if (a.tzinfo is None) != (b.tzinfo is None):
        return a.replace(tzinfo=None) - b.replace(tzinfo=None)
    return a - b


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600.0, 1)


def _days(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 86400.0, 1)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _main_document(p: Passenger) -> TravelDocument | None:
    for doc in p.documents:
        if doc.type.upper() != "V":
            return doc
    return p.documents[0] if p.documents else None


def _same_leg(a: Leg, b: Leg) -> bool:
    return (
        a.origin == b.origin
        and a.destination == b.destination
        and (not a.number or not b.number or a.number.lstrip("0") == b.number.lstrip("0"))
    )


def _merge(api: Passenger, booked: Passenger | None) -> Passenger:
    """API values first (they come from the document), PNR values where API has none."""
    if booked is None:
        return api
    return Passenger(
        name=api.name or booked.name,
        surname=api.surname or booked.surname,
        given=api.given or booked.given,
        role=api.role or booked.role,
        gender=api.gender or booked.gender,
        birth_date=api.birth_date or booked.birth_date,
        nationality=api.nationality or booked.nationality,
        documents=api.documents or booked.documents,
        ref=api.ref or booked.ref,
        pnr_locator=api.pnr_locator or booked.pnr_locator,
        seat=api.seat or booked.seat,
        embarkation=api.embarkation or booked.embarkation,
        debarkation=api.debarkation or booked.debarkation,
        residence_country=api.residence_country or booked.residence_country,
        birth_place=api.birth_place or booked.birth_place,
        bags=api.bags if api.bags is not None else booked.bags,
        phones=api.phones or booked.phones,
        address=api.address or booked.address,
        frequent_flyer=api.frequent_flyer or booked.frequent_flyer,
        ticket=api.ticket or booked.ticket,
    )


def _booked_self(p: Passenger, pnr: Pnr | None) -> Passenger | None:
    """The PNR traveller that is ``p`` (same surname and first given name), if any."""
    if pnr is None:
        return None
    key = name_key(p)
    for t in pnr.travellers:
        if t is p or name_key(t) == key:
            return t
    return None


def _flight_leg(message: Message, p: Passenger) -> Leg:
    if p.embarkation:
        for leg in message.legs:
            if leg.origin == p.embarkation and leg.departure is not None:
                return leg
    return message.flight


def _active_itinerary(pnr: Pnr) -> list[Leg]:
    legs = [leg for leg in pnr.itinerary if leg.status.upper() not in _CANCELLED]
    if legs and all(leg.departure is not None for leg in legs):
        legs.sort(key=lambda leg: leg.departure or dt.datetime.min)
    return legs


@dataclass(frozen=True, slots=True)
class _Stop:
    airport: str
    hours: float | None
    surface: str  # "ARR-DEP" when the next leg leaves from another airport


def _stops(legs: Sequence[Leg]) -> list[_Stop]:
    out = []
    for a, b in itertools.pairwise(legs):
        end = a.arrival or a.departure
        hours = _hours(_minus(b.departure, end)) if (end and b.departure) else None
        surface = f"{a.destination}-{b.origin}" if a.destination != b.origin else ""
        out.append(_Stop(a.destination, hours, surface))
    return out


def _itinerary_facts(
    legs: Sequence[Leg], context: FactContext, row: dict[str, object]
) -> dt.date | None:
    """Fill the itinerary attributes from the active PNR legs; return the trip's end date."""
    origin = legs[0].origin
    origin_country = airport_country(origin)
    last = legs[-1]
    last_country = airport_country(last.destination)
    returns = len(legs) > 1 and (
        any(leg.destination == origin for leg in legs[1:])
        or (origin_country is not None and last_country == origin_country)
    )
    stops = _stops(legs)
    turnaround: int | None = None
    if returns and stops:
        timed = [(s.hours, i) for i, s in enumerate(stops) if s.hours is not None]
        turnaround = max(timed)[1] if timed else (len(legs) // 2) - 1
    destination = stops[turnaround].airport if turnaround is not None else last.destination
    layovers = [s for i, s in enumerate(stops) if i != turnaround]
    route = _unique([x for leg in legs for x in (leg.origin, leg.destination)])
    route_countries = _unique(airport_country(a) for a in route)
    transit = _unique(
        [x for s in layovers for x in (s.airport, *(s.surface.split("-")[1:] if s.surface else ()))]
    )
    transit = tuple(a for a in transit if a not in (origin, destination))
    hubs = tuple(a for a in route if a in context.hubs and a != origin)
    layover_hours = [s.hours for s in layovers if s.hours is not None]
    hub_hours = [s.hours for s in layovers if s.hours is not None and s.airport in context.hubs]
    listed = tuple(c for c in route_countries if c in context.destination_countries)
    destination_country = airport_country(destination)
    end = last.arrival or last.departure
    start = legs[0].departure
    stay = stops[turnaround].hours if turnaround is not None else None
    row.update(
        legs_count=len(legs),
        origin=origin,
        destination=destination,
        origin_country=origin_country,
        destination_country=destination_country,
        transit_airports=transit,
        transit_countries=_unique(airport_country(a) for a in transit),
        route_airports=route,
        route_countries=route_countries,
        route_via_hub=bool(hubs),
        hubs_on_route=hubs,
        destination_in_country_list=(
            None
            if destination_country is None
            else destination_country in context.destination_countries
        ),
        route_touches_country_list=bool(listed),
        listed_countries_on_route=listed,
        one_way=not returns,
        round_trip=returns,
        trip_duration_days=_days(_minus(end, start)) if (returns and end and start) else None,
        destination_stay_days=round(stay / 24.0, 1) if stay is not None else None,
        layover_hours_max=max(layover_hours) if layover_hours else None,
        layover_hours_min=min(layover_hours) if layover_hours else None,
        hub_layover_hours_max=max(hub_hours) if hub_hours else None,
        broken_travel=any(s.surface for s in stops),
        surface_segments=_unique(s.surface for s in stops),
        carriers_count=len({leg.carrier for leg in legs if leg.carrier}),
    )
    return end.date() if end else None


# --------------------------------------------------------------------------------------------
# Facts
# --------------------------------------------------------------------------------------------


def empty_row() -> dict[str, object]:
    """A row with every catalogue attribute missing (None)."""
    return dict.fromkeys(CATALOGUE)


def passenger_facts(
    message: Message,
    passenger: Passenger,
    pnr: Pnr | None,
    context: FactContext,
    *,
    subject_id: Hashable | None = None,
) -> dict[str, object]:
    """The fact row of one passenger on the message's flight.

    ``passenger`` is an API passenger or a PNR traveller; when both exist pass the API one with
    its PNR (the PNR's matching traveller fills what the API lacks). ``subject_id`` is the
    caller's id for the person, as used in ``context`` hit sets and groups.
    """
    return _facts(message, passenger, pnr, context, subject_id=subject_id, manifest_known=False)


def _facts(
    message: Message,
    passenger: Passenger,
    pnr: Pnr | None,
    context: FactContext,
    *,
    subject_id: Hashable | None,
    manifest_known: bool,
    by_locator: Mapping[str, Sequence[Passenger]] | None = None,
) -> dict[str, object]:
    row = empty_row()
    from_api = message.kind == "PAXLST"
    booked = _booked_self(passenger, pnr)
    p = _merge(passenger, booked) if from_api else (booked or passenger)
    leg = _flight_leg(message, passenger)
    departure = leg.departure
    dep_date = departure.date() if departure else None
    boarding = p.embarkation or leg.origin
    leaving = p.debarkation or leg.destination

    # --- api ---------------------------------------------------------------------------------
    age = _age(p.birth_date, dep_date) if (p.birth_date and dep_date) else None
    role = p.role or "passenger"
    doc = _main_document(p)
    nationality = p.nationality or (doc.nationality if doc else "")
    row.update(
        age=age,
        gender=p.gender.upper() or None,
        nationality=nationality.upper() or None,
        residence_country=p.residence_country.upper() or None,
        birth_place=p.birth_place or None,
        role=role,
        is_crew=role in ("crew", "transit_crew"),
        is_transit=role.startswith("transit"),
        document_types=_unique(d.type.upper() for d in p.documents),
        document_count=len(p.documents),
        has_visa=any(d.type.upper() == "V" for d in p.documents),
        embarkation=boarding or None,
        debarkation=leaving or None,
        embarkation_country=airport_country(boarding) if boarding else None,
        debarkation_country=airport_country(leaving) if leaving else None,
        bags=p.bags,
        seat=p.seat.upper() or None,
        has_seat=bool(p.seat),
        checked_in=True if from_api else (False if manifest_known else None),
        api_present=from_api,
        source=message.kind,
        interactive=message.interactive,
    )
    if doc is not None:
        issuer = doc.issuing_country.upper()
        row.update(
            document_type=doc.type.upper() or None,
            document_issuing_country=issuer or None,
            document_issuer_differs_from_nationality=(
                country_alpha3(issuer) != country_alpha3(nationality)
                if issuer and nationality
                else None
            ),
        )
        if doc.expiry and dep_date:
            row["document_expires_days"] = (doc.expiry - dep_date).days
            row["document_expired"] = doc.expiry < dep_date
        if doc.issued and dep_date:
            row["document_issued_days"] = (dep_date - doc.issued).days
    if nationality and p.residence_country:
        row["nationality_differs_from_residence"] = country_alpha3(nationality) != country_alpha3(
            p.residence_country
        )

    # --- flight (always known from the message) ----------------------------------------------
    fo, fd = airport_country(leg.origin), airport_country(leg.destination)
    row.update(
        flight_origin=leg.origin or None,
        flight_destination=leg.destination or None,
        flight_origin_country=fo,
        flight_destination_country=fd,
        international=(fo != fd) if (fo and fd) else None,
        departure_hour=departure.hour if departure else None,
        departure_weekday=departure.weekday() if departure else None,
        days_to_departure=_days(_minus(departure, context.now))
        if (departure and context.now)
        else None,
    )
    arrival = leg.arrival or departure
    trip_end = arrival.date() if arrival else None

    # --- people around: co-travellers -------------------------------------------------------
    own_key = name_key(p)
    companions: list[Passenger] = []
    if pnr is not None:
        companions += [t for t in pnr.travellers if name_key(t) != own_key]
    locator = p.pnr_locator or (pnr.locator if pnr else "")
    if not locator:
        same_locator: list[Passenger] = []
    elif by_locator is not None:
        same_locator = [q for q in by_locator.get(locator, ()) if q is not passenger]
    else:
        same_locator = [
            q for q in message.passengers if q.pnr_locator == locator and q is not passenger
        ]
    same_locator = [q for q in same_locator if name_key(q) != own_key]
    known = {name_key(c) for c in companions}
    companions += [q for q in same_locator if name_key(q) not in known]
    if from_api or pnr is None:
        row["co_travellers_on_flight"] = len(same_locator) if locator else None
    else:
        row["co_travellers_on_flight"] = sum(
            1 for t in pnr.travellers if name_key(t) != own_key and t.role != "infant"
        )

    # --- pnr ---------------------------------------------------------------------------------
    row["pnr_present"] = pnr is not None
    index: CrossIndex | None = None
    if pnr is not None:
        index = context.index
        if index is None:
            index = CrossIndex.build(message.pnrs)
            if pnr.locator not in index.travellers_by_locator:
                index.add(pnr)
        _pnr_facts(pnr, p, leg, departure, context, index, row)
        legs = _active_itinerary(pnr)
        if legs:
            end = _itinerary_facts(legs, context, row)
            trip_end = end or trip_end
    else:
        row["frequent_flyer"] = bool(p.frequent_flyer) if p.frequent_flyer else None
        phones = _unique(phone_country_code(x) for x in p.phones)
        row.update(
            phone_country_codes=phones,
            has_phone=bool(p.phones),
            has_address=bool(p.address),
        )
    if doc is not None and doc.expiry and trip_end:
        row["document_expires_during_trip"] = doc.expiry < trip_end

    # --- derived -----------------------------------------------------------------------------
    if age is not None:
        row["is_minor"] = age < 18
        if age < 18:
            adults = [c for c in companions if _adult(c, dep_date)]
            surname = own_key.split("/")[0]
            row["minor_with_unrelated_adults"] = bool(adults) and not any(
                name_key(c).split("/")[0] == surname for c in adults
            )
        else:
            row["minor_with_unrelated_adults"] = False
    bags = p.bags
    if bags is None and pnr is not None and row["travellers_in_pnr"] == 1:
        bags = pnr.bags
    duration = row["trip_duration_days"]
    long_trip: bool | None = None
    if row["round_trip"] is True and isinstance(duration, float):
        long_trip = duration >= context.long_trip_days
    elif row["one_way"] is True and isinstance(row["international"], bool):
        long_trip = row["international"]
    if bags is not None and long_trip is not None:
        row["no_bags_long_trip"] = long_trip and bags == 0

    # --- hits --------------------------------------------------------------------------------
    watch, docs = context.watchlist_hits, context.document_hits
    keys = traveller_keys(p) if (watch or docs) else frozenset()
    doc_keys = {document_key(d) for d in p.documents if d.number} if docs else set()
    row["watchlist_hit"] = (subject_id is not None and subject_id in watch) or (
        not keys.isdisjoint(watch)
    )
    row["document_hit"] = (
        (subject_id is not None and subject_id in docs)
        or not keys.isdisjoint(docs)
        or not doc_keys.isdisjoint(docs)
    )
    grouped = context.group_hits(subject_id) if subject_id is not None else None
    if grouped is None:
        grouped = bool(watch) and any(not traveller_keys(c).isdisjoint(watch) for c in companions)
    row["co_traveller_watchlist_hit"] = grouped
    grouped_docs = context.group_hits(subject_id, True) if subject_id is not None else None
    if grouped_docs is None:
        grouped_docs = bool(docs) and any(
            not traveller_keys(c).isdisjoint(docs)
            or not {document_key(d) for d in c.documents if d.number}.isdisjoint(docs)
            for c in companions
        )
    row["co_traveller_document_hit"] = grouped_docs
    if pnr is not None and index is not None:
        others = index.sharing_card(pnr) | index.sharing_contact(pnr)
        row["shared_contact_with_hit"] = any(
            loc in context.hit_locators
            or (
                bool(context.watchlist_hits)
                and not index.keys_of(loc).isdisjoint(context.watchlist_hits)
            )
            for loc in others
        )
    return row


def _adult(p: Passenger, on: dt.date | None) -> bool:
    if p.role == "infant":
        return False
    if p.birth_date and on:
        return _age(p.birth_date, on) >= 18
    return True  # an adult unless told otherwise (PNRs rarely carry birth dates of adults)


def _pnr_facts(
    pnr: Pnr,
    p: Passenger,
    leg: Leg,
    departure: dt.datetime | None,
    context: FactContext,
    index: CrossIndex,
    row: dict[str, object],
) -> None:
    travellers = [t for t in pnr.travellers if t.role != "infant"]
    infants = len(pnr.travellers) - len(travellers)
    changed = pnr.last_modified or max(
        (h.at for h in pnr.history if h.at is not None), default=None
    )
    texts = " ".join([h.text.upper() for h in pnr.history] + [r.upper() for r in pnr.remarks])
    segment = next((x for x in pnr.itinerary if _same_leg(x, leg)), None)
    row.update(
        pnr_carrier=pnr.carrier.upper() or None,
        ticketed=bool(p.ticket) or pnr.ticketed is not None,
        history_count=len(pnr.history),
        history_cancellations=sum(1 for h in pnr.history if h.action.upper() == "X"),
        pnr_push_count=context.push_counts.get(pnr.locator),
        travellers_in_pnr=len(travellers) if pnr.travellers else None,
        infants_in_pnr=infants,
        travelling_alone=(len(travellers) == 1) if pnr.travellers else None,
        split_pnr=bool(pnr.split_from),
        codeshare=bool(pnr.codeshare),
        frequent_flyer=bool(p.frequent_flyer),
        pnr_bags=pnr.bags,
        remarks=" | ".join(pnr.remarks),
        remarks_count=len(pnr.remarks),
        booking_status=(segment.status.upper() or None) if segment else None,
        booking_class=(segment.booking_class.upper() or None) if segment else None,
        no_show_history=bool(_NO_SHOW.search(texts)),
        go_show=bool(_GO_SHOW.search(texts)),
        agency=pnr.agency.upper() or None,
        agency_country=pnr.agency_country.upper() or None,
        booked_by_agency=bool(pnr.agency)
        and not (bool(pnr.carrier) and pnr.agency.upper().startswith(pnr.carrier.upper())),
    )
    if departure is not None:
        if pnr.created is not None:
            row["hours_booking_to_departure"] = _hours(_minus(departure, pnr.created))
            row["days_booking_to_departure"] = _days(_minus(departure, pnr.created))
            row["booked_same_day"] = pnr.created.date() == departure.date()
        if changed is not None:
            row["days_last_change_to_departure"] = _days(_minus(departure, changed))
        if pnr.ticketed is not None:
            row["hours_ticketing_to_departure"] = _hours(_minus(departure, pnr.ticketed))
            row["ticket_same_day"] = pnr.ticketed.date() == departure.date()

    # payment
    cards, emails, _ = index.contact_keys(pnr)
    types = _unique(_payment_type(x) for x in pnr.payments)
    amounts: list[Decimal] = []
    for pay in pnr.payments:
        try:
            amounts.append(Decimal(pay.amount.replace(",", ".")))
        except (InvalidOperation, ValueError):
            continue
    row.update(
        payment_types=types,
        paid_cash=("CA" in types) if pnr.payments else None,
        paid_card=("CC" in types or bool(cards)) if pnr.payments else None,
        payment_count=len(pnr.payments),
        card_vendors=_unique(x.card_vendor.upper() for x in pnr.payments),
        payment_total=float(sum(amounts)) if amounts else None,
        payment_currency=next((x.currency.upper() for x in pnr.payments if x.currency), None),
    )
    # contact
    phones = [*pnr.contacts, *p.phones]
    row.update(
        email_domains=_unique(e.partition("@")[2] for e in emails),
        has_email=bool(emails),
        phone_country_codes=_unique(phone_country_code(x) for x in phones),
        has_phone=any(len(phone_digits(x)) >= 7 for x in phones),
        has_address=bool(pnr.addresses or p.address),
        payment_shared_with_other_pnrs=len(index.sharing_card(pnr)),
        contact_shared_with_other_pnrs=len(index.sharing_contact(pnr)),
    )


# --------------------------------------------------------------------------------------------
# Bulk
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PassengerFacts:
    """One row of :func:`bulk_facts`: who (message, passenger, PNR) and the facts."""

    message: Message
    passenger: Passenger
    pnr: Pnr | None
    facts: dict[str, object]


def _flight_group(message: Message) -> str:
    key = message.flight.key
    if key is not None:
        return str(key)
    f = message.flight
    return f"{f.carrier}{f.number}/?/{f.origin}"


def bulk_facts(
    messages: Iterable[Message],
    context: FactContext,
    pnrs: Mapping[str, Pnr] | None = None,
) -> list[PassengerFacts]:
    """Fact rows for every person of many messages, one row per person per flight.

    Messages are grouped by flight. A person on the API manifest gets one row (with the PNR of
    the same locator from a PNRGOV message of that flight, or from ``pnrs``); a PNR traveller
    not on the manifest gets a row of their own (``api_present`` false, ``checked_in`` false
    when a batch manifest was received). Of several pushes of one PNR the last one counts.
    One :class:`CrossIndex` over all PNRs is built once (unless ``context.index`` is set), so
    sharing counts span every message given.
    """
    msgs = list(messages)
    latest: dict[tuple[str, str], Pnr] = {}
    for m in msgs:
        if m.kind.startswith("PNRGOV"):
            for pnr in m.pnrs:
                latest[(_flight_group(m), pnr.locator)] = pnr
    if context.index is None:
        index = CrossIndex.build([*latest.values(), *((pnrs or {}).values())])
        context = _with_index(context, index)
    by_flight: dict[str, list[Message]] = {}
    for m in msgs:
        by_flight.setdefault(_flight_group(m), []).append(m)
    out: list[PassengerFacts] = []
    for group, members in by_flight.items():
        manifests = [m for m in members if m.kind == "PAXLST"]
        manifest_known = any(not m.interactive and m.list_type in ("745", "") for m in manifests)
        seen_api: set[tuple[str, str]] = set()
        api_rows: dict[tuple[str, str, str], PassengerFacts] = {}
        for m in manifests:
            by_locator: dict[str, list[Passenger]] = {}
            for q in m.passengers:
                if q.pnr_locator:
                    by_locator.setdefault(q.pnr_locator, []).append(q)
            for p in m.passengers:
                linked = latest.get((group, p.pnr_locator)) if p.pnr_locator else None
                if linked is None and pnrs and p.pnr_locator:
                    linked = pnrs.get(p.pnr_locator)
                facts = _facts(
                    m,
                    p,
                    linked,
                    context,
                    subject_id=None,
                    manifest_known=True,
                    by_locator=by_locator,
                )
                born = p.birth_date.isoformat() if p.birth_date else ""
                api_rows[(p.pnr_locator, name_key(p), born)] = PassengerFacts(m, p, linked, facts)
                seen_api.add((p.pnr_locator, name_key(p)))
        out.extend(api_rows.values())
        done: set[str] = set()
        for m in reversed([m for m in members if m.kind.startswith("PNRGOV")]):
            for pnr in m.pnrs:
                if pnr.locator in done:
                    continue
                done.add(pnr.locator)
                pnr = latest.get((group, pnr.locator), pnr)
                for t in pnr.travellers:
                    if (pnr.locator, name_key(t)) in seen_api:
                        continue
                    facts = _facts(
                        m, t, pnr, context, subject_id=None, manifest_known=manifest_known
                    )
                    out.append(PassengerFacts(m, t, pnr, facts))
    return out


def _with_index(context: FactContext, index: CrossIndex) -> FactContext:
    return FactContext(
        now=context.now,
        hubs=context.hubs,
        destination_countries=context.destination_countries,
        watchlist_hits=context.watchlist_hits,
        document_hits=context.document_hits,
        groups=context.groups,
        hit_locators=context.hit_locators,
        push_counts=context.push_counts,
        index=index,
        long_trip_days=context.long_trip_days,
    )


def columns(
    rows: Sequence[Mapping[str, object]], names: Iterable[str] | None = None
) -> dict[str, list[object]]:
    """Rows as columns (one list per attribute), e.g. for a data frame or a CSV export."""
    wanted = list(names) if names is not None else list(CATALOGUE)
    return {n: [r.get(n) for r in rows] for n in wanted}


__all__ = [
    "BOOL",
    "CALLING_CODES",
    "CATALOGUE",
    "CODE",
    "CODES",
    "GROUPS",
    "NUMBER",
    "OPERATORS",
    "STRING",
    "Airport",
    "Attribute",
    "CrossIndex",
    "FactContext",
    "PassengerFacts",
    "airport_country",
    "airports",
    "bulk_facts",
    "catalogue_rows",
    "columns",
    "country_alpha3",
    "document_key",
    "email_address",
    "empty_row",
    "name_key",
    "passenger_facts",
    "phone_country_code",
    "phone_digits",
    "traveller_keys",
]
