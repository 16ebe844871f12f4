"""Overlap detection: quality on a generated register, blocking, dates, explanations, Chinese.

The quality test uses seed 77, which was not used to choose the weights (those were tuned on
seeds 1 and 2); it asserts a floor, not the exact figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from cthub.coordination import overlap_reasons
from cthub.coordination.generator import generate_register
from cthub.coordination.overlaps import WEIGHTS, Overlap, detect_overlaps, reasons_text
from cthub.coordination.records import ProjectRecord
from cthub.core.i18n.extract import _python_strings

D = dt.date


def project(pid: int, **changes: object) -> ProjectRecord:
    base = ProjectRecord(
        id=pid,
        title="Training of border guards on document fraud detection in Jordan",
        description="Courses on forged passports and visas at Queen Alia airport.",
        donor="Global Affairs Canada",
        recipient="JO",
        areas=("immigration",),
        status="implementation",
        forms=("training",),
        start=D(2026, 1, 1),
        end=D(2026, 6, 30),
        budget_minor=50_000_000,
        currency="EUR",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def generated() -> tuple[frozenset[tuple[int, int]], list[Overlap]]:
    register = generate_register(77, projects=2000, needs=50)
    return register.planted_overlaps, detect_overlaps(register.projects)


def test_precision_and_recall_on_planted_overlaps(
    generated: tuple[frozenset[tuple[int, int]], list[Overlap]],
) -> None:
    planted, found = generated
    flagged = {(o.project_a, o.project_b) for o in found}
    hits = len(flagged & planted)
    assert hits / len(flagged) >= 0.8
    assert hits / len(planted) >= 0.8


def test_pairs_are_inside_blocks_and_dates_overlap() -> None:
    register = generate_register(78, projects=600, needs=10)
    by_id = {p.id: p for p in register.projects}
    found = detect_overlaps(register.projects, min_score=0.0)
    assert found
    for o in found:
        a, b = by_id[o.project_a], by_id[o.project_b]
        assert o.project_a < o.project_b
        assert a.recipient == b.recipient
        assert set(a.areas) & set(b.areas)
        assert "cancelled" not in (a.status, b.status)
        assert (a.start or D.min) <= (b.end or D.max)
        assert (b.start or D.min) <= (a.end or D.max)
        assert 0.0 <= o.score <= 1.0
        assert o.score == round(o.score, 3)
    assert len({(o.project_a, o.project_b) for o in found}) == len(found)


def test_no_pair_across_recipients_or_areas_or_time() -> None:
    projects = [
        project(1),
        project(2, recipient="LB", donor="UNODC"),
        project(3, areas=("customs",), donor="UNODC"),
        project(4, start=D(2028, 1, 1), end=D(2028, 12, 31), donor="UNODC"),
        project(5, status="cancelled", donor="UNODC"),
    ]
    assert detect_overlaps(projects, min_score=0.0) == []


def test_multi_area_pair_is_reported_once() -> None:
    areas = ("immigration", "customs", "law_enforcement")
    found = detect_overlaps([project(1, areas=areas), project(2, areas=areas, donor="UNODC")])
    assert [(o.project_a, o.project_b) for o in found] == [(1, 2)]


def test_deterministic_and_the_same_with_two_processes() -> None:
    register = generate_register(79, projects=400, needs=10)
    once = detect_overlaps(register.projects)
    assert once == detect_overlaps(reversed(register.projects))
    assert once == detect_overlaps(register.projects, processes=2)


def test_reasons_are_specific_and_add_up_to_the_score() -> None:
    a = project(1)
    b = project(
        2,
        donor="German Federal Foreign Office",
        title="Course on detecting forged and falsified travel documents for Jordan border police",
        start=D(2026, 2, 1),
        end=D(2026, 9, 30),
        budget_minor=40_000_000,
    )
    (overlap,) = detect_overlaps([b, a], min_score=0.3)
    codes = [r.code for r in overlap.reasons]
    assert codes == ["same_recipient_area", "dates", "text", "forms", "budget"]
    text = reasons_text(overlap)
    assert text.startswith("same recipient JO and area immigration; ")
    assert "dates overlap 2026-02-01..2026-06-30 (83% of the shorter project)" in text
    assert "title/description similarity 0." in text
    assert "shared terms: " in text
    assert "; both training; budgets 500,000.00 and 400,000.00 EUR" in text
    assert overlap.score == pytest.approx(sum(r.weight for r in overlap.reasons), abs=1e-3)
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)


def test_reasons_render_through_gettext() -> None:
    (overlap,) = detect_overlaps([project(1), project(2, donor="UNODC")])
    catalogue = {"both {forms}": "两者均为{forms}"}
    rendered = [r.render(lambda m: catalogue.get(m, m)) for r in overlap.reasons]
    assert "两者均为training" in rendered
    assert reasons_text(overlap, lambda m: "» " + m).startswith("» same recipient JO and area")


def test_a_translation_with_wrong_placeholders_falls_back_to_english() -> None:
    (overlap,) = detect_overlaps([project(1), project(2, donor="UNODC")])
    forms = next(r for r in overlap.reasons if r.code == "forms")
    assert forms.render(lambda m: "两者均为{形式}") == "both training"


def test_every_reason_message_is_an_extracted_msgid() -> None:
    messages = set(_python_strings(Path(overlap_reasons.__file__)))
    register = generate_register(80, projects=300, needs=10)
    found = detect_overlaps(register.projects, min_score=0.0)
    assert {r.message for o in found for r in o.reasons} <= messages


def test_open_ended_dates_count_less() -> None:
    known = detect_overlaps([project(1), project(2, donor="UNODC")])[0]
    open_ended = detect_overlaps([project(1), project(2, donor="UNODC", end=None)])[0]
    weight = {r.code: r.weight for r in open_ended.reasons}
    assert weight["dates"] == pytest.approx(WEIGHTS["dates"] / 2)
    assert open_ended.score < known.score
    assert "open-ended" in reasons_text(open_ended)


def test_chinese_paraphrases_are_similar_and_other_topics_are_not() -> None:
    zh = {"recipient": "KE", "areas": ("customs",), "forms": ("equipment",), "currency": "CNY"}
    scanner = project(1, title="向肯尼亚提供X光货物扫描非侵入式查验设备",
                      description="为蒙巴萨港海关官员提供集装箱扫描设备及维护。", **zh)  # fmt: skip
    paraphrase = project(2, donor="UNODC", title="肯尼亚海关集装箱扫描设备援助",
                         description="向蒙巴萨港提供X光货物扫描设备,用于非侵入式查验。",
                         **zh)  # fmt: skip
    other = project(3, donor="GIZ", title="肯尼亚经认证的经营者制度培训",
                    description="面向进出口企业的供应链安全标准框架研讨会。", **zh)  # fmt: skip
    found = {(o.project_a, o.project_b): o for o in detect_overlaps(
        [scanner, paraphrase, other], min_score=0.0)}  # fmt: skip
    text = {k: next(r.weight for r in o.reasons if r.code == "text") for k, o in found.items()}
    assert text[(1, 2)] > 3 * max(text.get((1, 3), 0.0), text.get((2, 3), 0.0))
    assert found[(1, 2)].score >= 0.5
    assert "扫描" in reasons_text(found[(1, 2)])
