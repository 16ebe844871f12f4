"""The customers of the synthetic institution and everything fixed before traffic starts.

Customers are persons, companies (``company_share``) and a few NPOs (``npo_share``, never
fewer than the NPO roles need plus three ordinary ones). Each has an activity rate (gamma
distributed by type: persons about 0.3 discretionary payments a day, companies 1.5, NPOs
2.5, times ``activity``), a wealth factor scaling its amounts, and an optional dormant
stretch: 3% of ordinary persons are legitimately silent for a quarter to two thirds of the
period, and ``dormant_reactivation`` accounts are silent from about a tenth of the period for
``dormant_days`` (or what fits) until the reactivation day. One person in twenty belongs to a
diaspora: a name from the origin region and a monthly remittance home (some origins are on
the high-risk list, on purpose).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cthub.finance.synth import identity, names, roles, schedule
from cthub.finance.synth.calendar import Calendar
from cthub.finance.synth.config import SynthConfig
from cthub.finance.synth.geo import INDEX, REGION_OF, REMITTANCE_WEIGHTS, weighted
from cthub.finance.synth.parties import (
    COMPANY,
    NPO,
    PERSON,
    FrozenParties,
    Parties,
    counterparties,
)
from cthub.finance.synth.types import FloatArray, IntArray

_MEAN_RATE = {PERSON: 0.3, COMPANY: 1.5, NPO: 2.5}
_RATE_SHAPE = {PERSON: 1.5, COMPANY: 1.0, NPO: 3.0}
_WEALTH_SIGMA = {PERSON: 0.35, COMPANY: 0.8, NPO: 0.5}


@dataclass(frozen=True)
class Population:
    """Customers ``0 .. accounts-1`` and the counterparties, with per-customer profiles."""

    config: SynthConfig
    calendar: Calendar
    parties: FrozenParties
    pools: dict[str, IntArray]
    kind: IntArray
    rate: FloatArray
    wealth: FloatArray
    origin: IntArray  # country of origin (home for most), for remittances and names
    dorm_from: IntArray  # first silent day; equal to dorm_to when never silent
    dorm_to: IntArray
    roles: roles.Roles
    schedule: schedule.Schedule

    @property
    def accounts(self) -> int:
        return int(self.kind.size)

    @property
    def home(self) -> int:
        return INDEX[self.config.home_country]


def build(
    accounts: int, days: int, start: dt.date, rng: np.random.Generator, config: SynthConfig
) -> Population:
    """Draw the whole population from ``rng`` (deterministic for the generator's state)."""
    calendar = Calendar.build(start, days, rng)
    kind = _kinds(accounts, rng, config)
    assigned = roles.assign(rng, kind, config)
    home = INDEX[config.home_country]
    origin = _origins(kind, assigned, rng, config)
    table = Parties()
    ids, display, identifier = _customers(kind, origin, assigned, rng, config)
    table.add(ids, display, np.full(accounts, home), kind, identifier)
    pools = counterparties(table, accounts, config.home_country, rng)
    dorm_from, dorm_to = _dormancy(kind, assigned, days, rng, config)
    # other customers pay only customers that are never silent, so silence is silence
    awake = dorm_to == dorm_from
    for name, k in (("int_person", PERSON), ("int_company", COMPANY), ("int_npo", NPO)):
        pools[name] = np.nonzero((kind == k) & awake)[0].astype(np.int64)
    rate, wealth = _profiles(kind, assigned, rng, config)
    parties = table.frozen()
    skip = np.concatenate(
        [assigned.by_name["salary_below_threshold"], assigned.by_name["savings_sweep"]]
    )
    slots = schedule.build(kind, origin, wealth, pools, skip, parties.country, home, rng)
    return Population(
        config=config,
        calendar=calendar,
        parties=parties,
        pools=pools,
        kind=kind,
        rate=rate,
        wealth=wealth,
        origin=origin,
        dorm_from=dorm_from,
        dorm_to=dorm_to,
        roles=assigned,
        schedule=slots,
    )


def _origins(
    kind: IntArray, assigned: roles.Roles, rng: np.random.Generator, config: SynthConfig
) -> IntArray:
    """Home for most; an origin country for one ordinary person in twenty (the diaspora)."""
    origin = np.full(kind.size, INDEX[config.home_country], dtype=np.int64)
    diaspora = np.nonzero((kind == PERSON) & ~assigned.planted(kind.size))[0]
    diaspora = diaspora[rng.random(diaspora.size) < 0.05]
    codes, p = weighted(REMITTANCE_WEIGHTS, exclude=config.home_country)
    origin[diaspora] = codes[rng.choice(codes.size, size=diaspora.size, p=p)]
    return origin


def _profiles(
    kind: IntArray, assigned: roles.Roles, rng: np.random.Generator, config: SynthConfig
) -> tuple[FloatArray, FloatArray]:
    """Activity rate (payments per day) and wealth factor of every customer."""
    rate = np.zeros(kind.size)
    wealth = np.ones(kind.size)
    for k in (PERSON, COMPANY, NPO):
        at = kind == k
        shape = _RATE_SHAPE[k]
        rate[at] = rng.gamma(shape, _MEAN_RATE[k] * config.activity / shape, int(at.sum()))
        wealth[at] = rng.lognormal(0.0, _WEALTH_SIGMA[k], int(at.sum()))
    waking = assigned.by_name["dormant_reactivation"]
    rate[waking] = np.maximum(rate[waking], 0.4)  # some ordinary life before the silence
    return rate, wealth


def _kinds(accounts: int, rng: np.random.Generator, config: SynthConfig) -> IntArray:
    n_npo = max(round(config.npo_share * accounts), roles.needed(config, accounts, NPO) + 3)
    n_company = max(
        round(config.company_share * accounts), roles.needed(config, accounts, COMPANY) * 3 + 5
    )
    kind = np.full(accounts, PERSON, dtype=np.int64)
    order = rng.permutation(accounts)
    kind[order[:n_npo]] = NPO
    kind[order[n_npo : n_npo + n_company]] = COMPANY
    return kind


def _customers(
    kind: IntArray,
    origin: IntArray,
    assigned: roles.Roles,
    rng: np.random.Generator,
    config: SynthConfig,
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """IBANs, names and sender identifiers of the customers (shared ones for the groups)."""
    n = kind.size
    home = INDEX[config.home_country]
    ids = identity.bank_accounts(np.full(n, home), rng)
    person = np.nonzero(kind == PERSON)[0]
    company = np.nonzero(kind == COMPANY)[0]
    npo = np.nonzero(kind == NPO)[0]
    display, given, family = names.persons(REGION_OF[origin[person]], rng)
    org = np.concatenate([company, npo])
    org_family = names.family_names(REGION_OF[origin[org]], rng)  # the firm's or a contact's
    firm = names.companies(REGION_OF[origin[company]], rng, org_family.slice(0, company.size))
    charity = names.npos(npo.size, rng)
    order = np.argsort(np.concatenate([person, org]), kind="stable")
    all_names = pa.concat_arrays([display, firm, charity]).take(pa.array(order))
    contact = pa.array(np.full(org.size, "info"))
    ident = identity.identifiers(
        pa.concat_arrays([given, contact]),
        pa.concat_arrays([family, org_family]),
        config.home_country,
        rng,
    ).take(pa.array(order))
    share = np.arange(n, dtype=np.int64)
    for ring in assigned.rings:  # the senders share the first sender's identifier
        share[ring[:-1]] = ring[0]
    for household in assigned.households:
        share[household] = household[0]
    return ids, all_names, pc.take(ident, pa.array(share))


def _dormancy(
    kind: IntArray,
    assigned: roles.Roles,
    days: int,
    rng: np.random.Generator,
    config: SynthConfig,
) -> tuple[IntArray, IntArray]:
    n = kind.size
    dorm_from = np.zeros(n, dtype=np.int64)
    dorm_to = np.zeros(n, dtype=np.int64)
    ordinary = np.nonzero((kind == PERSON) & ~assigned.planted(n))[0]
    quiet = ordinary[rng.random(ordinary.size) < 0.03]
    length = (rng.uniform(0.25, 0.67, quiet.size) * days).astype(np.int64)
    dorm_from[quiet] = rng.integers(0, days, quiet.size)
    dorm_to[quiet] = np.minimum(days, dorm_from[quiet] + length)
    react = assigned.by_name["dormant_reactivation"]
    pre = max(7, round(0.1 * days))
    wake = (rng.uniform(0.75, 0.9, react.size) * days).astype(np.int64)
    gap = config.dormant_days + rng.integers(0, 31, react.size)
    dorm_from[react] = np.maximum(pre, wake - gap)
    dorm_to[react] = wake
    return dorm_from, dorm_to
