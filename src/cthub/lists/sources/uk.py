"""UK consolidated list of financial sanctions targets (OFSI ``ConList.csv``, 2022 format, UTF-8).

Line 1 is ``Last Updated,<date>``; line 2 the header (``Name 6``, ``Name 1`` .. ``Name 5``,
``Title``, ``Name Non-Latin Script``, ``DOB``, ..., ``Group Type``, ``Alias Type``, ``Alias
Quality``, ``Regime``, ..., ``Group ID``). Each row is one name; the rows sharing a ``Group ID``
are one listing, and the Group ID is the reference. Every column read here must be present, so a
renamed column is an error rather than silently empty data; further columns are ignored.

``Group Type`` ``Individual`` becomes ``Person``, ``Entity`` ``Organization``, ``Ship``
``Vessel``. The ``Primary name`` row gives ``name`` (``Name 1`` .. ``Name 5`` then ``Name 6``,
the family or entity name) and the name parts; other rows go to ``alias`` (``FKA`` to
``previousName``), and ``Low`` quality ones are marked in ``notes`` as ``weak alias: NAME``.
Non-Latin-script names are kept beside the Latin ones. ``DOB`` is ``dd/mm/yyyy`` with ``00`` for
an unknown day or month, stored as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``. Multi-valued cells
are numbered, ``(1) Syria (2) Iraq``, and split.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from cthub.core.errors import InvalidInput
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry

DEFAULT_UK_URL = "https://ofsistorage.blob.core.windows.net/publishlive/2022format/ConList.csv"
_NAMES = ("Name 1", "Name 2", "Name 3", "Name 4", "Name 5", "Name 6")
COLUMNS = (
    *_NAMES,
    "Title",
    "Name Non-Latin Script",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "Passport Details",
    "National Identification Number",
    "National Identification Details",
    "Position",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Alias Quality",
    "Regime",
    "Group ID",
)
_SCHEMA = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}
_DOB = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NUMBERED = re.compile(r"\(\d+\)")
_IMO = re.compile(r"IMO\D{0,12}(\d{7})\b", re.IGNORECASE)

Row = dict[str, str]


def split_numbered(cell: str) -> list[str]:
    """``(1) Syria (2) Iraq`` -> ``["Syria", "Iraq"]``; an unnumbered cell is one value."""
    return [part.strip(" ,;") for part in _NUMBERED.split(cell) if part.strip(" ,;")]


def uk_dates(cell: str) -> list[str]:
    """Every ``dd/mm/yyyy`` in ``cell`` as ISO, ``00`` parts dropped; other text as is."""
    found = _DOB.findall(cell)
    if not found:
        return [cell] if cell.strip() else []
    dates = []
    for day, month, year in found:
        if int(month) == 0:
            dates.append(year)
        elif int(day) == 0:
            dates.append(f"{year}-{int(month):02d}")
        else:
            dates.append(f"{year}-{int(month):02d}-{int(day):02d}")
    return dates


class UKSource(ListSource):
    name: ClassVar[str] = "uk"
    title: ClassVar[str] = "UK consolidated list of financial sanctions targets (OFSI CSV)"

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "uk-sample.csv"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        groups: dict[str, list[tuple[int, Row]]] = {}
        for line, row in _rows(path):
            group = row["Group ID"]
            if not group:
                raise InvalidInput(
                    "{file} line {line}: Group ID is empty.",
                    hint="Every row of the consolidated list names its Group ID.",
                    file=path.name,
                    line=line,
                )
            groups.setdefault(group, []).append((line, row))
        for group, rows in groups.items():
            yield _entry(path, group, rows)


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            "{file}: the file cannot be read ({problem}).",
            file=path.name,
            problem=str(exc) or type(exc).__name__,
        ) from exc
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "{file} line {line}: the text is not UTF-8.",
            hint="Save the file as UTF-8 (for example from Latin-1) and load it again.",
            file=path.name,
            line=raw[: exc.start].count(b"\n") + 1,
        ) from exc


def _rows(path: Path) -> Iterator[tuple[int, Row]]:
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    header: list[str] | None = None
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                if row[0].strip().casefold().startswith("last updated"):
                    continue
                header = _header(path, line, row)
                continue
            if len(row) != len(header):
                raise InvalidInput(
                    "{file} line {line}: {count} fields, expected {expected} ({names}).",
                    hint="Use OFSI's ConList.csv as published: a Last Updated line, then the "
                    "header row, then one row per name.",
                    file=path.name,
                    line=line,
                    count=len(row),
                    expected=len(header),
                    names=", ".join(header),
                )
            yield line, {key: value.strip() for key, value in zip(header, row, strict=True)}
    except csv.Error as exc:
        raise InvalidInput(
            "{file} line {line}: the CSV cannot be read ({problem}).",
            file=path.name,
            line=reader.line_num,
            problem=str(exc),
        ) from exc


def _header(path: Path, line: int, row: list[str]) -> list[str]:
    header = [cell.strip() for cell in row]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise InvalidInput(
            "{file} line {line}: column {column} is missing (found: {found}).",
            hint="Use OFSI's ConList.csv as published: a Last Updated line, then the header "
            "row, then one row per name.",
            file=path.name,
            line=line,
            column=", ".join(missing),
            found=", ".join(header),
        )
    return header


def _entry(path: Path, group: str, rows: list[tuple[int, Row]]) -> ParsedEntry:
    primary_line, primary = next(
        ((line, row) for line, row in rows if row["Alias Type"].casefold() == "primary name"),
        rows[0],
    )
    kind = primary["Group Type"]
    if kind.casefold() not in _SCHEMA:
        raise InvalidInput(
            "{file} line {line}: Group Type {value} is not Individual, Entity or Ship.",
            file=path.name,
            line=primary_line,
            value=kind,
        )
    b = EntryBuilder(group, _SCHEMA[kind.casefold()])
    _names(b, primary, rows)
    b.add("topics", "sanction")
    for _, row in rows:
        _details(b, row)
    return b.build(f"{path.name} line {primary_line}")


def _full_name(row: Row) -> str:
    return " ".join(row[part] for part in _NAMES if row[part])


def _names(b: EntryBuilder, primary: Row, rows: list[tuple[int, Row]]) -> None:
    b.add("name", _full_name(primary))
    b.add("name", primary["Name Non-Latin Script"])
    if b.entity.schema.name == "Person":
        b.add("firstName", primary["Name 1"])
        b.add("middleName", " ".join(primary[p] for p in _NAMES[1:5] if primary[p]))
        b.add("lastName", primary["Name 6"])
    for _, row in rows:
        if row is primary:
            continue
        former = row["Alias Type"].casefold() in ("fka", "formerly known as")
        for name in (_full_name(row), row["Name Non-Latin Script"]):
            if not name:
                continue
            b.add("previousName" if former else "alias", name)
            if row["Alias Quality"].casefold().startswith("low"):
                b.add("notes", f"weak alias: {name}")


def _details(b: EntryBuilder, row: Row) -> None:
    schema = b.entity.schema.name
    for country in split_numbered(row["Country"]):
        b.add("country", country)
    for label, column in (("UK regime", "Regime"), ("position", "Position")):
        b.add("notes", f"{label}: {row[column]}" if row[column] else None)
    b.add("notes", row["Other Information"])
    if schema == "Vessel":
        for imo in _IMO.findall(row["Other Information"]):
            b.add("imoNumber", imo)
    if schema != "Person":
        return
    b.add("title", row["Title"])
    for date in uk_dates(row["DOB"]):
        b.add("birthDate", date)
    place = ", ".join(p for p in (row["Town of Birth"], row["Country of Birth"]) if p)
    b.add("birthPlace", place or None)
    for nationality in split_numbered(row["Nationality"]):
        b.add("nationality", nationality)
    for prop, number, details in (
        ("passportNumber", "Passport Number", "Passport Details"),
        ("idNumber", "National Identification Number", "National Identification Details"),
    ):
        for value in split_numbered(row[number]):
            b.add(prop, value)
        b.add("notes", f"{details}: {row[details]}" if row[details] else None)


__all__ = ["COLUMNS", "DEFAULT_UK_URL", "UKSource", "split_numbered", "uk_dates"]
