"""Monthly standing flows: salaries, rent, recurring bills, remittances and standing gifts.

A slot is one customer, one counterparty, an amount (minor units), a day of the month (1-28,
so every month has it), a channel and a direction; ``jitter`` varies the amount from month to
month (utilities, remittances) or not (salary, rent). Persons: 68% salaried (a fifth by a
customer company, so payroll shows inside the bank too), 55% pay rent, zero to four bills,
the diaspora remits home by money service, one in twenty gives monthly to a customer NPO.
Companies pay rent and two to four bills; NPOs pay rent, one to three staff and bills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from cthub.finance.synth.calendar import BATCH, EVENING
from cthub.finance.synth.events import CHANNEL, Events
from cthub.finance.synth.geo import CURRENCIES, currency_of
from cthub.finance.synth.parties import COMPANY, NPO, PERSON
from cthub.finance.synth.types import FloatArray, IntArray

if TYPE_CHECKING:
    from cthub.finance.synth.population import Population

_COLUMNS = ("acct", "cp", "amount", "dom", "channel", "outgoing", "profile")
_PAYDAYS = np.array([1, 15, 25, 26, 27, 28])
_PAYDAY_P = np.array([0.15, 0.05, 0.2, 0.15, 0.2, 0.25])


@dataclass
class _Slots:
    parts: dict[str, list[IntArray]] = field(default_factory=lambda: {c: [] for c in _COLUMNS})
    jitter: list[FloatArray] = field(default_factory=list)

    def add(
        self,
        acct: IntArray,
        cp: IntArray,
        major: FloatArray,
        dom: IntArray,
        *,
        outgoing: bool = True,
        channel: str = "transfer",
        profile: int = BATCH,
        jitter: float | FloatArray = 0.0,
        round_to: int = 0,
    ) -> None:
        n = acct.size
        minor = (
            np.round(major, 2) * 100
            if round_to == 0
            else np.round(major / round_to) * (round_to * 100)
        )
        values = (acct, cp, np.maximum(minor.astype(np.int64), max(1, round_to * 100)), dom)
        for name, value in zip(_COLUMNS[:4], values, strict=True):
            self.parts[name].append(np.asarray(value, dtype=np.int64))
        self.parts["channel"].append(np.full(n, CHANNEL[channel], dtype=np.int64))
        self.parts["outgoing"].append(np.full(n, int(outgoing), dtype=np.int64))
        self.parts["profile"].append(np.full(n, profile, dtype=np.int64))
        self.jitter.append(np.broadcast_to(np.asarray(jitter, dtype=np.float64), (n,)).copy())


@dataclass(frozen=True)
class Schedule:
    """All slots, sorted by day of month; ``offsets[d] : offsets[d + 1]`` are day ``d``'s."""

    columns: dict[str, IntArray]
    jitter: FloatArray
    offsets: IntArray

    def events(self, d0: int, d1: int, pop: Population, rng: np.random.Generator) -> Events:
        """The standing flows due on days ``d0 .. d1-1`` of customers not silent then."""
        rows, when = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
        for day in range(d0, d1):
            d = int(pop.calendar.dom[day])
            at = np.arange(self.offsets[d], self.offsets[d + 1])
            acct = self.columns["acct"][at]
            at = at[~((pop.dorm_from[acct] <= day) & (day < pop.dorm_to[acct]))]
            rows.append(at)
            when.append(np.full(at.size, day, dtype=np.int64))
        row = np.concatenate(rows)
        c = {k: v[row] for k, v in self.columns.items()}
        factor = np.maximum(0.3, 1 + self.jitter[row] * rng.standard_normal(row.size))
        out = c["outgoing"] == 1
        home = (pop.home, CURRENCIES.index(pop.config.home_currency))
        return Events(
            sender=np.where(out, c["acct"], c["cp"]),
            receiver=np.where(out, c["cp"], c["acct"]),
            ts=pop.calendar.times(np.concatenate(when), c["profile"], rng),
            amount=np.maximum(1, np.round(c["amount"] * factor)).astype(np.int64),
            currency=currency_of(pop.parties.country[c["cp"]], rng, *home),
            channel=c["channel"],
        )


@dataclass(frozen=True)
class _Draw:
    kind: IntArray
    origin: IntArray
    wealth: FloatArray
    pools: dict[str, IntArray]
    country: IntArray  # of every party
    home: int
    rng: np.random.Generator

    def pick(self, pool: str, n: int) -> IntArray:
        values = self.pools[pool]
        return values[self.rng.integers(0, values.size, n)]

    def some(self, k: int, share: float) -> IntArray:
        return np.nonzero((self.kind == k) & (self.rng.random(self.kind.size) < share))[0]


