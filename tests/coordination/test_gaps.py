"""Gap analysis on a hand-computed register."""

from __future__ import annotations

import pytest

from cthub.coordination.gaps import (
    DELIVERED_WEIGHT,
    PROJECT_CAPACITY,
    GapCell,
    compute_gaps,
    heatmap,
)
from cthub.coordination.generator import generate_register
from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.coordination.taxonomy import AREA_KEYS


def need(nid: int, recipient: str, area: str, priority: int, status: str = "open") -> NeedRecord:
    return NeedRecord(nid, recipient, area, priority, status=status)


def project(pid: int, recipient: str, areas: tuple[str, ...], status: str) -> ProjectRecord:
    return ProjectRecord(pid, f"project {pid}", "UNODC", recipient, areas, status)


@pytest.fixture
def register() -> Register:
    return Register(
        projects=(
            project(1, "JO", ("customs",), "implementation"),
            project(2, "JO", ("customs", "immigration"), "pipeline"),
            project(3, "JO", ("customs",), "completed"),
            project(4, "JO", ("customs",), "cancelled"),
            project(5, "KE", ("legislation",), "completed"),
        ),
        needs=(
            need(1, "JO", "customs", 5),
            need(2, "JO", "customs", 4),
            need(3, "JO", "customs", 3, status="closed"),
            need(4, "JO", "immigration", 2),
            need(5, "KE", "financial_law", 4),
        ),
    )


def cell(cells: list[GapCell], recipient: str, area: str) -> GapCell:
    return next(c for c in cells if (c.recipient, c.area) == (recipient, area))


def test_formula_by_hand(register: Register) -> None:
    cells = compute_gaps(register)
    customs = cell(cells, "JO", "customs")
    assert customs.need_weight == 9  # 5 + 4; the closed need is left out
    assert customs.open_needs == 2
    assert customs.committed == pytest.approx(1.5)  # project 1 + half of project 2
    assert customs.delivered == pytest.approx(1.0)  # project 3; the cancelled one is left out
    assert customs.assistance == pytest.approx(1.5 + DELIVERED_WEIGHT)
    assert customs.gap == pytest.approx(1 - PROJECT_CAPACITY * 2.0 / 9)
    immigration = cell(cells, "JO", "immigration")
    assert immigration.gap == pytest.approx(0.25)  # need 2, half a project: 1 - 3 x 0.5 / 2
    assert cell(cells, "KE", "financial_law").gap == 1.0  # need and no assistance at all
    assert cell(cells, "KE", "legislation").gap == 0.0  # assistance and no open need


def test_every_recipient_and_area_largest_gap_first(register: Register) -> None:
    cells = compute_gaps(register)
    assert len(cells) == 2 * len(AREA_KEYS)
    assert cells[0].recipient == "KE"
    assert cells[0].area == "financial_law"
    assert [c.gap for c in cells] == sorted((c.gap for c in cells), reverse=True)
    assert all(0.0 <= c.gap <= 1.0 for c in cells)


def test_explain_gives_the_figures(register: Register) -> None:
    customs = cell(compute_gaps(register), "JO", "customs")
    assert customs.figures()["need_weight"] == 9
    assert customs.figures()["assistance"] == 2.0
    text = customs.explain()
    assert "need 9 from 2 open needs" in text
    assert "1.5 committed + 0.5 x 1.0 delivered = 2.0 project shares" in text
    assert "coverage 3.0 x 2.0 / 9 = 0.667; gap 0.333" in text
    assert customs.explain(lambda m: "«" + m).startswith("«need 9")
    assert "no open need" in cell(compute_gaps(register), "KE", "legislation").explain()


def test_heatmap_rows_by_need_and_areas_in_order(register: Register) -> None:
    recipients, areas, matrix = heatmap(compute_gaps(register))
    assert recipients == ["JO", "KE"]  # need 11 against 4
    assert areas == list(AREA_KEYS)
    assert matrix[1][areas.index("financial_law")] == 1.0
    assert matrix[0][areas.index("customs")] == pytest.approx(0.333)
    assert heatmap([]) == ([], [], [])


def test_generated_register_has_a_spread_of_gaps() -> None:
    cells = [c for c in compute_gaps(generate_register(12)) if c.need_weight]
    assert any(c.gap == 1.0 for c in cells)
    assert any(c.gap == 0.0 for c in cells)
    assert any(0.0 < c.gap < 1.0 for c in cells)
