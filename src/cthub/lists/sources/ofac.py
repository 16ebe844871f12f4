"""OFAC SDN list as the legacy CSV set: a directory holding ``sdn.csv``, ``alt.csv``, ``add.csv``.

The files have no header row, use ``-0-`` for empty fields and are Latin-1 (UTF-8 is accepted
too). ``sdn_type`` is ``individual``, ``vessel``, ``aircraft`` or empty (an entity); aircraft
have no schema of their own and are kept as ``Organization``. Birth dates, places, passports,
nationalities, genders and IMO numbers are only given inside ``remarks`` (``DOB 10 Dec 1948;
Passport 1084010 (Egypt); ...``) and are extracted from there.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from cthub.core.errors import InvalidInput
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry

NULL = "-0-"
COLUMNS = {
    "sdn.csv": (
        "ent_num",
        "SDN_Name",
        "SDN_Type",
        "Program",
        "Title",
        "Call_Sign",
        "Vess_type",
        "Tonnage",
        "GRT",
        "Vess_flag",
        "Vess_owner",
        "Remarks",
    ),
    "alt.csv": ("ent_num", "alt_num", "alt_type", "alt_name", "alt_remarks"),
    "add.csv": ("ent_num", "add_num", "address", "city_state_zip", "country", "add_remarks"),
    "sdn_comments.csv": ("ent_num", "Remarks_Extended"),
}
#: "Digital Currency Address - XBT 1ABC...": kept as a note in the XML source's spelling
#: (``Digital Currency Address - XBT: 1ABC...``), which address screening reads.
_DIGITAL = re.compile(r"Digital Currency Address - (?P<chain>[A-Za-z0-9]+) (?P<address>[^;\s]+)")
_SCHEMA = {"individual": "Person", "vessel": "Vessel"}
_HINT = "Use the OFAC legacy CSV files as published (12, 5 and 6 columns, no header row)."
_REMARK = re.compile(
    r"(?:alt\. )?(?P<key>DOB|POB|Passport|nationality|citizen|Gender|IMO|MMSI|"
    r"National ID No\.|Cedula No\.|Identification Number)\s+(?P<value>[^;]+)"
)
_DATE_FORMATS = (("%d %b %Y", "%Y-%m-%d"), ("%b %Y", "%Y-%m"), ("%Y", "%Y"))


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str | None]]]:
    """(line, row) for each data row of one OFAC CSV file, ``-0-`` read as ``None``."""
    columns = COLUMNS[path.name]
    if not path.is_file():
        raise InvalidInput(
            "{file} is missing from the OFAC directory {dir}.",
            hint=_HINT,
            file=path.name,
            dir=str(path.parent),
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reader = csv.reader(io.StringIO(text, newline=""))
    for row in reader:
        line = reader.line_num
        if not row or (len(row) == 1 and row[0].strip() in ("", "\x1a")):
            continue
        if line == 1 and not row[0].strip().isdigit():
            _check_header(path, row, columns)
            continue
        if len(row) != len(columns):
            raise InvalidInput(
                "{file} line {line}: {count} fields, expected {expected} ({names}).",
                hint=_HINT,
                file=path.name,
                line=line,
                count=len(row),
                expected=len(columns),
                names=", ".join(columns),
            )
        values = [None if v.strip() in ("", NULL) else v.strip() for v in row]
        yield line, dict(zip(columns, values, strict=True))


def _check_header(path: Path, row: list[str], columns: tuple[str, ...]) -> None:
    found = [c.strip().casefold() for c in row]
    for index, name in enumerate(columns):
        if index >= len(found) or found[index] != name.casefold():
            raise InvalidInput(
                "{file} line 1: column {index} is {found}, expected {column}.",
                hint=_HINT,
                file=path.name,
                index=index + 1,
                found=row[index] if index < len(row) else "missing",
                column=name,
            )


class OFACSource(ListSource):
    name: ClassVar[str] = "ofac-sdn"
    title: ClassVar[str] = "OFAC Specially Designated Nationals (SDN) list"
    input_kind: ClassVar[str] = "directory"

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "ofac-sample"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        if not path.is_dir():
            raise InvalidInput(
                "{file} is not a directory; the OFAC CSV set is sdn.csv, alt.csv and add.csv.",
                hint="Give the directory that holds the three files.",
                file=str(path),
            )
        aliases = _group(path / "alt.csv")
        addresses = _group(path / "add.csv")
        comments = _comments(path / "sdn_comments.csv")
        for line, row in read_rows(path / "sdn.csv"):
            ref = row["ent_num"] or ""
            b = _builder(ref, row, comments.get(ref, ""))
            for alias in aliases.get(ref, []):
                b.add("previousName" if alias["alt_type"] == "fka" else "alias", alias["alt_name"])
            if b.entity.schema.name != "Vessel":
                for address in addresses.get(ref, []):
                    b.add("country", address["country"])
            yield b.build(f"sdn.csv line {line}")


def _group(path: Path) -> dict[str, list[dict[str, str | None]]]:
    grouped: dict[str, list[dict[str, str | None]]] = {}
    for _, row in read_rows(path):
        grouped.setdefault(row["ent_num"] or "", []).append(row)
    return grouped


def _comments(path: Path) -> dict[str, str]:
    """``sdn_comments.csv`` (optional): the rest of each remark too long for ``sdn.csv``,
    cut mid-word, so it is joined to the remark without a space."""
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for _, row in read_rows(path):
        ref = row["ent_num"] or ""
        out[ref] = out.get(ref, "") + (row["Remarks_Extended"] or "")
    return out


def _builder(ref: str, row: dict[str, str | None], more: str = "") -> EntryBuilder:
    schema = _SCHEMA.get((row["SDN_Type"] or "").casefold(), "Organization")
    b = EntryBuilder(ref, schema)
    name = row["SDN_Name"] or ""
    if schema == "Person" and ", " in name:
        last, _, first = name.partition(", ")
        b.add("firstName", first)
        b.add("lastName", last)
        name = f"{first} {last}"
    b.add("name", name)
    b.add("topics", "sanction")
    b.add("notes", f"OFAC program: {row['Program']}" if row["Program"] else None)
    if schema == "Person":
        b.add("title", row["Title"])
    if schema == "Vessel":
        b.add("callSign", row["Call_Sign"])
        b.add("type", row["Vess_type"])
        b.add("flag", row["Vess_flag"])
        b.add("notes", f"owner: {row['Vess_owner']}" if row["Vess_owner"] else None)
    _remarks(b, (row["Remarks"] or "") + more)
    return b


def _remarks(b: EntryBuilder, remarks: str) -> None:
    person, vessel = b.entity.schema.name == "Person", b.entity.schema.name == "Vessel"
    for found in _DIGITAL.finditer(remarks):
        b.add("notes", f"Digital Currency Address - {found['chain']}: {found['address']}")
    for match in _REMARK.finditer(remarks):
        key, value = match["key"], match["value"].strip().rstrip(".")
        if key == "DOB" and person:
            for date in _dates(value):
                b.add("birthDate", date)
        elif key == "POB" and person:
            b.add("birthPlace", value)
        elif key == "Passport" and person:
            b.add("passportNumber", value.split(" (")[0])
        elif key in ("nationality", "citizen") and person:
            b.add("nationality" if key == "nationality" else "citizenship", value)
        elif key == "Gender" and person and value in ("Male", "Female"):
            b.add("gender", value)
        elif key == "IMO" and vessel:
            b.add("imoNumber", value)
        elif key == "MMSI" and vessel:
            b.add("mmsi", value)
        elif person and key not in ("IMO", "MMSI"):
            b.add("idNumber", value.split(" (")[0])


def _dates(text: str) -> list[str]:
    """``10 Dec 1948``, ``Dec 1948``, ``1948``, ``circa 1948`` and ``A to B`` ranges."""
    text = text.removeprefix("circa ").strip()
    parts = [p.strip() for p in text.split(" to ")] if " to " in text else [text]
    dates = []
    for part in parts:
        for source_format, iso_format in _DATE_FORMATS:
            try:
                dates.append(datetime.strptime(part, source_format).strftime(iso_format))
                break
            except ValueError:
                continue
        else:
            dates.append(part)  # kept as a note by the builder
    return dates


__all__ = ["COLUMNS", "OFACSource", "read_rows"]
