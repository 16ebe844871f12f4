"""The party table: customers first, then the counterparties traffic draws from.

Every transaction side is an index into one ``Parties`` table, so the Arrow columns of a chunk
are ``take``s of these arrays. Customer accounts (``0 .. accounts-1``) hold home-country IBANs;
counterparties are grouped in named pools (``ext_person_home``, ``merchant_foreign``, ``cash``
...) that ``background`` samples. Cash is a pseudo-party per country with an empty id, name
and type, so a withdrawal abroad has ``receiver = ''`` and the country of the cash machine, as
``schema`` requires.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cthub.finance.synth import identity, names
from cthub.finance.synth.geo import (
    COUNTRIES,
    FOREIGN_WEIGHTS,
    INDEX,
    REGION_OF,
    REMITTANCE_WEIGHTS,
    TRAVEL_WEIGHTS,
    weighted,
)
from cthub.finance.synth.types import IntArray

NONE, PERSON, COMPANY, NPO = 0, 1, 2, 3
TYPE_NAMES = ("", "person", "company", "npo")


@dataclass
class Parties:
    """Columns of the party table; ``add`` appends a segment and returns its indices.

    ``country`` is an index into ``geo.COUNTRIES``, or -1 where unknown (wallets).
    """

    ids: list[pa.Array] = field(default_factory=list)
    names: list[pa.Array] = field(default_factory=list)
    identifiers: list[pa.Array] = field(default_factory=list)
    country: list[IntArray] = field(default_factory=list)
    kind: list[IntArray] = field(default_factory=list)
    size: int = 0

    def add(
        self,
        ids: pa.Array,
        names_: pa.Array,
        country: IntArray,
        kind: int | IntArray,
        identifiers: pa.Array | None = None,
    ) -> IntArray:
        n = len(ids)
        self.ids.append(ids)
        self.names.append(names_)
        self.identifiers.append(identifiers if identifiers is not None else _blank(n))
        self.country.append(np.asarray(country, dtype=np.int64))
        self.kind.append(np.broadcast_to(np.asarray(kind, dtype=np.int64), (n,)).copy())
        self.size += n
        return np.arange(self.size - n, self.size, dtype=np.int64)

    def frozen(self) -> FrozenParties:
        country = np.concatenate(self.country)
        kind = np.concatenate(self.kind)
        return FrozenParties(
            ids=pa.concat_arrays(self.ids),
            names=pa.concat_arrays(self.names),
            identifiers=pa.concat_arrays(self.identifiers),
            country=country,
            kind=kind,
            country_text=pa.array(("", *COUNTRIES)).take(pa.array(country + 1)),
            kind_text=pa.array(TYPE_NAMES).take(pa.array(kind)),
        )


@dataclass(frozen=True)
class FrozenParties:
    """The finished party table, as Arrow arrays for ``take`` and numpy codes for maths."""

    ids: pa.Array
    names: pa.Array
    identifiers: pa.Array
    country: IntArray
    kind: IntArray
    country_text: pa.Array
    kind_text: pa.Array


def _blank(n: int) -> pa.Array:
    return pa.array(np.full(n, ""), pa.string())


def _countries(weights: dict[str, float], n: int, rng: np.random.Generator, home: str) -> IntArray:
    codes, p = weighted(weights, exclude=home)
    return codes[rng.choice(codes.size, size=n, p=p)]


def add_persons(
    parties: Parties, country: IntArray, rng: np.random.Generator, home: int
) -> IntArray:
    """External persons of ``country`` with bank accounts there.

    A third of foreign names arrive upper case, as in many payment messages.
    """
    display, _, _ = names.persons(REGION_OF[country], rng)
    upper = pa.array((country != home) & (rng.random(country.size) < 1 / 3))
    display = pc.if_else(upper, pc.utf8_upper(display), display)
    return parties.add(identity.bank_accounts(country, rng), display, country, PERSON)


def add_companies(
    parties: Parties, country: IntArray, rng: np.random.Generator, kind: int = COMPANY
) -> IntArray:
    """External companies (or, with ``kind=NPO``, partner NPOs) of ``country``."""
    label = (
        names.companies(REGION_OF[country], rng)
        if kind == COMPANY
        else names.npos(country.size, rng)
    )
    return parties.add(identity.bank_accounts(country, rng), label, country, kind)


def counterparties(
    parties: Parties, accounts: int, home: str, rng: np.random.Generator
) -> dict[str, IntArray]:
    """Append the counterparty pools, sized from the number of customer ``accounts``."""
    h = INDEX[home]

    def sized(share: float, floor: int) -> int:
        return max(floor, round(share * accounts))

    pools: dict[str, IntArray] = {}
    pools["ext_person_home"] = add_persons(parties, np.full(sized(1.2, 500), h), rng, h)
    foreign = _countries(FOREIGN_WEIGHTS, sized(0.25, 200), rng, home)
    pools["ext_person_foreign"] = add_persons(parties, foreign, rng, h)
    pools["ext_company_home"] = add_companies(parties, np.full(sized(0.3, 200), h), rng)
    foreign = _countries(FOREIGN_WEIGHTS, sized(0.08, 100), rng, home)
    pools["ext_company_foreign"] = add_companies(parties, foreign, rng)
    foreign = _countries(FOREIGN_WEIGHTS, sized(0.005, 20), rng, home)
    pools["ext_npo_foreign"] = add_companies(parties, foreign, rng, kind=NPO)
    for pool, share, floor, where in (
        ("merchant_home", 0.05, 100, None),
        ("merchant_foreign", 0.02, 50, TRAVEL_WEIGHTS),
    ):
        n = sized(share, floor)
        country = np.full(n, h) if where is None else _countries(where, n, rng, home)
        ids = identity.prefixed("MID", country, 10, rng)
        pools[pool] = parties.add(ids, names.merchants(n, rng), country, COMPANY)
    n = sized(0.01, 50)
    pools["wallet"] = parties.add(identity.wallets(n, rng), _blank(n), np.full(n, -1), NONE)
    country = _countries(REMITTANCE_WEIGHTS, sized(0.05, 100), rng, home)
    display, _, _ = names.persons(REGION_OF[country], rng)
    ids = identity.prefixed("MSB", country, 10, rng)
    pools["beneficiary"] = parties.add(ids, display, country, PERSON)
    everywhere = np.arange(len(COUNTRIES), dtype=np.int64)
    cash = parties.add(_blank(everywhere.size), _blank(everywhere.size), everywhere, NONE)
    pools["cash_home"] = cash[h : h + 1]
    codes, p = weighted(TRAVEL_WEIGHTS, exclude=home)
    pools["cash_foreign"] = np.repeat(cash[codes], np.maximum(1, np.round(p * 100)).astype(int))
    return pools
