"""Typed rule parameters: each kind declares its own, and every value is checked before use.

A parameter is one of a few types, chosen so that nothing reaches SQL that is not a number or
a code from a closed vocabulary:

- ``count``: a whole number (``int``; ``bool`` is not one).
- ``amount``: money as whole minor units of the transaction's currency (``1000000`` is
  10,000.00 EUR), an ``int``, a ``Decimal`` without a fraction or a string of one. Floats are
  refused: money is never a float.
- ``percent``: 0 to 100 with at most two decimals; held as ``Decimal``.
- ``duration``: ``7d``, ``24h``, ``30m``, ``45s``, ``2w`` or ISO 8601 ``P7D`` / ``PT24H30M``;
  held as a ``Duration`` (whole seconds).
- ``countries``: ISO 3166-1 alpha-2 codes (upper case, from the bundled table).
- ``channels``: values of ``schema.CHANNELS``.
- ``party_types``: values of ``schema.PARTY_TYPES`` (person, company, npo).
- ``currencies``: ISO 4217 alpha-3 codes (three upper-case letters).

``check`` returns the typed value or raises ``InvalidInput`` naming the file, the rule and the
parameter, so a reviewer editing YAML sees exactly which line to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from cthub.core.errors import InvalidInput
from cthub.core.model import countries
from cthub.finance.schema import CHANNELS, PARTY_TYPES

TYPES = (
    "count",
    "amount",
    "percent",
    "duration",
    "countries",
    "channels",
    "party_types",
    "currencies",
)
_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_SHORT = re.compile(r"^(\d+)([wdhms])$")
_ISO = re.compile(r"^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, order=True)
class Duration:
    """A span of whole seconds; ``text`` is how the rule wrote it, for details and reports."""

    seconds: int
    text: str

    def sql(self) -> str:
        """An interval literal both DuckDB and Spark SQL read, in the largest exact unit."""
        for unit, size in (("DAY", 86400), ("HOUR", 3600), ("MINUTE", 60)):
            if self.seconds % size == 0:
                return f"INTERVAL '{self.seconds // size}' {unit}"
        return f"INTERVAL '{self.seconds}' SECOND"


Value = int | Decimal | Duration | tuple[str, ...]


@dataclass(frozen=True)
class Param:
    """One declared parameter: its type, default, bounds (inclusive) and what it means.

    For ``duration`` the bounds are seconds; for the list types they bound the list's length.
    """

    name: str
    type: str
    default: Any
    doc: str
    low: int | Decimal | None = None
    high: int | Decimal | None = None


@dataclass(frozen=True)
class Where:
    """Which file and rule a value comes from, for error messages."""

    file: str
    rule: str


def parse_duration(text: str) -> int | None:
    """Seconds in ``7d``-style or ISO 8601 text, or None when it is neither (or zero)."""
    short = _SHORT.match(text)
    if short:
        seconds = int(short.group(1)) * _UNITS[short.group(2)]
    else:
        iso = _ISO.match(text)
        if not iso or text in ("P", "PT") or text.endswith("T"):
            return None
        parts = [int(g) if g else 0 for g in iso.groups()]
        seconds = sum(n * s for n, s in zip(parts, (604800, 86400, 3600, 60, 1), strict=True))
    return seconds or None


def check(param: Param, value: object, where: Where) -> Value:
    """The typed value of ``param``, or ``InvalidInput`` naming file, rule and parameter."""
    fields = {"file": where.file, "rule": where.rule, "param": param.name, "value": repr(value)}
    typed = _CONVERT[param.type](value, fields)
    size: int | Decimal
    if isinstance(typed, Duration):
        size = typed.seconds
    elif isinstance(typed, tuple):
        size = len(typed)
    else:
        size = typed
    if (param.low is not None and size < param.low) or (
        param.high is not None and size > param.high
    ):
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} is {value}, outside {low} to {high}.",
            hint="Pick a value within the bounds the rule kind declares.",
            **fields,
            low="-" if param.low is None else str(param.low),
            high="-" if param.high is None else str(param.high),
        )
    return typed


def _count(value: object, fields: dict[str, str]) -> Value:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a whole number, not {value}.",
            **fields,
        )
    return value


def _amount(value: object, fields: dict[str, str]) -> Value:
    number: Decimal | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal | str):
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be an amount in whole minor units, "
            "not {value}.",
            hint="Money is integer minor units of the currency: 1000000 is 10,000.00 EUR.",
            **fields,
        )
    return int(number)


def _percent(value: object, fields: dict[str, str]) -> Value:
    number: Decimal | None = None
    if isinstance(value, int | float | str | Decimal) and not isinstance(value, bool):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite() or number != number.quantize(Decimal("0.01")):
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a percentage, not {value}.",
            hint="A number from 0 to 100 with at most two decimals, e.g. 90 or 12.5.",
            **fields,
        )
    return number


def _duration(value: object, fields: dict[str, str]) -> Value:
    seconds = parse_duration(value.strip()) if isinstance(value, str) else None
    if seconds is None or not isinstance(value, str):
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a duration such as 7d, 24h or "
            "PT30M, not {value}.",
            hint="Units: w, d, h, m, s, or ISO 8601 (P7D, PT24H).",
            **fields,
        )
    return Duration(seconds, value.strip())


def _first_bad(value: object, valid: Callable[[str], bool]) -> tuple[tuple[str, ...], str | None]:
    """The list as a tuple of distinct strings, and its first invalid item (None when valid).

    A value that is not a list of strings is itself the invalid item.
    """
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return (), repr(value)
    codes = tuple(dict.fromkeys(str(v) for v in value))
    return codes, next((c for c in codes if not valid(c)), None)


def _countries(value: object, fields: dict[str, str]) -> Value:
    codes, bad = _first_bad(value, lambda code: code in countries())
    if bad is not None:
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a list of ISO 3166-1 alpha-2 "
            "codes; {bad} is not one.",
            hint="Upper-case two-letter codes, e.g. [IR, KP].",
            **fields,
            bad=bad,
        )
    return codes


def _channels(value: object, fields: dict[str, str]) -> Value:
    codes, bad = _first_bad(value, lambda code: code in CHANNELS)
    if bad is not None:
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a list of channels; {bad} is not one.",
            hint="Channels: {channels}.",
            **fields,
            bad=bad,
            channels=", ".join(CHANNELS),
        )
    return codes


def _party_types(value: object, fields: dict[str, str]) -> Value:
    codes, bad = _first_bad(value, lambda code: code in PARTY_TYPES)
    if bad is not None:
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a list of party types; "
            "{bad} is not one.",
            hint="Party types: {types}.",
            **fields,
            bad=bad,
            types=", ".join(PARTY_TYPES),
        )
    return codes


def _currencies(value: object, fields: dict[str, str]) -> Value:
    codes, bad = _first_bad(value, lambda code: bool(_CURRENCY.match(code)))
    if bad is not None:
        raise InvalidInput(
            "{file}: rule {rule}: parameter {param} must be a list of ISO 4217 currency codes; "
            "{bad} is not one.",
            hint="Upper-case three-letter codes, e.g. [EUR, USD]; an empty list means any.",
            **fields,
            bad=bad,
        )
    return codes


_CONVERT = {
    "count": _count,
    "amount": _amount,
    "percent": _percent,
    "duration": _duration,
    "countries": _countries,
    "channels": _channels,
    "party_types": _party_types,
    "currencies": _currencies,
}

__all__ = ["TYPES", "Duration", "Param", "Value", "Where", "check", "parse_duration"]
