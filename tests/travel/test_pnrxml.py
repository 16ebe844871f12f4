"""PNRGOV XML (IATA_PNRGOV_NotifRQ): mapping, namespace tolerance, safe parsing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cthub.core.errors import InvalidInput
from cthub.travel.parse import parse_bytes
from cthub.travel.pnrxml import NS

XML = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "travel"
    / "pnrgov-xml"
    / "XY0123-IST-AMM-2pnrs-handwritten.xml"
)


def test_hand_written_notification() -> None:
    r = parse_bytes(XML.read_bytes(), XML.name)
    (m,) = r.messages
    assert (m.kind, m.version, m.reference, m.sender) == (
        "PNRGOV-XML",
        "1.0",
        "XY0123-260314-01",
        "XY 1A",
    )
    assert str(m.flight.key) == "XY123/2026-03-14/IST"
    assert m.flight.destination == "AMM"
    assert m.prepared == dt.datetime(2026, 3, 13, 22, 35)
    assert [p.locator for p in m.pnrs] == ["H9682P", "WBBBA2"]
    first = m.pnrs[0]
    assert first.created == dt.datetime(2026, 2, 1, 10, 15)
    assert (first.agency, first.agency_country, first.bags) == ("12345675", "TR", 2)
    assert first.emails == ("FATIMA.SILVA@EXAMPLE.ORG",)
    assert first.addresses == ("12 ORNEK SOKAK, ISTANBUL, 34000, TR",)
    assert [(x.type, x.card_vendor, x.amount, x.currency) for x in first.payments] == [
        ("CC", "VI", "420.00", "EUR")
    ]
    fatima, sean = first.travellers
    assert (fatima.surname, fatima.given, fatima.birth_date, fatima.seat) == (
        "SILVA",
        "FATIMA MARIA",
        dt.date(1955, 8, 30),
        "1F",
    )
    assert fatima.documents[0].number == "U4468285"
    assert fatima.documents[0].expiry == dt.date(2029, 11, 10)
    assert (fatima.residence_country, fatima.ticket, fatima.frequent_flyer) == (
        "IRL",
        "1234567890123",
        "XY XY778812",
    )
    assert (sean.name, sean.given, sean.birth_place) == ("SILVA/SEAN MR", "SEAN", "CORK")
    assert [(d.type, d.number, d.issuing_country) for d in sean.documents] == [
        ("P", "U8318349", "IRL"),
        ("V", "JO44120", "JOR"),
    ]
    assert [(x.origin, x.destination) for x in first.itinerary] == [
        ("IST", "AMM"),
        ("AMM", "IST"),
    ]
    second = m.pnrs[1]
    john = second.travellers[0]
    assert (john.surname, john.birth_date, john.seat) == (
        "O'BRIEN",
        dt.date(1981, 12, 5),
        "34B",
    )
    assert john.documents[0].expiry == dt.date(2033, 11, 13)
    assert second.codeshare == ("XY4410/ZZ771",)
    assert second.payments[0].type == "CA"
    assert r.warnings == []


def test_namespace_missing_is_read_with_a_warning() -> None:
    data = XML.read_bytes().replace(f' xmlns="{NS}"'.encode(), b"")
    r = parse_bytes(data, "nons.xml")
    assert len(r.messages[0].pnrs) == 2
    assert [w.code for w in r.warnings] == ["namespace"]


def test_hostile_values_stay_data() -> None:
    evil = "&lt;script&gt;alert(1)&lt;/script&gt;'); DROP TABLE pnr;--"
    data = (
        XML.read_bytes()
        .replace(b"<Surname>SILVA</Surname>", f"<Surname>{evil}</Surname>".encode(), 1)
        .replace(b"<GivenName>FATIMA</GivenName>", b"<GivenName>" + b"A" * 10_000 + b"</GivenName>")
        .replace(b'Surname="SILVA" FirstGivenName="FATIMA"', b"")
    )
    r = parse_bytes(data, "evil.xml")
    t = r.messages[0].pnrs[0].travellers[0]
    assert t.surname == "<script>alert(1)</script>'); DROP TABLE pnr;--"
    assert len(t.given) == 512
    assert any(w.code == "too-long" and w.segment > 0 for w in r.warnings)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<IATA_PNRGOV_NotifRQ>&b;</IATA_PNRGOV_NotifRQ>",
            "document type declaration",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.invalid/x.dtd">'
            b"<IATA_PNRGOV_NotifRQ/>",
            "document type declaration",
        ),
        (b"<Invoice><Total>1</Total></Invoice>", "is not IATA_PNRGOV_NotifRQ"),
        (b"<IATA_PNRGOV_NotifRQ><PNRs><PNR>", "not well-formed"),
    ],
)
def test_unsafe_or_foreign_xml_is_refused(data: bytes, needle: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_bytes(data, "x.xml")
    assert needle in str(exc.value)
    assert "x.xml" in str(exc.value)


def test_bad_dates_are_dropped_with_a_warning() -> None:
    data = XML.read_bytes().replace(b'DateOfBirth="1955-08-30"', b'DateOfBirth="1955-13-45"')
    r = parse_bytes(data, "d.xml")
    assert r.messages[0].pnrs[0].travellers[0].birth_date is None
    (w,) = [w for w in r.warnings if w.code == "bad-date"]
    assert w.tag == "DOCS"
    assert data[w.position :].startswith(b"<DOCS ")
    assert w.segment == data[: w.position].count(b"\n") + 1
