"""The bundled ISO 3166-1 country table and lookups from codes and English names.

``countries.csv`` (``code,alpha3,name,aliases``) lists every ISO 3166-1 country plus XK for
Kosovo, which lists and passports use although ISO has not assigned it. It was generated from
Debian's iso-codes data, with common short names (Syria, Turkey, Ivory Coast, UK) added as
aliases so source files can be cleaned without a hand-written mapping per source.
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Country:
    """One row of the table: alpha-2 ``code``, ``alpha3``, English ``name`` and ``aliases``."""

    code: str
    alpha3: str
    name: str
    aliases: tuple[str, ...]


def _name_key(text: str) -> str:
    """Loose key for English names: accents, punctuation, case and a leading 'the' ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(ch if ch.isalnum() else " " for ch in folded if not unicodedata.combining(ch))
    words = letters.split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


@cache
def countries() -> dict[str, Country]:
    """The bundled country table, by alpha-2 code (read once per process)."""
    source = resources.files(__name__.rpartition(".")[0]).joinpath("countries.csv")
    rows = csv.DictReader(source.read_text(encoding="utf-8").splitlines())
    return {
        row["code"]: Country(
            row["code"], row["alpha3"], row["name"], tuple(filter(None, row["aliases"].split(";")))
        )
        for row in rows
    }


@cache
def _by_name() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for country in countries().values():
        for label in (country.name, *country.aliases):
            lookup[_name_key(label)] = country.code
    return lookup


@cache
def _by_alpha3() -> dict[str, str]:
    return {country.alpha3: country.code for country in countries().values()}


def country_code(text: str) -> str | None:
    """The alpha-2 code for an alpha-2 or alpha-3 code or an English name, any case; else None.

    Codes win over names, so ``"UK"`` (not an ISO code) falls through to the alias table.
    """
    upper = text.strip().upper()
    if upper in countries():
        return upper
    return _by_alpha3().get(upper) or _by_name().get(_name_key(text))


__all__ = ["Country", "countries", "country_code"]
