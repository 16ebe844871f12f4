"""OFAC lists in the legacy ``sdnList`` XML: the SDN ``sdn.xml`` and the non-SDN consolidated list.

Both publish the same schema (``sdn.xsd``) under different namespaces (``http://tempuri.org/
sdnList.xsd``, ``https://sanctionslistservice.ofac.treas.gov/.../XML``), so elements are matched
by local name and any namespace is accepted. The reference is the entry's ``uid`` (OFAC's
``ent_num``). ``sdnType`` ``Individual`` becomes ``Person``, ``Vessel`` ``Vessel``; ``Entity``
and ``Aircraft`` (no schema of its own, as in the CSV source) become ``Organization``.

Names are ``firstName lastName``; ``a.k.a.`` aliases go to ``alias`` (``weak`` ones are marked in
``notes`` as ``weak alias: NAME``), ``f.k.a.`` to ``previousName``. ``idList`` rows map to the
model's identifiers where one fits (passport, national ID, tax and registration numbers, IMO,
MMSI, e-mail, gender); the rest (websites, directive notes) are kept as ``notes``. OFAC spells
some countries its own way (``Korea, North``, ``Palestinian``); those are mapped here.

``xml_records`` is the XML reader shared with the EU source: defusedxml refuses DTDs and
entities (stopping entity-expansion bombs), and every failure names the file and the position.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any, ClassVar
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from cthub.core.errors import InvalidInput
from cthub.core.model import country_code
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry

DEFAULT_OFAC_XML_URL = (
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN.XML"
)
DEFAULT_OFAC_CONSOLIDATED_URL = (
    "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/CONSOLIDATED.XML"
)
_SCHEMA = {"individual": "Person", "vessel": "Vessel"}
#: OFAC country spellings the ISO table does not know.
_COUNTRIES = {
    "korea, north": "KP",
    "korea, south": "KR",
    "congo, democratic republic of the": "CD",
    "congo, republic of the": "CG",
    "palestinian": "PS",
    "west bank": "PS",
    "gaza": "PS",
    "north macedonia, the republic of": "MK",
    "bahamas, the": "BS",
    "man, isle of": "IM",
    "macau": "MO",
}
#: idType (case-folded) -> property; anything else is kept in ``notes``.
_ID_TYPES = {
    "passport": "passportNumber",
    "diplomatic passport": "passportNumber",
    "tax id no.": "taxNumber",
    "v.a.t. number": "taxNumber",
    "registration id": "registrationNumber",
    "registration number": "registrationNumber",
    "business registration number": "registrationNumber",
    "public registration number": "registrationNumber",
    "company number": "registrationNumber",
    "c.r. no.": "registrationNumber",
    "legal entity number": "registrationNumber",
    "unified social credit code (uscc)": "registrationNumber",
    "email address": "email",
    "phone number": "phone",
    "gender": "gender",
    "nationality of registration": "jurisdiction",
    "organization established date": "incorporationDate",
    "vessel registration identification": "imoNumber",
    "mmsi": "mmsi",
    "other vessel call sign": "callSign",
    "other vessel flag": "flag",
    "vessel year of build": "buildDate",
}
_PERSON_ID = re.compile(r"national id|identification|cedula|d\.n\.i|driver|ssn|personal id|curp")
_DATE_FORMATS = (("%d %b %Y", "%Y-%m-%d"), ("%b %Y", "%Y-%m"), ("%Y", "%Y"))


def local(tag: str) -> str:
    """``{namespace}name`` -> ``name``: the lists' namespaces change between publications."""
    return tag.rpartition("}")[2]


