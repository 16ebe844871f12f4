"""Countries the generator knows: codes, currency, IBAN length and name region.

Every party carries an index into ``COUNTRIES`` so that currency and name lookups stay
vectorised. Only EUR, USD and GBP are produced: a cross-border flow is in GBP to or from the
United Kingdom, in USD to or from the United States, in EUR inside the euro area and in USD
or EUR elsewhere (``MIXED``), as correspondent banking mostly settles.
"""

from __future__ import annotations

import numpy as np

from cthub.finance.synth.types import FloatArray, IntArray

#: (ISO 3166-1 alpha-2, name region, IBAN BBAN length or 0 when the country has no IBAN)
_TABLE: tuple[tuple[str, str, int], ...] = (
    ("DE", "de", 18),
    ("AT", "de", 16),
    ("CH", "de", 17),
    ("NL", "en", 14),
    ("BE", "fr", 12),
    ("FR", "fr", 23),
    ("LU", "fr", 16),
    ("IT", "en", 23),
    ("ES", "en", 20),
    ("PT", "en", 21),
    ("GR", "en", 23),
    ("HR", "pl", 17),
    ("IE", "en", 18),
    ("GB", "en", 18),
    ("US", "en", 0),
    ("PL", "pl", 24),
    ("RO", "pl", 20),
    ("UA", "pl", 25),
    ("TR", "tr", 22),
    ("MA", "ar", 0),
    ("EG", "ar", 25),
    ("JO", "ar", 26),
    ("LB", "ar", 24),
    ("AE", "ar", 19),
    ("NG", "en", 0),
    ("IN", "en", 0),
    ("PK", "af", 20),
    ("CN", "en", 0),
    ("TH", "en", 0),
    ("SY", "ar", 0),
    ("IQ", "ar", 19),
    ("AF", "af", 0),
    ("SO", "so", 0),
    ("YE", "ar", 0),
    ("LY", "ar", 21),
    ("ML", "fr", 0),
    ("NE", "fr", 0),
    ("BF", "fr", 0),
    ("SD", "ar", 0),
    ("IR", "af", 0),
    ("KE", "so", 0),
)
COUNTRIES: tuple[str, ...] = tuple(row[0] for row in _TABLE)
REGIONS: tuple[str, ...] = ("de", "en", "fr", "pl", "tr", "ar", "af", "so")
CURRENCIES: tuple[str, ...] = ("EUR", "USD", "GBP")
EUR, USD, GBP = 0, 1, 2
_EURO_AREA = frozenset({"DE", "AT", "NL", "BE", "FR", "LU", "IT", "ES", "PT", "GR", "HR", "IE"})

INDEX: dict[str, int] = {code: i for i, code in enumerate(COUNTRIES)}
REGION_OF: IntArray = np.array([REGIONS.index(row[1]) for row in _TABLE], dtype=np.int64)
IBAN_LENGTH: IntArray = np.array([row[2] for row in _TABLE], dtype=np.int64)
#: the currency a flow with this country takes, or -1 for a USD/EUR mix
_CURRENCY_OF: IntArray = np.array(
    [EUR if c in _EURO_AREA else GBP if c == "GB" else USD if c == "US" else -1 for c in COUNTRIES],
    dtype=np.int64,
)

#: foreign counterparties of ordinary traffic (not the high-risk list), with weights
FOREIGN_WEIGHTS: dict[str, float] = {
    "FR": 10, "NL": 9, "AT": 9, "CH": 7, "IT": 7, "ES": 6, "PL": 7, "BE": 4, "LU": 2,
    "GB": 8, "US": 7, "IE": 2, "PT": 2, "GR": 2, "HR": 2, "RO": 3, "TR": 5, "UA": 2,
    "CN": 3, "IN": 2, "AE": 2, "MA": 1, "EG": 1,
}  # fmt: skip
#: where remittances of the diaspora go; a few are on the default high-risk list, on purpose
REMITTANCE_WEIGHTS: dict[str, float] = {
    "TR": 25, "PL": 10, "RO": 8, "MA": 8, "SY": 7, "AF": 6, "IQ": 6, "SO": 4, "NG": 5,
    "IN": 6, "UA": 6, "PK": 5, "LB": 4,
}  # fmt: skip
#: where suspicious outflows go when not to the high-risk list: hubs and transit countries
DESTINATIONS: tuple[str, ...] = ("TR", "LB", "JO", "AE", "EG", "PK", "GB", "NL")
#: where ordinary customers take cash or pay by card abroad
TRAVEL_WEIGHTS: dict[str, float] = {
    "ES": 9, "IT": 8, "AT": 7, "FR": 6, "NL": 4, "GR": 4, "HR": 4, "TR": 5, "TH": 2,
    "US": 3, "GB": 3, "PL": 3, "CH": 2, "PT": 3,
}  # fmt: skip


def codes(names: tuple[str, ...] | list[str]) -> IntArray:
    """Indices into ``COUNTRIES`` of ``names``; ``KeyError`` on an unknown code."""
    return np.array([INDEX[n] for n in names], dtype=np.int64)


def weighted(weights: dict[str, float], exclude: str = "") -> tuple[IntArray, FloatArray]:
    """Country indices and their probabilities, leaving out ``exclude`` (the home country)."""
    keys = [k for k in weights if k != exclude]
    p = np.array([weights[k] for k in keys], dtype=np.float64)
    return codes(keys), p / p.sum()


def currency_of(
    country: IntArray, rng: np.random.Generator, home: int, home_currency: int
) -> IntArray:
    """The currency index of flows with ``country`` (one per element, drawn for mixed ones).

    Domestic flows (``country == home``) and flows with an unknown country (-1: wallets)
    take ``home_currency``; mixed countries take USD two
    times in three, else EUR.
    """
    cur = _CURRENCY_OF[np.maximum(country, 0)]
    mixed = cur < 0
    if mixed.any():
        cur = cur.copy()
        cur[mixed] = np.where(rng.random(int(mixed.sum())) < 2 / 3, USD, EUR)
    return np.where((country == home) | (country < 0), home_currency, cur)
