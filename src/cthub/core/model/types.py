"""Property types: how a raw value becomes the one canonical string the model stores.

Every property in a schema names a type from ``registry``. A type turns raw input into a
canonical string with ``clean`` (raising ``InvalidInput`` that names the property and the value,
so a batch import can report the record and move on) and gives ``compare_key`` for equality when
matching, so ``"A-123 456"`` and ``"A123456"`` meet without losing how the source wrote it.
Values are strings, as in followthemoney: one storage shape for every type keeps entities
JSON-serialisable and lets screening treat all values alike.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from abc import ABC
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, TypeVar
from urllib.parse import urlsplit, urlunsplit

from cthub.core.errors import InvalidInput
from cthub.core.model.countries import country_code

# Format characters that carry meaning in names (Persian, Indic scripts): keep them.
_JOINERS = frozenset({"\u200c", "\u200d"})
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
_ENTITY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_DASHES = re.compile(r"[\s\-\u2010-\u2015]+")


class PropertyType(ABC):
    """One kind of value. Subclasses set ``name`` (stable, stored in YAML) and override hooks.

    ``clean`` is the only way values enter an entity, so every stored value is canonical.
    ``matchable`` is the default for properties of this type; screening compares only
    matchable properties, and a schema may override it per property.
    """

    name: ClassVar[str]
    label: ClassVar[str]
    matchable: ClassVar[bool] = False

    def clean(self, value: object, prop: str | None = None) -> str:
        """Canonical string for ``value``; raises ``InvalidInput`` naming ``prop`` and value."""
        prop = prop or self.name
        text = self._coerce(value, prop)
        text = text.strip()
        if not text:
            raise InvalidInput("Property {prop}: the value is empty.", prop=prop)
        return self._normalise(text, prop)

    def __repr__(self) -> str:
        return f"<PropertyType {self.name}>"

    def compare_key(self, value: str) -> str:
        """Key under which two cleaned values count as the same (for de-duplication, matching)."""
        return value.casefold()

    def _coerce(self, value: object, prop: str) -> str:
        if isinstance(value, str):
            return value
        raise InvalidInput(
            "Property {prop}: {value} is a {kind}, not text.",
            prop=prop,
            value=repr(value),
            kind=type(value).__name__,
        )

    def _normalise(self, text: str, prop: str) -> str:
        return " ".join(text.split())

    def _invalid(self, message: str, hint: str | None, prop: str, value: str) -> InvalidInput:
        return InvalidInput("Property {prop}: " + message, hint, prop=prop, value=value)


_T = TypeVar("_T", bound=type[PropertyType])


class TypeRegistry:
    """Property types by ``name``. Registering a second type under a taken name is refused,
    because YAML schemas refer to types by name and a silent replacement would change them."""

    def __init__(self) -> None:
        self._types: dict[str, PropertyType] = {}

    def register(self, cls: _T) -> _T:
        """Register ``cls`` (usable as a class decorator); raises ``ValueError`` on duplicates."""
        if cls.name in self._types:
            raise ValueError(f"property type {cls.name!r} is already registered")
        self._types[cls.name] = cls()
        return cls

    def get(self, name: str) -> PropertyType:
        try:
            return self._types[name]
        except KeyError:
            raise InvalidInput(
                "Unknown property type {type}.",
                "Known types: {known}.",
                type=name,
                known=", ".join(sorted(self._types)),
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self._types

    def names(self) -> list[str]:
        return sorted(self._types)


registry = TypeRegistry()


@registry.register
class StringType(PropertyType):
    """Short single-line text (phone numbers, titles, topics); whitespace collapsed."""

    name = "string"
    label = "Label"


@registry.register
class TextType(PropertyType):
    """Free text (notes); keeps line breaks, NFC normalised."""

    name = "text"
    label = "Text"

    def _normalise(self, text: str, prop: str) -> str:
        return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


@registry.register
class NameType(PropertyType):
    """A name in any script: NFC, control and bidi marks removed, whitespace collapsed.

    Sanctions lists carry names in Arabic, Cyrillic and CJK script and copy-paste stray
    direction marks into them; those marks would make equal names look different.
    """

    name = "name"
    label = "Name"
    matchable = True

    def _normalise(self, text: str, prop: str) -> str:
        text = unicodedata.normalize("NFC", text)
        kept = (
            " " if unicodedata.category(ch) == "Cc" else ch
            for ch in text
            if ch in _JOINERS or unicodedata.category(ch) != "Cf"
        )
        cleaned = " ".join("".join(kept).split())
        if not cleaned:
            raise self._invalid("{value} holds no visible characters.", None, prop, repr(text))
        return cleaned

    def compare_key(self, value: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


@registry.register
class DateType(PropertyType):
    """ISO 8601 date with the precision the source has: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Lists often know only a birth year; padding it to ``-01-01`` would invent a fact.
    """

    name = "date"
    label = "Date"
    matchable = True

    def _coerce(self, value: object, prop: str) -> str:
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return super()._coerce(value, prop)

    def _normalise(self, text: str, prop: str) -> str:
        hint = "Use YYYY, YYYY-MM or YYYY-MM-DD."
        match = _DATE.fullmatch(text)
        if match is None:
            raise self._invalid("{value} is not a date.", hint, prop, text)
        year, month, day = (int(part) if part else None for part in match.groups())
        if year == 0 or (month is not None and not 1 <= month <= 12):
            raise self._invalid("{value} is not a real date.", hint, prop, text)
        if month is not None and day is not None and year is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                raise InvalidInput(
                    "Property {prop}: {value} is not a real date ({month} has {last} days).",
                    hint,
                    prop=prop,
                    value=text,
                    month=f"{calendar.month_name[month]} {year}",
                    last=last,
                )
        return text


@registry.register
class CountryType(PropertyType):
    """ISO 3166-1 alpha-2 code; English names and alpha-3 codes are accepted and converted."""

    name = "country"
    label = "Country"
    matchable = True

    def _normalise(self, text: str, prop: str) -> str:
        code = country_code(text)
        if code is None:
            hint = "Use an ISO 3166-1 alpha-2 code such as IQ, or an English country name."
            raise self._invalid("{value} is not a known country.", hint, prop, text)
        return code


@registry.register
class GenderType(PropertyType):
    """``male``, ``female`` or ``other``; ``m`` and ``f`` (as on passports) are accepted."""

    name = "gender"
    label = "Gender"
    _values: ClassVar[dict[str, str]] = {
        "male": "male",
        "m": "male",
        "female": "female",
        "f": "female",
        "other": "other",
    }

    def _normalise(self, text: str, prop: str) -> str:
        try:
            return self._values[text.casefold()]
        except KeyError:
            hint = "Use male, female or other."
            raise self._invalid("{value} is not a gender.", hint, prop, text) from None


@registry.register
class IdentifierType(PropertyType):
    """Document and registry numbers. Displayed as written; compared without spaces/dashes."""

    name = "identifier"
    label = "Identifier"
    matchable = True

    def compare_key(self, value: str) -> str:
        return _DASHES.sub("", value).upper()


@registry.register
class EmailType(PropertyType):
    """An e-mail address; the domain is lower-cased (it is case-insensitive, the local part not)."""

    name = "email"
    label = "E-mail"

    def _normalise(self, text: str, prop: str) -> str:
        text = text.removeprefix("mailto:")
        if _EMAIL.fullmatch(text) is None:
            raise self._invalid("{value} is not an e-mail address.", None, prop, text)
        local, domain = text.rsplit("@", 1)
        return f"{local}@{domain.lower()}"


@registry.register
class UrlType(PropertyType):
    """An absolute http(s) URL; scheme and host lower-cased."""

    name = "url"
    label = "URL"

    def _normalise(self, text: str, prop: str) -> str:
        parts = urlsplit(text)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in text:
            hint = "Give the full address, starting with https:// or http://."
            raise self._invalid("{value} is not a web address.", hint, prop, text)
        return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))

    def compare_key(self, value: str) -> str:
        return value


@registry.register
class EntityType(PropertyType):
    """The id of another entity (letters, digits and ``._:-``, at most 128 characters)."""

    name = "entity"
    label = "Entity"

    def _normalise(self, text: str, prop: str) -> str:
        if _ENTITY_ID.fullmatch(text) is None:
            hint = "Ids use letters, digits and . _ : - only, at most 128 characters."
            raise self._invalid("{value} is not an entity id.", hint, prop, text)
        return text

    def compare_key(self, value: str) -> str:
        return value


@registry.register
class NumberType(PropertyType):
    """A decimal number, stored in plain notation (``1,250.50`` becomes ``1250.5``).

    Decimal, never float, so that tonnage or amounts survive a round trip exactly.
    """

    name = "number"
    label = "Number"

    def _coerce(self, value: object, prop: str) -> str:
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return str(value)
        return super()._coerce(value, prop)

    def _normalise(self, text: str, prop: str) -> str:
        hint = "Use digits with an optional decimal point, e.g. 1250.5."
        if _NUMBER.fullmatch(text) is None:
            raise self._invalid("{value} is not a number.", hint, prop, text)
        plain = format(Decimal(text.replace(",", "")).normalize(), "f")
        return "0" if plain in ("-0", "+0") else plain


__all__ = ["PropertyType", "TypeRegistry", "registry"]
