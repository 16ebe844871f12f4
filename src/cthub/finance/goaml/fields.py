"""How cthub values become goAML field text: free text, names, dates and amounts.

Every string that reaches the report passes through :func:`text` or :func:`name`, so the XML
stays well formed and schema valid whatever the institution's data holds:

- characters XML 1.0 cannot carry (C0 controls other than tab, newline and carriage return,
  lone surrogates, U+FFFE/U+FFFF) and C1 controls are dropped; markup characters such as ``<``
  are kept and escaped by lxml when the document is written;
- text is cut to the field's maximum length (the XSD counts characters, so does Python);
- names (persons, entities, account names) must match the FIU's ``[a-zA-Z0-9 .'-]*``: they are
  transliterated to ASCII (``anyascii``: "Zoë" -> "Zoe", "王伟" -> "WangWei"), every other
  character becomes a space, runs of spaces collapse.

Dates are ``sql_date`` (``xs:dateTime`` from 1753-01-01, written without a zone: cthub stores
naive UTC). Amounts are ``Decimal`` written as plain decimal text, never through float.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

from anyascii import anyascii
from lxml import etree

from cthub.core.errors import InvalidInput
from cthub.core.money import decimal_text
from cthub.finance.goaml.xsd import NAME_CHARS

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"\s+")
_EARLIEST = dt.datetime(1753, 1, 1)
_SQL_DECIMAL_MAX = Decimal("7900000000000000")


def add(parent: etree._Element, tag: str, value: str | None = None) -> etree._Element:
    """A child ``tag`` of ``parent``, with ``value`` as its text when given."""
    element = etree.SubElement(parent, tag)
    if value is not None:
        element.text = value
    return element


def text(value: object, limit: int) -> str:
    """``value`` as XML-safe text of at most ``limit`` characters, trimmed."""
    raw = unicodedata.normalize("NFC", "" if value is None else str(value))
    return _NOT_XML.sub("", raw).strip()[:limit].strip()


def name(value: object, limit: int) -> str:
    """``value`` as a goAML name: ASCII letters, digits, space, ``.``, ``'`` and ``-``."""
    ascii_text = anyascii(text(value, limit * 4))
    kept = "".join(c if c in NAME_CHARS else " " for c in ascii_text)
    return _SPACES.sub(" ", kept).strip()[:limit].strip()


def split_name(full: str, limit: int = 100) -> tuple[str, str]:
    """A person's full name as (first names, last name); ``('', '')`` when there is none.

    cthub holds one name string as the institution wrote it; goAML wants first and last name.
    The last word is taken as the last name, the rest as first names; a single word is
    returned as the last name with no first name.
    """
    words = name(full, 4 * limit).split(" ")
    if words == [""]:
        return "", ""
    if len(words) == 1:
        return "", words[0][:limit]
    return name(" ".join(words[:-1]), limit), words[-1][:limit]


def when(value: dt.datetime | dt.date | str, field: str) -> str:
    """``value`` as an ``sql_date``: ``YYYY-MM-DDTHH:MM:SS``, naive UTC, from 1753."""
    moment = _moment(value, field)
    if moment < _EARLIEST:
        raise InvalidInput(
            "{field}: {value} is before 1753, the earliest date goAML accepts.",
            field=field,
            value=str(value),
        )
    return moment.isoformat(timespec="seconds")


def _moment(value: dt.datetime | dt.date | str, field: str) -> dt.datetime:
    if isinstance(value, str):
        raw = value
        try:
            value = dt.datetime.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(
                "{field}: {value} is not an ISO 8601 date or time.",
                field=field,
                value=text(raw, 40),
            ) from None
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value.replace(microsecond=0)
    return dt.datetime(value.year, value.month, value.day)


def amount(value: Decimal, field: str) -> str:
    """``value`` as ``sql_decimal`` text (at most 13 decimals, within the schema's bounds)."""
    if not value.is_finite() or abs(value) > _SQL_DECIMAL_MAX:
        raise InvalidInput(
            "{field}: {value} is outside what goAML can hold.", field=field, value=str(value)
        )
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -13:
        raise InvalidInput(
            "{field}: {value} has more than 13 decimals.", field=field, value=str(value)
        )
    return decimal_text(value)


__all__ = ["add", "amount", "name", "split_name", "text", "when"]
