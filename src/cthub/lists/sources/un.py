"""UN Security Council Consolidated List (``sc-sanctions.xsd`` XML, optionally gzipped).

``INDIVIDUAL`` records become ``Person`` and ``ENTITY`` records ``Organization``. Name parts
FIRST_NAME..FOURTH_NAME are joined in list order; ``Good`` and ``a.k.a.`` aliases go to
``alias``, ``f.k.a.`` to ``previousName``. The model has no weak-alias property, so ``Low``
quality aliases also go to ``alias`` and are marked in ``notes`` as ``weak alias: NAME`` for
the matcher to discount. The XML is parsed with defusedxml: DTDs and entities are refused, which
stops entity-expansion bombs before they expand.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import IO, Any, ClassVar, cast
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from cthub.core.errors import InvalidInput
from cthub.lists.sources.base import EntryBuilder, ListSource, ParsedEntry

DEFAULT_UN_URL = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
_NAME_PARTS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
_RECORDS = {"INDIVIDUAL": "Person", "ENTITY": "Organization"}
_HINT = "Download the list again, or check that the file is the UN consolidated list XML."


def bundled_path() -> Path:
    """The copy of the UN list shipped in the package (see ``cthub/lists/data/SOURCES.md``)."""
    return Path(str(files("cthub.lists") / "data" / "un-consolidated.xml.gz"))


def _text(elem: Element | None) -> str | None:
    if elem is None or elem.text is None:
        return None
    return elem.text.strip() or None


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        gzipped = probe.read(2) == b"\x1f\x8b"
    return cast(IO[bytes], gzip.open(path, "rb")) if gzipped else path.open("rb")


class UNSource(ListSource):
    name: ClassVar[str] = "un"
    title: ClassVar[str] = "UN Security Council Consolidated List"

    def default_path(self) -> Path:
        return bundled_path()

    def examples(self) -> list[Path]:
        return [Path(__file__).parent / "examples" / "un-sample.xml"]

    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        try:
            with _open(path) as stream:
                yield from self._records(path, stream)
        except ParseError as exc:
            line, column = exc.position
            raise InvalidInput(
                "{file}: the XML is malformed or truncated at line {line}, column {column}.",
                hint=_HINT,
                file=path.name,
                line=line,
                column=column,
            ) from exc
        except defusedxml.DefusedXmlException as exc:
            raise InvalidInput(
                "{file}: the XML declares a DTD or entities ({problem}), which lists never need.",
                hint="The file may be an XML bomb; do not load it. " + _HINT,
                file=path.name,
                problem=type(exc).__name__,
            ) from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidInput(
                "{file}: the file cannot be read ({problem}).",
                hint=_HINT,
                file=path.name,
                problem=str(exc) or type(exc).__name__,
            ) from exc

    def _records(self, path: Path, stream: IO[bytes]) -> Iterator[ParsedEntry]:
        events: Iterator[tuple[str, Any]] = SafeET.iterparse(
            stream, events=("start", "end"), forbid_dtd=True
        )
        _, root = next(events)
        if root.tag != "CONSOLIDATED_LIST":
            raise InvalidInput(
                "{file}: the root element is {element}, not CONSOLIDATED_LIST.",
                hint=_HINT,
                file=path.name,
                element=root.tag,
            )
        counts = dict.fromkeys(_RECORDS, 0)
        for event, elem in events:
            if event == "end" and elem.tag in _RECORDS:
                counts[elem.tag] += 1
                yield _entry(path, elem, counts[elem.tag])
                root.clear()


def _entry(path: Path, elem: Element, index: int) -> ParsedEntry:
    ref = _text(elem.find("REFERENCE_NUMBER"))
    where = f"{path.name}: {elem.tag} #{index}"
    if ref is None:
        raise InvalidInput(
            "{where} has no REFERENCE_NUMBER.",
            hint=_HINT,
            where=where,
        )
    b = EntryBuilder(ref, _RECORDS[elem.tag])
    names = [_text(elem.find(part)) for part in _NAME_PARTS]
    b.add("name", " ".join(n for n in names if n))
    b.add("name", _text(elem.find("NAME_ORIGINAL_SCRIPT")))
    _aliases(b, elem)
    b.add("topics", "sanction")
    b.add("notes", f"UN list: {_text(elem.find('UN_LIST_TYPE')) or ''}".strip())
    if elem.tag == "INDIVIDUAL":
        _person(b, elem)
    for addr in elem.iter(f"{elem.tag}_ADDRESS"):
        b.add("country", _text(addr.find("COUNTRY")))
    return b.build(f"{where} ({ref})")


def _aliases(b: EntryBuilder, elem: Element) -> None:
    for alias in elem.iter(f"{elem.tag}_ALIAS"):
        name, quality = _text(alias.find("ALIAS_NAME")), _text(alias.find("QUALITY"))
        if name is None:
            continue
        if quality == "f.k.a.":
            b.add("previousName", name)
            continue
        b.add("alias", name)
        if quality == "Low":
            b.add("notes", f"weak alias: {name}")


def _person(b: EntryBuilder, elem: Element) -> None:
    for title in elem.iterfind("TITLE/VALUE"):
        b.add("title", _text(title))
    gender = _text(elem.find("GENDER"))
    if gender in ("Male", "Female"):
        b.add("gender", gender.lower())
    for value in elem.iterfind("NATIONALITY/VALUE"):
        b.add("nationality", _text(value))
    for dob in elem.iter("INDIVIDUAL_DATE_OF_BIRTH"):
        for year in _birth_dates(dob):
            b.add("birthDate", year)
    for pob in elem.iter("INDIVIDUAL_PLACE_OF_BIRTH"):
        parts = [_text(pob.find(p)) for p in ("CITY", "STATE_PROVINCE", "COUNTRY")]
        b.add("birthPlace", ", ".join(p for p in parts if p))
    for doc in elem.iter("INDIVIDUAL_DOCUMENT"):
        kind = (_text(doc.find("TYPE_OF_DOCUMENT")) or "").casefold()
        number = _text(doc.find("NUMBER"))
        is_passport = "passport" in kind or "pasaporte" in kind or "passeport" in kind
        b.add("passportNumber" if is_passport else "idNumber", number)


def _birth_dates(dob: Element) -> list[str]:
    exact = _text(dob.find("DATE")) or _text(dob.find("YEAR"))
    if exact:
        return [exact[:10]]
    low, high = _text(dob.find("FROM_YEAR")), _text(dob.find("TO_YEAR"))
    if low and high and low.isdigit() and high.isdigit() and 0 <= int(high) - int(low) <= 10:
        return [str(year) for year in range(int(low), int(high) + 1)]
    return [y for y in (low, high) if y]


__all__ = ["DEFAULT_UN_URL", "UNSource", "bundled_path"]
