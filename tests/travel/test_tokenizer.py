"""The EDIFACT tokenizer: separators, release characters, whitespace, envelopes, offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from cthub.core.errors import InvalidInput
from cthub.travel.edifact.tokenizer import MAX_VALUE, Delimiters, Segment, tokenize

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
EDIFACT = sorted(
    p for d in ("paxlst", "pnrgov", "synthetic") for p in (FIXTURES / d).iterdir() if p.is_file()
)
SYNTHETIC = FIXTURES / "synthetic" / "XY0123-IST-AMM-180pax-PAXLST-D05B.edi"


def read(name: str) -> bytes:
    for p in EDIFACT:
        if p.name == name:
            return p.read_bytes()
    raise FileNotFoundError(name)


def codes(data: bytes, name: str = "x") -> set[str]:
    return {w.code for w in tokenize(data, name).warnings.finish()}


def naive(text: str, d: Delimiters) -> list[tuple[str, list[list[str]]]]:
    """The obvious split, valid for files without release characters or stray whitespace."""
    out = []
    text = text.lstrip()
    if text.startswith("UNA"):
        text = text[9:]
    for piece in text.split(d.terminator):
        piece = piece.strip()
        if piece:
            parts = [e.split(d.component) for e in piece.split(d.element)]
            out.append((parts[0][0], parts[1:]))
    return out


CLEAN = [
    "tamr-flight1.txt",
    "tamr-flight2.txt",
    "tamr-flight3.txt",
    "pnr3.txt",
    "pnr4.txt",
    "pnrMessageExample.txt",
    "bigbigPnr.txt",
    "pnrWithBags.txt",
    "adult_and_infant.edi",
]


@pytest.mark.parametrize("name", CLEAN)
def test_segments_equal_a_naive_split_on_clean_files(name: str) -> None:
    data = read(name)
    tokens = tokenize(data, name)
    expected = naive(data.decode("latin-1"), tokens.delimiters)
    assert [(s.tag, s.elements) for s in tokens.segments] == expected


def test_segment_numbers_and_byte_offsets_point_at_the_tags() -> None:
    for path in EDIFACT:
        data = path.read_bytes()
        tokens = tokenize(data, path.name)
        assert [s.number for s in tokens.segments] == list(range(1, len(tokens.segments) + 1)), (
            path.name
        )
        for s in tokens.segments:
            assert data[s.position : s.position + 3].decode("latin-1").upper() == s.tag, (
                path.name,
                s,
            )


def test_no_line_break_survives_in_any_value() -> None:
    for path in EDIFACT:
        for s in tokenize(path.read_bytes(), path.name).segments:
            for element in s.elements:
                for value in element:
                    assert "\n" not in value, (path.name, s)
                    assert "\r" not in value, (path.name, s)


def test_custom_una_element_star_terminator_dollar() -> None:
    tokens = tokenize(read("airline2.edi"), "airline2.edi")
    assert tokens.delimiters == Delimiters(":", "*", ".", "?", " ", "$")
    nad = next(s for s in tokens.segments if s.tag == "NAD" and s.get(0) == "FL")
    assert nad.element(3) == ["BETTON", "DAVID", ""]
    assert tokens.segments[1].tag == "UNG"  # 'UNG *PAXLST': space after the tag


def test_custom_una_element_minus_terminator_star() -> None:
    tokens = tokenize(read("danglingMetaCharacter.txt"), "d.txt")
    assert tokens.delimiters.element == "-"
    assert tokens.delimiters.terminator == "*"
    tkt = next(s for s in tokens.segments if s.tag == "TKT")
    assert tkt.get(0) == "0.291204"
    assert tokens.segments[-1].tag == "UNZ"


def test_backslash_release_character() -> None:
    tokens = tokenize(read("no_pnr_history.edi"), "n.edi")
    assert tokens.delimiters.release == "\\"
    lts = [
        s.get(0)
        for s in tokenize(read("infant.edi"), "i.edi").segments
        if s.tag == "LTS" and "27MAY13" in s.get(0)
    ]
    assert lts == ["14/A/7/RX SQ602 D SIN - ICN 27MAY13 14:30 ON BSCT SEAT X MANY THANKS SINRRRSQ"]


def test_released_terminator_and_separators() -> None:
    data = (
        b"UNA:+.? 'UNB+UNOA:4+A+B+260101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'"
        b"NAD+FL+++O?'BRIEN:ANNE?:MARIE+1?+2 MAIN ST+X??'FTX+AAA+++A??B?C'UNT+4+1'UNZ+1+1'"
    )
    segs = tokenize(data, "r.edi").segments
    nad = segs[2]
    assert nad.element(3) == ["O'BRIEN", "ANNE:MARIE"]
    assert nad.get(4) == "1+2 MAIN ST"
    assert nad.get(5) == "X?"  # a released release character ends the segment
    assert segs[3].get(3) == "A?BC"  # ?? is '?', ?C is a needlessly released 'C'
    assert [s.tag for s in segs] == ["UNB", "UNH", "NAD", "FTX", "UNT", "UNZ"]


def test_released_quote_in_the_synthetic_file() -> None:
    tokens = tokenize(SYNTHETIC.read_bytes(), SYNTHETIC.name)
    assert len(tokens.segments) == 2926
    names = [s.get(3) for s in tokens.segments if s.tag == "NAD" and "BRIEN" in s.get(3)]
    assert names
    assert all(n == "O'BRIEN" for n in names)


@pytest.mark.parametrize("name", ["codeshare.edi", "infant.edi"])
def test_malformed_una_is_tolerated_with_a_warning(name: str) -> None:
    tokens = tokenize(read(name), name)
    d = tokens.delimiters
    assert (d.component, d.element, d.release, d.terminator) == (":", "+", "\\", "'")
    assert "una" in {w.code for w in tokens.warnings.finish()}
    assert [s.tag for s in tokens.segments[:2]] == ["UNB", "UNH"]


def test_curly_quote_as_segment_end_is_read_with_a_warning() -> None:
    tokens = tokenize(read("pnrMessagePg75.txt"), "p.txt")
    assert "curly-quote" in {w.code for w in tokens.warnings.finish()}
    docs = next(s for s in tokens.segments if s.tag == "SSR" and s.get(0) == "DOCS")
    assert docs.get(0, 8).endswith("/PARK/SEJOON")
    assert tokens.segments[docs.number].tag == "TVL"


def test_whitespace_around_tags() -> None:
    tokens = tokenize(read("multiple_flight_leg_apis.txt"), "m.txt")  # ' UNB', ' UNG', ' UNH'
    assert [s.tag for s in tokens.segments[:3]] == ["UNB", "UNG", "UNH"]
    assert "whitespace" in codes(read("airline2.edi"))  # 'UNG *PAXLST'
    assert "whitespace" in codes(b"UNB+UNOA:4+A+B+260101:1200+1'UNH +1+PAXLST'UNT+2+1'UNZ+1+1'")


def test_missing_final_terminator_and_trailing_text() -> None:
    pg76 = tokenize(read("pnrMessagePg76.txt"), "pg76")
    assert pg76.segments[-1].tag == "UNZ"
    assert pg76.segments[-1].get(1) == "00102181551362"
    assert "no-terminator" in {w.code for w in pg76.warnings.finish()}
    bad = tokenize(read("pnrBadFormat.txt"), "bad")
    assert bad.segments[-1].tag == "UNZ"
    assert bad.segments[-1].get(1) == "00102181551362"
    assert {"no-terminator", "trailing-text"} <= {w.code for w in bad.warnings.finish()}
    assert "trailing-text" in codes(read("multiple_flight_leg_apis.txt"))  # '13Nov09' after UNZ


def test_functional_groups_are_segments_like_any_other() -> None:
    tags = [s.tag for s in tokenize(SYNTHETIC.read_bytes(), "s").segments]
    assert tags[:3] == ["UNB", "UNG", "UNH"]
    assert tags[-3:] == ["UNT", "UNE", "UNZ"]


def test_line_breaks_inside_values_are_removed() -> None:
    tokens = tokenize(read("2_pnrs_basic.edi"), "2.edi")
    docs = [s.get(0, 8) for s in tokens.segments if s.tag == "SSR" and s.get(0) == "DOCS"]
    assert docs[0] == "/P/GBR/123456789/GBR/12JUL64/M/23AUG19/SMITHJR/MRJONATHON/ROBERT"
    assert "line-break" in {w.code for w in tokens.warnings.finish()}


def test_type_b_envelope_is_stripped() -> None:
    inner = read("apisMessage.txt")
    wrapped = b"\x01QK LONPPXS\r\n.MUCKMTS 250521\r\n\x02STX\r\n" + inner + b"\r\nNNNN\x03\r\n"
    plain = tokenize(inner, "a")
    tokens = tokenize(wrapped, "b")
    assert [(s.tag, s.elements) for s in tokens.segments] == [
        (s.tag, s.elements) for s in plain.segments
    ]
    found = [w for w in tokens.warnings.finish() if w.code == "type-b"]
    assert len(found) == 2
    assert found[0].position == 0
    shift = len(wrapped) - len(inner) - len(b"\r\nNNNN\x03\r\n")
    assert tokens.segments[0].position == plain.segments[0].position + shift


def test_latin1_file_decoded_and_flagged() -> None:
    tokens = tokenize(read("minelytics-API_YY123_IAD_BRU_20200506.txt"), "m.txt")
    assert tokens.encoding == "latin-1"
    nad = next(s for s in tokens.segments if s.tag == "NAD" and s.get(0) == "FL")
    assert nad.get(3) == "ALI YYÉ"
    (w,) = [w for w in tokens.warnings.finish() if w.code == "latin1"]
    assert w.position == 289
    assert w.segment == nad.number
    test3 = tokenize(read("Test3.txt"), "Test3.txt")
    assert any("Nov\x87k" in s.get(3) for s in test3.segments if s.tag == "NAD")


def test_utf8_values_are_decoded_but_offsets_stay_byte_offsets() -> None:
    data = (
        "UNB+UNOC:3+A+B+260101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'"
        "NAD+FL+++MÜLLER:JÖRG'ATT+2++M'UNT+4+1'UNZ+1+1'"
    ).encode()
    tokens = tokenize(data, "u")
    assert tokens.encoding == "utf-8"
    assert tokens.segments[2].element(3) == ["MÜLLER", "JÖRG"]
    att = tokens.segments[3]
    assert data[att.position : att.position + 3] == b"ATT"


def test_control_characters_removed_and_long_values_capped() -> None:
    long = b"X" * 10_000
    data = (
        b"UNB+UNOA:4+A+B+260101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'NAD+FL+++EVIL\x07\x1b[31m:"
        + long
        + b"'UNT+3+1'UNZ+1+1'"
    )
    tokens = tokenize(data, "h")
    nad = tokens.segments[2]
    assert nad.get(3) == "EVIL[31m"
    assert nad.get(3, 1) == "X" * MAX_VALUE
    assert {"control-char", "too-long"} <= {w.code for w in tokens.warnings.finish()}


def test_warnings_are_capped_per_code() -> None:
    body = b"".join(b"NAD+FL+++lower:case'" for _ in range(300))
    data = b"UNB+UNOA:4+A+B+260101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'" + body + b"UNZ+1+1'"
    tokens = tokenize(data, "c")
    tokens.warnings.add("x", 1, 0, "m")
    assert len(tokens.warnings.finish()) == 1
    w = tokenize(data, "c").warnings
    for i in range(150):
        w.add("same", i, i, "m")
    out = w.finish()
    assert len([x for x in out if x.code == "same"]) == 101
    assert out[-1].message.startswith("50 more")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"  \r\n\t ", "empty"),
        (b"\x00\x01\x02binary\x00junk" * 10, "binary"),
        (b"PK\x03\x04\x00\x00zipped", "binary"),
        (b"hello, this is not edifact at all\n", "no EDIFACT segments"),
    ],
)
def test_unreadable_input_raises(data: bytes, needle: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        tokenize(data, "junk.bin")
    assert "junk.bin" in str(exc.value)
    assert needle in str(exc.value)


def test_segment_accessors() -> None:
    s = Segment("DTM", ["DTM", "329:550830:102"], 7, 42, ":")
    assert (s.get(0), s.get(0, 1), s.get(0, 2), s.get(0, 3), s.get(5)) == (
        "329",
        "550830",
        "102",
        "",
        "",
    )
    assert s.count == 1
    assert s.element(0) == ["329", "550830", "102"]
    assert s.element(3) == []
    assert s.render() == "DTM+329:550830:102"
    assert s == Segment("DTM", ["DTM", "329:550830:102"], 1, 0, ":")
