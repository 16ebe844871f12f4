"""PNRGOV EDIFACT mapping: PNR groups, travellers, documents, itinerary, payments, history."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest

from cthub.travel.edifact.pnrgov import decode_email, parse_docs, strip_title
from cthub.travel.parse import parse_bytes
from cthub.travel.records import Message, ParseResult, Passenger, Pnr

PNRGOV = Path(__file__).resolve().parents[1] / "fixtures" / "travel" / "pnrgov"


@cache
def parse(name: str) -> ParseResult:
    return parse_bytes((PNRGOV / name).read_bytes(), name)


def message(name: str) -> Message:
    (m,) = parse(name).messages
    assert m.kind == "PNRGOV"
    return m


def codes(name: str) -> set[str]:
    return {w.code for w in parse(name).warnings}


def pnr(name: str, locator: str) -> Pnr:
    return next(p for p in message(name).pnrs if p.locator == locator)


def traveller(p: Pnr, surname: str, given: str = "") -> Passenger:
    return next(t for t in p.travellers if t.surname == surname and t.given.startswith(given))


def test_two_pnrs_with_line_wrapped_docs() -> None:
    m = message("2_pnrs_basic.edi")
    assert (m.version, str(m.flight.key), m.flight.destination) == (
        "10:1",
        "DL324/2010-12-12/LHR",
        "JFK",
    )
    assert [p.locator for p in m.pnrs] == ["MFN4TI", "23456"]
    p = m.pnrs[0]
    assert (p.carrier, p.agency, p.agency_country, p.split_from) == (
        "DL",
        "52519950 LON",
        "GB",
        "ABCDEF",
    )
    assert p.last_modified == dt.datetime(2010, 12, 6, 10, 10)
    assert p.ticketed == dt.datetime(2010, 12, 6, 12, 0)
    smith = p.travellers[0]
    assert (smith.name, smith.surname, smith.gender, smith.nationality) == (
        "SMITHJR/JOHNMR",
        "SMITHJR",  # DOCS wrapped as 'SMITHJ' CR LF 'R'
        "M",
        "GBR",
    )
    assert smith.birth_date == dt.date(1964, 7, 12)
    (doc,) = smith.documents
    assert (doc.type, doc.number, doc.issuing_country, doc.expiry) == (
        "P",
        "123456789",
        "GBR",
        dt.date(2019, 8, 23),
    )
    assert (smith.seat, smith.ticket, smith.frequent_flyer) == (
        "15A",
        "0062120234533",
        "DL 1234567890",
    )
    assert p.payments[0].type == "CC"
    assert p.payments[0].card_vendor == "VI"
    assert p.payments[0].card_number == "XXXXXXXX1186"
    assert p.payments[0].currency == "GBP"
    assert "THIS PASSENGER IS A VIP" in p.remarks
    assert "00115555555555" in p.contacts
    assert "45 HIGHSTREET, SLOUGH, BERKSHIRE, GB, SL1AA" in p.addresses
    assert p.bags == 4  # EBD, no check-in bags
    assert [(h.action, h.at) for h in p.history][:2] == [
        ("X", dt.datetime(2010, 12, 7, 10, 10)),
        ("X", dt.datetime(2010, 12, 7, 10, 10)),
    ]
    assert p.history[0].text.startswith("TVL+101210:0915::1230+LHR+JFK+DL+324")
    assert [t.surname for t in p.travellers] == ["SMITHJR", "JONES"]  # not history/check-in TIFs
    wayne = traveller(m.pnrs[1], "WAYNE")
    assert wayne.birth_date == dt.date(1912, 7, 12)  # '12JUL12' cannot be after the Dec 2010 flight
    assert traveller(m.pnrs[1], "COOPER").seat == "15A"  # check-in seat (SSD) over the request
    assert [h.action for h in m.pnrs[1].history] == ["X", "A"]


def test_three_pnrs_infant_tickets_and_addresses() -> None:
    m = message("3_pnrs.edi")
    assert [p.locator for p in m.pnrs] == ["W9TEND", "D1RGHI", "GBFKSK"]
    first = m.pnrs[0]
    assert first.created == dt.datetime(2013, 5, 23, 18, 13, 48)
    assert first.payments[0].type == "CA"
    assert first.payments[0].amount == "1999.99"
    assert first.payments[0].currency == "SGD"
    kevin = first.travellers[0]
    assert (kevin.surname, kevin.given, kevin.documents[0].number) == (
        "VANDENBERG",
        "KEVINMICHAEL",
        "548721687",
    )
    family = m.pnrs[1]
    archer = traveller(family, "DYE", "ARCHER")
    assert (archer.role, archer.birth_date, archer.ticket) == (
        "infant",
        dt.date(2012, 4, 15),
        "9631270001236",
    )
    dolan = traveller(family, "DYE", "DOLAN")
    assert dolan.address == "13 SHORE AVENUE, BROADBEACH, QLD, 4215, AUS"
    assert (dolan.seat, dolan.ticket) == ("54A", "9631270001234")
    assert len(family.travellers) == 3  # the SSR INFT is the TIF infant, not a fourth person
    group = m.pnrs[2]
    assert "group ACME TEAM PARTY" in group.remarks
    assert len(group.travellers) == 9
    assert group.history[-1].text == "GN FROM NONE TO ACME TEAM PARTY"


def test_infant_docs_join_the_infant_traveller() -> None:
    (p,) = message("adult_and_infant.edi").pnrs
    assert [(t.surname, t.role) for t in p.travellers] == [
        ("TESTSURNAMEONE", "passenger"),
        ("TESTSURNAMETWO", "infant"),
    ]
    infant = p.travellers[1]
    assert infant.birth_date == dt.date(2011, 8, 10)
    assert infant.documents[0].number == "AO234000"
    (p,) = message("infant.edi").pnrs
    sophy = traveller(p, "BELT", "SOPHY")
    assert (sophy.role, sophy.birth_date, sophy.documents[0].number) == (
        "infant",
        dt.date(2012, 9, 20),
        "512731999",
    )
    assert len(p.travellers) == 2
    assert "una" in codes("infant.edi")
    assert any("14:30" in h.text for h in p.history)  # LTS with a released ':'


def test_codeshare_via_operating_tvl_and_tra() -> None:
    m = message("codeshare.edi")
    assert "una" in codes("codeshare.edi")
    assert [p.codeshare for p in m.pnrs] == [("KE609/SQ303",), ("OZ609/SQ752",)]
    assert m.pnrs[0].other_locators == ("KE:EDP2RW",)
    kim = m.pnrs[1].travellers[0]
    assert (kim.surname, kim.given, kim.birth_date, kim.seat) == (
        "KIM",
        "KONG CHUN",
        dt.date(1957, 2, 15),
        "14A",
    )
    (p,) = message("modifyPnr77ForCodeShare.txt").pnrs
    assert {"SQ5678/SK1524", "DL8976/KL972"} <= set(p.codeshare)


def test_multi_leg_itinerary_emails_and_check_in_seats() -> None:
    (p,) = message("multiple_flight_leg_pnr.txt").pnrs
    assert [(x.origin, x.destination) for x in p.itinerary] == [
        ("IAD", "FRA"),
        ("FRA", "KWI"),
        ("KWI", "FRA"),
        ("FRA", "IAD"),
    ]
    assert p.codeshare == ("UA8749/LH624", "UA8750/LH625")
    assert p.emails == ("STACY_CHENNAPRAGADA@GMAIL.COM", "PETER.NUTTALL@YAHOO.COM")
    assert [t.seat for t in p.travellers] == ["26K", "43E"]  # the FRA-IAD leg of the header
    assert p.travellers[0].documents[0].issuing_country == "ERI"


def test_payments_including_cash_and_miscellaneous() -> None:
    (p,) = message("pnrMessageExample.txt").pnrs
    assert [(x.type, x.amount, x.card_vendor) for x in p.payments] == [
        ("CC", "800.00", "AX"),
        ("CC", "100.00", "VI"),
        ("CC", "800.00", "VI"),
        ("CA", "100.00", ""),
        ("CC", "800.00", "VI"),
    ]
    assert len(p.travellers) == 5
    (p,) = message("danglingMetaCharacter.txt").pnrs
    assert [(x.type, x.amount) for x in p.payments] == [("MS", "100.00")]
    serio = p.travellers[0]
    assert (serio.ticket, serio.seat, serio.bags) == ("0.291204", "1A", 1)
    assert serio.documents[0].number == "9173574"


def test_doco_visa_and_birth_place() -> None:
    (p,) = message("pnrWithDoco.txt").pnrs
    t = p.travellers[0]
    assert [(d.type, d.number) for d in t.documents] == [("P", "602120901"), ("V", "8675309")]
    assert t.documents[1].issued == dt.date(2006, 12, 22)
    assert t.birth_place == "HERE VA"


@pytest.mark.parametrize(
    ("name", "contact"),
    [
        ("pnrPhoneCTCM.txt", "123456789"),
        ("pnrPhoneCTC_M.txt", "123456789"),
        ("pnrAddressPhoneCTCM.txt", "5432109876"),
    ],
)
def test_contact_phone_variants(name: str, contact: str) -> None:
    (p,) = message(name).pnrs
    assert contact in p.contacts
    assert p.emails[0].endswith("+50BB@GMAIL.COM")  # released '?+' in the address


def test_seat_formats() -> None:
    (p,) = message("pnrSeatFormats.txt").pnrs
    assert p.travellers[0].seat == "36K"


def test_glued_segments_after_a_lost_terminator() -> None:
    m = message("pnrMessagePg75.txt")
    assert {"curly-quote", "missing-terminator"} <= codes("pnrMessagePg75.txt")
    assert [len(p.travellers) for p in m.pnrs] == [1, 1]  # TIF glued to ORG is found
    assert m.pnrs[1].travellers[0].surname == "KIM"
    assert m.pnrs[0].travellers[0].documents[0].number == "JR3364288"
    (p,) = message("pnrMessagePg77.txt").pnrs
    assert p.history[-1].text.endswith("RPI+1+HK / GN FROM NONE TO ACME TEAM PARTY")  # was glued


def test_wrapped_unh_reference_and_trailing_text() -> None:
    m = message("pnrBadFormat.txt")
    assert m.reference == "AUTZ000623052013221001SIN20130528"
    assert {"trailing-text", "no-terminator"} <= codes("pnrBadFormat.txt")
    assert [t.surname for t in m.pnrs[0].travellers] == ["DORON", "LENDROT"]
    assert m.pnrs[0].travellers[0].birth_date == dt.date(1953, 2, 5)  # DOCS without document
    assert m.pnrs[0].travellers[0].documents == ()


def test_other_locators_and_release_backslash() -> None:
    m = message("no_pnr_history.edi")
    assert [p.locator for p in m.pnrs] == ["3MZVP2", "33O6DK", "35K2IO"]
    assert m.pnrs[0].other_locators == ("AC:P46KA5",)
    assert m.pnrs[1].travellers[0].documents[0].number == "YA0196755"
    assert m.pnrs[2].ticketed == dt.datetime(2013, 2, 15)


def test_big_files() -> None:
    big = message("bigbigPnr.txt")
    assert len(big.pnrs) == 47
    assert sum(len(p.travellers) for p in big.pnrs) == 86
    assert sum(len(p.payments) for p in big.pnrs) == 86
    bags = message("pnrWithBags.txt")
    assert len(bags.pnrs) == 127
    assert sum(len(p.payments) for p in bags.pnrs) == 268
    assert "eqn-count" in codes("pnrWithBags.txt")  # EQN+1 for 127 PNRs: warned, not refused


def test_multi_part_pnrgov_is_reassembled() -> None:
    text = (PNRGOV / "pnr1.txt").read_bytes() + b""
    one = (PNRGOV / "pnr2.txt").read_bytes()
    head, _, body1 = text.partition(b"UNH+1+PNRGOV:10:1:IA+F6C2C268'")
    _, _, body2 = one.partition(b"UNH+1+PNRGOV:10:1:IA+F6C2C268'")
    body1 = body1[: body1.index(b"UNZ")]
    data = (
        head
        + b"UNH+1+PNRGOV:10:1:IA+F6C2C268+01:C'"
        + body1
        + b"UNH+2+PNRGOV:10:1:IA+F6C2C268+02:F'"
        + body2.replace(b"UNT+135+1'", b"UNT+135+2'").replace(b"UNZ+1+", b"UNZ+2+")
    )
    r = parse_bytes(data, "parts.edi")
    (m,) = r.messages
    assert m.parts == 2
    assert [p.locator for p in m.pnrs] == ["MFN4TI", "23456"]


def test_helpers() -> None:
    assert strip_title("JOHNMR") == "JOHN"
    assert strip_title("NINA MS") == "NINA"
    assert strip_title("KAYLAMS") == "KAYLA"
    assert strip_title("ALEXANDR") == "ALEXANDR"
    assert strip_title("WILLIAMS", glued_ms=False) == "WILLIAMS"
    assert decode_email("JOHN..DOE//EXAMPLE./SITE.COM") == "JOHN_DOE@EXAMPLE-SITE.COM"
    d = parse_docs("/P/GBR/123456789/GBR/12JUL64/MI/23AUG19/SMITH/JOHN/PAUL", dt.date(2010, 1, 1))
    assert (d.infant, d.gender, d.birth, d.expiry, d.given) == (
        True,
        "M",
        dt.date(1964, 7, 12),
        dt.date(2019, 8, 23),
        "JOHN PAUL",
    )
    bad = parse_docs("/P/GBR/1/GBR/31FEB64/M/99XXX19/SMITH/JOHN", dt.date(2010, 1, 1))
    assert bad.birth is None
    assert bad.expiry is None
    assert len(bad.problems) == 2
