"""Priority scores: components by hand, editable weights, adjustments, refused weights."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest

from cthub.coordination.priority import DEFAULT_WEIGHTS, PriorityScore, priority_scores
from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.core.errors import InvalidInput

REGISTER = Register(
    projects=(ProjectRecord(1, "p", "UNODC", "JO", ("customs",), "implementation"),),
    needs=(
        NeedRecord(1, "JO", "customs", 3, identified_on=dt.date(2025, 1, 1)),
        NeedRecord(2, "JO", "immigration", 3, identified_on=dt.date(2021, 1, 1)),
        NeedRecord(
            3, "KE", "legislation", 4, identified_on=dt.date(2023, 7, 2), source="self_assessment"
        ),
        NeedRecord(4, "KE", "customs", 5, status="closed", identified_on=dt.date(2026, 1, 1)),
    ),
)


def by_recipient(**kwargs: Any) -> dict[str, PriorityScore]:
    return {s.recipient: s for s in priority_scores(REGISTER, **kwargs)}


def test_components_by_hand() -> None:
    scores = by_recipient()
    jo, ke = scores["JO"], scores["KE"]
    assert jo.components["need_pressure"] == 1.0
    assert ke.components["need_pressure"] == pytest.approx(4 / 6)
    # JO: customs need 3 fully covered, immigration need 3 not at all -> half unmet
    assert jo.components["unmet_gap"] == pytest.approx(0.5)
    assert ke.components["unmet_gap"] == 1.0
    # latest date in the register is 2026-01-01; JO's latest CTED assessment is a year older
    recency = 1 - 365 / (5 * 365.25)
    assert jo.components["assessment_recency"] == pytest.approx(recency)
    # KE's latest CTED assessment (a need since closed) is the reference date itself
    assert ke.components["assessment_recency"] == 1.0
    total = 0.35 * 1.0 + 0.35 * 0.5 + 0.2 * 0.0 + 0.1 * recency
    assert jo.total == pytest.approx(total, abs=1e-4)


def test_sorted_by_total_with_contributions() -> None:
    scores = priority_scores(REGISTER)
    assert [s.total for s in scores] == sorted((s.total for s in scores), reverse=True)
    for s in scores:
        assert sum(s.contributions().values()) + s.adjustment == pytest.approx(s.total, abs=1e-4)
        assert s.weights == DEFAULT_WEIGHTS


def test_weights_treaty_shortfall_and_adjustments() -> None:
    scores = by_recipient(
        weights={"need_pressure": 0.0, "treaty_shortfall": 1.0},
        treaty_shortfall={"KE": 0.5, "XX": 1.0},
        adjustments={"JO": -0.1, "ZZ": 0.3},
    )
    ke = scores["KE"]
    assert ke.components["treaty_shortfall"] == 0.5
    assert ke.total == pytest.approx(0.35 * 1.0 + 1.0 * 0.5 + 0.1 * 1.0)
    assert scores["JO"].adjustment == -0.1
    assert set(scores) == {"JO", "KE"}  # figures for recipients outside the register ignored


def test_as_of_fixes_the_recency_reference() -> None:
    scores = by_recipient(as_of=dt.date(2031, 1, 1))
    assert scores["JO"].components["assessment_recency"] == 0.0


@pytest.mark.parametrize(
    ("weights", "key"),
    [({"popularity": 1.0}, "popularity"), ({"unmet_gap": -0.1}, "unmet_gap"),
     ({"need_pressure": math.nan}, "need_pressure"), ({"need_pressure": "high"}, "need_pressure")],
)  # fmt: skip
def test_invalid_weights_are_refused_naming_the_key(weights: dict[str, float], key: str) -> None:
    with pytest.raises(InvalidInput, match=key) as caught:
        priority_scores(REGISTER, weights=weights)
    assert caught.value.params["key"] == key


def test_invalid_shortfall_or_adjustment_is_refused() -> None:
    with pytest.raises(InvalidInput, match="KE"):
        priority_scores(REGISTER, treaty_shortfall={"KE": 1.5})
    with pytest.raises(InvalidInput, match="JO"):
        priority_scores(REGISTER, adjustments={"JO": math.inf})


def test_empty_register_validates_weights_only() -> None:
    assert priority_scores(Register(), weights={"unmet_gap": 0.5}) == []
