"""PAXLST (API) mapping: flights and legs, travellers, documents, dates, parts, counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cthub.travel.parse import parse_bytes
from cthub.travel.records import Message, ParseResult

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
SYNTHETIC = FIXTURES / "synthetic" / "XY0123-IST-AMM-180pax-PAXLST-D05B.edi"


def parse(name: str) -> ParseResult:
    path = SYNTHETIC if name == SYNTHETIC.name else FIXTURES / "paxlst" / name
    return parse_bytes(path.read_bytes(), name)


def only(result: ParseResult) -> Message:
    assert len(result.messages) == 1
    return result.messages[0]


def codes(result: ParseResult) -> set[str]:
    return {w.code for w in result.warnings}


def test_synthetic_manifest() -> None:
    r = parse(SYNTHETIC.name)
    m = only(r)
    assert (m.kind, m.version, m.list_type, m.parts, m.interactive) == (
        "PAXLST",
        "D:05B",
        "745",
        1,
        False,
    )
    assert (m.flight.carrier, m.flight.number, m.flight.origin, m.flight.destination) == (
        "XY",
        "123",
        "IST",
        "AMM",
    )
    assert m.flight.departure == dt.datetime(2026, 3, 14, 22, 35)
    assert m.flight.arrival == dt.datetime(2026, 3, 15, 3, 25)
    assert str(m.flight.key) == "XY123/2026-03-14/IST"
    assert m.reference == "XY0123/260314/2235"
    assert (m.sender, m.recipient) == ("XYAIR*DCS", "ZZPIU")
    assert m.prepared == dt.datetime(2026, 3, 14, 22, 5)
    assert len(m.passengers) == 180
    p = m.passengers[0]
    assert (p.name, p.surname, p.given, p.role, p.gender) == (
        "SILVA/FATIMA",
        "SILVA",
        "FATIMA",
        "passenger",
        "M",
    )
    assert p.birth_date == dt.date(1955, 8, 30)
    assert (p.embarkation, p.debarkation, p.clearance_port) == ("FRA", "AMM", "AMM")
    assert (p.residence_country, p.nationality) == ("IRL", "IRL")
    assert (p.pnr_locator, p.ref, p.seat, p.bags) == ("H9682P", "H9682P000", "1F", 2)
    (doc,) = p.documents
    assert (doc.type, doc.number, doc.issuing_country, doc.expiry) == (
        "P",
        "U4468285",
        "IRL",
        dt.date(2029, 11, 10),
    )
    obrien = [x for x in m.passengers if x.surname == "O'BRIEN"]
    assert obrien
    assert obrien[0].name == "O'BRIEN/FATIMA"
    assert codes(r) <= {"century"}  # a clean file: only ambiguous children's birth years


def test_crew_list_lower_case_and_birth_place() -> None:
    r = parse("Test1.txt")
    m = only(r)
    assert m.list_type == "250"
    assert len(m.passengers) == 8
    assert {p.role for p in m.passengers} == {"crew"}
    p = m.passengers[0]
    assert (p.surname, p.given, p.birth_place, p.clearance_port) == (
        "Steur",
        "Andrea Pat",
        "Hartford USA",
        "IAD",
    )
    assert p.birth_date == dt.date(1978, 7, 6)
    assert p.documents[0].number == "123456789"
    assert p.documents[0].expiry == dt.date(1961, 2, 18)  # '610218': not 44 years after 2017
    assert {"lower-case", "unt-count"} <= codes(r)
    assert "cnt-count" not in codes(r)  # CNT+41+8 (wrong separator) still read: 8 crew
    unt = next(w for w in r.warnings if w.code == "unt-count")
    assert unt.tag == "UNT"
    assert "0000152" in unt.message
    assert "107" in unt.message


def test_first_part_only_is_parsed_with_a_warning() -> None:
    r = parse("Test3.txt")
    m = only(r)
    assert len(m.passengers) == 260
    assert m.parts == 1
    assert any(w.code == "part-missing" and "final part" in w.message for w in r.warnings)
    assert any(p.surname == "Nov\x87k" for p in m.passengers)  # Latin-1, kept as sent
    assert {"latin1", "non-unoa", "cnt-count"} <= codes(r)


def test_custom_separators_and_part_ten() -> None:
    r = parse("airline2.edi")
    m = only(r)
    assert len(m.passengers) == 10
    assert m.passengers[0].name == "BETTON/DAVID"
    assert m.passengers[0].documents[0].number == "178556534"
    assert (m.flight.carrier, m.flight.number, m.flight.origin) == ("TN", "506", "BRE")
    assert {"whitespace", "part-missing", "unt-ref"} <= codes(r)


def test_routing_legs() -> None:
    m = only(parse("apisMessage.txt"))
    assert [(x.carrier, x.number, x.origin, x.destination) for x in m.legs] == [
        ("AA", "123", "ATL", "ORD"),
        ("AA", "124", "ORD", "JFK"),
    ]
    assert m.legs[1].departure == dt.datetime(2007, 2, 19, 18, 40)
    assert m.reference == "AJYTR1070219"  # RFF+TN when UNH has no common access reference
    assert [(p.ref, p.pnr_locator) for p in m.passengers] == [
        ("ABC123", "TYR123"),
        ("TYL009", "TYR123"),
    ]
    m2 = only(parse("multiple_flight_leg_apis.txt"))
    assert (m2.flight.number, m2.flight.origin, m2.flight.destination) == ("827", "JFK", "CDG")
    assert [(x.origin, x.destination) for x in m2.legs] == [
        ("JFK", "CDG"),
        ("MIA", "IAD"),
        ("IAD", "JFK"),
    ]
    assert m2.passengers[1].documents[0].number == "TRQWE99800"


def test_several_documents_bags_and_seats() -> None:
    m = only(parse("tamr-flight1.txt"))
    jiang = m.passengers[0]
    assert (jiang.surname, jiang.given, jiang.birth_date) == (
        "JIANG",
        "HSIUYUAN",
        dt.date(1967, 6, 3),
    )
    assert [(d.type, d.number, d.issuing_country, d.expiry) for d in jiang.documents] == [
        ("", "433419360", "CHN", dt.date(2023, 9, 20)),
        ("V", "57131424", "USA", dt.date(2021, 7, 29)),
    ]
    assert (jiang.seat, jiang.bags, jiang.pnr_locator) == ("56F", 1, "7F5F21")
    cannon = m.passengers[2]
    assert cannon.bags == 4
    assert cannon.given == "ALEXANDRA EVA"
    grady = next(p for p in m.passengers if p.surname == "O GRADY")
    assert grady.birth_date == dt.date(2000, 5, 20)  # never after the flight (Jan 2020)


def test_dirty_manifest() -> None:
    r = parse("minelytics-API_YY123_IAD_BRU_20200506.txt")
    m = only(r)
    assert len(m.passengers) == 10
    empty = m.passengers[0]
    assert (empty.name, empty.documents, empty.residence_country) == ("ALI YYÉ", (), "")
    assert {"duplicate", "latin1", "non-unoa", "unt-count"} <= codes(r)
    vogel = next(p for p in m.passengers if p.surname == "MAX")
    assert vogel.documents[0].expiry == dt.date(2021, 1, 3)  # DTM+36: empty, then 210103
    evelyn = m.passengers[1]
    assert evelyn.documents[0].expiry == dt.date(2020, 1, 1)  # the second DTM+36 ignored


def test_impossible_date_is_dropped_with_segment_and_offset() -> None:
    data = SYNTHETIC.read_bytes().replace(b"DTM+329:550830", b"DTM+329:991340", 1)
    r = parse_bytes(data, "bad-date.edi")
    m = only(r)
    assert len(m.passengers) == 180
    assert m.passengers[0].birth_date is None
    (w,) = [w for w in r.warnings if w.code == "bad-date"]
    assert (w.file, w.tag) == ("bad-date.edi", "DTM")
    assert data[w.position :].startswith(b"DTM+329:991340")
    assert w.segment == 15
    assert "991340" in w.message


def test_two_digit_years() -> None:
    base = SYNTHETIC.read_bytes()
    r = parse_bytes(base.replace(b"DTM+329:550830", b"DTM+329:300101", 1), "y.edi")
    assert r.messages[0].passengers[0].birth_date == dt.date(1930, 1, 1)  # 2030 is after 2026
    r = parse_bytes(base.replace(b"DTM+329:550830", b"DTM+329:200101", 1), "y.edi")
    assert r.messages[0].passengers[0].birth_date == dt.date(2020, 1, 1)
    assert any(w.code == "century" and w.segment == 15 for w in r.warnings)  # or 1920?
    r = parse_bytes(base.replace(b"DTM+36:291110", b"DTM+36:450101", 1), "y.edi")
    assert r.messages[0].passengers[0].documents[0].expiry == dt.date(2045, 1, 1)
    r = parse_bytes(base.replace(b"DTM+36:291110", b"DTM+36:470101", 1), "y.edi")
    assert r.messages[0].passengers[0].documents[0].expiry == dt.date(1947, 1, 1)  # > +20 years
    r = parse_bytes(base.replace(b"DTM+36:291110", b"DTM+36:20291110", 1), "y.edi")
    assert r.messages[0].passengers[0].documents[0].expiry == dt.date(2029, 11, 10)


def _split_in_parts(data: bytes, parts: int) -> bytes:
    lines = data.decode().split("'\n")
    unh = next(i for i, x in enumerate(lines) if x.startswith("UNH"))
    first_pax = next(i for i, x in enumerate(lines) if x.startswith("NAD+FL"))
    cnt = next(i for i, x in enumerate(lines) if x.startswith("CNT"))
    header, body = lines[unh + 1 : first_pax], lines[first_pax:cnt]
    groups: list[list[str]] = []
    for x in body:
        if x.startswith("NAD+FL"):
            groups.append([])
        groups[-1].append(x)
    size = -(-len(groups) // parts)
    out = lines[:unh]
    for k in range(parts):
        flag = ":C" if k == 0 else (":F" if k == parts - 1 else "")
        seg = [f"UNH+P{k}+PAXLST:D:05B:UN:IATA+XY0123/260314/2235+{k + 1:02d}{flag}", *header]
        for g in groups[k * size : (k + 1) * size]:
            seg.extend(g)
        if k == parts - 1:
            seg.append(lines[cnt])
        seg.append(f"UNT+{len(seg) + 1}+P{k}")
        out.extend(seg)
    out.extend(x for x in lines[cnt + 2 :] if x.strip())
    out[-2] = f"UNE+{parts}+144272510"
    return ("'\n".join(out) + "'\n").encode()


def test_multi_part_message_is_reassembled() -> None:
    data = _split_in_parts(SYNTHETIC.read_bytes(), 3)
    assert b"+01:C'" in data
    assert b"+02'" in data
    assert b"+03:F'" in data
    r = parse_bytes(data, "parts.edi")
    m = only(r)
    assert m.parts == 3
    assert len(m.passengers) == 180
    assert m.passengers[-1].surname == "O'BRIEN"
    assert str(m.flight.key) == "XY123/2026-03-14/IST"
    assert len(m.legs) == 1
    assert not codes(r) & {"part-missing", "cnt-count", "unt-count", "une-count"}


def test_missing_middle_part_and_count_mismatch() -> None:
    data = _split_in_parts(SYNTHETIC.read_bytes(), 3)
    start = data.index(b"UNH+P1")
    end = data.index(b"UNT+", start)
    end = data.index(b"'", end) + 2
    r = parse_bytes(data[:start] + data[end:], "gap.edi")
    m = only(r)
    assert m.parts == 2
    assert len(m.passengers) == 120
    assert {"part-missing", "cnt-count", "une-count"} <= codes(r)


def test_interactive_api() -> None:
    data = (FIXTURES / "paxlst" / "apisMessage.txt").read_bytes().replace(b"++DHS'", b"++IAPI+O'")
    assert only(parse_bytes(data, "iapi")).interactive is True
