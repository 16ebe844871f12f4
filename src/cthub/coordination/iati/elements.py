"""Small readers over lxml elements: narratives, dates, decimals and activity dates.

They never raise on bad content (an activity may be schema-invalid while its codelist checks
run): a value that does not parse reads as ``None``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from lxml import etree

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: ActivityDateType codes: 1 planned start, 2 actual start, 3 planned end, 4 actual end.
START_TYPES = ("2", "1")
END_TYPES = ("4", "3")


def narratives(elem: etree._Element | None, default_lang: str) -> dict[str, str]:
    """Language -> text of the ``narrative`` children (the first text per language wins)."""
    texts: dict[str, str] = {}
    if elem is None:
        return texts
    for narrative in elem.iterfind("narrative"):
        text = (narrative.text or "").strip()
        lang = (narrative.get(XML_LANG) or default_lang).strip().lower()
        if text and lang not in texts:
            texts[lang] = text
    return texts


def best(texts: dict[str, str]) -> str:
    """The English text, else the first one, else ``""``."""
    return texts.get("en") or next(iter(texts.values()), "")


def text_of(elem: etree._Element | None, default_lang: str) -> str:
    return best(narratives(elem, default_lang))


def date_of(value: str | None) -> dt.date | None:
    """An ``xsd:date`` (a time zone, if any, is dropped) as a date, or ``None``."""
    try:
        return dt.date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def decimal_of(value: str | None) -> Decimal | None:
    try:
        number = Decimal((value or "").strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def activity_dates(
    act: etree._Element,
) -> tuple[etree._Element | None, etree._Element | None]:
    """The ``activity-date`` elements used as start and end: actual over planned."""
    by_type: dict[str, etree._Element] = {}
    for elem in act.iterfind("activity-date"):
        if date_of(elem.get("iso-date")) is not None:
            by_type.setdefault(elem.get("type") or "", elem)
    start = next((by_type[t] for t in START_TYPES if t in by_type), None)
    end = next((by_type[t] for t in END_TYPES if t in by_type), None)
    return start, end


def line_of(elem: etree._Element) -> int:
    """The element's source line (0 when lxml does not know it)."""
    line = elem.sourceline
    return line if isinstance(line, int) else 0


def vocabulary(elem: etree._Element, default: str = "1") -> str:
    return (elem.get("vocabulary") or default).strip()


__all__ = [
    "END_TYPES",
    "START_TYPES",
    "XML_LANG",
    "activity_dates",
    "best",
    "date_of",
    "decimal_of",
    "line_of",
    "narratives",
    "text_of",
    "vocabulary",
]
