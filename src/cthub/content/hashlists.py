"""Hash lists in and out: the CSV ``signal_type,hash,label`` and the ThreatExchange-style text.

The text form has one hash per line, ``SIGNAL HASH [LABEL[,LABEL...]]`` separated by blanks,
where SIGNAL is a cthub signal name (``pdq``, ``md5``, ``sha256``, ``vpdq``) or a ThreatExchange
indicator type (``HASH_PDQ``, ``HASH_MD5``, ``HASH_SHA256``, ``HASH_VIDEO_MD5`` = MD5 of a video
file); ``#`` starts a comment. Both forms are read line by line: a line that cannot be read is
reported with its number and the reason and skipped, the rest go on. A file that is not a hash
list at all (binary, wrong header) is refused as a whole, before anything is stored.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cthub.content.signals import registry
from cthub.core.errors import CthubError, InvalidInput

CSV_HEADER = ("signal_type", "hash", "label")
STATUSES = ("", "active", "removed")
TE_TYPES = {
    "hash_pdq": "pdq",
    "hash_md5": "md5",
    "hash_sha256": "sha256",
    "hash_video_md5": "md5",
    "pdq": "pdq",
    "md5": "md5",
    "sha256": "sha256",
    "vpdq": "vpdq",
}
MAX_LABEL = 80
#: Characters that make a spreadsheet read a cell as a formula: stripped from listed labels.
FORMULA = ("=", "+", "-", "@")


@dataclass(frozen=True)
class ListedHash:
    line: int
    signal: str
    hash: str
    label: str
    #: ``status`` ``removed`` in an exported list: the hash is tombstoned, not added.
    removed: bool = False


@dataclass
class ReadList:
    """What a hash list held: the good rows, and one message per line that was skipped."""

    rows: list[ListedHash] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    lines: int = 0


def read_list(data: bytes, file: str, default_label: str = "") -> ReadList:
    """Parse a hash list (CSV with the header ``signal_type,hash,label``, else the text form)."""
    text = _text(data, file)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    cells = [c.strip().lower() for c in first.split(",")]
    if cells[:2] == list(CSV_HEADER[:2]):
        return _read_csv(text, file, default_label)
    if "," in first and len(cells) >= 2 and not first.lstrip().startswith("#"):
        raise InvalidInput(
            "{file}: line 1 is not the header signal_type,hash,label.",
            hint="Write the header signal_type,hash,label, or one 'SIGNAL HASH [LABEL]' per line.",
            file=file,
        )
    return _read_text(text, default_label)


def _text(data: bytes, file: str) -> str:
    if b"\x00" in data[:4096]:
        raise InvalidInput(
            "{file} is not a text file (it holds NUL bytes).",
            hint="Upload the hash list as CSV or text.",
            file=file,
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "{file}: byte {position} is not UTF-8.",
            hint="Save the hash list as UTF-8.",
            file=file,
            position=exc.start,
        ) from None


def _read_csv(text: str, file: str, default_label: str) -> ReadList:
    out = ReadList()
    reader = csv.reader(io.StringIO(text))
    header = [h.strip().lower() for h in next(reader)]
    missing = [c for c in CSV_HEADER[:2] if c not in header]
    if missing:  # pragma: no cover - read_list routes only files with both columns here
        raise InvalidInput("{file}: the header lacks {columns}.", file=file, columns=missing)
    at = {name: header.index(name) for name in (*CSV_HEADER, "status") if name in header}
    for row in reader:
        out.lines += 1
        number = reader.line_num
        if not any(c.strip() for c in row):
            continue
        cells = {k: (row[i].strip() if i < len(row) else "") for k, i in at.items()}
        status = cells.get("status", "").lower()
        if status not in STATUSES:
            out.errors.append((number, f"unknown status {status[:40]!r} (active or removed)"))
            continue
        label = cells.get("label", "")
        _take(out, number, cells["signal_type"], cells["hash"], label, default_label, status)
    return out


def _read_text(text: str, default_label: str) -> ReadList:
    out = ReadList()
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        out.lines += 1
        parts = line.split(None, 2)
        if len(parts) < 2:
            out.errors.append((number, "expected SIGNAL HASH [LABEL]"))
            continue
        _take(out, number, parts[0], parts[1], parts[2] if len(parts) > 2 else "", default_label)
    return out


def _take(
    out: ReadList,
    number: int,
    kind: str,
    value: str,
    label: str,
    default: str,
    status: str = "",
) -> None:
    signal = TE_TYPES.get(kind.strip().lower())
    if signal is None:
        out.errors.append((number, f"unknown signal type {kind[:40]!r}"))
        return
    try:
        normal = registry.get(signal).normalise(value)
    except CthubError as exc:
        out.errors.append((number, exc.render()))
        return
    first = label.split(",")[0].strip() if label else ""
    label = (first or default).lstrip("=+-@\t ")[:MAX_LABEL]
    out.rows.append(ListedHash(number, signal, normal, label, status == "removed"))


def write_csv(rows: Iterable[tuple[str, str, str, str]]) -> Iterator[str]:
    """CSV lines of an export: ``signal_type,hash,label,status`` (status ``active``/``removed``:
    a removal travels with the list, so a partner's copy drops the hash too)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*CSV_HEADER, "status"])
    yield buf.getvalue()
    for row in rows:
        buf.seek(0)
        buf.truncate()
        writer.writerow(row)
        yield buf.getvalue()


__all__ = ["CSV_HEADER", "ListedHash", "ReadList", "read_list", "write_csv"]
