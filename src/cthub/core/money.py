"""Money for every capability: decimal amounts <-> integer minor units, with the ISO 4217
minor digits of each currency, and the active ISO 4217 codes.

IATI values are ``xsd:decimal`` text; cthub stores integer minor units. The conversion never
goes through float: the text becomes a ``Decimal``, is scaled by the currency's minor digits
and rounded half-even to a whole number of minor units (IATI rarely gives more decimals than
the currency has). The IATI Currency codelist has no minor digits, so they are written here:
ISO 4217 lists the few currencies that do not have two.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import cache
from pathlib import Path

_ZERO_DIGITS = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"}
    | {"RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"}
)
_THREE_DIGITS = frozenset({"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"})
_FOUR_DIGITS = frozenset({"CLF", "UYW"})


def minor_digits(currency: str) -> int:
    """ISO 4217 minor digits of ``currency`` (2 unless listed otherwise)."""
    if currency in _ZERO_DIGITS:
        return 0
    if currency in _THREE_DIGITS:
        return 3
    if currency in _FOUR_DIGITS:
        return 4
    return 2


def to_minor(amount: Decimal, currency: str) -> int:
    """``amount`` in whole minor units of ``currency``, rounded half-even."""
    with localcontext() as ctx:
        ctx.prec = 60
        scaled = amount.scaleb(minor_digits(currency))
        return int(scaled.to_integral_value(rounding=ROUND_HALF_EVEN))


def from_minor(minor: int, currency: str) -> Decimal:
    """The ``Decimal`` amount of ``minor`` units of ``currency`` (exact)."""
    with localcontext() as ctx:
        ctx.prec = 60
        return Decimal(minor).scaleb(-minor_digits(currency))


def decimal_text(amount: Decimal) -> str:
    """``amount`` as ``xsd:decimal`` text (no exponent)."""
    return format(amount, "f")


@cache
def currencies() -> frozenset[str]:
    """The active ISO 4217 codes (``core/data/currencies.csv``)."""
    path = Path(__file__).with_name("data") / "currencies.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return frozenset(row["code"] for row in csv.DictReader(fh))


__all__ = ["currencies", "decimal_text", "from_minor", "minor_digits", "to_minor"]
