"""How an amount may be written, one grammar for ingest (in SQL) and real-time scoring (here).

Money must never change on the way in, so text that could mean two amounts is refused rather
than guessed:

- a plain decimal, with a point for decimals: ``1234.50``, ``.5``, ``-3`` (a sign is read, so a
  negative amount is reported as not positive rather than as not a number);
- commas only as thousands separators, in groups of three, and only where that reading is the
  only one: ``1,234.50`` or ``12,345,678``. A single group with no point (``1,500``) is
  refused as ambiguous: it is 1500 in English and 1.5 in much of Europe;
- no exponents (``1e3``), no currency signs, no spaces inside;
- no more decimal places than the currency has (``10.005`` EUR, ``0.5`` JPY), and amounts in
  minor units are whole numbers: rounding would change the amount without saying so.

Codes that ISO 4217 reserves for no currency (``XXX``) and for tests (``XTS``) are not money.
"""

from __future__ import annotations

import re
from decimal import Decimal

#: ISO 4217 codes that are valid but name no money: "no currency" and "testing"
NOT_MONEY = frozenset({"XXX", "XTS"})

#: SQL regular expressions (RE2 and Python agree on these), matched against the whole text
PLAIN = r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)"
GROUPED = r"[+-]?[0-9]{1,3}(,[0-9]{3})+[.][0-9]+|[+-]?[0-9]{1,3}(,[0-9]{3}){2,}"
AMBIGUOUS = r"[+-]?[0-9]{1,3},[0-9]{3}"

NOT_A_NUMBER = "not a decimal number (write 1234.50: a point for decimals, no exponent)"
IS_AMBIGUOUS = (
    "ambiguous: a comma before three digits may separate thousands or decimals; write 1500 or 1.5"
)
TOO_PRECISE = "more decimal places than the currency has (amounts in minor units are whole)"

_PLAIN = re.compile(PLAIN)
_GROUPED = re.compile(GROUPED)
_AMBIGUOUS = re.compile(AMBIGUOUS)


def parse_amount(text: str) -> Decimal | str:
    """The ``Decimal`` an amount's text means, or the message saying why it means none (spaces
    around it are dropped, as ingest's ``trim`` drops them; other white space is not)."""
    text = text.strip(" ")
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _GROUPED.fullmatch(text):
        return Decimal(text.replace(",", ""))
    return IS_AMBIGUOUS if _AMBIGUOUS.fullmatch(text) else NOT_A_NUMBER


def places(number: Decimal) -> int:
    """Decimal places of ``number`` that are not trailing zeros (``1.50`` has 1), exactly: no
    arithmetic, so no context precision rounds a long amount's last places away."""
    _sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return 0
    kept = len(digits)
    while kept and exponent < 0 and digits[kept - 1] == 0:
        kept -= 1
        exponent += 1
    return -exponent if kept and exponent < 0 else 0


__all__ = [
    "AMBIGUOUS",
    "GROUPED",
    "IS_AMBIGUOUS",
    "NOT_A_NUMBER",
    "NOT_MONEY",
    "PLAIN",
    "TOO_PRECISE",
    "parse_amount",
    "places",
]
