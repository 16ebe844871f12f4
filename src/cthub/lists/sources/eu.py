"""EU Financial Sanctions Files (FSF): the consolidated list as XML (``xmlFullSanctionsList_1_1``).

The root is ``export`` (namespace ``http://eu.europa.ec/fpi/fsd/export``; any namespace is
accepted), with one ``sanctionEntity`` per listing. The reference is its ``logicalId``. Fields
are XML attributes in the published file; a child element of the same name is read when the
attribute is absent. ``subjectType`` code ``person`` becomes ``Person``, anything else
(``enterprise``) ``Organization``.

The first ``nameAlias`` gives ``name`` (and, for people, the name parts, title and gender); the
others, in every language and script the EU publishes, go to ``alias``. ``strong="false"``
aliases are marked in ``notes`` as ``weak alias: NAME``. ``citizenship`` is the EU's only
nationality field and goes to ``nationality``. Birth dates keep the precision given (a year
alone stays ``YYYY``); ``identification`` of type ``passport`` goes to ``passportNumber``,
``id`` to ``idNumber``. Country code ``00`` means unknown and is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar
from xml.etree.ElementTree import Element

from cthub.core.errors import InvalidInput
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry
from cthub.lists.sources.ofac_xml import text, xml_records

DEFAULT_EU_URL = (
    "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content"
    "?token=dG9rZW4tMjAxNw"
)
_GENDERS = {"M": "male", "F": "female"}
#: identificationTypeCode -> property, for people and for organisations.
_PERSON_IDS = {"passport": "passportNumber", "id": "idNumber", "fiscalcode": "taxNumber"}
_ORG_IDS = {
    "regnumber": "registrationNumber",
    "fiscalcode": "taxNumber",
    "id": "registrationNumber",
}


def value(elem: Element, name: str) -> str | None:
    """The ``name`` attribute of ``elem``, else the text of its ``name`` child; blank is None."""
    found = elem.get(name)
    if found is not None and found.strip():
        return found.strip()
    return text(elem, name)


def _country(elem: Element) -> str | None:
    code = value(elem, "countryIso2Code")
    return None if code in (None, "00") else code


class EUSource(ListSource):
    name: ClassVar[str] = "eu"
    title: ClassVar[str] = "EU consolidated financial sanctions list (FSF XML)"

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "eu-sample.xml"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        for index, elem in xml_records(path, "export", "sanctionEntity"):
            yield _entry(path, elem, index)


def _entry(path: Path, elem: Element, index: int) -> ParsedEntry:
    ref = value(elem, "logicalId")
    where = f"{path.name}: sanctionEntity #{index}"
    if ref is None:
        raise InvalidInput(
            "{where} has no logicalId.",
            hint="Every sanctionEntity carries a logicalId; check that the file is complete.",
            where=where,
        )
    subject = elem.find("subjectType")
    code = value(subject, "code") if subject is not None else None
    b = EntryBuilder(ref, "Person" if code == "person" else "Organization")
    _names(b, elem)
    b.add("topics", "sanction")
    for key, label in (("euReferenceNumber", "EU reference"), ("unitedNationId", "UN reference")):
        found = value(elem, key)
        b.add("notes", f"{label}: {found}" if found else None)
    for regulation in elem.iterfind("regulation"):
        programme = value(regulation, "programme")
        b.add("notes", f"EU programme: {programme}" if programme else None)
    for remark in elem.iterfind("remark"):
        b.add("notes", text(remark))
    _identifications(b, elem)
    if b.entity.schema.name == "Person":
        _person(b, elem)
    else:
        for citizenship in elem.iterfind("citizenship"):
            b.add("country", _country(citizenship))
    for address in elem.iterfind("address"):
        b.add("country", _country(address))
    return b.build(f"{where} ({ref})")


def _names(b: EntryBuilder, elem: Element) -> None:
    person = b.entity.schema.name == "Person"
    for position, alias in enumerate(elem.iterfind("nameAlias")):
        parts = [value(alias, part) for part in ("firstName", "middleName", "lastName")]
        whole = value(alias, "wholeName") or " ".join(p for p in parts if p)
        if not whole:
            continue
        primary = position == 0 or not b.entity.get("name")
        b.add("name" if primary else "alias", whole)
        if not primary and alias.get("strong") == "false":
            b.add("notes", f"weak alias: {whole}")
        function = value(alias, "function")
        b.add("notes", f"position: {function}" if function else None)
        if not person:
            continue
        b.add("title", value(alias, "title"))
        if primary:
            for prop, part in zip(("firstName", "middleName", "lastName"), parts, strict=True):
                b.add(prop, part)
        if not b.entity.get("gender"):
            b.add("gender", _GENDERS.get(value(alias, "gender") or ""))


def _identifications(b: EntryBuilder, elem: Element) -> None:
    table = _PERSON_IDS if b.entity.schema.name == "Person" else _ORG_IDS
    for item in elem.iterfind("identification"):
        number = value(item, "number") or value(item, "latinNumber")
        kind = value(item, "identificationTypeCode") or ""
        prop = table.get(kind)
        if prop is None:
            label = value(item, "identificationTypeDescription") or kind or "identification"
            b.add("notes", f"{label}: {number}" if number else None)
        else:
            b.add(prop, number)


def _person(b: EntryBuilder, elem: Element) -> None:
    for citizenship in elem.iterfind("citizenship"):
        b.add("nationality", _country(citizenship))
    for birth in elem.iterfind("birthdate"):
        for date in _birth_dates(birth):
            b.add("birthDate", date)
        parts = [value(birth, key) for key in ("city", "place", "region", "countryDescription")]
        place = ", ".join(p for p in parts if p and p != "UNKNOWN")
        b.add("birthPlace", place or None)


def _birth_dates(birth: Element) -> list[str]:
    """The full date, else year(-month), else each year of a range of up to ten years."""
    exact = value(birth, "birthdate")
    if exact:
        return [exact[:10]]
    year, month = value(birth, "year"), value(birth, "monthOfYear")
    if year:
        return [f"{year}-{int(month):02d}" if month and month.isdigit() else year]
    low, high = value(birth, "yearRangeFrom"), value(birth, "yearRangeTo")
    if low and high and low.isdigit() and high.isdigit() and 0 <= int(high) - int(low) <= 10:
        return [str(y) for y in range(int(low), int(high) + 1)]
    return [y for y in (low, high) if y]


__all__ = ["DEFAULT_EU_URL", "EUSource", "value"]
