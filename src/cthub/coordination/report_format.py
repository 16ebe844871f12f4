"""How the CTC report writes money, dates, periods and country names in each language.

Money arrives as integer minor units and is shown with the currency's ISO 4217 minor digits
(``iati.money.minor_digits``) through ``Decimal``, never float. Country names are the UN's
own terms (UNTERM English and Chinese short names in ``data/regions.csv``), falling back to
Babel's CLDR territory names, the bundled ISO table, the IATI region codelist (for regional
recipients) and finally the code itself, so every recipient has a label in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from cthub.coordination.recommend import country_regions
from cthub.coordination.regions import regions
from cthub.core.model.countries import countries
from cthub.core.money import minor_digits

#: Babel locale of each interface language (British English dates: "1 July 2026").
LOCALES: dict[str, str] = {"en": "en_GB", "zh_Hans": "zh_Hans_CN"}


def locale(lang: str) -> str:
    """The Babel locale name for an interface language (English for unknown ones)."""
    return LOCALES.get(lang, "en_GB")


def money(minor: int, currency: str, lang: str) -> str:
    """``minor`` units of ``currency`` as ``"USD 1,234.50"`` with the currency's minor digits."""
    digits = minor_digits(currency)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    amount = Decimal(minor).scaleb(-digits)
    return f"{currency} {format_decimal(amount, format=pattern, locale=locale(lang))}"


def money_lines(amounts: Mapping[str, int], lang: str) -> list[str]:
    """One formatted amount per currency, largest currency code first by name (stable order)."""
    return [money(amounts[code], code, lang) for code in sorted(amounts)]


def number(value: int, lang: str) -> str:
    """An integer with the locale's digit grouping."""
    return str(format_decimal(value, locale=locale(lang)))


def decimal(value: float, lang: str, digits: int = 2) -> str:
    """A ratio (an index, a score) with ``digits`` decimals; not for money."""
    pattern = "0." + "0" * digits if digits else "0"
    return str(format_decimal(value, format=pattern, locale=locale(lang)))


def percent(value: float) -> str:
    """A share in [0, 1] as a whole percentage (``0.734`` -> ``"73%"``)."""
    return f"{round(value * 100)}%"


def date(value: dt.date, lang: str) -> str:
    """A long date: ``1 July 2026`` / ``2026年7月1日``."""
    return str(format_date(value, "long", locale=locale(lang)))


def country_name(code: str, lang: str) -> str:
    """The name of a recipient (alpha-2 country or IATI region code) in ``lang``."""
    if not (len(code) == 2 and code.isalpha()):
        return regions().get(code, code)
    un = country_regions().get(code)
    if un is not None:
        name = un.name_zh if lang == "zh_Hans" else un.name
        if name:
            return name
    territory = _territories(lang).get(code)
    if territory:
        return str(territory)
    iso = countries().get(code)
    return iso.name if iso is not None else code


def _territories(lang: str) -> Mapping[str, str]:
    territories: Mapping[str, str] = Locale.parse(locale(lang)).territories
    return territories


__all__ = [
    "LOCALES",
    "country_name",
    "date",
    "decimal",
    "locale",
    "money",
    "money_lines",
    "number",
    "percent",
]
