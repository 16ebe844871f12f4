"""How an amount may be written, one grammar for ingest (in SQL) and real-time scoring (here).

Money must never change on the way in, so text that could mean two amounts is refused rather
than guessed. With the decimal point (the default, and the only form the HTTP API takes):

- a plain decimal, with a point for decimals: ``1234.50``, ``.5``, ``-3`` (a sign is read, so a
  negative amount is reported as not positive rather than as not a number);
- commas only as thousands separators, in groups of three, and only where that reading is the
  only one: ``1,234.50`` or ``12,345,678``. A single group with no point (``1,500``) is
  refused as ambiguous: it is 1500 in English and 1.5 in much of Europe;
- no exponents (``1e3``), no currency signs, no spaces inside;
- no more decimal places than the currency has (``10.005`` EUR, ``0.5`` JPY), and amounts in
  minor units are whole numbers: rounding would change the amount without saying so.

With the decimal comma (``COMMA``, for files written the continental European way) the two
marks swap: ``1234,50``, ``1.234,50``, ``12.345.678``; ``1.500`` is ambiguous. A typed numeric
column (Parquet integers, decimals, floats) is read by value, whatever the file's text form.

Codes that ISO 4217 reserves for no currency (``XXX``) and for tests (``XTS``) are not money.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from cthub.core.errors import InvalidInput

#: ISO 4217 codes that are valid but name no money: "no currency" and "testing"
NOT_MONEY = frozenset({"XXX", "XTS"})
TOO_PRECISE = "more decimal places than the currency has (amounts in minor units are whole)"


@dataclass(frozen=True)
class Grammar:
    """One way of writing amounts: the decimal mark and the thousands separator it allows.

    The regular expressions are matched against the whole text and mean the same in RE2
    (DuckDB) and Python."""

    mark: str
    plain: str
    grouped: str
    ambiguous: str
    not_a_number: str
    is_ambiguous: str

    @property
    def separator(self) -> str:
        return "," if self.mark == "." else "."

    def parse(self, text: str) -> Decimal | str:
        """The ``Decimal`` an amount's text means, or the message saying why it means none
        (spaces around it are dropped, as ingest's ``trim`` drops them; other white space is
        not)."""
        text = text.strip(" ")
        if re.fullmatch(self.plain, text):
            return Decimal(text.replace(self.mark, "."))
        if re.fullmatch(self.grouped, text):
            return Decimal(text.replace(self.separator, "").replace(self.mark, "."))
        return self.is_ambiguous if re.fullmatch(self.ambiguous, text) else self.not_a_number

    def sql(self, column: str) -> str:
        """A SQL expression: ``column``'s text as a plain decimal with a point, or NULL."""
        plain = column if self.mark == "." else f"replace({column}, ',', '.')"
        grouped = f"replace({column}, '{self.separator}', '')"
        if self.mark != ".":
            grouped = f"replace({grouped}, ',', '.')"
        return (
            f"CASE WHEN regexp_full_match({column}, '{self.plain}') THEN {plain} "
            f"WHEN regexp_full_match({column}, '{self.grouped}') THEN {grouped} END"
        )


POINT = Grammar(
    ".",
    plain=r"[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)",
    grouped=r"[+-]?[0-9]{1,3}(,[0-9]{3})+[.][0-9]+|[+-]?[0-9]{1,3}(,[0-9]{3}){2,}",
    ambiguous=r"[+-]?[0-9]{1,3},[0-9]{3}",
    not_a_number="not a decimal number (write 1234.50: a point for decimals, no exponent)",
    is_ambiguous="ambiguous: a comma before three digits may separate thousands or decimals; "
    "write 1500 or 1.5",
)
COMMA = Grammar(
    ",",
    plain=r"[+-]?([0-9]+(,[0-9]*)?|,[0-9]+)",
    grouped=r"[+-]?[0-9]{1,3}([.][0-9]{3})+,[0-9]+|[+-]?[0-9]{1,3}([.][0-9]{3}){2,}",
    ambiguous=r"[+-]?[0-9]{1,3}[.][0-9]{3}",
    not_a_number="not a decimal number (write 1234,50: a comma for decimals, no exponent)",
    is_ambiguous="ambiguous: a point before three digits may separate thousands or decimals; "
    "write 1500 or 1,5",
)
GRAMMARS = {".": POINT, ",": COMMA}


def grammar(mark: str) -> Grammar:
    """The grammar whose decimal mark is ``mark`` ("." or ",")."""
    if mark not in GRAMMARS:
        raise InvalidInput("The decimal mark must be . or , not {mark}.",
                           hint="Use --decimal . (1234.50) or --decimal , (1234,50).",
                           mark=mark[:5])  # fmt: skip
    return GRAMMARS[mark]


def parse_amount(text: str) -> Decimal | str:
    """``POINT.parse``: the form the HTTP API takes."""
    return POINT.parse(text)


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
    "COMMA",
    "GRAMMARS",
    "NOT_MONEY",
    "POINT",
    "TOO_PRECISE",
    "Grammar",
    "grammar",
    "parse_amount",
    "places",
]
