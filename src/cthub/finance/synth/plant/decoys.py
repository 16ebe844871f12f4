"""Benign accounts that look like a typology to a naive rule (listed in ``Synthetic.decoys``).

* ``card_merchant``: a shop taking ~15 card payments a day from many payers for 3-6 weeks,
  sweeping 85-95% of the week's takings to a supplier (gather-scatter, but cards, domestic).
* ``salary_below_threshold``: a monthly salary of 9,100-9,990 (below T, but once a month).
* ``legitimate_charity``: an NPO paying two or three partner NPOs abroad, sometimes in
  high-risk countries, non-round sums by bank transfer.
* ``fundraiser``: 20-60 small gifts from domestic senders, then one domestic payment.
* ``savings_sweep``: the salary leaves within hours for the holder's own account elsewhere.
* ``traveller``: cash withdrawals and card payments abroad on holiday, without a credit first.
* ``household``: two or three customers sharing a phone or e-mail, paying each other.
* ``namesake``: payments to a person sharing only the family name of a listed person.
"""

from __future__ import annotations

import numpy as np

from cthub.finance.synth import identity, names
from cthub.finance.synth.calendar import BATCH, EVENING, HOUR_US, RETAIL
from cthub.finance.synth.geo import DESTINATIONS, codes
from cthub.finance.synth.plant import listed
from cthub.finance.synth.plant.base import Party, Planter, cash
from cthub.finance.synth.types import IntArray

_HOLIDAYS = ("ES", "IT", "TR", "GR", "TH", "HR")
_PARTNERS = ("JO", "LB", "TR", "KE")


def _paydays(pl: Planter, dom: int) -> IntArray:
    return np.nonzero(pl.pop.calendar.dom == dom)[0].astype(np.int64)


def card_merchant(pl: Planter, accounts: IntArray) -> None:
    payers = np.concatenate([pl.pop.pools["int_person"], pl.pop.pools["ext_person_home"]])
    currency = pl.pop.config.home_currency
    for i in accounts:
        me = pl.customer(int(i))
        supplier = pl.organisation(pl.home)
        length = min(pl.days, int(pl.rng.integers(21, 46)))
        first = int(pl.rng.integers(0, max(1, pl.days - length)))
        week = 0
        for day in range(first, first + length):
            for _ in range(int(pl.rng.poisson(15))):
                payer = pl.party(int(payers[pl.rng.integers(0, payers.size)]))
                amount = round(pl.major(12, 0.7, 1, 150) * 100)
                week += amount
                pl.flows.add(
                    pl.ts(day, RETAIL), payer, me, amount, currency, "card", "card_merchant", [me]
                )
            if (day - first) % 7 == 6:
                pl.flows.add(
                    pl.ts(day + 1),
                    me,
                    supplier,
                    int(week * pl.rng.uniform(0.85, 0.95)),
                    currency,
                    "transfer",
                    "card_merchant",
                    [me],
                )
                week = 0


def salary_below_threshold(pl: Planter, accounts: IntArray) -> None:
    currency = pl.pop.config.home_currency
    for i in accounts:
        me = pl.customer(int(i))
        employer = pl.organisation(pl.home)
        amount = int(pl.rng.uniform(0.91, 0.999) * pl.pop.config.threshold_minor)
        for day in _paydays(pl, int(pl.rng.integers(25, 29))):
            pl.flows.add(
                pl.ts(day, BATCH),
                employer,
                me,
                amount,
                currency,
                "transfer",
                "salary_below_threshold",
                [me],
            )


def savings_sweep(pl: Planter, accounts: IntArray) -> None:
    currency = pl.pop.config.home_currency
    for i in accounts:
        me = pl.customer(int(i))
        employer = pl.organisation(pl.home)
        own = Party(
            identity.one(identity.bank_accounts(codes([pl.home]), pl.rng)),
            me.name,
            pl.home,
            "person",
        )
        salary = round(pl.major(3500, 0.3, 1500, 9000) * 100)
        for day in _paydays(pl, int(pl.rng.integers(25, 29))):
            t = pl.flows.add(
                pl.ts(day, BATCH), employer, me, salary, currency, "transfer", "savings_sweep", [me]
            )
            kept = int(salary * pl.rng.uniform(0.8, 1.0)) // 1000 * 1000
            pl.flows.add(
                t + int(pl.rng.uniform(1, 6) * HOUR_US),
                me,
                own,
                kept,
                currency,
                "transfer",
                "savings_sweep",
                [me],
            )


