"""What planting code works with: parties as strings, a row collector and a planting context.

Planted flows are few (a fraction of a percent of the accounts, tens of rows each), so they
are built row by row for clarity, unlike the background. ``Flows.add`` records which
customers a row is evidence against (``marks``); ``Flows.labels`` turns those marks into the
label table: one row per account and typology with the first and last planted timestamp.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import SupportsFloat

import numpy as np
import pyarrow as pa

from cthub.finance.synth import identity, names
from cthub.finance.synth.calendar import BUSINESS, DAY_US
from cthub.finance.synth.events import UNNUMBERED
from cthub.finance.synth.geo import CURRENCIES, INDEX, REGION_OF, REGIONS, codes, currency_of
from cthub.finance.synth.population import Population

LABELS = pa.schema(
    [
        pa.field("account", pa.string(), nullable=False),
        pa.field("typology", pa.string(), nullable=False),
        pa.field("first_tx", pa.timestamp("us"), nullable=False),
        pa.field("last_tx", pa.timestamp("us"), nullable=False),
    ]
)


@dataclass(frozen=True)
class Party:
    """One side of a planted flow, as the stored columns spell it."""

    id: str
    name: str
    country: str
    type: str
    identifier: str = ""


def cash(country: str) -> Party:
    """The cash side of a deposit or withdrawal made in ``country``."""
    return Party("", "", country, "")


@dataclass
class Flows:
    """Planted rows (columns of ``events.UNNUMBERED``) and the labels they support."""

    start_us: int
    end_us: int
    columns: dict[str, list[object]] = field(
        default_factory=lambda: {name: [] for name in UNNUMBERED.names}
    )
    marks: dict[tuple[str, str], list[int]] = field(default_factory=dict)

    def add(
        self,
        ts: int,
        sender: Party,
        receiver: Party,
        amount_minor: int,
        currency: str,
        channel: str,
        label: str,
        marks: Sequence[Party] = (),
    ) -> int:
        """Append one row (``ts`` clamped into the period); returns the timestamp used."""
        ts = min(max(ts, self.start_us), self.end_us - 1)
        values: dict[str, object] = {
            "ts": ts,
            "sender": sender.id,
            "receiver": receiver.id,
            "amount_minor": max(1, int(amount_minor)),
            "currency": currency,
            "sender_name": sender.name,
            "receiver_name": receiver.name,
            "sender_country": sender.country,
            "receiver_country": receiver.country,
            "channel": channel,
            "sender_type": sender.type,
            "receiver_type": receiver.type,
            "sender_identifier": sender.identifier,
        }
        for name, value in values.items():
            self.columns[name].append(value)
        for party in marks:
            span = self.marks.setdefault((party.id, label), [ts, ts])
            span[0], span[1] = min(span[0], ts), max(span[1], ts)
        return ts

    def table(self) -> pa.Table:
        """The rows, sorted by timestamp."""
        data = {
            name: pa.array(values, UNNUMBERED.field(name).type)
            for name, values in self.columns.items()
        }
        table = pa.table([data[n] for n in UNNUMBERED.names], schema=UNNUMBERED)
        return table.sort_by("ts")

    def labels(self, wanted: Sequence[str]) -> pa.Table:
        """Label rows for the labels in ``wanted``, ordered by account and label."""
        rows = sorted((a, lab, s[0], s[1]) for (a, lab), s in self.marks.items() if lab in wanted)
        arrays = [pa.array([r[k] for r in rows], f.type) for k, f in enumerate(LABELS)]
        return pa.table(arrays, schema=LABELS)


@dataclass
class Planter:
    """A planting context: the population, a generator and the rows planted so far."""

    pop: Population
    rng: np.random.Generator
    flows: Flows

    @property
    def days(self) -> int:
        return self.pop.calendar.days

    @property
    def home(self) -> str:
        return self.pop.config.home_country

    def customer(self, i: int) -> Party:
        """Customer ``i`` (an index below ``pop.accounts``)."""
        return self.party(i)

    def party(self, i: int) -> Party:
        """Party ``i`` of the population's table (a customer or a pooled counterparty)."""
        p = self.pop.parties
        return Party(
            str(p.ids[i].as_py()),
            str(p.names[i].as_py()),
            str(p.country_text[i].as_py()),
            str(p.kind_text[i].as_py()),
            str(p.identifiers[i].as_py()),
        )

    def person(self, country: str, upper: bool = False) -> Party:
        """A fresh person with a bank account in ``country``."""
        name = names.person_name(REGIONS[REGION_OF[INDEX[country]]], self.rng)
        account = identity.one(identity.bank_accounts(codes([country]), self.rng))
        return Party(account, name.upper() if upper else name, country, "person")

    def organisation(self, country: str, kind: str = "company") -> Party:
        """A fresh company (or NPO) with a bank account in ``country``."""
        region = np.array([REGION_OF[INDEX[country]]])
        label = names.companies(region, self.rng) if kind == "company" else names.npos(1, self.rng)
        account = identity.one(identity.bank_accounts(codes([country]), self.rng))
        return Party(account, str(label[0].as_py()), country, kind)

    def beneficiary(self, country: str, prefix: str = "MSB", digits: int = 10) -> Party:
        """A fresh money-service (``MSB``) or hawala (``HWL``, 8 digits) beneficiary."""
        name = names.person_name(REGIONS[REGION_OF[INDEX[country]]], self.rng)
        account = identity.one(identity.prefixed(prefix, codes([country]), digits, self.rng))
        return Party(account, name, country, "person")

    def ts(self, day: SupportsFloat, profile: int = BUSINESS) -> int:
        """A timestamp on whole day ``int(day)`` at an hour drawn from ``profile``."""
        d = int(min(max(float(day), 0.0), self.days - 1))
        return int(self.pop.calendar.times(np.array([d]), profile, self.rng)[0])

    def day_of(self, ts: int) -> float:
        return (ts - self.pop.calendar.start_us) / DAY_US

    def currency(self, country: str) -> str:
        home = (INDEX[self.home], CURRENCIES.index(self.pop.config.home_currency))
        return CURRENCIES[int(currency_of(codes([country]), self.rng, *home)[0])]

    def major(self, median: float, sigma: float, low: float = 1.0, high: float = 1e9) -> float:
        """A log-normal amount in major units, clipped into ``[low, high]``."""
        return float(min(high, max(low, median * self.rng.lognormal(0.0, sigma))))

    def pick(self, values: Sequence[str]) -> str:
        return values[int(self.rng.integers(0, len(values)))]
