"""The goAML 5.0.2 report schema shipped with cthub, compiled once, and its code lists.

``data/goAMLSchema-5.0.2.xsd`` is the pristine UNODC/FIU export (provenance and sha256 in
``data/README.md``). It declares XSD 1.1 and loads unchanged in ``xmlschema``'s 1.1 validator,
but 26 name patterns are written ``^[a-zA-Z0-9 .'-]*$``: in XSD regular expressions ``^`` and
``$`` are literal characters (every pattern is already anchored), so a strict validator such as
``xmlschema`` refuses every real name ("Sara" does not match, "^Sara$" does). The goAML portal
reads the patterns the .NET way, as anchors. :func:`schema` therefore compiles the file with
exactly those 26 patterns rewritten to ``[a-zA-Z0-9 .'-]*``, the same characters anchored the
XSD way, and refuses to compile if the file does not hold exactly 26 (a re-exported schema
must be looked at again). Nothing else is changed; the e-mail pattern's ``[_a-zA-Z0-9-+]``,
which strict XSD 1.0 validators refuse, is read by ``xmlschema`` as the intended set.

Compiling takes a noticeable fraction of a second, so the schema is built once per process.
The schema and every document are parsed without resolving entities or touching the network.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import xmlschema

SCHEMA_FILE = Path(__file__).with_name("data") / "goAMLSchema-5.0.2.xsd"
#: The name pattern as the FIU wrote it, and as strict XSD needs it.
NAME_PATTERN = "^[a-zA-Z0-9 .'-]*$"
NAME_PATTERN_XSD = "[a-zA-Z0-9 .'-]*"
NAME_PATTERNS = 26
#: Characters the name pattern allows (for cleaning names before they are written).
NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .'-")
#: The schema version the report is written for; elements marked ``goaml:supportedIn`` a
#: later version are never written.
SCHEMA_VERSION = "5.0.2"


def patched_text() -> str:
    """The shipped XSD with the 26 name patterns anchored the XSD way (see module docstring)."""
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    old, new = f'value="{NAME_PATTERN}"', f'value="{NAME_PATTERN_XSD}"'
    found = text.count(old)
    if found != NAME_PATTERNS:
        raise RuntimeError(f"{SCHEMA_FILE.name}: expected {NAME_PATTERNS} name patterns, {found}")
    return text.replace(old, new)


@cache
def schema() -> xmlschema.XMLSchema11:
    """The compiled goAML report schema (built on first use, then shared)."""
    return xmlschema.XMLSchema11(patched_text(), defuse="always")


@cache
def codes(type_name: str) -> frozenset[str]:
    """The enumeration of the schema's simple type ``type_name`` (e.g. ``funds_type``)."""
    xsd_type = schema().types[type_name]
    values = getattr(xsd_type, "enumeration", None) or []
    return frozenset(str(v) for v in values)


def is_valid(type_name: str, value: str) -> bool:
    """Whether ``value`` is valid for the schema's global simple type ``type_name``."""
    return bool(schema().types[type_name].is_valid(value))


__all__ = ["NAME_CHARS", "SCHEMA_FILE", "SCHEMA_VERSION", "codes", "is_valid", "schema"]
