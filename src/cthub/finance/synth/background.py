"""Ordinary traffic: discretionary payments drawn per customer and day, fully vectorised.

Per customer type, the number of payments on a day is Poisson with mean ``rate x weight[day]``
(zero while the customer is silent). Each payment then draws a kind (card at a merchant,
transfer to or from a person, a bill, cash, money service, crypto, business flows, gifts to an
NPO) from the type's mix, a counterparty from the kind's pools (60-80% of the time one of the
customer's few usual counterparties, so people pay the same shops and friends again), a
log-normal amount (kind median x customer wealth) and an hour from the kind's profile. No
Python loop runs per payment: loops are over the dozen kinds only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from cthub.finance.synth.calendar import BUSINESS, EVENING, RETAIL
from cthub.finance.synth.events import CHANNEL, Events
from cthub.finance.synth.geo import CURRENCIES, currency_of
from cthub.finance.synth.parties import COMPANY, NPO, PERSON
from cthub.finance.synth.types import IntArray

if TYPE_CHECKING:
    from cthub.finance.synth.population import Population


@dataclass(frozen=True)
class Kind:
    """One kind of discretionary payment, seen from the customer."""

    channel: str
    outgoing: bool
    pools: tuple[tuple[str, float], ...]
    median: float  # major units, before the customer's wealth factor
    sigma: float
    round_to: int  # major units; 0 keeps cents
    profile: int
    affinity: float  # share of payments to one of the customer's usual counterparties


_PEOPLE = (("int_person", 0.25), ("ext_person_home", 0.69), ("ext_person_foreign", 0.06))
_BUSINESS = (("ext_company_home", 0.7), ("int_company", 0.15), ("ext_company_foreign", 0.15))
_SHOPS = (("merchant_home", 0.93), ("merchant_foreign", 0.07))
_BILLS = (("ext_company_home", 0.85), ("int_company", 0.12), ("ext_company_foreign", 0.03))
_CASH_OUT = (("cash_home", 0.97), ("cash_foreign", 0.03))
_ABROAD = (("ext_person_foreign", 0.5), ("ext_company_foreign", 0.5))
_DONORS = (("int_person", 0.3), ("ext_person_home", 0.65), ("ext_person_foreign", 0.05))
_PROGRAMME = (("ext_company_home", 0.8), ("int_company", 0.1), ("ext_npo_foreign", 0.1))
KINDS: dict[str, Kind] = {
    "card_out": Kind("card", True, _SHOPS, 28, 0.9, 0, RETAIL, 0.7),
    "p2p_out": Kind("transfer", True, _PEOPLE, 90, 1.1, 0, EVENING, 0.6),
    "p2p_in": Kind("transfer", False, _PEOPLE, 80, 1.1, 0, EVENING, 0.6),
    "bill_out": Kind("transfer", True, _BILLS, 110, 1.0, 0, BUSINESS, 0.5),
    "cash_out": Kind("cash", True, _CASH_OUT, 120, 0.7, 10, RETAIL, 0.0),
    "cash_in": Kind("cash", False, (("cash_home", 1.0),), 350, 0.8, 10, BUSINESS, 0.0),
    "msb_out": Kind("money_service", True, (("beneficiary", 1.0),), 220, 0.8, 5, EVENING, 0.5),
    "crypto_out": Kind("crypto", True, (("wallet", 1.0),), 250, 1.3, 0, EVENING, 0.8),
    "crypto_in": Kind("crypto", False, (("wallet", 1.0),), 300, 1.3, 0, EVENING, 0.8),
    "foreign_out": Kind("transfer", True, _ABROAD, 600, 1.2, 0, BUSINESS, 0.6),
    "biz_in": Kind("transfer", False, _BUSINESS, 1800, 1.4, 0, BUSINESS, 0.6),
    "biz_out": Kind("transfer", True, _BUSINESS, 2200, 1.5, 0, BUSINESS, 0.6),
    "donation_in": Kind("transfer", False, _DONORS, 30, 0.9, 5, EVENING, 0.0),
    "npo_out": Kind("transfer", True, _PROGRAMME, 900, 1.2, 0, BUSINESS, 0.5),
}
_NAMES = tuple(KINDS)
MIX: dict[int, dict[str, float]] = {
    PERSON: {"card_out": 0.44, "p2p_out": 0.10, "p2p_in": 0.07, "bill_out": 0.15,
             "cash_out": 0.10, "cash_in": 0.02, "msb_out": 0.01, "crypto_out": 0.006,
             "crypto_in": 0.004, "foreign_out": 0.01},
    COMPANY: {"biz_in": 0.42, "biz_out": 0.40, "bill_out": 0.05, "card_out": 0.04,
              "cash_in": 0.05, "cash_out": 0.01, "foreign_out": 0.03},
    NPO: {"donation_in": 0.82, "npo_out": 0.12, "cash_in": 0.03, "card_out": 0.03},
}  # fmt: skip
_USUAL = 6  # usual counterparties per customer and pool
_SPREAD = (7919, 104_729)  # primes that scatter a customer's usual counterparties


def _cumulative(mix: dict[str, float]) -> np.ndarray:
    p = np.array([mix.get(name, 0.0) for name in _NAMES])
    return np.cumsum(p / p.sum())


_CUM = {k: _cumulative(mix) for k, mix in MIX.items()}


def events(pop: Population, d0: int, d1: int, rng: np.random.Generator) -> Events:
    """The discretionary payments of every customer on days ``d0 .. d1-1``."""
    day = np.arange(d0, d1)
    parts = []
    for k in (PERSON, COMPANY, NPO):
        acct = np.nonzero(pop.kind == k)[0]
        lam = pop.rate[acct, None] * pop.calendar.weight[k, None, d0:d1]
        silent = (pop.dorm_from[acct, None] <= day) & (day < pop.dorm_to[acct, None])
        counts = rng.poisson(np.where(silent, 0.0, lam))
        i, j = np.nonzero(counts)
        reps = counts[i, j]
        who = np.repeat(acct[i], reps)
        kind = np.minimum(np.searchsorted(_CUM[k], rng.random(who.size)), len(_NAMES) - 1)
        parts.append(_realise(pop, who, np.repeat(day[j], reps), kind, rng))
    return Events.concat(parts)


def _realise(
    pop: Population, who: IntArray, day: IntArray, kind: IntArray, rng: np.random.Generator
) -> Events:
    n = who.size
    cp = np.zeros(n, dtype=np.int64)
    amount = np.zeros(n, dtype=np.int64)
    channel = np.zeros(n, dtype=np.int64)
    outgoing = np.zeros(n, dtype=bool)
    profile = np.zeros(n, dtype=np.int64)
    for code in np.unique(kind):
        at = np.nonzero(kind == code)[0]
        spec = KINDS[_NAMES[code]]
        cp[at] = _counterparty(pop, spec, who[at], rng)
        amount[at] = _amount(spec, pop.wealth[who[at]], rng)
        channel[at] = CHANNEL[spec.channel]
        outgoing[at] = spec.outgoing
        profile[at] = spec.profile
    home = (pop.home, CURRENCIES.index(pop.config.home_currency))
    return Events(
        sender=np.where(outgoing, who, cp),
        receiver=np.where(outgoing, cp, who),
        ts=pop.calendar.times(day, profile, rng),
        amount=amount,
        currency=currency_of(pop.parties.country[cp], rng, *home),
        channel=channel,
    )


def _counterparty(pop: Population, spec: Kind, who: IntArray, rng: np.random.Generator) -> IntArray:
    """A counterparty per payment: the pool by weight, then a usual one or any one."""
    names = [name for name, _ in spec.pools if pop.pools[name].size]
    weights = np.array([w for name, w in spec.pools if pop.pools[name].size])
    which = np.searchsorted(np.cumsum(weights / weights.sum()), rng.random(who.size))
    out = np.zeros(who.size, dtype=np.int64)
    for w, name in enumerate(names):
        at = np.nonzero(np.minimum(which, len(names) - 1) == w)[0]
        pool = pop.pools[name]
        usual = (who[at] * _SPREAD[0] + rng.integers(0, _USUAL, at.size) * _SPREAD[1]) % pool.size
        pos = np.where(
            rng.random(at.size) < spec.affinity, usual, rng.integers(0, pool.size, at.size)
        )
        pos = np.where(pool[pos] == who[at], (pos + 1) % pool.size, pos)  # never oneself
        out[at] = pool[pos]
    return out


def _amount(spec: Kind, wealth: np.ndarray, rng: np.random.Generator) -> IntArray:
    major = spec.median * wealth * rng.lognormal(0.0, spec.sigma, wealth.size)
    if spec.round_to:
        steps = np.maximum(1, np.round(major / spec.round_to))
        return (steps * spec.round_to * 100).astype(np.int64)
    return np.maximum(1, np.round(major * 100)).astype(np.int64)
