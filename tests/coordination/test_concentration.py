"""Donor concentration (HHI) on a hand-computed example."""

from __future__ import annotations

import pytest

from cthub.coordination.concentration import concentration, herfindahl
from cthub.coordination.records import ProjectRecord
from cthub.core.errors import InvalidInput


def project(
    pid: int, donor: str, recipient: str = "JO", areas: tuple[str, ...] = ("customs",),
    budget: int | None = 100_00, currency: str | None = "EUR", status: str = "completed",
) -> ProjectRecord:  # fmt: skip
    return ProjectRecord(pid, f"p{pid}", donor, recipient, areas, status,
                         budget_minor=budget, currency=currency)  # fmt: skip


PROJECTS = [
    project(1, "A", budget=600_00),
    project(2, "A", budget=200_00),
    project(3, "B", budget=100_00),
    project(4, "C", budget=100_00),
    project(5, "D", status="cancelled"),
    project(6, "A", recipient="KE", currency="USD"),
    project(7, "B", recipient="KE", currency="EUR"),
    project(8, "A", recipient="LB", areas=("customs", "legislation")),
]


def test_hhi_by_recipient_by_hand() -> None:
    result = concentration(PROJECTS, "recipient")
    jo = result["JO"]
    # shares by count 2/4, 1/4, 1/4: 50^2 + 25^2 + 25^2 = 3,750 (the cancelled D left out)
    assert jo.hhi == 3750.0
    assert jo.donors == 3
    assert jo.projects == 4.0
    # shares by budget 800/1000, 100/1000, 100/1000: 80^2 + 10^2 + 10^2 = 6,600
    assert jo.hhi_budget == 6600.0
    assert jo.currency == "EUR"
    assert (jo.top_donor, jo.top_share) == ("A", 0.5)
    assert result["KE"].hhi == 5000.0
    assert result["KE"].hhi_budget is None  # USD and EUR cannot be added
    assert result["LB"].hhi == 10_000.0


def test_multi_area_projects_split_across_areas() -> None:
    result = concentration(PROJECTS, "area")
    # customs: A 2 + 1 + 0.5, B 2, C 1 of 6.5; legislation: A 0.5 only
    customs = result["customs"]
    assert customs.projects == 6.5
    expected = sum((100 * x / 6.5) ** 2 for x in (3.5, 2, 1))
    assert customs.hhi == pytest.approx(expected, abs=0.01)
    assert customs.hhi_budget is None
    assert result["legislation"].hhi == 10_000.0
    assert result["legislation"].hhi_budget == 10_000.0


def test_herfindahl_is_the_count_index() -> None:
    assert herfindahl(PROJECTS, by="recipient") == {"JO": 3750.0, "KE": 5000.0, "LB": 10_000.0}
    assert herfindahl([], by="area") == {}


def test_unknown_grouping_is_refused() -> None:
    with pytest.raises(InvalidInput, match="donor"):
        herfindahl(PROJECTS, by="donor")
