"""One entry point for carrier files: PAXLST and PNRGOV (EDIFACT) or PNRGOV XML.

``parse_bytes`` detects the format, tokenizes, maps each message and joins multi-part messages
(UNH part ``01:C`` ... ``0n:F``) into one :class:`Message` per flight. What can be read is
read, with a :class:`ParseWarning` for everything odd; :class:`InvalidInput` only for files
that hold nothing usable (empty, binary, no segments, unknown message types, truncated before
the first traveller) or that are over :data:`MAX_BYTES`. No database is touched.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from cthub.core.errors import InvalidInput
from cthub.travel import pnrxml
from cthub.travel.edifact import paxlst, pnrgov
from cthub.travel.edifact.interchange import Interchange, Mapped, RawMessage, read_interchanges
from cthub.travel.edifact.tokenizer import Segment, Tokens, Warnings, check_charset, tokenize
from cthub.travel.records import Message, ParseResult

MAX_BYTES = 64 * 1024 * 1024
"""Largest file accepted (64 MiB); a flight's PNR push is a few MB at most."""

_MAPPERS: dict[str, Callable[[RawMessage, Interchange, Warnings], Mapped]] = {
    "PAXLST": paxlst.map_message,
    "PNRGOV": pnrgov.map_message,
}
_CHECKS: dict[str, Callable[[Mapped, Warnings], None]] = {
    "PAXLST": paxlst.check_counts,
    "PNRGOV": pnrgov.check_counts,
}


_GC_LOCK = threading.Lock()
_GC_STATE = {"depth": 0, "ours": False}


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while parsing.

    A large file makes hundreds of thousands of small acyclic objects; the collector would
    rescan them again and again (it tripled the time for 20,000 passengers). Nested and
    concurrent parses share one pause; a collector the caller disabled stays disabled.
    """
    with _GC_LOCK:
        if _GC_STATE["depth"] == 0:
            _GC_STATE["ours"] = gc.isenabled()
            gc.disable()
        _GC_STATE["depth"] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_STATE["depth"] -= 1
            if _GC_STATE["depth"] == 0 and _GC_STATE["ours"]:
                gc.enable()


def _too_big(file: str, size: int) -> InvalidInput:
    return InvalidInput(
        "{file}: {size} bytes is over the limit of {limit} bytes",
        hint="Split the interchange per flight; carriers send one flight per message.",
        file=file,
        size=size,
        limit=MAX_BYTES,
    )


def parse_file(path: str | Path) -> ParseResult:
    """Parse a file on disk; files over :data:`MAX_BYTES` are refused before being read."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput("{file} does not exist.", file=p.name)
    size = p.stat().st_size
    if size > MAX_BYTES:
        raise _too_big(p.name, size)
    with p.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    return parse_bytes(data, p.name)


def parse_bytes(data: bytes, file: str) -> ParseResult:
    """Parse one carrier file given as bytes; ``file`` names it in warnings and errors."""
    if len(data) > MAX_BYTES:
        raise _too_big(file, len(data))
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return pnrxml.parse(data, file)
    with gc_paused():
        return _parse_edifact(tokenize(data, file))


def _at(seg: Segment, message: str, hint: str, file: str, **params: object) -> InvalidInput:
    """An error about one segment: ``message`` names {file}, {segment} and {position}."""
    return InvalidInput(
        message,
        hint=hint,
        file=file,
        segment=seg.number,
        position=seg.position,
        **params,
    )