def legitimate_charity(pl: Planter, accounts: IntArray) -> None:
    risky = pl.pop.config.high_risk_countries
    for i in accounts:
        me = pl.customer(int(i))
        places = [*_PARTNERS, *(risky[:2] if pl.rng.random() < 0.5 else ())]
        partners = [
            pl.organisation(pl.pick(places), "npo") for _ in range(int(pl.rng.integers(2, 4)))
        ]
        for day in sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(4, 11)))):
            to = partners[int(pl.rng.integers(0, len(partners)))]
            amount = round(pl.major(12_000, 0.6, 2000, 80_000)) * 100 + int(pl.rng.integers(1, 100))
            pl.flows.add(
                pl.ts(day),
                me,
                to,
                amount,
                pl.currency(to.country),
                "transfer",
                "legitimate_charity",
                [me],
            )


def fundraiser(pl: Planter, accounts: IntArray) -> None:
    donors = pl.pop.pools["int_person"]
    currency = pl.pop.config.home_currency
    for i in accounts:
        me = pl.customer(int(i))
        length = int(pl.rng.integers(5, 16))
        first = int(pl.rng.integers(0, max(1, pl.days - length - 6)))
        total = 0
        for _ in range(int(pl.rng.integers(20, 61))):
            pick = pl.rng.random() < 0.4
            donor = (
                pl.party(int(donors[pl.rng.integers(0, donors.size)]))
                if pick
                else pl.person(pl.home)
            )
            amount = round(pl.major(30, 0.7, 5, 300) / 5) * 500
            total += amount
            pl.flows.add(
                pl.ts(first + pl.rng.random() * length, EVENING),
                donor,
                me,
                amount,
                currency,
                "transfer",
                "fundraiser",
                [me],
            )
        pl.flows.add(
            pl.ts(first + length + pl.rng.integers(1, 6)),
            me,
            pl.organisation(pl.home),
            int(total * pl.rng.uniform(0.9, 1.0)),
            currency,
            "transfer",
            "fundraiser",
            [me],
        )


def traveller(pl: Planter, accounts: IntArray) -> None:
    for i in accounts:
        me = pl.customer(int(i))
        for _ in range(int(pl.rng.integers(1, 3))):
            country = pl.pick(_HOLIDAYS)
            length = int(pl.rng.integers(5, 15))
            first = int(pl.rng.integers(0, max(1, pl.days - length)))
            for _ in range(int(pl.rng.integers(3, 9))):
                amount = int(pl.rng.integers(5, 31)) * 1000
                pl.flows.add(
                    pl.ts(first + pl.rng.random() * length, RETAIL),
                    me,
                    cash(country),
                    amount,
                    pl.currency(country),
                    "cash",
                    "traveller",
                    [me],
                )
            for _ in range(int(pl.rng.integers(5, 21))):
                shop = Party(
                    identity.one(identity.prefixed("MID", codes([country]), 10, pl.rng)),
                    str(names.merchants(1, pl.rng)[0].as_py()),
                    country,
                    "company",
                )
                amount = round(pl.major(40, 0.8, 2, 400) * 100)
                pl.flows.add(
                    pl.ts(first + pl.rng.random() * length, RETAIL),
                    me,
                    shop,
                    amount,
                    pl.currency(country),
                    "card",
                    "traveller",
                    [me],
                )


def household(pl: Planter, accounts: IntArray) -> None:
    del accounts  # the households say who is involved
    currency = pl.pop.config.home_currency
    for group in pl.pop.roles.households:
        members = [pl.customer(int(i)) for i in group]
        landlord = pl.organisation(pl.home)
        for k, me in enumerate(members):
            for _ in range(int(pl.rng.integers(2, 5))):
                to = members[(k + 1) % len(members)] if pl.rng.random() < 0.5 else landlord
                amount = round(pl.major(150, 0.8, 10, 2000) * 100)
                marks = [me, to] if to is not landlord else [me]
                pl.flows.add(
                    pl.ts(pl.rng.integers(0, pl.days), EVENING),
                    me,
                    to,
                    amount,
                    currency,
                    "transfer",
                    "household",
                    marks,
                )


def namesake(pl: Planter, accounts: IntArray) -> None:
    pairs = listed.choose(pl.pop.config, pl.rng)
    for i in accounts:
        me = pl.customer(int(i))
        name, _ = pairs[int(pl.rng.integers(0, len(pairs)))]
        words = listed.fold(name).upper().split()
        given = [g for g in names.given_names("ar") if g.upper() not in words]
        country = pl.pick(DESTINATIONS)
        other = pl.person(country)
        other = Party(other.id, f"{pl.pick(given)} {words[-1].title()}", country, "person")
        for day in sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(2, 5)))):
            amount = round(pl.major(300, 0.7, 20, 3000) * 100)
            pl.flows.add(
                pl.ts(day), me, other, amount, pl.currency(country), "transfer", "namesake", [me]
            )
