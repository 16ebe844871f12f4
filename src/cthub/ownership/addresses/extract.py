"""Listed addresses from where lists publish them: stored list entries, OFAC CSV remarks, files.

* Stored entries (``from_entries``): the OFAC XML source keeps every ``idList`` row it has no
  property for as a note, so OFAC's "Digital Currency Address - XBT" ids are stored as
  ``Digital Currency Address - XBT: 1ABC...``; the programmes as ``OFAC program: SDGT``. The
  CSV spelling (``... - XBT 1ABC...``, no colon) is read the same way.
* The OFAC legacy CSV set (``from_ofac_csv``): ``sdn.csv`` remarks hold the ids as
  ``Digital Currency Address - XBT 1ABC...; alt. Digital Currency Address - ...``. Remarks longer
  than the field are cut and continued in ``sdn_comments.csv`` (same ``ent_num``), sometimes in
  the middle of an address, so the two are joined before they are read.
* Address-list files (``from_file``): one address per line in ``sanctioned_addresses_<CHAIN>.txt``
  (the layout of the OFAC extractions on GitHub, which carry no holder), or a CSV with columns
  ``address,chain`` and optionally ``list,list_ref,holder,program``; a folder holds either.

Records are yielded as published; checking them is the index's job. A file that cannot be read
at all raises ``InvalidInput`` naming it and the line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from cthub.core.errors import InvalidInput
from cthub.lists import EntryView
from cthub.ownership.addresses.chains import chain_code
from cthub.ownership.addresses.index import ListedAddress

OFAC_LIST = "ofac-sdn"
_ID = re.compile(
    r"Digital Currency Address - (?P<chain>[A-Za-z0-9]+)(?::\s*|\s+)(?P<address>[^\s;]+)"
)
_PROGRAM = "OFAC program: "
_TXT = re.compile(r"(?:^|_)(?P<chain>[A-Za-z0-9]+)\.txt$")
_CSV_COLUMNS = ("address", "chain", "list", "list_ref", "holder", "program")


def programs(raw: str) -> str:
    """OFAC's ``DPRK3] [CYBER2`` (CSV) or several programme notes, as ``DPRK3; CYBER2``."""
    parts = [p.strip(" []") for p in raw.replace("] [", ";").split(";")]
    return "; ".join(dict.fromkeys(p for p in parts if p))


def from_entries(views: Iterable[EntryView]) -> Iterator[ListedAddress]:
    """Addresses in the notes of stored list entries, with the entry's reference and caption."""
    for view in views:
        notes = view.properties.get("notes", [])
        found = [(m["chain"], m["address"]) for note in notes for m in _ID.finditer(note)]
        if not found:
            continue
        program = programs(";".join(n[len(_PROGRAM) :] for n in notes if n.startswith(_PROGRAM)))
        for chain, address in dict.fromkeys(found):
            yield ListedAddress(address, chain, view.list_name, view.ref, view.caption, program)


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            "{file}: the file cannot be read ({problem}).",
            file=str(path),
            problem=str(exc) or type(exc).__name__,
        ) from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")  # the OFAC CSV set is Latin-1


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(_read(path), newline=""))
    try:
        for row in reader:
            if row and row[0].strip() not in ("", "\x1a"):
                yield reader.line_num, row
    except csv.Error as exc:
        raise InvalidInput(
            "{file} line {line}: the CSV cannot be read ({problem}).",
            file=str(path),
            line=reader.line_num,
            problem=str(exc),
        ) from exc


def _holder(name: str, kind: str) -> str:
    """``LAST, First`` of an individual as ``First LAST``, as the OFAC list source names it."""
    if kind.strip().casefold() == "individual" and ", " in name:
        last, _, first = name.partition(", ")
        return f"{first} {last}"
    return name


def from_ofac_csv(folder: Path, list_name: str = OFAC_LIST) -> Iterator[ListedAddress]:
    """Addresses in the remarks of an OFAC legacy CSV set (``sdn.csv`` + ``sdn_comments.csv``)."""
    comments: dict[str, str] = {}
    if (folder / "sdn_comments.csv").is_file():
        for _, row in _rows(folder / "sdn_comments.csv"):
            if len(row) >= 2:
                comments[row[0].strip()] = comments.get(row[0].strip(), "") + row[1]
    for line, row in _rows(folder / "sdn.csv"):
        if len(row) != 12:
            raise InvalidInput(
                "{file} line {line}: {count} fields, expected {expected} ({names}).",
                file="sdn.csv",
                line=line,
                count=len(row),
                expected=12,
                names="ent_num ... Remarks",
            )
        ref = row[0].strip()
        remarks = ("" if row[11].strip() == "-0-" else row[11]) + comments.get(ref, "")
        holder = _holder(row[1].strip(), row[2])
        program = programs("" if row[3].strip() == "-0-" else row[3])
        found = [(m["chain"], m["address"]) for m in _ID.finditer(remarks)]
        for chain, address in dict.fromkeys(found):
            yield ListedAddress(address, chain, list_name, ref, holder, program)


def _from_txt(path: Path, list_name: str) -> Iterator[ListedAddress]:
    match = _TXT.search(path.name)
    if match is None or chain_code(match["chain"]) is None:
        raise InvalidInput(
            "{file}: the chain cannot be told from the file name.",
            hint="Name one-address-per-line files sanctioned_addresses_<CHAIN>.txt "
            "(e.g. _XBT, _ETH), or give a CSV with columns address,chain.",
            file=str(path),
        )
    for line in _read(path).splitlines():
        text = line.strip()
        if text and not text.startswith("#"):
            yield ListedAddress(text, match["chain"], list_name)


def _from_csv(path: Path, list_name: str) -> Iterator[ListedAddress]:
    rows = _rows(path)
    header = [c.strip().lower() for c in next(rows, (1, []))[1]]
    if "address" not in header or "chain" not in header:
        raise InvalidInput(
            "{file} line 1: column {column} is missing (found: {found}).",
            hint="An address list needs columns address,chain and may add "
            "list,list_ref,holder,program.",
            file=str(path),
            column="address, chain",
            found=", ".join(header),
        )
    for _, row in rows:
        record = dict(zip(header, (v.strip() for v in row), strict=False))
        values = {c: record.get(c, "") for c in _CSV_COLUMNS}
        values["list"] = values["list"] or list_name
        yield ListedAddress(**values)


def from_file(path: Path, list_name: str = OFAC_LIST) -> Iterator[ListedAddress]:
    """Addresses of an address-list file, a folder of them, or an OFAC CSV set folder."""
    if path.is_dir():
        if (path / "sdn.csv").is_file():
            yield from from_ofac_csv(path, list_name)
            return
        for child in sorted(path.iterdir()):
            if child.name.startswith("sanctioned_addresses_") or child.suffix == ".csv":
                yield from from_file(child, list_name)
        return
    if not path.is_file():
        raise InvalidInput("{file} does not exist.", file=str(path))
    if path.suffix.lower() == ".csv":
        yield from _from_csv(path, list_name)
    else:
        yield from _from_txt(path, list_name)


__all__ = ["OFAC_LIST", "from_entries", "from_file", "from_ofac_csv", "programs"]
