"""Planting: every typology and decoy, each drawn from its own random stream.

``plant`` runs the planter of each name over the accounts ``roles`` gave it and returns the
planted rows (sorted by time), the label table (typologies) and the decoy table, both with
columns ``account, typology, first_tx, last_tx`` (first and last planted timestamp).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa

from cthub.finance.synth.calendar import DAY_US
from cthub.finance.synth.config import DECOYS, TYPOLOGIES
from cthub.finance.synth.plant import decoys, funds, links
from cthub.finance.synth.plant.base import LABELS, Flows, Planter
from cthub.finance.synth.population import Population
from cthub.finance.synth.types import IntArray

PLANTERS: dict[str, Callable[[Planter, IntArray], None]] = {
    "structuring": funds.structuring,
    "crowdfunding": funds.crowdfunding,
    "pass_through": funds.pass_through,
    "high_risk_jurisdiction": links.high_risk_jurisdiction,
    "cash_abroad_burst": funds.cash_abroad_burst,
    "npo_inconsistent": links.npo_inconsistent,
    "dormant_reactivation": funds.dormant_reactivation,
    "shared_identifier": links.shared_identifier,
    "sanctioned_counterparty": links.sanctioned_counterparty,
    "card_merchant": decoys.card_merchant,
    "salary_below_threshold": decoys.salary_below_threshold,
    "legitimate_charity": decoys.legitimate_charity,
    "fundraiser": decoys.fundraiser,
    "savings_sweep": decoys.savings_sweep,
    "traveller": decoys.traveller,
    "household": decoys.household,
    "namesake": decoys.namesake,
}


def plant(
    pop: Population, rng_for: Callable[[int], np.random.Generator]
) -> tuple[pa.Table, pa.Table, pa.Table]:
    """``(rows, labels, decoys)``; ``rng_for(i)`` is the stream of the i-th planter."""
    start = pop.calendar.start_us
    flows = Flows(start_us=start, end_us=start + pop.calendar.days * DAY_US)
    for index, (name, planter) in enumerate(PLANTERS.items()):
        accounts = pop.roles.by_name[name]
        if accounts.size:
            planter(Planter(pop, rng_for(index), flows), accounts)
    return flows.table(), flows.labels(TYPOLOGIES), flows.labels(DECOYS)


__all__ = ["LABELS", "PLANTERS", "plant"]