def xml_records(path: Path, root: str, record: str) -> Iterator[tuple[int, Element]]:
    """``(index, element)`` for each ``record`` under the ``root`` element, namespaces removed.

    Parsed incrementally (the EU list is 25 MB) and cleared as it goes. Raises ``InvalidInput``
    naming the file for a wrong root, malformed or truncated XML, a DTD or entity declaration
    (an XML bomb), and an unreadable file.
    """
    try:
        with path.open("rb") as stream:
            yield from _records(path, stream, root, record)
    except ParseError as exc:
        line, column = exc.position
        raise InvalidInput(
            "{file}: the XML is malformed or truncated at line {line}, column {column}.",
            hint="Download the list again; a complete file ends by closing its root element.",
            file=path.name,
            line=line,
            column=column,
        ) from exc
    except defusedxml.DefusedXmlException as exc:
        raise InvalidInput(
            "{file}: the XML declares a DTD or entities ({problem}), which lists never need.",
            hint="The file may be an XML bomb; do not load it.",
            file=path.name,
            problem=type(exc).__name__,
        ) from exc
    except OSError as exc:
        raise InvalidInput(
            "{file}: the file cannot be read ({problem}).",
            file=path.name,
            problem=str(exc) or type(exc).__name__,
        ) from exc


def _records(
    path: Path, stream: IO[bytes], root: str, record: str
) -> Iterator[tuple[int, Element]]:
    events: Iterator[tuple[str, Any]] = SafeET.iterparse(
        stream, events=("start", "end"), forbid_dtd=True
    )
    _, top = next(events)
    if local(top.tag) != root:
        raise InvalidInput(
            "{file}: the root element is {element}, not {expected}.",
            hint="Check that the file is the list the source reads, as published.",
            file=path.name,
            element=local(top.tag),
            expected=root,
        )
    index = 0
    for event, elem in events:
        if event == "end" and local(elem.tag) == record:
            index += 1
            for child in elem.iter():
                child.tag = local(child.tag)
            yield index, elem
            top.clear()


def text(elem: Element | None, path: str | None = None) -> str | None:
    """Stripped text of ``elem`` (or of its ``path`` child); ``None`` when absent or blank."""
    if elem is not None and path is not None:
        elem = elem.find(path)
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def ofac_country(value: str | None) -> str | None:
    """An ISO code for an OFAC country spelling (``Region: Gaza`` -> PS), else the value as is."""
    if value is None:
        return None
    name = value.removeprefix("Region:").strip()
    return _COUNTRIES.get(name.casefold()) or country_code(name) or value


class OFACXMLSource(ListSource):
    name: ClassVar[str] = "ofac-xml"
    title: ClassVar[str] = "OFAC SDN or consolidated list (sdnList XML)"

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "ofac-sample.xml"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        for index, elem in xml_records(path, "sdnList", "sdnEntry"):
            yield _entry(path, elem, index)


def _entry(path: Path, elem: Element, index: int) -> ParsedEntry:
    ref = text(elem, "uid")
    where = f"{path.name}: sdnEntry #{index}"
    if ref is None:
        raise InvalidInput(
            "{where} has no uid.",
            hint="Every sdnEntry carries its uid (OFAC ent_num); check that the file is complete.",
            where=where,
        )
    kind = (text(elem, "sdnType") or "").casefold()
    b = EntryBuilder(ref, _SCHEMA.get(kind, "Organization"))
    person = b.entity.schema.name == "Person"
    first, last = text(elem, "firstName"), text(elem, "lastName")
    if person:
        b.add("firstName", first)
        b.add("lastName", last)
        b.add("title", text(elem, "title"))
    b.add("name", " ".join(part for part in (first, last) if part))
    _aliases(b, elem)
    b.add("topics", "sanction")
    for program in elem.iterfind("programList/program"):
        b.add("notes", f"OFAC program: {text(program)}" if text(program) else None)
    b.add("notes", text(elem, "remarks"))
    _ids(b, elem)
    if person:
        _person(b, elem)
    if b.entity.schema.name == "Vessel":
        _vessel(b, elem)
    else:
        for address in elem.iterfind("addressList/address"):
            b.add("country", ofac_country(text(address, "country")))
    return b.build(f"{where} ({ref})")


