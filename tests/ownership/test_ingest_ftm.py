"""FollowTheMoney ``Ownership`` / ``Directorship`` lines: merged fragments, every percentage
form, identifiers, and bad lines reported while the rest is read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cthub.ownership.ingest import parse_file, registry
from cthub.ownership.ingest.records import Batch

SAMPLE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "ownership"
    / "ftm"
    / "ownership-sample.jsonl"
)


@pytest.fixture(scope="module")
def batch() -> Batch:
    return parse_file(SAMPLE)


def test_entities_are_merged_and_typed(batch: Batch) -> None:
    assert batch.format == "ftm"
    beta = batch.entities["ftm:co-beta"]
    assert (beta.kind, beta.name, beta.jurisdiction) == ("company", "Beta Maritime SA", "PA")
    assert beta.identifiers == [("registration", "PA-998877")]  # from the second fragment
    alpha = batch.entities["ftm:co-alpha"]
    assert sorted(alpha.identifiers) == [("gb-coh", "01234567"), ("lei", "5493001KJTIIGC8Y1R12")]
    vessel = batch.entities["ftm:ve-star"]
    assert (vessel.kind, vessel.subtype, vessel.identifiers) == (
        "unknown",
        "Vessel",
        [("imo", "IMO 9876543")],
    )
    assert batch.entities["ftm:pe-carla"].details == {"birth_date": "1975-03-04"}
    assert "ftm:san-1" not in batch.entities  # a Sanction is not a party


def test_percentages_and_interests(batch: Batch) -> None:
    edges = {e.edge_id.split("#")[0][4:]: e for e in batch.edges}
    got = {
        k: (e.interest, e.share_min, e.share_max, e.min_inclusive, e.max_inclusive)
        for k, e in edges.items()
    }
    assert got == {
        "own-1": ("ownership", 0.6, 0.6, True, True),
        "own-2": ("ownership", 0.25, 0.5, True, True),
        "own-3": ("ownership", 0.75, 1.0, False, True),
        "own-4": ("ownership", 0.0, 0.1, True, False),
        "own-5": ("voting", None, None, True, True),
        "dir-1": ("control", None, None, True, True),
    }
    assert str(edges["own-1"].start_date) == "2019-06-01"  # partial date rounded down
    assert edges["own-4"].owner == "ftm:co-gamma"  # described nowhere: the store adds a placeholder


def test_bad_lines_are_reported(batch: Batch) -> None:
    got = {(p.record, p.code, p.severity) for p in batch.problems}
    assert got == {
        ("line 15", "invalid_json", "error"),
        ("own-5", "bad_share", "warning"),
        ("own-6", "share_over_100", "error"),
        ("own-7", "schema", "error"),
    }
    assert batch.read == 14


def test_schema_conflict_and_not_ftm(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    lines = [
        {"id": "a", "schema": "Person", "properties": {"name": ["A"]}},
        {"id": "a", "schema": "Company", "properties": {"name": ["B"]}},
        {"id": None, "schema": "Person", "properties": {}},
        {"id": "b", "schema": "Person", "properties": "nope"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines))
    batch = parse_file(path, fmt="ftm")
    codes = {(p.record, p.code) for p in batch.problems}
    assert ("a", "schema_conflict") in codes
    assert ("line 3", "schema") in codes
    assert ("line 4", "schema") in codes
    assert batch.entities["ftm:a"].kind == "person"


@pytest.mark.parametrize("name", registry.names())
def test_every_format_ships_a_valid_example(name: str) -> None:
    fmt = registry.get(name)
    for path in fmt.examples():
        parsed = parse_file(path)
        assert parsed.format == name
        assert parsed.problems == []
        assert len(parsed.edges) >= 1
