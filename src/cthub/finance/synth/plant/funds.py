"""Typologies defined by how funds move through the account.

* ``structuring`` (FinCEN; FATF 2002 "deposits below reporting thresholds"): one to three
  episodes of ``structuring_min_count`` to +4 amounts in ``[0.9 T, T)`` within
  ``structuring_window_days``: cash deposits (two episodes in three) or transfers to one
  foreign account.
* ``crowdfunding`` (FATF 2015, social-media fundraising): 25-80 small gifts from as many
  distinct senders over 5-21 days, then within 1-4 days one or two outflows of 85-98% of
  the total, four times in five abroad, by transfer or money service.
* ``pass_through`` (FATF 2002 "funds received and sent on shortly after"): 3-8 times, a
  large credit leaves again 0.5-12 hours later at 90-99% of the amount, abroad.
* ``cash_abroad_burst`` (FATF 2015, foreign terrorist fighters): a credit, then 1-4 days
  later 4-12 cash withdrawals in one of ``cash_abroad_countries`` over 1-4 days.
* ``dormant_reactivation`` (FATF 2002 "dormant account suddenly active"): silent from
  about a tenth of the period until the reactivation day (``population``), then large
  credits and, within two weeks, transfers abroad and cash.
"""

from __future__ import annotations

from cthub.finance.synth.calendar import BUSINESS, EVENING, HOUR_US, RETAIL
from cthub.finance.synth.geo import DESTINATIONS, FOREIGN_WEIGHTS
from cthub.finance.synth.plant.base import Party, Planter, cash
from cthub.finance.synth.types import IntArray

_FOREIGN = tuple(FOREIGN_WEIGHTS)


def _minor(major: float, round_to: int = 0) -> int:
    if round_to:
        return int(max(1, round(major / round_to)) * round_to * 100)
    return round(major * 100)


def _abroad(pl: Planter, high_risk_share: float) -> str:
    if pl.rng.random() < high_risk_share:
        return pl.pick(pl.pop.config.high_risk_countries)
    return pl.pick(DESTINATIONS)


def _foreign_party(pl: Planter, country: str) -> Party:
    upper = bool(pl.rng.random() < 0.4)
    return pl.person(country, upper) if pl.rng.random() < 0.6 else pl.organisation(country)


