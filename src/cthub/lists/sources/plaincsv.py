"""A plain CSV list: ``name,aliases,type,birth_date,nationality,id_number,ref`` (UTF-8).

For lists kept by hand (a national list, an internal watchlist). ``aliases`` are separated by
``;``; ``type`` is ``person``, ``organization`` or ``vessel`` (default ``person``); ``ref`` is
the list's own reference and defaults to ``row-<line>``. Columns may come in any order, but
every one must be present, so a renamed column is an error rather than silently empty data.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from cthub.core.errors import InvalidInput
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry

COLUMNS = ("name", "aliases", "type", "birth_date", "nationality", "id_number", "ref")
_SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel"}
_HINT = "The header must be: " + ",".join(COLUMNS) + "."


class PlainCSVSource(ListSource):
    name: ClassVar[str] = "plain-csv"
    title: ClassVar[str] = "Plain CSV list"

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "plain-sample.csv"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        try:
            with path.open(encoding="utf-8-sig", newline="") as stream:
                yield from self._rows(path, csv.DictReader(stream))
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            raise InvalidInput(
                "{file} line {line}: the text is not UTF-8.",
                hint="Save the file as UTF-8 (for example from Latin-1) and load it again.",
                file=path.name,
                line=line,
            ) from exc
        except csv.Error as exc:
            raise InvalidInput(
                "{file}: the CSV cannot be read ({problem}).",
                hint=_HINT,
                file=path.name,
                problem=str(exc),
            ) from exc
        except OSError as exc:
            raise InvalidInput(
                "{file} cannot be read ({problem}).", file=path.name, problem=str(exc)
            ) from exc

    def _rows(self, path: Path, reader: csv.DictReader[str]) -> Iterator[ParsedEntry]:
        header = [c.strip() for c in reader.fieldnames or []]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InvalidInput(
                "{file} line 1: column {column} is missing (found: {found}).",
                hint=_HINT,
                file=path.name,
                column=", ".join(missing),
                found=", ".join(header),
            )
        reader.fieldnames = header
        for row in reader:
            line = reader.line_num
            kind = (row.get("type") or "person").strip().casefold() or "person"
            if kind not in _SCHEMA:
                raise InvalidInput(
                    "{file} line {line}: type {value} is not person, organization or vessel.",
                    file=path.name,
                    line=line,
                    value=kind,
                )
            ref = (row.get("ref") or "").strip() or f"row-{line}"
            b = EntryBuilder(ref, _SCHEMA[kind])
            b.add("name", row.get("name"))
            for alias in (row.get("aliases") or "").split(";"):
                b.add("alias", alias)
            if kind == "person":
                b.add("birthDate", row.get("birth_date"))
                b.add("nationality", row.get("nationality"))
                b.add("idNumber", row.get("id_number"))
            else:
                b.add("country", row.get("nationality"))
                b.add(
                    "imoNumber" if kind == "vessel" else "registrationNumber", row.get("id_number")
                )
            yield b.build(f"{path.name} line {line}")


__all__ = ["COLUMNS", "PlainCSVSource"]
