"""BODS 0.4 records: updates and closures, trusts, nominees, joint holdings, components,
0.4 share bounds, cycles, and bad records reported per statement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cthub.ownership.ingest import parse_file
from cthub.ownership.ingest.records import Batch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ownership" / "bods-0.4"
PUB = {"publicationDate": "2024-01-01", "bodsVersion": "0.4", "publisher": {"name": "t"}}


def _st(n: int, rtype: str, rid: str, details: Any, **extra: Any) -> dict[str, Any]:
    return {
        "statementId": f"{n:032d}",
        "declarationSubject": "ent-1",
        "statementDate": "2024-01-01",
        "recordId": rid,
        "recordType": rtype,
        "recordStatus": "new",
        "publicationDetails": PUB,
        "recordDetails": details,
        **extra,
    }


def _company(n: int = 1, rid: str = "ent-1") -> dict[str, Any]:
    return _st(
        n,
        "entity",
        rid,
        {
            "isComponent": False,
            "entityType": {"type": "registeredEntity"},
            "name": f"Company {rid}",
        },
    )


def _person(n: int = 2, rid: str = "per-1") -> dict[str, Any]:
    return _st(
        n,
        "person",
        rid,
        {"isComponent": False, "personType": "knownPerson", "names": [{"fullName": "Person One"}]},
    )


def _rel(
    n: int, interests: Any, subject: Any = "ent-1", party: Any = "per-1", **extra: Any
) -> dict[str, Any]:
    return _st(
        n,
        "relationship",
        f"rel-{n}",
        {
            "isComponent": False,
            "subject": subject,
            "interestedParty": party,
            "interests": interests,
        },
        **extra,
    )


def _parse(tmp_path: Path, statements: list[Any]) -> Batch:
    path = tmp_path / "t.json"
    path.write_text(json.dumps(statements))
    return parse_file(path)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_fixture_parses(path: Path) -> None:
    batch = parse_file(path)
    assert batch.format == "bods-0.4"
    assert batch.entities
    assert [p for p in batch.problems if p.severity == "error"] == []


def test_updates_and_closures_keep_the_latest_statement_per_record() -> None:
    batch = parse_file(FIXTURES / "fermcat.json")
    assert len(batch.statements) == 23
    assert sum(1 for st in batch.statements if st.superseded_by) == 16  # 23 - 7 records
    current = [e for e in batch.edges if e.status == "current"]
    assert [(e.interest, e.share_min) for e in current] == [("ownership", 1.0), ("control", None)]
    closed = [e for e in batch.edges if e.status == "closed"]
    assert {str(e.end_date) for e in closed} == {"2021-04-03", "2022-01-21"}
    persons = {x.name: x.closed for x in batch.entities.values() if x.kind == "person"}
    assert persons == {
        "Riyadh Byrne-Amin": True,
        "Patrick O'Donohue": False,
        "Declan Byrne-Amin": True,
    }


def test_trust_nominee_and_joint_holdings() -> None:
    trust = parse_file(FIXTURES / "levent.json")
    kinds = {x.subtype: x.kind for x in trust.entities.values()}
    assert kinds["trust"] == "arrangement"
    assert {e.interest_type for e in trust.edges} == {
        "trustee",
        "settlor",
        "beneficiaryOfLegalArrangement",
    }
    assert all(e.interest == "control" and e.joint_group is None for e in trust.edges)
    nominee = parse_file(FIXTURES / "nomination.json")
    assert {"nominee", "nominator"} <= {e.interest_type for e in nominee.edges}
    assert nominee.problems == []
    joint = parse_file(FIXTURES / "joint-ownership.json")
    grouped = [e for e in joint.edges if e.joint_group]
    assert len(grouped) == 2
    assert len({e.joint_group for e in grouped}) == 1
    assert sum(e.share_min or 0 for e in grouped) == pytest.approx(1.0)


def test_component_chain_and_summary_edge() -> None:
    batch = parse_file(FIXTURES / "multiple-indirect-ownership.json")
    summary = [e for e in batch.edges if e.summary]
    assert [(e.direct, e.share_min) for e in summary] == [("indirect", 0.6)]
    assert sum(1 for e in batch.edges if not e.summary) == 4


def test_psc_band_as_inclusive_bounds_and_indirect_left_out_of_sums() -> None:
    uk = parse_file(FIXTURES / "uk-psc-bods-0.4.json")
    shares = {
        (e.interest, e.share_min, e.share_max, e.min_inclusive, e.max_inclusive)
        for e in uk.edges
        if e.share_min is not None
    }
    assert shares == {("ownership", 0.75, 1.0, True, True), ("voting", 0.75, 1.0, True, True)}
    france = parse_file(FIXTURES / "france-rne-bods-0.4.json")  # 51 + 30 direct, 10 indirect
    assert "share_sum_over_100" not in {p.code for p in france.problems}


def test_04_share_bounds(tmp_path: Path) -> None:
    interests = [
        {"type": "shareholding", "share": {"exclusiveMinimum": 25, "maximum": 50}},
        {"type": "votingRights", "share": {"minimum": 50, "exclusiveMaximum": 75}},
        {
            "type": "shareholding",
            "share": {"minimum": 30, "exclusiveMinimum": 25, "maximum": 60, "exclusiveMaximum": 60},
        },
        {"type": "shareholding", "share": {"exclusiveMinimum": 50, "exclusiveMaximum": 50}},
        {"type": "shareholding", "share": {"exact": 101}},
    ]
    batch = _parse(tmp_path, [_company(), _person(), _rel(3, interests)])
    got = [(e.share_min, e.share_max, e.min_inclusive, e.max_inclusive) for e in batch.edges]
    assert got == [(0.25, 0.5, False, True), (0.5, 0.75, True, False), (0.3, 0.6, True, False)]
    errors = {p.code for p in batch.problems if p.severity == "error"}
    assert errors == {"interval_inverted", "share_over_100"}


def test_share_sum_over_100_is_a_warning(tmp_path: Path) -> None:
    statements = [
        _company(),
        _person(),
        _person(3, "per-2"),
        _rel(4, [{"type": "shareholding", "share": {"exact": 70}}]),
        _rel(5, [{"type": "shareholding", "share": {"exact": 60}}], party="per-2"),
    ]
    batch = _parse(tmp_path, statements)
    [warning] = [p for p in batch.problems if p.code == "share_sum_over_100"]
    assert warning.severity == "warning"
    assert "130%" in warning.message
    assert len(batch.edges) == 2


def test_circular_ownership_fixture_warns_on_both_statements() -> None:
    batch = parse_file(FIXTURES / "10-circular-ownership.json")
    assert sorted(p.code for p in batch.problems) == ["cycle", "cycle"]
    assert len(batch.edges) == 2


def test_unspecified_parties() -> None:
    assert parse_file(FIXTURES / "11-anonymous-person.json").unspecified == 1
    assert parse_file(FIXTURES / "listed-company-exempt-from-disclosure.json").unspecified == 1


def test_bad_records(tmp_path: Path) -> None:
    statements = [
        _company(),
        _person(),
        {**_company(10, "ent-x"), "recordType": "animal"},
        {**_company(11, "ent-y"), "recordDetails": None},
        {**_company(12, "ent-z"), "recordId": None},
        _rel(13, [], party=42),
        _rel(14, [{"type": "shareholding"}], party="per-1", recordStatus="maybe"),
        {**_person(15, "ent-1"), "statementDate": "2025-01-01"},  # an entity record, now a person
        {**_company(1)},  # the same statement again
        {**_company(1), "recordDetails": {"name": "other"}},  # same id, other content
        {**_company(16, "ent-s"), "statementId": "short"},
    ]
    batch = _parse(tmp_path, statements)
    errors = {(p.record, p.code) for p in batch.problems if p.severity == "error"}
    assert (f"{10:032d}", "schema") in errors
    assert (f"{11:032d}", "schema") in errors
    assert (f"{12:032d}", "schema") in errors
    assert (f"{13:032d}", "schema") in errors
    assert (f"{1:032d}", "duplicate_id") in errors
    warnings = {(p.record, p.code) for p in batch.problems if p.severity == "warning"}
    assert (f"{14:032d}", "unknown_code") in warnings
    assert (f"{15:032d}", "record_type_changed") in warnings
    assert (f"{1:032d}", "duplicate_id") in warnings
    assert ("short", "schema") in warnings
    assert "bods:ent-s" in batch.entities


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    lines = [json.dumps(s) for s in (_company(), _person(), _rel(3, [{"type": "shareholding"}]))]
    path.write_text("\n".join([lines[0], '{"statementId": "broken', lines[1], "", lines[2]]))
    batch = parse_file(path)
    assert [(p.record, p.code) for p in batch.problems] == [("line 2", "invalid_json")]
    assert len(batch.edges) == 1
    assert batch.read == 3
