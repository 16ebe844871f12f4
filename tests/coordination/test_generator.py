"""The register generator: deterministic, realistic, planted overlaps and hard negatives."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from cthub.coordination.generator import DONORS, generate_register
from cthub.coordination.records import ProjectRecord
from cthub.coordination.taxonomy import AREA_KEYS, FORMS, NEED_SOURCES, NEED_STATES, STATUSES
from cthub.core.errors import InvalidInput

HAN = re.compile(r"[\u4e00-\u9fff]")


def overlap_in_time(a: ProjectRecord, b: ProjectRecord) -> bool:
    starts = [d for d in (a.start, b.start) if d]
    ends = [d for d in (a.end, b.end) if d]
    return not starts or not ends or max(starts) <= min(ends)


def test_same_arguments_same_register_and_seeds_differ() -> None:
    assert generate_register(5, projects=200) == generate_register(5, projects=200)
    demo, evaluation = generate_register(0), generate_register(20261)
    assert demo.projects != evaluation.projects
    assert demo.planted_overlaps != evaluation.planted_overlaps


def test_sizes_and_vocabularies() -> None:
    register = generate_register(6, recipients=30, donors=8, projects=500, needs=120)
    assert len(register.projects) == 500
    assert len(register.needs) == 120
    assert sorted(p.id for p in register.projects) == list(range(1, 501))
    assert all(p.iati_identifier == f"XM-CTHUB-{p.id:06d}" for p in register.projects)
    assert {p.recipient for p in register.projects} <= {n.recipient for n in register.needs} | {
        p.recipient for p in register.projects
    }
    assert len({p.recipient for p in register.projects}) <= 30
    assert {p.donor for p in register.projects} <= set(DONORS[:8])
    for p in register.projects:
        assert set(p.areas) <= set(AREA_KEYS)
        assert set(p.forms) <= set(FORMS)
        assert p.status in STATUSES
        assert isinstance(p.budget_minor, int)
        assert p.budget_minor > 0
        assert p.title
        assert p.description
    for n in register.needs:
        assert n.area in AREA_KEYS
        assert 1 <= n.priority <= 5
        assert n.status in NEED_STATES
        assert n.source in NEED_SOURCES


def test_texts_are_realistic_and_some_are_chinese() -> None:
    register = generate_register(7, projects=600)
    titles = [p.title for p in register.projects]
    assert any("Jordan" in t or "Kenya" in t or "Nigeria" in t for t in titles)
    assert sum(bool(HAN.search(t)) for t in titles) >= 20
    assert sum(bool(HAN.search(t)) for t in titles) < len(titles) / 2
    assert len(set(titles)) > 0.9 * len(titles)
    assert "Global Affairs Canada" in DONORS
    assert "German Federal Foreign Office" in DONORS
    assert any(d.startswith("UNODC") for d in DONORS)


def test_planted_overlaps_are_paraphrased_duplicates() -> None:
    register = generate_register(8, projects=1000)
    by_id = {p.id: p for p in register.projects}
    assert len(register.planted_overlaps) >= 0.08 * 1000
    donors_differ = 0
    for a_id, b_id in register.planted_overlaps:
        a, b = by_id[a_id], by_id[b_id]
        assert a_id < b_id
        assert a.recipient == b.recipient
        assert set(a.areas) & set(b.areas)
        assert "cancelled" not in (a.status, b.status)
        assert (a.title, a.description) != (b.title, b.description)
        donors_differ += a.donor != b.donor
    assert donors_differ >= 0.95 * len(register.planted_overlaps)


def test_hard_negatives_are_planted() -> None:
    register = generate_register(9, projects=1000)
    same_block: Counter[str] = Counter()
    projects = [p for p in register.projects if p.start and p.end and p.status != "cancelled"]
    for i, a in enumerate(projects):
        for b in projects[i + 1 :]:
            pair = (min(a.id, b.id), max(a.id, b.id))
            if a.recipient != b.recipient or not set(a.areas) & set(b.areas):
                continue
            if pair in register.planted_overlaps:
                continue
            same_block["at the same time" if overlap_in_time(a, b) else "apart"] += 1
    assert same_block["at the same time"] >= 50
    assert same_block["apart"] >= 50


def test_some_projects_answer_needs() -> None:
    register = generate_register(10, projects=600, needs=100)
    needs = {n.id: n for n in register.needs}
    linked = [p for p in register.projects if p.need_ids]
    assert len(linked) >= 60
    for p in linked:
        need = needs[p.need_ids[0]]
        assert (need.recipient, need.area) == (p.recipient, p.areas[0])


@pytest.mark.parametrize(
    "arguments",
    [{"recipients": 0}, {"recipients": 10_000}, {"donors": 1}, {"donors": 99},
     {"projects": -1}, {"overlap_rate": 0.9}],
)  # fmt: skip
def test_impossible_sizes_are_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(InvalidInput):
        generate_register(1, **arguments)  # type: ignore[arg-type]


def test_scales_to_tens_of_thousands_in_seconds() -> None:
    started = time.perf_counter()
    register = generate_register(11, recipients=150, donors=18, projects=20_000, needs=500)
    assert len(register.projects) == 20_000
    assert time.perf_counter() - started < 10