def _parse_edifact(tokens: Tokens) -> ParseResult:
    file = tokens.file
    w = tokens.warnings
    if not tokens.segments:
        raise InvalidInput(
            "{file}: no EDIFACT segments found",
            hint="Send a PAXLST or PNRGOV interchange (UNB ... UNZ) or PNRGOV XML.",
            file=file,
        )
    interchanges = read_interchanges(tokens)
    for ic in interchanges:
        check_charset(tokens, ic.syntax, [s for m in ic.messages for s in (m.unh, *m.segments)])
    mapped: list[Mapped] = []
    refused: list[RawMessage] = []
    empty: list[RawMessage] = []
    for ic in interchanges:
        for raw in ic.messages:
            mapper = _MAPPERS.get(raw.type)
            if mapper is None:
                refused.append(raw)
                w.at(raw.unh, "unsupported-message", f"message type {raw.type!r} not supported")
            elif not raw.segments:
                empty.append(raw)
                w.at(raw.unh, "empty-message", f"message {raw.ref!r} has no segments")
            else:
                mapped.append(mapper(raw, ic, w))
    if not mapped:
        if refused:
            raise _at(
                refused[0].unh,
                "{file}: segment {segment} at byte {position}: "
                "message type {type} is not PAXLST or PNRGOV",
                "Send PAXLST (API) or PNRGOV (PNR) messages; other types are not read here.",
                file,
                type=refused[0].type or "(none)",
            )
        raise _at(
            empty[0].unh if empty else tokens.segments[0],
            "{file}: segment {segment} at byte {position}: "
            "truncated interchange: no message with any content (UNH ... UNT)",
            "The file was cut off or holds only an envelope; ask the carrier to resend it.",
            file,
        )
    messages = _reassemble(mapped, w)
    if w.count("truncated") and not any(m.passengers or m.pnrs for m in messages):
        raise _at(
            tokens.segments[-1],
            "{file}: segment {segment} at byte {position}: "
            "truncated interchange: no complete passenger or PNR",
            "The file was cut off before the first traveller; ask the carrier to resend it.",
            file,
        )
    return ParseResult(file, messages, w.finish())


def _series_key(m: Mapped) -> tuple[str, str]:
    raw = m.raw
    key = raw.access_ref or str(m.message.flight.key or "") or raw.ref
    return (m.message.kind, key)


def _reassemble(mapped: list[Mapped], w: Warnings) -> list[Message]:
    """Join multi-part messages; each series ends at its part flagged F."""
    done: list[tuple[int, list[Mapped]]] = []
    open_series: dict[tuple[str, str], tuple[int, list[Mapped]]] = {}
    for i, m in enumerate(mapped):
        raw = m.raw
        if raw.part is None and not raw.part_flag:
            done.append((i, [m]))
            continue
        key = _series_key(m)
        first, series = open_series.setdefault(key, (i, []))
        series.append(m)
        if raw.part_flag == "F":
            done.append((first, series))
            del open_series[key]
    for first, series in open_series.values():
        last = series[-1].raw
        w.at(
            last.unh,
            "part-missing",
            f"message {last.ref!r} is part {last.part or '?'} of a series whose final part (F) "
            "is missing; read what is there",
        )
        done.append((first, series))
    done.sort(key=lambda x: x[0])
    return [_join(series, w) for _, series in done]


def _join(series: list[Mapped], w: Warnings) -> Message:
    check = _CHECKS[series[0].message.kind]
    if len(series) == 1:
        m = series[0]
        _check_part_numbers(series, w)
        check(m, w)
        return m.message
    _check_part_numbers(series, w)
    first = series[0].message
    legs = list(first.legs)
    for m in series[1:]:
        legs.extend(x for x in m.message.legs if x not in legs)
    joined = dataclasses.replace(
        first,
        legs=tuple(legs),
        passengers=tuple(p for m in series for p in m.message.passengers),
        pnrs=tuple(p for m in series for p in m.message.pnrs),
        parts=len(series),
    )
    last = next((m for m in reversed(series) if m.counts), series[-1])
    probe = Warnings(w.file)
    check(Mapped(joined, last.raw, last.counts, last.count_seg), probe)
    if probe.items:  # totals may also be sent per part
        per_part = Warnings(w.file)
        for m in series:
            check(m, per_part)
        for item in per_part.items if per_part.items else []:
            w.add(item.code, item.segment, item.position, item.message, item.tag)
    return joined


def _check_part_numbers(series: list[Mapped], w: Warnings) -> None:
    numbers = [m.raw.part for m in series if m.raw.part is not None]
    if not numbers:
        return
    expected = list(range(1, max(numbers) + 1))
    missing = sorted(set(expected) - set(numbers))
    if missing:
        unh = series[0].raw.unh
        w.at(unh, "part-missing", f"parts {', '.join(map(str, missing))} of the series are missing")
    if len(set(numbers)) != len(numbers):
        w.at(series[0].raw.unh, "part-duplicate", "a part number occurs twice in the series")


__all__ = ["MAX_BYTES", "parse_bytes", "parse_file"]