def _aliases(b: EntryBuilder, elem: Element) -> None:
    for aka in elem.iterfind("akaList/aka"):
        parts = (text(aka, "firstName"), text(aka, "lastName"))
        name = " ".join(part for part in parts if part)
        if not name:
            continue
        if text(aka, "type") == "f.k.a.":
            b.add("previousName", name)
            continue
        b.add("alias", name)
        if text(aka, "category") == "weak":
            b.add("notes", f"weak alias: {name}")


def _ids(b: EntryBuilder, elem: Element) -> None:
    for item in elem.iterfind("idList/id"):
        kind, number = text(item, "idType") or "", text(item, "idNumber")
        prop = _ID_TYPES.get(kind.casefold())
        if prop is None and _PERSON_ID.search(kind.casefold()):
            prop = "idNumber" if b.entity.schema.name == "Person" else "registrationNumber"
        if number is None or prop is None or prop not in b.entity.schema:
            b.add("notes", f"{kind.rstrip(' :-')}: {number}" if number else None)
        elif prop in ("jurisdiction", "flag"):
            b.add(prop, ofac_country(number))
        elif prop in ("incorporationDate", "buildDate"):
            for date in birth_dates(number):
                b.add(prop, date)
        else:
            b.add(prop, number.removeprefix("IMO ") if prop == "imoNumber" else number)


def _person(b: EntryBuilder, elem: Element) -> None:
    for item in elem.iterfind("dateOfBirthList/dateOfBirthItem"):
        for date in birth_dates(text(item, "dateOfBirth") or ""):
            b.add("birthDate", date)
    for item in elem.iterfind("placeOfBirthList/placeOfBirthItem"):
        b.add("birthPlace", text(item, "placeOfBirth"))
    for item in elem.iterfind("nationalityList/nationality"):
        b.add("nationality", ofac_country(text(item, "country")))
    for item in elem.iterfind("citizenshipList/citizenship"):
        b.add("citizenship", ofac_country(text(item, "country")))


def _vessel(b: EntryBuilder, elem: Element) -> None:
    info = elem.find("vesselInfo")
    if info is None:
        return
    b.add("callSign", text(info, "callSign"))
    b.add("type", text(info, "vesselType"))
    b.add("flag", ofac_country(text(info, "vesselFlag")))
    b.add("tonnage", text(info, "tonnage"))
    owner, grt = text(info, "vesselOwner"), text(info, "grossRegisteredTonnage")
    b.add("notes", f"owner: {owner}" if owner else None)
    b.add("notes", f"gross registered tonnage: {grt}" if grt else None)


def birth_dates(value: str) -> list[str]:
    """``12 Feb 1961``, ``Feb 1961``, ``1961``, ``circa 1961`` and ``A to B`` ranges as ISO dates.

    A range of whole years up to ten years wide gives every year in it (as the UN source does),
    so a query born in any of them matches; wider or exact-date ranges give their two ends.
    Unreadable text is returned as is, for the builder to keep as a note.
    """
    value = value.strip().removeprefix("circa").strip()
    if not value:
        return []
    parts = [p.strip() for p in value.split(" to ")]
    dates = [_iso(part) for part in parts]
    if len(dates) == 2 and all(len(d) == 4 and d.isdigit() for d in dates):
        low, high = int(dates[0]), int(dates[1])
        if 0 <= high - low <= 10:
            return [str(year) for year in range(low, high + 1)]
    return dates


def _iso(part: str) -> str:
    for source_format, iso_format in _DATE_FORMATS:
        try:
            return datetime.strptime(part, source_format).strftime(iso_format)
        except ValueError:
            continue
    return part


__all__ = [
    "DEFAULT_OFAC_CONSOLIDATED_URL",
    "DEFAULT_OFAC_XML_URL",
    "OFACXMLSource",
    "birth_dates",
    "local",
    "ofac_country",
    "text",
    "xml_records",
]
