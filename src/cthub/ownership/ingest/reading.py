"""Reading one input file: size limit first, then a JSON array, one JSON object or JSON Lines.

The size is checked with ``stat`` before a byte is read, so an oversized (or endless) file is
refused without touching memory. A JSON array or a single pretty-printed object is one
document: if it does not parse (truncated, invalid), the whole file is refused with the line and
column, because importing the part before the damage would half-import the file. JSON Lines are
independent records: a bad line is reported and skipped, and the other lines are read.
"""

from __future__ import annotations

import hashlib
import json
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from cthub.core.errors import InvalidInput
from cthub.ownership.ingest.records import Problem

#: Default ceiling on one input file; ``load_file(max_bytes=...)`` / ``--max-size`` change it.
MAX_BYTES = 512 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


@dataclass
class Document:
    """The records of one file as ``(locator, value)``: ``item N`` or ``line N`` (1-based)."""

    file: str
    layout: str  # array | object | lines
    records: list[tuple[str, Any]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sha256: str = ""


def check_size(path: Path, max_bytes: int = MAX_BYTES) -> int:
    """The file's size; raise before reading when it is not a regular file or is too big."""
    try:
        info = path.stat()
    except OSError as exc:
        raise InvalidInput(
            "{file} cannot be read: {reason}.", file=str(path), reason=exc.strerror or str(exc)
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput("{file} is not a regular file.", file=str(path))
    if info.st_size > max_bytes:
        raise InvalidInput(
            "{file} is {size} MB, over the limit of {limit} MB; nothing was read.",
            hint="Split it into several files, or raise the limit with --max-size.",
            file=path.name,
            size=round(info.st_size / 2**20, 1),
            limit=round(max_bytes / 2**20, 1),
        )
    if info.st_size == 0:
        raise InvalidInput("{file} is empty.", file=path.name)
    return info.st_size


def read_document(path: Path, max_bytes: int = MAX_BYTES) -> Document:
    """Parse ``path`` into records (see the module docstring for what is refused)."""
    check_size(path, max_bytes)
    raw = path.read_bytes()[: max_bytes + 1]
    if len(raw) > max_bytes:  # grew between stat and read
        check_size(path, max_bytes)
    sha = hashlib.sha256(raw).hexdigest()
    doc = _parse(path, raw.removeprefix(_BOM))
    doc.sha256 = sha
    return doc


def _parse(path: Path, raw: bytes) -> Document:
    head = raw.lstrip()[:1]
    if head == b"[":
        return _whole(path, raw, "array")
    if head != b"{":
        raise InvalidInput(
            "{file} is not JSON: it starts with neither '[' nor '{{'.",
            hint="Ownership files are BODS JSON, JSON Lines, PSC snapshot lines or FtM lines.",
            file=path.name,
        )
    first_line = raw.split(b"\n", 1)[0]
    if _parses(first_line):
        return _lines(path, raw)
    return _whole(path, raw, "object")


def _parses(line: bytes) -> bool:
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return True


def _whole(path: Path, raw: bytes, layout: str) -> Document:
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InvalidInput(
            "{file}: invalid or truncated JSON at line {line}, column {column} ({reason}); "
            "nothing was imported.",
            hint="A JSON document is imported whole or not at all: repair the file, or send "
            "JSON Lines, where a bad line is skipped and reported.",
            file=path.name,
            line=exc.lineno,
            column=exc.colno,
            reason=_reason(exc),
        ) from None
    doc = Document(path.name, layout)
    items = value if isinstance(value, list) else [value]
    doc.records = [(f"item {i}", item) for i, item in enumerate(items, 1)]
    return doc


def _lines(path: Path, raw: bytes) -> Document:
    doc = Document(path.name, "lines")
    for number, line in enumerate(raw.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            doc.records.append((f"line {number}", orjson.loads(line)))
        except orjson.JSONDecodeError as exc:
            doc.problems.append(
                Problem(
                    path.name,
                    f"line {number}",
                    "",
                    "invalid_json",
                    f"not a JSON object ({_reason(exc)}); line skipped",
                )
            )
    if not doc.records:
        raise InvalidInput("{file}: no line holds a JSON object.", file=path.name)
    return doc


def _reason(exc: json.JSONDecodeError) -> str:
    return str(exc.msg)[:120]


__all__ = ["MAX_BYTES", "Document", "check_size", "read_document"]
