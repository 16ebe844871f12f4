"""``parse_bytes``/``parse_file`` on every fixture and on broken, truncated or hostile input."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cthub.core.errors import InvalidInput
from cthub.travel.parse import MAX_BYTES, parse_bytes, parse_file
from cthub.travel.records import ParseResult, ParseWarning

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
ALL = sorted(
    p
    for d in ("paxlst", "pnrgov", "synthetic", "pnrgov-xml")
    for p in (FIXTURES / d).iterdir()
    if p.is_file()
)
SYNTHETIC = FIXTURES / "synthetic" / "XY0123-IST-AMM-180pax-PAXLST-D05B.edi"
HEAD = b"UNA:+.? 'UNB+UNOA:4+XY+ZZ+260314:2205+1++APIS'UNH+1+PAXLST:D:05B:UN:IATA+XY1/1+01:F'"
FLIGHT = b"BGM+745'TDT+20+XY1+++XY'LOC+125+IST'DTM+189:2603142235:201'LOC+87+AMM'"


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple | list):
        for v in value:
            yield from strings(v)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name))


def test_fixture_count() -> None:
    assert len(ALL) == 9 + 31 + 1 + 1


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_every_fixture_gives_travellers_or_pnrs(path: Path) -> None:
    r = parse_file(path)
    assert isinstance(r, ParseResult)
    assert r.file == path.name
    assert r.messages
    for m in r.messages:
        assert m.passengers or m.pnrs, m
        assert m.kind in ("PAXLST", "PNRGOV", "PNRGOV-XML")
        for p in m.pnrs:
            assert p.locator
            assert p.travellers
    for s in strings(r.messages):
        assert "\n" not in s
        assert "\r" not in s
    size = path.stat().st_size
    for w in r.warnings:
        assert isinstance(w, ParseWarning)
        assert w.file == path.name
        assert w.code
        assert w.message
        assert w.segment >= 0
        assert 0 <= w.position <= size


def test_unt_counts_are_warned_never_refused() -> None:
    wrong = sum(
        any(w.code == "unt-count" for w in parse_file(p).warnings)
        for p in ALL
        if p.suffix != ".xml"
    )
    assert wrong == 41 - 8  # FORMATS.md: UNT counts right in 8 of the 41 EDIFACT fixtures


def test_type_b_envelope_around_a_pnr_push() -> None:
    inner = (FIXTURES / "pnrgov" / "pnr4.txt").read_bytes()
    data = b"QK LONPPXS\r\n.MUCKMTS 250521\r\nSTX\r\n" + inner + b"\r\nNNNN\r\n"
    r = parse_bytes(data, "typeb.txt")
    assert r.messages[0].pnrs[0].locator == "0995F0"
    assert "type-b" in {w.code for w in r.warnings}


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"\r\n  \r\n", "empty"),
        (bytes(range(256)) * 8, "binary"),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", "binary"),
        (b"Dear PIU, please find the manifest attached.\r\n", "no EDIFACT segments"),
        (b"UNB+UNOA:4+XY+ZZ+260314:2205+1'UNZ+0+1'", "no message"),
        (b"UNA:+.? 'UNB+UNOA:4+XY+ZZ+260314:2205+1'UNH+1+PAXLST:D:05B:UN:IATA'", "no message"),
        (b"UNB+UNOA:4+XY+ZZ+260314:2205+1'UNH+1+INVOIC:D:96A:UN'BGM+380'UNT+3+1'", "INVOIC"),
        (b"UNB+UNOA:4+XY+ZZ+260314:2205+1'UNH+1+CUSRES:D:05B:UN:IATA'BGM+962'", "CUSRES"),
        (HEAD + FLIGHT + b"NAD+FL+++SMI", "no complete passenger"),
    ],
)
def test_unusable_files_are_refused(data: bytes, needle: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_bytes(data, "broken.edi")
    text = str(exc.value)
    assert "broken.edi" in text, text
    assert needle in text, text
    assert exc.value.hint
    assert exc.value.params["file"] == "broken.edi"


def test_refusal_names_segment_and_byte_offset() -> None:
    data = b"UNB+UNOA:4+XY+ZZ+260314:2205+1'\r\nUNH+1+INVOIC:D:96A:UN'BGM+380'UNT+3+1'UNZ+1+1'"
    with pytest.raises(InvalidInput) as exc:
        parse_bytes(data, "inv.edi")
    assert exc.value.params["segment"] == 2
    assert exc.value.params["position"] == 33
    assert str(exc.value).startswith("inv.edi: segment 2 at byte 33: ")


def test_unsupported_message_next_to_a_good_one_is_skipped() -> None:
    good = SYNTHETIC.read_bytes()
    extra = b"UNH+9+CUSRES:D:05B:UN:IATA'BGM+962'UNT+3+9'"
    data = good.replace(b"UNE+1+144272510'", extra + b"UNE+1+144272510'")
    r = parse_bytes(data, "mixed.edi")
    assert len(r.messages) == 1
    assert len(r.messages[0].passengers) == 180
    assert "unsupported-message" in {w.code for w in r.warnings}


def test_truncated_interchange_keeps_complete_passengers() -> None:
    data = SYNTHETIC.read_bytes()
    cut = data[: len(data) // 2]
    r = parse_bytes(cut, "half.edi")
    (m,) = r.messages
    assert 80 < len(m.passengers) < 100
    assert "truncated" in {w.code for w in r.warnings}
    last = next(w for w in r.warnings if w.code == "truncated")
    assert last.file == "half.edi"
    assert last.segment > 0


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"nothing\.edi does not exist"):
        parse_file(tmp_path / "nothing.edi")


def test_too_large_bytes_are_refused() -> None:
    with pytest.raises(InvalidInput) as exc:
        parse_bytes(b" " * (MAX_BYTES + 1), "big.edi")
    assert "big.edi" in str(exc.value)
    assert str(MAX_BYTES) in str(exc.value)


def test_too_large_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.edi"
    with path.open("wb") as fh:
        fh.truncate(200 * 1024 * 1024)  # sparse: no disk, no memory
    start = time.perf_counter()
    with pytest.raises(InvalidInput) as exc:
        parse_file(path)
    assert time.perf_counter() - start < 1.0
    assert exc.value.params == {"file": "huge.edi", "size": 200 * 1024 * 1024, "limit": MAX_BYTES}


def _one(name: bytes) -> tuple[ParseResult, Any]:
    data = HEAD + FLIGHT + b"NAD+FL+++" + name + b"'ATT+2++F'CNT+42:1'UNT+9+1'UNZ+1+1'"
    r = parse_bytes(data, "hostile.edi")
    return r, r.messages[0].passengers[0]


@pytest.mark.parametrize(
    "name",
    [
        b"<script>alert(1)</script>:EVE",
        b"ROBERT?'); DROP TABLE passengers;--:BOBBY",
        b"../../etc/passwd:X",
        b"{{7*7}}:${jndi?:ldap?://x/a}",
        b"%s%s%n:%x",
    ],
)
def test_hostile_names_are_data(name: bytes) -> None:
    r, p = _one(name)
    raw = name.replace(b"?'", b"'").replace(b"?:", b":").decode()
    assert f"{p.surname}:{p.given}" == raw
    assert len(r.messages[0].passengers) == 1


def test_control_characters_and_long_values() -> None:
    r, p = _one(b"EVE\x00\x07\x1b[2J\x7fLYN:" + b"A" * 10_000)
    assert p.surname == "EVE[2JLYN"
    assert p.given == "A" * 512
    found = {w.code for w in r.warnings}
    assert {"control-char", "too-long"} <= found


def test_latin1_lower_case_and_non_unoa_are_kept() -> None:
    r, p = _one("Müller-Lüdenscheidt:Zoë".encode("latin-1"))
    assert (p.surname, p.given) == ("Müller-Lüdenscheidt", "Zoë")
    assert {"latin1", "lower-case", "non-unoa"} <= {w.code for w in r.warnings}


def test_many_interchanges_in_one_file() -> None:
    one = (FIXTURES / "pnrgov" / "pnr4.txt").read_bytes()
    two = (FIXTURES / "paxlst" / "tamr-flight1.txt").read_bytes()
    r = parse_bytes(one + b"\r\n" + two, "both.edi")
    assert [m.kind for m in r.messages] == ["PNRGOV", "PAXLST"]
    assert r.messages[1].passengers[0].surname == "JIANG"
