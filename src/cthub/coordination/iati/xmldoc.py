"""Reading untrusted IATI XML safely, and validating it against the bundled 2.03 schema.

lxml parses with ``resolve_entities=False``, ``no_network=True``, ``huge_tree=False`` and no
DTD loading. A document that declares a DTD is refused before its body is read: IATI files
never need one, and refusing it stops entity-expansion bombs and external entities. Every
refusal is an ``InvalidInput`` naming the file and the line.

Versions 2.01 to 2.03 are read, all validated against the 2.03 schema: 2.02 and 2.03 only
added optional elements and attributes, so a valid 2.01 or 2.02 file is a valid 2.03 file
(the real Spanish 2.01 file validates without one error). 1.x files (no ``narrative``) are
refused.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterable
from functools import cache
from typing import Any, cast

from lxml import etree

from cthub.coordination.iati.codelists import SCHEMA_PATH
from cthub.coordination.iati.elements import line_of
from cthub.core.errors import InvalidInput

SUPPORTED_VERSIONS = ("2.01", "2.02", "2.03")
ROOT = "iati-activities"
_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "remove_comments": True,
    "remove_pis": True,
}
_LOCK = threading.Lock()
_STEP = re.compile(r"\[\d+\]$")


def parser() -> etree.XMLParser:
    """A new parser with the safe options (parsers are not shared between threads)."""
    return etree.XMLParser(**_OPTIONS)


def load(data: bytes, source_name: str) -> etree._Element:
    """The ``iati-activities`` root of ``data``; ``InvalidInput`` for anything else."""
    _refuse_dtd(data, source_name)
    try:
        root = etree.fromstring(data, parser())
    except etree.XMLSyntaxError as exc:
        raise _malformed(source_name, exc) from exc
    if root.tag != ROOT:
        raise InvalidInput(
            "{file}, line {line}: the root element is {element}, not iati-activities.",
            hint="Check that the file is an IATI activity file (XML, IATI versions 2.01 to 2.03).",
            file=source_name,
            line=line_of(root),
            element=str(root.tag),
        )
    version = (root.get("version") or "").strip()
    if version not in SUPPORTED_VERSIONS:
        raise InvalidInput(
            '{file}, line {line}: IATI version "{version}" is not supported; cthub reads '
            "versions 2.01 to 2.03.",
            hint="Convert the file to IATI 2.03, or ask the publisher for a 2.0x file.",
            file=source_name,
            line=line_of(root),
            version=version,
        )
    return root


def _refuse_dtd(data: bytes, source_name: str) -> None:
    try:
        for _event, elem in etree.iterparse(io.BytesIO(data), events=("start",), **_OPTIONS):
            info = elem.getroottree().docinfo
            if info.doctype or info.internalDTD is not None:
                raise _dtd(source_name, data)
            return
    except etree.XMLSyntaxError as exc:
        if _doctype_line(data):
            raise _dtd(source_name, data) from exc
        raise _malformed(source_name, exc) from exc


def _doctype_line(data: bytes) -> int:
    at = data.find(b"<!DOCTYPE")
    return 0 if at < 0 else data.count(b"\n", 0, at) + 1


def _dtd(source_name: str, data: bytes) -> InvalidInput:
    return InvalidInput(
        "{file}, line {line}: the XML declares a DTD or entities, which IATI files never need.",
        hint="The file may be an XML bomb; do not load it. Check that the file is an IATI "
        "activity file (XML, IATI versions 2.01 to 2.03).",
        file=source_name,
        line=_doctype_line(data) or 1,
    )


def _malformed(source_name: str, exc: etree.XMLSyntaxError) -> InvalidInput:
    line, column = exc.position
    return InvalidInput(
        "{file}: the XML is malformed or truncated at line {line}, column {column}.",
        hint="Check that the file is an IATI activity file (XML, IATI versions 2.01 to 2.03).",
        file=source_name,
        line=max(line, 1),
        column=column,
    )


@cache
def schema() -> etree.XMLSchema:
    """The bundled IATI 2.03 activity schema (loaded once)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser()))


def schema_errors(root: etree._Element) -> list[tuple[int, str, str]]:
    """Every schema error of the document as (line, element, libxml2 message)."""
    validator = schema()
    with _LOCK:
        validator.validate(root.getroottree())
        entries: list[Any] = list(cast(Iterable[Any], validator.error_log))
    return [(e.line, _element(e.path, root), e.message) for e in entries]


def _element(path: str | None, root: etree._Element) -> str:
    last = (path or "").rsplit("/", 1)[-1]
    return _STEP.sub("", last) or str(root.tag)


__all__ = ["SUPPORTED_VERSIONS", "load", "parser", "schema", "schema_errors"]
