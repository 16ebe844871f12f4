"""Which customers are planted: one typology or decoy per account, drawn without overlap.

Eligibility follows the guidance each typology comes from: an NPO typology needs an NPO, a
card-acceptor decoy a company, cash bursts abroad and dormant accounts are persons; the
rest take persons and, for a fifth of them, companies. A shared-identifier ring is 6-11
sender accounts plus one receiving customer; a household is two or three persons.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cthub.finance.synth.config import DECOYS, TYPOLOGIES, SynthConfig
from cthub.finance.synth.parties import COMPANY, NPO, PERSON
from cthub.finance.synth.types import BoolArray, IntArray

_ELIGIBLE: dict[str, tuple[int, ...]] = {
    "npo_inconsistent": (NPO,),
    "legitimate_charity": (NPO,),
    "card_merchant": (COMPANY,),
    "structuring": (PERSON, COMPANY),
    "pass_through": (PERSON, COMPANY),
    "high_risk_jurisdiction": (PERSON, COMPANY),
    "sanctioned_counterparty": (PERSON, COMPANY),
}
_GROUPED = ("shared_identifier", "household")


@dataclass(frozen=True)
class Roles:
    """Planted accounts by typology or decoy name (customer indices), plus the groups."""

    by_name: dict[str, IntArray]
    rings: list[IntArray]  # shared-identifier rings: senders, then the receiving customer
    households: list[IntArray]

    def planted(self, accounts: int) -> BoolArray:
        """Mask of customers that carry any typology or decoy."""
        mask = np.zeros(accounts, dtype=bool)
        for idx in self.by_name.values():
            mask[idx] = True
        return mask


def needed(config: SynthConfig, accounts: int, kind: int) -> int:
    """How many customers of ``kind`` the roles take (so the population has enough)."""
    return sum(
        config.count(name, accounts)
        for name in (*TYPOLOGIES, *DECOYS)
        if _ELIGIBLE.get(name, (PERSON,))[0] == kind
    )


def assign(rng: np.random.Generator, kind: IntArray, config: SynthConfig) -> Roles:
    """Draw the planted accounts; each customer gets at most one role."""
    taken = np.zeros(kind.size, dtype=bool)
    by_name: dict[str, IntArray] = {}
    for name in (*TYPOLOGIES, *DECOYS):
        if name in _GROUPED:
            continue
        by_name[name] = _draw(rng, kind, taken, config.count(name, kind.size), name)
    rings = _groups(rng, kind, taken, config.count("shared_identifier", kind.size), (6, 12), 1)
    households = _groups(rng, kind, taken, config.count("household", kind.size), (2, 4), 0)
    by_name["shared_identifier"] = _flat(rings)
    by_name["household"] = _flat(households)
    return Roles(by_name=by_name, rings=rings, households=households)


def _draw(
    rng: np.random.Generator, kind: IntArray, taken: BoolArray, n: int, name: str
) -> IntArray:
    eligible = _ELIGIBLE.get(name, (PERSON,))
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    primary = np.nonzero((kind == eligible[0]) & ~taken)[0]
    secondary = np.nonzero(np.isin(kind, eligible[1:]) & ~taken)[0]
    n_second = min(secondary.size, round(n * 0.2)) if secondary.size else 0
    pick = np.concatenate(
        [
            rng.choice(primary, size=min(n - n_second, primary.size), replace=False),
            rng.choice(secondary, size=n_second, replace=False),
        ]
    ).astype(np.int64)
    taken[pick] = True
    return np.sort(pick)


def _groups(
    rng: np.random.Generator,
    kind: IntArray,
    taken: BoolArray,
    members: int,
    size: tuple[int, int],
    extra: int,
) -> list[IntArray]:
    """Groups of ``size`` (half-open range) persons plus ``extra``, about ``members`` in all."""
    if members == 0:
        return []
    groups: list[IntArray] = []
    for _ in range(max(1, round(members / ((size[0] + size[1] - 1) / 2 + extra)))):
        k = int(rng.integers(*size)) + extra
        free = np.nonzero((kind == PERSON) & ~taken)[0]
        if free.size < k:
            break
        pick = rng.choice(free, size=k, replace=False).astype(np.int64)
        taken[pick] = True
        groups.append(pick)
    return groups


def _flat(groups: list[IntArray]) -> IntArray:
    return np.sort(np.concatenate(groups)) if groups else np.zeros(0, dtype=np.int64)
