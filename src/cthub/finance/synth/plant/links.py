"""Typologies defined by whom the account deals with.

* ``high_risk_jurisdiction`` (FATF 2002/2015; FinCEN): 4-12 flows, seven in ten outgoing,
  with one to three counterparties in one or two of ``high_risk_countries``, by transfer or
  (two in five) money service.
* ``npo_inconsistent`` (FATF 2015 on NPO abuse): an NPO that, besides its ordinary gifts,
  sends 3-8 large round sums (5,000-50,000) to individuals abroad and 2-5 round sums through
  money service or hawala.
* ``shared_identifier`` (FinCEN mule rings): 6-11 customers sharing one phone, e-mail or
  device (``population`` gives them the same ``sender_identifier``) each send 2-5 transfers
  within 10-40 days to one receiving customer or one or two persons abroad.
* ``sanctioned_counterparty``: 2-5 flows with a person whose name is a listed name as a
  payment would spell it (``listed.vary``), the first one outgoing.
"""

from __future__ import annotations

from cthub.finance.synth.calendar import EVENING
from cthub.finance.synth.geo import DESTINATIONS
from cthub.finance.synth.plant import listed
from cthub.finance.synth.plant.base import Party, Planter
from cthub.finance.synth.types import IntArray

_ROUND_SUMS = (5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 50_000)


def high_risk_jurisdiction(pl: Planter, accounts: IntArray) -> None:
    risky = pl.pop.config.high_risk_countries
    for i in accounts:
        me = pl.customer(int(i))
        places = [pl.pick(risky) for _ in range(int(pl.rng.integers(1, 3)))]
        partners = [_partner(pl, pl.pick(places)) for _ in range(int(pl.rng.integers(1, 4)))]
        for day in sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(4, 13)))):
            other = partners[int(pl.rng.integers(0, len(partners)))]
            by_msb = pl.rng.random() < 0.4
            if by_msb:
                other = pl.beneficiary(other.country)
            amount = round(pl.major(2500, 0.9, 200, 50_000) * 100)
            sender, receiver = (me, other) if pl.rng.random() < 0.7 else (other, me)
            pl.flows.add(
                pl.ts(day),
                sender,
                receiver,
                amount,
                pl.currency(other.country),
                "money_service" if by_msb else "transfer",
                "high_risk_jurisdiction",
                [me],
            )


def _partner(pl: Planter, country: str) -> Party:
    if pl.rng.random() < 0.6:
        return pl.person(country, upper=bool(pl.rng.random() < 0.5))
    return pl.organisation(country)


def npo_inconsistent(pl: Planter, accounts: IntArray) -> None:
    places = (*pl.pop.config.high_risk_countries, *DESTINATIONS[:4])
    for i in accounts:
        me = pl.customer(int(i))
        people = [pl.person(pl.pick(places)) for _ in range(int(pl.rng.integers(1, 4)))]
        for day in sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(3, 9)))):
            to = people[int(pl.rng.integers(0, len(people)))]
            amount = _ROUND_SUMS[int(pl.rng.integers(0, len(_ROUND_SUMS)))] * 100
            pl.flows.add(
                pl.ts(day),
                me,
                to,
                amount,
                pl.currency(to.country),
                "transfer",
                "npo_inconsistent",
                [me],
            )
        for day in sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(2, 6)))):
            hawala = pl.rng.random() < 0.5
            country = pl.pick(places)
            to = pl.beneficiary(country, "HWL", 8) if hawala else pl.beneficiary(country)
            amount = int(pl.rng.integers(2, 10)) * 100_000
            pl.flows.add(
                pl.ts(day),
                me,
                to,
                amount,
                pl.currency(country),
                "hawala" if hawala else "money_service",
                "npo_inconsistent",
                [me],
            )


def shared_identifier(pl: Planter, accounts: IntArray) -> None:
    del accounts  # the rings say who is involved
    for ring in pl.pop.roles.rings:
        hub = pl.customer(int(ring[-1]))
        abroad = [pl.person(pl.pick(DESTINATIONS)) for _ in range(int(pl.rng.integers(0, 3)))]
        span = int(pl.rng.integers(10, 41))
        first = int(pl.rng.integers(0, max(1, pl.days - span)))
        for s in ring[:-1]:
            me = pl.customer(int(s))
            for k in range(int(pl.rng.integers(2, 6))):
                to = hub
                if k > 0 and abroad and pl.rng.random() >= 0.6:
                    to = abroad[int(pl.rng.integers(0, len(abroad)))]
                amount = pl.major(400, 0.5, 50, 3000)
                minor = round(amount / 50) * 5000 if pl.rng.random() < 0.5 else round(amount * 100)
                marks = [me, hub] if to is hub else [me]
                when = pl.ts(first + pl.rng.random() * span, EVENING)
                pl.flows.add(
                    when,
                    me,
                    to,
                    max(minor, 100),
                    pl.currency(to.country),
                    "transfer",
                    "shared_identifier",
                    marks,
                )


def sanctioned_counterparty(pl: Planter, accounts: IntArray) -> None:
    names = listed.choose(pl.pop.config, pl.rng)
    risky = pl.pop.config.high_risk_countries
    for i in accounts:
        me = pl.customer(int(i))
        name, country = names[int(pl.rng.integers(0, len(names)))]
        country = country if country and country != pl.home else pl.pick(risky)
        other = pl.person(country)
        other = Party(other.id, listed.vary(name, pl.rng), country, "person")
        for k, day in enumerate(sorted(pl.rng.integers(0, pl.days, int(pl.rng.integers(2, 6))))):
            by_msb = pl.rng.random() < 0.3
            side = pl.beneficiary(country) if by_msb else other
            side = Party(side.id, other.name, country, "person")
            sender, receiver = (me, side) if k == 0 or pl.rng.random() < 0.8 else (side, me)
            amount = round(pl.major(1500, 0.8, 100, 20_000) * 100)
            pl.flows.add(
                pl.ts(day),
                sender,
                receiver,
                amount,
                pl.currency(country),
                "money_service" if by_msb else "transfer",
                "sanctioned_counterparty",
                [me],
            )