def build(
    kind: IntArray,
    origin: IntArray,
    wealth: FloatArray,
    pools: dict[str, IntArray],
    skip_salary: IntArray,
    country: IntArray,
    home: int,
    rng: np.random.Generator,
) -> Schedule:
    """Draw every customer's slots; ``skip_salary`` customers get their salary planted."""
    slots = _Slots()
    draw = _Draw(kind, origin, wealth, pools, country, home, rng)
    _salaries(slots, draw, skip_salary)
    _rent_and_bills(slots, draw)
    _remittances_and_gifts(slots, draw)
    _organisations(slots, draw)
    columns = {c: np.concatenate(slots.parts[c]) for c in _COLUMNS}
    order = np.argsort(columns["dom"], kind="stable")
    columns = {c: v[order] for c, v in columns.items()}
    jitter = np.concatenate(slots.jitter)[order]
    offsets = np.searchsorted(columns["dom"], np.arange(0, 33)).astype(np.int64)
    return Schedule(columns=columns, jitter=jitter, offsets=offsets)


def _salaries(slots: _Slots, draw: _Draw, skip: IntArray) -> None:
    paid = draw.some(PERSON, 0.68)
    paid = paid[~np.isin(paid, skip)]
    inside = (draw.rng.random(paid.size) < 0.2) & (draw.pools["int_company"].size > 0)
    employer = draw.pick("ext_company_home", paid.size)
    if draw.pools["int_company"].size:
        employer = np.where(inside, draw.pick("int_company", paid.size), employer)
    salary = 2900 * np.sqrt(draw.wealth[paid]) * draw.rng.lognormal(0, 0.3, paid.size)
    payday = draw.rng.choice(_PAYDAYS, size=paid.size, p=_PAYDAY_P)
    slots.add(paid, employer, salary, payday, outgoing=False)


def _rent_and_bills(slots: _Slots, draw: _Draw) -> None:
    rng = draw.rng
    tenant = draw.some(PERSON, 0.55)
    landlord = np.where(
        rng.random(tenant.size) < 0.65,
        draw.pick("ext_company_home", tenant.size),
        draw.pick("ext_person_home", tenant.size),
    )
    rent = 850 * np.sqrt(draw.wealth[tenant]) * rng.lognormal(0, 0.3, tenant.size)
    slots.add(tenant, landlord, rent, rng.integers(1, 4, tenant.size), round_to=10)
    everyone = np.nonzero(draw.kind == PERSON)[0]
    bills = np.repeat(everyone, np.minimum(4, rng.poisson(2.0, everyone.size)))
    slots.add(
        bills,
        draw.pick("ext_company_home", bills.size),
        rng.lognormal(np.log(40), 0.8, bills.size),
        rng.integers(1, 29, bills.size),
        jitter=np.where(rng.random(bills.size) < 0.4, 0.1, 0.0),
    )


def _remittances_and_gifts(slots: _Slots, draw: _Draw) -> None:
    rng = draw.rng
    movers = np.nonzero((draw.kind == PERSON) & (draw.origin != draw.home))[0]
    beneficiary = draw.pools["beneficiary"]
    order = np.argsort(draw.country[beneficiary], kind="stable")
    ranked = beneficiary[order]
    lo = np.searchsorted(draw.country[ranked], draw.origin[movers], side="left")
    hi = np.searchsorted(draw.country[ranked], draw.origin[movers], side="right")
    family = ranked[
        np.minimum(lo + (rng.random(movers.size) * (hi - lo)).astype(np.int64), ranked.size - 1)
    ]
    family = np.where(hi > lo, family, draw.pick("beneficiary", movers.size))
    amount = rng.lognormal(np.log(200), 0.5, movers.size)
    day = rng.integers(1, 29, movers.size)
    slots.add(
        movers,
        family,
        amount,
        day,
        channel="money_service",
        profile=EVENING,
        jitter=0.25,
        round_to=10,
    )
    if draw.pools["int_npo"].size:
        donors = draw.some(PERSON, 0.05)
        gift = rng.lognormal(np.log(20), 0.5, donors.size)
        slots.add(
            donors,
            draw.pick("int_npo", donors.size),
            gift,
            rng.integers(1, 29, donors.size),
            round_to=5,
        )


def _organisations(slots: _Slots, draw: _Draw) -> None:
    rng = draw.rng
    for k, rent, bills, bill_amount in ((COMPANY, 3500, (2, 5), 400), (NPO, 1200, (1, 4), 80)):
        org = np.nonzero(draw.kind == k)[0]
        amount = rent * draw.wealth[org] * rng.lognormal(0, 0.3, org.size)
        slots.add(
            org,
            draw.pick("ext_company_home", org.size),
            amount,
            rng.integers(1, 4, org.size),
            round_to=10,
        )
        many = np.repeat(org, rng.integers(*bills, org.size))
        amount = bill_amount * draw.wealth[many] * rng.lognormal(0, 0.8, many.size)
        slots.add(
            many,
            draw.pick("ext_company_home", many.size),
            amount,
            rng.integers(1, 29, many.size),
            jitter=0.15,
        )
    npo = np.nonzero(draw.kind == NPO)[0]
    staff = np.repeat(npo, rng.integers(1, 4, npo.size))
    pay = rng.lognormal(np.log(2600), 0.3, staff.size)
    slots.add(staff, draw.pick("ext_person_home", staff.size), pay, rng.choice([1, 28], staff.size))