def structuring(pl: Planter, accounts: IntArray) -> None:
    config = pl.pop.config
    t, window = config.threshold_minor, config.structuring_window_days
    currency = config.home_currency
    for i in accounts:
        me = pl.customer(int(i))
        for _ in range(int(pl.rng.integers(1, 4)) if pl.days >= 60 else 1):
            first = int(pl.rng.integers(0, max(1, pl.days - window)))
            count = int(
                pl.rng.integers(config.structuring_min_count, config.structuring_min_count + 5)
            )
            deposits = pl.rng.random() < 2 / 3
            target = _foreign_party(pl, pl.pick(_FOREIGN))
            for day in sorted(pl.rng.integers(first, first + window, count)):
                amount = int(pl.rng.uniform(0.9, 0.995) * t)
                if pl.rng.random() < 0.5:  # round down to a hundredth of T, still >= 0.9 T
                    amount = max(amount - amount % (t // 100), -(-9 * t // 10))
                if deposits:
                    pl.flows.add(
                        pl.ts(day), cash(pl.home), me, amount, currency, "cash", "structuring", [me]
                    )
                else:
                    pl.flows.add(
                        pl.ts(day), me, target, amount, currency, "transfer", "structuring", [me]
                    )


def crowdfunding(pl: Planter, accounts: IntArray) -> None:
    donors = pl.pop.pools["int_person"]
    for i in accounts:
        me = pl.customer(int(i))
        length = int(pl.rng.integers(5, max(6, min(22, pl.days // 3))))
        first = int(pl.rng.integers(0, max(1, pl.days - length - 6)))
        total = 0
        for _ in range(int(pl.rng.integers(25, 81))):
            u = pl.rng.random()
            if u < 0.2:
                donor = pl.party(int(donors[pl.rng.integers(0, donors.size)]))
            else:
                donor = pl.person(pl.home if u < 0.7 else pl.pick(_FOREIGN))
            amount = _minor(pl.major(35, 0.7, 5, 500), 5 if pl.rng.random() < 0.6 else 0)
            total += amount
            when = pl.ts(first + pl.rng.random() * length, EVENING)
            pl.flows.add(
                when,
                donor,
                me,
                amount,
                pl.currency(donor.country),
                "transfer",
                "crowdfunding",
                [me],
            )
        _scatter(pl, me, total, first + length + int(pl.rng.integers(1, 5)))


def _scatter(pl: Planter, me: Party, total: int, day: int) -> None:
    """One or two outflows, three hours apart, to one receiver: 85-98% of ``total``."""
    country = _abroad(pl, 0.3) if pl.rng.random() < 0.8 else pl.home
    by_msb = pl.rng.random() < 0.3
    to = pl.beneficiary(country) if by_msb else _foreign_party(pl, country)
    parts = int(pl.rng.integers(1, 3))
    share = pl.rng.uniform(0.85, 0.98)
    start, currency = pl.ts(day), pl.currency(country)
    for k in range(parts):
        pl.flows.add(
            start + k * 3 * HOUR_US,
            me,
            to,
            int(total * share / parts),
            currency,
            "money_service" if by_msb else "transfer",
            "crowdfunding",
            [me],
        )


def pass_through(pl: Planter, accounts: IntArray) -> None:
    for i in accounts:
        me = pl.customer(int(i))
        funnel = _foreign_party(pl, _abroad(pl, 0.2))
        for day in sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(3, 9)))):
            amount = _minor(pl.major(9000, 0.7, 2000, 80000))
            source = pl.organisation(pl.home) if pl.rng.random() < 0.5 else pl.person(pl.home)
            t_in = pl.flows.add(
                pl.ts(day),
                source,
                me,
                amount,
                pl.pop.config.home_currency,
                "transfer",
                "pass_through",
                [me],
            )
            to = funnel if pl.rng.random() < 0.5 else _foreign_party(pl, _abroad(pl, 0.2))
            delay = int(pl.rng.uniform(0.5, 12) * HOUR_US)
            pl.flows.add(
                t_in + delay,
                me,
                to,
                int(amount * pl.rng.uniform(0.9, 0.99)),
                pl.currency(to.country),
                "transfer",
                "pass_through",
                [me],
            )


def cash_abroad_burst(pl: Planter, accounts: IntArray) -> None:
    for i in accounts:
        me = pl.customer(int(i))
        day = int(pl.rng.integers(0, max(1, pl.days - 12)))
        funding = _minor(pl.major(6000, 0.5, 2000, 30000))
        parts = int(pl.rng.integers(1, 4))
        for k in range(parts):
            source = pl.person(pl.home) if pl.rng.random() < 0.7 else pl.organisation(pl.home)
            pl.flows.add(
                pl.ts(day + k * 0.3),
                source,
                me,
                funding // parts,
                pl.pop.config.home_currency,
                "transfer",
                "cash_abroad_burst",
                [me],
            )
        country = pl.pick(pl.pop.config.cash_abroad_countries)
        start = day + pl.rng.uniform(1, 4)
        spread = pl.rng.uniform(1, 4)
        left = int(funding * pl.rng.uniform(0.7, 1.0))
        for _ in range(int(pl.rng.integers(4, 13))):
            amount = min(left, _minor(pl.rng.uniform(200, 1000), 10))
            if amount < 2000:
                break
            left -= amount
            when = pl.ts(start + pl.rng.random() * spread, RETAIL)
            pl.flows.add(
                when,
                me,
                cash(country),
                amount,
                pl.currency(country),
                "cash",
                "cash_abroad_burst",
                [me],
            )


def dormant_reactivation(pl: Planter, accounts: IntArray) -> None:
    for i in accounts:
        me = pl.customer(int(i))
        quiet, wake = int(pl.pop.dorm_from[i]), int(pl.pop.dorm_to[i])
        currency = pl.pop.config.home_currency
        for _ in range(int(pl.rng.integers(2, 5))):  # ordinary life before the silence
            amount = _minor(pl.rng.uniform(20, 200), 10)
            pl.flows.add(
                pl.ts(pl.rng.integers(0, quiet), RETAIL),
                me,
                cash(pl.home),
                amount,
                currency,
                "cash",
                "",
            )
        total = 0
        for k in range(int(pl.rng.integers(1, 4))):
            country = pl.pick(_FOREIGN) if pl.rng.random() < 0.6 else pl.home
            amount = _minor(pl.major(30000, 0.6, 10000, 150000))
            total += amount
            pl.flows.add(
                pl.ts(wake + k),
                pl.organisation(country),
                me,
                amount,
                pl.currency(country),
                "transfer",
                "dormant_reactivation",
                [me],
            )
        _spend(pl, me, int(total * pl.rng.uniform(0.8, 1.0)), wake)


def _spend(pl: Planter, me: Party, total: int, wake: int) -> None:
    """Within two weeks of ``wake``: transfers abroad and (three in ten) cash at home."""
    outs = int(pl.rng.integers(2, 7))
    for _ in range(outs):
        day = wake + 1 + pl.rng.uniform(0, 13)
        if pl.rng.random() < 0.3:
            pl.flows.add(
                pl.ts(day, RETAIL),
                me,
                cash(pl.home),
                _minor(total / outs / 100, 100),
                pl.pop.config.home_currency,
                "cash",
                "dormant_reactivation",
                [me],
            )
            continue
        to = _foreign_party(pl, _abroad(pl, 0.3))
        pl.flows.add(
            pl.ts(day, BUSINESS),
            me,
            to,
            total // outs,
            pl.currency(to.country),
            "transfer",
            "dormant_reactivation",
            [me],
        )
