"""FollowTheMoney entities as JSON lines (``{"id", "schema", "properties": {prop: [values]}}``).

The format OpenSanctions and Aleph export (``entities.ftm.json``). ``Person``, ``Organization``,
``Company`` and ``Vessel`` map to the schema of the same name; ``LegalEntity`` and
``PublicBody`` to ``Organization`` (``LegalEntity`` is abstract here). Every other schema
(``Sanction``, ``Address``, ``Ownership``, ``Passport``, ...) is skipped: its records describe
relations or details, not listed parties. The reference is the FtM ``id``; fragments of one
entity on several lines (an unaggregated export) are merged in the order they come.

Properties the target schema has are kept under their own name; ``weakAlias`` becomes ``alias``
marked in ``notes`` as ``weak alias: NAME``, ``secondName`` ``middleName``, ``mainCountry``
``country``, and an organisation's ``idNumber`` its ``registrationNumber``. FtM's free-text
``address`` goes to ``notes``; entity references and all other properties are dropped. Values
the model rejects (an ``suhh`` country code) are kept as notes, as with every source. ``topics``
are kept as published and no ``sanction`` topic is added: FtM files also carry PEPs and others.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from cthub.core.errors import InvalidInput
from cthub.core.model import Model
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry

_SCHEMATA = {
    "Person": "Person",
    "Organization": "Organization",
    "Company": "Company",
    "LegalEntity": "Organization",
    "PublicBody": "Organization",
    "Vessel": "Vessel",
}
_RENAME = {"weakAlias": "alias", "secondName": "middleName", "mainCountry": "country"}
_DATES = ("birthDate", "deathDate", "incorporationDate", "buildDate")
_NAME_PARTS = ("firstName", "middleName", "lastName")


@dataclass
class _Fragments:
    """One entity's schema and raw values, gathered over the lines that carry its id."""

    line: int
    schema: str
    values: list[tuple[str, str]] = field(default_factory=list)


class FtMSource(ListSource):
    name: ClassVar[str] = "ftm"
    title: ClassVar[str] = "FollowTheMoney entities (JSON lines)"

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "ftm-sample.jsonl"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        model = Model.default()
        entities: dict[str, _Fragments] = {}
        for line, record in _records(path):
            schema = _SCHEMATA.get(record["schema"])
            if schema is None:
                continue
            held = entities.get(record["id"])
            if held is None:
                entities[record["id"]] = _Fragments(line, schema, _values(path, line, record))
                continue
            held.schema = _common(path, line, record["id"], model, held.schema, schema)
            held.values.extend(_values(path, line, record))
        for ref, fragments in entities.items():
            yield _entry(path, ref, fragments)


def _records(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, object)`` for each non-blank line, checked for the FtM shape."""
    try:
        with path.open("rb") as stream:
            for line, raw in enumerate(stream, 1):
                if raw.strip():
                    yield line, _decode(path, line, raw)
    except OSError as exc:
        raise InvalidInput(
            "{file}: the file cannot be read ({problem}).",
            file=path.name,
            problem=str(exc) or type(exc).__name__,
        ) from exc


def _decode(path: Path, line: int, raw: bytes) -> dict[str, Any]:
    try:
        record = json.loads(raw.decode("utf-8").removeprefix("\ufeff"))
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "{file} line {line}: the text is not UTF-8.",
            hint="Save the file as UTF-8 (for example from Latin-1) and load it again.",
            file=path.name,
            line=line,
        ) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            "{file} line {line}: the JSON is invalid ({problem}).",
            hint='Each line must hold one entity: a JSON object with "id", "schema" and '
            '"properties".',
            file=path.name,
            line=line,
            problem=exc.msg,
        ) from exc
    if (
        not isinstance(record, dict)
        or not isinstance(record.get("id"), str)
        or not record["id"].strip()
        or not isinstance(record.get("schema"), str)
        or not isinstance(record.get("properties", {}), dict)
    ):
        raise InvalidInput(
            "{file} line {line}: not an entity; it needs an id, a schema and properties.",
            hint='Each line must hold one entity: a JSON object with "id", "schema" and '
            '"properties".',
            file=path.name,
            line=line,
        )
    return record


def _values(path: Path, line: int, record: dict[str, Any]) -> list[tuple[str, str]]:
    values = []
    for prop, raw in (record.get("properties") or {}).items():
        items = [raw] if isinstance(raw, str) else raw
        if not isinstance(items, list):
            items = [None]
        for item in items:
            if isinstance(item, dict):  # a nested entity (``nested`` exports): a reference
                continue
            if not isinstance(item, str):
                raise InvalidInput(
                    "{file} line {line}: property {prop} holds {value}, not a list of strings.",
                    file=path.name,
                    line=line,
                    prop=prop,
                    value=json.dumps(raw)[:80],
                )
            values.append((prop, item))
    return values


def _common(path: Path, line: int, ref: str, model: Model, held: str, new: str) -> str:
    """The more specific of two schemata for one id (``Organization`` + ``Company``)."""
    if model.get(new).is_a(held):
        return new
    if model.get(held).is_a(new):
        return held
    raise InvalidInput(
        "{file} line {line}: entity {ref} is a {schema} here but a {other} before.",
        hint="Fragments with one id must describe the same kind of entity.",
        file=path.name,
        line=line,
        ref=ref,
        schema=new,
        other=held,
    )


def _entry(path: Path, ref: str, fragments: _Fragments) -> ParsedEntry:
    b = EntryBuilder(ref, fragments.schema)
    schema = b.entity.schema
    for prop, value in fragments.values:
        target = _RENAME.get(prop, prop)
        if prop == "idNumber" and schema.name != "Person":
            target = "registrationNumber"
        if prop == "address":
            b.add("notes", f"address: {value}")
        elif target in schema and schema.get(target).type.name != "entity":
            b.add(target, value.partition("T")[0] if target in _DATES else value)
            if prop == "weakAlias":
                b.add("notes", f"weak alias: {value}")
    if not b.entity.get("name") and schema.name == "Person":
        parts = (b.entity.first(part) for part in _NAME_PARTS)
        b.add("name", " ".join(part for part in parts if part))
    return b.build(f"{path.name} line {fragments.line}")


__all__ = ["FtMSource"]
