"""A transparent, editable priority score per recipient.

``total = sum(weights[k] * components[k]) + adjustment``, where every component is in [0, 1]:

* ``need_pressure``: the recipient's open need (sum of priorities of open needs) over the
  largest open need of any recipient in the register;
* ``unmet_gap``: the need-weighted mean gap of its cells (``gaps.compute_gaps``), i.e. the
  share of its need that no assistance answers;
* ``treaty_shortfall``: given by the caller (for instance the share of the universal
  counter-terrorism instruments it has not ratified; ``treaties``), 0 when not given;
* ``assessment_recency``: how recent its latest CTED assessment is, ``1 - age / 5 years``
  (0 when older or none), age counted to ``as_of`` (default: the latest date any need was
  identified in the register, so the score does not change with the clock).

Weights default to ``DEFAULT_WEIGHTS``; a caller's weights replace those it names. A weight
must be a finite number >= 0 and name a component, else ``InvalidInput`` names the key.
Manual ``adjustments`` (finite numbers, e.g. +0.1) are added as they are; entries for
recipients outside the register are ignored, as are treaty figures for them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from cthub.coordination.gaps import compute_gaps
from cthub.coordination.records import Register
from cthub.core.errors import InvalidInput

DEFAULT_WEIGHTS: dict[str, float] = {
    "need_pressure": 0.35,
    "unmet_gap": 0.35,
    "treaty_shortfall": 0.2,
    "assessment_recency": 0.1,
}
RECENCY_YEARS = 5.0


@dataclass(frozen=True)
class PriorityScore:
    """One recipient's score: each component, its weight, the adjustment and the total."""

    recipient: str
    components: dict[str, float]
    weights: dict[str, float]
    adjustment: float
    total: float

    def contributions(self) -> dict[str, float]:
        """``weight * component`` per component: what each adds to the total."""
        return {k: self.weights[k] * v for k, v in self.components.items()}


def priority_scores(
    register: Register,
    *,
    weights: Mapping[str, float] | None = None,
    treaty_shortfall: Mapping[str, float] | None = None,
    adjustments: Mapping[str, float] | None = None,
    as_of: dt.date | None = None,
) -> list[PriorityScore]:
    """Every recipient of the register (with a need or a project), highest total first."""
    merged = _weights(weights)
    shortfall = _unit_values(treaty_shortfall or {})
    adjust = _finite_values(adjustments or {})
    components = _components(register, shortfall, as_of)
    scores = []
    for recipient, values in components.items():
        extra = adjust.get(recipient, 0.0)
        total = sum(merged[k] * v for k, v in values.items()) + extra
        scores.append(PriorityScore(recipient, values, dict(merged), extra, round(total, 4)))
    return sorted(scores, key=lambda s: (-s.total, s.recipient))


def _weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (weights or {}).items():
        if key not in DEFAULT_WEIGHTS:
            raise InvalidInput(
                "Unknown priority weight {key}; the components are {known}.",
                field="weights", key=key, known=", ".join(DEFAULT_WEIGHTS),
            )  # fmt: skip
        if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise InvalidInput(
                "Priority weight {key} must be a number of 0 or more, not {value}.",
                field="weights", key=key, value=value,
            )  # fmt: skip
        merged[key] = float(value)
    return merged


def _unit_values(values: Mapping[str, float]) -> dict[str, float]:
    for key, value in values.items():
        if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
            raise InvalidInput(
                "Treaty shortfall of {key} must lie between 0 and 1, not {value}.",
                field="treaty_shortfall", key=key, value=value,
            )  # fmt: skip
    return {k: float(v) for k, v in values.items()}


def _finite_values(values: Mapping[str, float]) -> dict[str, float]:
    for key, value in values.items():
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidInput(
                "The priority adjustment of {key} must be a number, not {value}.",
                field="adjustments", key=key, value=value,
            )  # fmt: skip
    return {k: float(v) for k, v in values.items()}


def _components(
    register: Register, shortfall: Mapping[str, float], as_of: dt.date | None
) -> dict[str, dict[str, float]]:
    need: dict[str, int] = defaultdict(int)
    unmet: dict[str, float] = defaultdict(float)
    for cell in compute_gaps(register):
        need[cell.recipient] += cell.need_weight
        unmet[cell.recipient] += cell.need_weight * cell.gap
    largest = max(need.values(), default=0)
    recency = _recency(register, as_of)
    return {
        r: {
            "need_pressure": need[r] / largest if largest else 0.0,
            "unmet_gap": unmet[r] / need[r] if need[r] else 0.0,
            "treaty_shortfall": shortfall.get(r, 0.0),
            "assessment_recency": recency.get(r, 0.0),
        }
        for r in sorted(need)
    }


def _recency(register: Register, as_of: dt.date | None) -> dict[str, float]:
    """Per recipient, ``1 - age / RECENCY_YEARS`` of its latest CTED assessment (>= 0)."""
    latest: dict[str, dt.date] = {}
    for n in register.needs:
        if n.source == "cted_assessment" and n.identified_on is not None:
            latest[n.recipient] = max(latest.get(n.recipient, n.identified_on), n.identified_on)
    dates = [n.identified_on for n in register.needs if n.identified_on is not None]
    reference = as_of or max(dates, default=None)
    if reference is None:
        return {}
    return {
        r: max(0.0, 1.0 - max((reference - d).days, 0) / (RECENCY_YEARS * 365.25))
        for r, d in latest.items()
    }


__all__ = ["DEFAULT_WEIGHTS", "RECENCY_YEARS", "PriorityScore", "priority_scores"]
