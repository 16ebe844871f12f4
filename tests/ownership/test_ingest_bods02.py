"""BODS 0.2/0.3 statements: the official examples, real GLEIF and Danish data that fail the
schema (their valid statements are still read), and bad input reported per statement."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cthub.core.errors import InvalidInput
from cthub.ownership.ingest import parse_file
from cthub.ownership.ingest.records import Batch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ownership"
ENTITY = "aaaaaaaa-0000-4000-8000-000000000001"
PERSON = "aaaaaaaa-0000-4000-8000-000000000002"
PUB = {"publicationDate": "2024-01-01", "bodsVersion": "0.2", "publisher": {"name": "t"}}


def _codes(batch: Batch, severity: str | None = None) -> list[str]:
    return [p.code for p in batch.problems if severity in (None, p.severity)]


def _entity(sid: str = ENTITY, **extra: Any) -> dict[str, Any]:
    return {
        "statementID": sid,
        "statementType": "entityStatement",
        "isComponent": False,
        "entityType": "registeredEntity",
        "name": "Target Ltd",
        "publicationDetails": PUB,
        **extra,
    }


def _person(sid: str = PERSON, **extra: Any) -> dict[str, Any]:
    return {
        "statementID": sid,
        "statementType": "personStatement",
        "isComponent": False,
        "personType": "knownPerson",
        "names": [{"fullName": "Owner One"}],
        "publicationDetails": PUB,
        **extra,
    }


def _ooc(sid: str, interests: Any, subject: str = ENTITY, party: str = PERSON) -> dict[str, Any]:
    return {
        "statementID": sid,
        "statementType": "ownershipOrControlStatement",
        "isComponent": False,
        "subject": {"describedByEntityStatement": subject},
        "interestedParty": {"describedByPersonStatement": party},
        "interests": interests,
        "publicationDetails": PUB,
    }


def _parse(tmp_path: Path, statements: list[Any], name: str = "t.json") -> Batch:
    path = tmp_path / name
    path.write_text(json.dumps(statements))
    return parse_file(path)


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "bods-0.2").glob("*.json")), ids=lambda p: p.name
)
def test_every_official_example_parses(path: Path) -> None:
    batch = parse_file(path)
    assert batch.format == "bods-0.2"
    assert batch.read >= 2
    assert batch.statements
    for p in batch.problems:
        assert p.file == path.name
        assert p.record
        assert p.message


def test_gleif_statements_fail_the_schema_but_are_imported() -> None:
    lei = parse_file(FIXTURES / "bods-0.2-gleif" / "lei-data-out.json")
    assert len(lei.entities) == 5
    assert {p.field for p in lei.problems} == {"isComponent"}
    assert all(p.severity == "warning" for p in lei.problems)
    leis = [v for e in lei.entities.values() for s, v in e.identifiers if s == "lei"]
    assert len(leis) == 5
    rr = parse_file(FIXTURES / "bods-0.2-gleif" / "rr-data-out.json")
    assert len(rr.edges) == 10
    assert {e.interest for e in rr.edges} == {"control"}
    assert all(e.start_date is not None for e in rr.edges)  # date-times keep their date
    assert _codes(rr, "error") == []


def test_danish_register_problems_are_reported_and_edges_kept() -> None:
    batch = parse_file(FIXTURES / "bods-0.2-dk" / "test-bods-data-2.jsonl")
    fields = [p.field for p in batch.problems if p.code == "schema"]
    assert fields.count("statementID") == 7  # ids under 32 characters
    assert fields.count("source.type") == 7  # a string, not an array
    assert fields.count("source.retrievedAt") == 7  # a date, not a date-time
    assert fields.count("source.assertedBy") == 7  # null
    assert _codes(batch).count("duplicate_id") == 3  # repeated, same content: warnings
    assert _codes(batch, "error") == []
    assert len(batch.edges) == 7
    voting = [e for e in batch.edges if e.interest == "voting"]
    assert sorted(e.share_min for e in voting) == pytest.approx([0.5228, 0.6866])
    assert all(e.share_min == e.share_max and e.min_inclusive and e.max_inclusive for e in voting)
    assert _codes(batch).count("no_interests") == 5  # empty interests: unknown control


def test_share_bounds_follow_the_02_defaults() -> None:
    # 4b: {"minimum": 25, "maximum": 50}: minimum inclusive, maximum exclusive by default
    batch = parse_file(FIXTURES / "bods-0.2" / "4b-full-pep-declaration.json")
    edge = next(e for e in batch.edges if e.interest == "ownership")
    assert (edge.share_min, edge.share_max) == (0.25, 0.5)
    assert edge.min_inclusive
    assert not edge.max_inclusive


def test_share_flags_exact_and_equal_bounds(tmp_path: Path) -> None:
    interests = [
        {
            "type": "shareholding",
            "share": {
                "minimum": 25,
                "maximum": 50,
                "exclusiveMinimum": True,
                "exclusiveMaximum": False,
            },
        },
        {"type": "voting-rights", "share": {"minimum": 30, "maximum": 30}},
        {"type": "shareholding", "share": {"exact": 40, "minimum": 50, "maximum": 60}},
    ]
    batch = _parse(tmp_path, [_entity(), _person(), _ooc("o" * 32, interests)])
    first, second, third = batch.edges
    assert (first.min_inclusive, first.max_inclusive) == (False, True)
    assert (second.share_min, second.share_max, second.max_inclusive) == (0.3, 0.3, True)
    assert (third.share_min, third.share_max) == (0.4, 0.4)
    assert "share_inconsistent" in _codes(batch, "warning")


def test_joint_ownership_and_a_repeated_id_with_other_content() -> None:
    batch = parse_file(FIXTURES / "bods-0.2" / "3-joint-ownership.json")
    dup = [p for p in batch.problems if p.code == "duplicate_id"]
    assert [(p.severity, p.record) for p in dup] == [
        ("error", "c222fe05-2bf3-4cc0-b126-f665109d7211")
    ]
    arrangement = next(e for e in batch.entities.values() if e.kind == "arrangement")
    joint = [e for e in batch.edges if e.asset == arrangement.id]
    assert joint
    assert all(e.joint_group == arrangement.id for e in joint)
    assert all(e.joint_group is None for e in batch.edges if e.asset != arrangement.id)


def test_indirect_statement_with_components_is_a_summary() -> None:
    batch = parse_file(FIXTURES / "bods-0.2" / "indirect-ownership__os-06-dr-04.json")
    summaries = [e for e in batch.edges if e.summary]
    assert len(summaries) == 1
    assert summaries[0].direct == "indirect"
    assert summaries[0].share_min == 0.6
    assert len(batch.edges) - 1 == 4  # the chain's component interests


def test_replaces_and_unspecified_parties() -> None:
    update = parse_file(FIXTURES / "bods-0.2" / "2-single-update.json")
    assert any(st.replaces for st in update.statements)
    assert all(r.startswith("bods:") for st in update.statements for r in st.replaces)
    listed = parse_file(FIXTURES / "bods-0.2" / "missing-data__os-17-dr-02-dc-06.json")
    assert listed.unspecified == 1
    assert listed.edges == []


def test_bad_shares_are_reported_and_only_that_interest_is_dropped(tmp_path: Path) -> None:
    interests = [
        {"type": "shareholding", "share": {"exact": 150}},
        {"type": "shareholding", "share": {"minimum": -5, "maximum": 10}},
        {"type": "voting-rights", "share": {"minimum": 60, "maximum": 40}},
        {"type": "voting-rights", "share": {"exact": "half"}},
        {"type": "appointment-of-board"},
    ]
    batch = _parse(tmp_path, [_entity(), _person(), _ooc("b" * 32, interests)])
    errors = {(p.code, p.field) for p in batch.problems if p.severity == "error"}
    assert ("share_over_100", "interests[0].share.minimum") in errors
    assert ("share_negative", "interests[1].share.minimum") in errors
    assert ("interval_inverted", "interests[2].share") in errors
    assert ("schema", "interests[3].share.minimum") in errors
    assert [e.interest for e in batch.edges] == ["control"]
    assert all(p.record == "b" * 32 for p in batch.problems if p.severity == "error")


def test_statement_level_errors(tmp_path: Path) -> None:
    bad = [
        _entity(),
        _person(),
        {"statementID": "c" * 32, "statementType": "nonsense"},
        {"statementID": {"$ne": 1}, "statementType": "entityStatement"},
        {**_ooc("d" * 32, []), "subject": {}},
        {**_ooc("e" * 32, []), "interestedParty": {"somebody": "x"}},
        _ooc("f" * 32, [{"type": "shareholding", "share": {"exact": 10}}], party=ENTITY),
        "not an object",
        _ooc("g" * 32, [{"type": "made-up-interest"}]),
    ]
    batch = _parse(tmp_path, bad)
    errors = [(p.record, p.code) for p in batch.problems if p.severity == "error"]
    assert ("c" * 32, "schema") in errors
    assert ("item 4", "schema") in errors
    assert ("d" * 32, "schema") in errors
    assert ("e" * 32, "schema") in errors
    assert ("f" * 32, "self_loop") in errors
    assert ("item 8", "schema") in errors
    assert [e.statement_id for e in batch.edges] == ["bods:" + "g" * 32]
    assert "unknown_code" in _codes(batch, "warning")


def test_hostile_strings(tmp_path: Path) -> None:
    statements = [
        _entity(name="Evil\x00Corp\x1b[31m <script>alert(1)</script>'; DROP TABLE x;--"),
        _person(names=[{"fullName": "A" * 10_000}]),
        _entity("h" * 32, name={"first": "object"}),
        _entity("bad\x01id" + "x" * 30),
    ]
    long_ref = _ooc("i" * 32, [{"type": "shareholding"}], subject="x" * 500)
    statements.append(long_ref)
    batch = _parse(tmp_path, statements)
    assert ("i" * 32, "bad_id") in {(p.record, p.code) for p in batch.problems}
    assert batch.edges == []
    evil = batch.entities[f"bods:{ENTITY}"].name
    assert "\x00" not in evil
    assert "\x1b" not in evil
    assert "DROP TABLE" in evil
    assert len(batch.entities[f"bods:{PERSON}"].name) == 500
    assert batch.entities["bods:" + "h" * 32].name == ""
    codes = _codes(batch)
    for code in ("control_characters", "too_long", "schema", "bad_id"):
        assert code in codes


def test_cycles_are_reported_and_kept(tmp_path: Path) -> None:
    a, b = "a" * 32, "b" * 32
    statements = [
        _entity(a),
        _entity(b),
        {
            **_ooc("1" * 32, [{"type": "shareholding", "share": {"exact": 60}}], subject=a),
            "interestedParty": {"describedByEntityStatement": b},
        },
        {
            **_ooc("2" * 32, [{"type": "shareholding", "share": {"exact": 60}}], subject=b),
            "interestedParty": {"describedByEntityStatement": a},
        },
    ]
    batch = _parse(tmp_path, statements)
    cycles = [p for p in batch.problems if p.code == "cycle"]
    assert {p.record for p in cycles} == {"1" * 32, "2" * 32}
    assert all(p.severity == "warning" and "->" in p.message for p in cycles)
    assert len(batch.edges) == 2


def test_truncated_array_is_refused_whole(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(json.dumps([_entity(), _person()])[:-40])
    with pytest.raises(InvalidInput, match=r"line 1, column \d+") as exc:
        parse_file(path)
    assert "nothing was imported" in exc.value.render()


def test_huge_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps([_entity()] * 200))
    read: list[Path] = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self) or b"")
    with pytest.raises(InvalidInput, match="over the limit"):
        parse_file(path, max_bytes=1024)
    assert read == []


def test_not_json_and_unknown_format(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("hello")
    with pytest.raises(InvalidInput, match="not JSON"):
        parse_file(tmp_path / "a.json")
    (tmp_path / "b.json").write_text('[{"foo": 1}]')
    with pytest.raises(InvalidInput, match="neither BODS"):
        parse_file(tmp_path / "b.json")
    (tmp_path / "c.json").write_text("")
    with pytest.raises(InvalidInput, match="empty"):
        parse_file(tmp_path / "c.json")
