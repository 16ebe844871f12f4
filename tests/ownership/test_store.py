"""The edge store on SQLite and PostgreSQL: every fixture loads, one transaction per file,
replacement and updates across loads, placeholders, the ``edges_table`` contract, search,
links to lists and accounts, permissions, and the ``cthub ownership`` commands."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from cthub import lists
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from cthub.interfaces.cli.ownership import app
from cthub.ownership import (
    EDGE_SCHEMA,
    edges_table,
    entities_table,
    entity,
    files_in,
    links,
    load_file,
    search_entities,
    writing,
)
from cthub.ownership.models import (
    OwnershipEdge,
    OwnershipEntity,
    OwnershipIdentifier,
    OwnershipLoad,
    OwnershipProblem,
    OwnershipStatement,
)
from tests import factories
from tests.factories import OPERATOR

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ownership"
FOLDERS = ("bods-0.2", "bods-0.2-gleif", "bods-0.2-dk", "bods-0.4", "uk-psc", "ftm")
TABLES = (
    OwnershipLoad,
    OwnershipStatement,
    OwnershipEntity,
    OwnershipIdentifier,
    OwnershipEdge,
    OwnershipProblem,
)
PUB = {"publicationDate": "2024-01-01", "bodsVersion": "0.2", "publisher": {"name": "t"}}
E1, P1 = "e" * 32, "p" * 32


def _count(hub: Hub, model: Any) -> int:
    with hub.db.session(readonly=True) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _write(tmp_path: Path, name: str, statements: list[Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(statements))
    return path


def _entity(sid: str, name: str = "Target Ltd") -> dict[str, Any]:
    return {
        "statementID": sid,
        "statementType": "entityStatement",
        "isComponent": False,
        "entityType": "registeredEntity",
        "name": name,
        "publicationDetails": PUB,
        "identifiers": [{"scheme": "GB-COH", "id": "07654321"}],
    }


def _person(sid: str, name: str = "Owner One") -> dict[str, Any]:
    return {
        "statementID": sid,
        "statementType": "personStatement",
        "isComponent": False,
        "personType": "knownPerson",
        "names": [{"fullName": name}],
        "publicationDetails": PUB,
    }


def _ooc(sid: str, share: float, replaces: list[str] | None = None) -> dict[str, Any]:
    out = {
        "statementID": sid,
        "statementType": "ownershipOrControlStatement",
        "isComponent": False,
        "subject": {"describedByEntityStatement": E1},
        "interestedParty": {"describedByPersonStatement": P1},
        "interests": [{"type": "shareholding", "share": {"exact": share}}],
        "publicationDetails": PUB,
    }
    if replaces:
        out["replacesStatements"] = replaces
    return out


def _current(hub: Hub) -> list[dict[str, Any]]:
    return sorted(edges_table(hub, OPERATOR).to_pylist(), key=lambda r: r["edge_id"])


def test_every_fixture_file_loads_with_problems_reported(hub: Hub) -> None:
    results = [load_file(hub, OPERATOR, f) for d in FOLDERS for f in files_in(FIXTURES / d)]
    assert len(results) == 33
    stored = _count(hub, OwnershipProblem)
    assert stored == sum(len(r.problems) for r in results) > 0
    dk = next(r for r in results if r.file == "test-bods-data-2.jsonl")
    assert (dk.edges, dk.placeholders) == (7, 9)
    assert sum(1 for p in dk.problems if p.code == "unknown_party") == 14
    rr = next(r for r in results if r.file == "rr-data-out.json")
    assert rr.edges == 10
    assert rr.errors == 0
    table = edges_table(hub, OPERATOR)
    # 96 written, 3 of them replaced by a later example reusing the statement ids; of the 93
    # stored, 3 are closed (fermcat) and 3 are summaries of a component chain
    assert sum(r.edges for r in results) == 96
    assert _count(hub, OwnershipEdge) == 93
    assert table.num_rows == 87
    assert set(table["interest"].to_pylist()) == {"ownership", "voting", "control"}
    kinds = set(entities_table(hub, OPERATOR)["kind"].to_pylist())
    assert kinds == {"person", "company", "arrangement", "unknown"}


def test_edges_table_contract(hub: Hub) -> None:
    empty = edges_table(hub, OPERATOR)
    assert empty.schema == EDGE_SCHEMA
    assert empty.num_rows == 0
    for path in files_in(FIXTURES / "uk-psc"):
        load_file(hub, OPERATOR, path)
    table = edges_table(hub, OPERATOR)
    assert table.schema == EDGE_SCHEMA
    assert table.schema.names == [
        "owner",
        "asset",
        "interest",
        "share_min",
        "share_max",
        "min_inclusive",
        "max_inclusive",
        "joint_group",
        "edge_id",
        "source",
        "start_date",
        "end_date",
    ]
    assert [table.schema.field(n).type for n in ("share_min", "min_inclusive", "start_date")] == [
        pa.float64(),
        pa.bool_(),
        pa.date32(),
    ]
    band = [r for r in table.to_pylist() if r["asset"] == "gb-coh:07731393"]
    assert {
        (r["interest"], r["share_min"], r["share_max"], r["min_inclusive"], r["max_inclusive"])
        for r in band
    } == {("ownership", 0.25, 0.5, False, True), ("voting", 0.25, 0.5, False, True)}
    assert str(band[0]["start_date"]) == "2016-04-06"
    assert band[0]["end_date"] is None
    detail = edges_table(hub, OPERATOR, detail=True)
    assert detail.column_names[-6:] == [
        "interest_type",
        "direct",
        "beneficial",
        "summary",
        "status",
        "statement_id",
    ]
    assert detail.num_rows == table.num_rows


def test_a_failure_mid_file_leaves_nothing(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_args: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(writing, "_write_edges", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        load_file(hub, OPERATOR, FIXTURES / "bods-0.4" / "fermcat.json")
    assert [_count(hub, t) for t in TABLES] == [0] * len(TABLES)
    monkeypatch.undo()
    cut = FIXTURES / "bods-0.4" / "fermcat.json"
    broken = hub.settings.data_dir / "cut.json"
    broken.write_bytes(cut.read_bytes()[:5000])
    with pytest.raises(InvalidInput, match="truncated"):
        load_file(hub, OPERATOR, broken)
    assert [_count(hub, t) for t in TABLES] == [0] * len(TABLES)
    with hub.db.session(readonly=True) as s:
        outcomes = s.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "ownership.load")
        )
        assert "failed" in list(outcomes)


def test_reload_is_unchanged_and_conflicts_are_reported(hub: Hub, tmp_path: Path) -> None:
    first = load_file(hub, OPERATOR, FIXTURES / "bods-0.4" / "joint-ownership.json")
    again = load_file(hub, OPERATOR, FIXTURES / "bods-0.4" / "joint-ownership.json")
    assert again.unchanged == first.statements == 7
    assert again.edges == 0
    assert _count(hub, OwnershipEdge) == first.edges
    a = _write(tmp_path, "a.json", [_entity(E1), _person(P1), _ooc("o" * 32, 30)])
    b = _write(tmp_path, "b.json", [_ooc("o" * 32, 40)])
    load_file(hub, OPERATOR, a)
    second = load_file(hub, OPERATOR, b)
    assert [p.code for p in second.problems] == ["conflicting_duplicate"]
    mine = [r for r in _current(hub) if r["asset"] == f"bods:{E1}"]
    assert [r["share_min"] for r in mine] == [0.4]


def test_placeholders_are_filled_by_a_later_file(hub: Hub, tmp_path: Path) -> None:
    rel = load_file(hub, OPERATOR, _write(tmp_path, "rel.json", [_ooc("r" * 32, 50)]))
    assert rel.placeholders == 2
    assert {p.field for p in rel.problems if p.code == "unknown_party"} == {
        "interestedParty",
        "subject",
    }
    assert entity(hub, OPERATOR, f"bods:{P1}").placeholder
    load_file(hub, OPERATOR, _write(tmp_path, "parties.json", [_entity(E1), _person(P1)]))
    person = entity(hub, OPERATOR, f"bods:{P1}")
    assert (person.placeholder, person.kind, person.name) == (False, "person", "Owner One")
    assert [e.share_min for e in person.holdings] == [0.5]


@pytest.mark.parametrize("order", ["old-first", "new-first"])
def test_02_replacement_across_loads(hub: Hub, tmp_path: Path, order: str) -> None:
    old = _write(tmp_path, "old.json", [_entity(E1), _person(P1), _ooc("1" * 32, 30)])
    new = _write(tmp_path, "new.json", [_ooc("2" * 32, 45, replaces=["1" * 32])])
    for path in (old, new) if order == "old-first" else (new, old):
        load_file(hub, OPERATOR, path)
    rows = _current(hub)
    assert [(r["edge_id"], r["share_min"]) for r in rows] == [("bods:" + "2" * 32 + "#0", 0.45)]
    history = edges_table(hub, OPERATOR, include_history=True, detail=True).to_pylist()
    assert {r["status"] for r in history if r["statement_id"] == "bods:" + "1" * 32} <= {"replaced"}


def _fermcat_halves(tmp_path: Path) -> tuple[Path, Path]:
    statements = json.loads((FIXTURES / "bods-0.4" / "fermcat.json").read_text())
    early = [s for s in statements if s["statementDate"] < "2021"]
    late = [s for s in statements if s["statementDate"] >= "2021"]
    return _write(tmp_path, "early.json", early), _write(tmp_path, "late.json", late)


def test_04_record_updates_across_loads(hub: Hub, tmp_path: Path) -> None:
    early, late = _fermcat_halves(tmp_path)
    load_file(hub, OPERATOR, early)
    assert sorted(r["share_min"] or 0 for r in _current(hub) if r["interest"] == "ownership") == [
        0.5,
        0.5,
    ]
    load_file(hub, OPERATOR, late)
    rows = _current(hub)
    assert [(r["interest"], r["share_min"]) for r in rows] == [
        ("ownership", 1.0),
        ("control", None),
    ]
    assert entity(hub, OPERATOR, "bods:per-5faa4103dee78621").closed


def test_04_older_statements_after_newer_ones_are_stale(hub: Hub, tmp_path: Path) -> None:
    early, late = _fermcat_halves(tmp_path)
    load_file(hub, OPERATOR, late)
    before = _current(hub)
    result = load_file(hub, OPERATOR, early)
    assert {p.code for p in result.problems} == {"stale_statement"}
    assert _current(hub) == before


def test_entity_search_and_identifiers(hub: Hub) -> None:
    load_file(hub, OPERATOR, FIXTURES / "bods-0.2" / "2-single-update.json")
    load_file(hub, OPERATOR, FIXTURES / "uk-psc" / "psc-data-2.json")
    by_name = search_entities(hub, OPERATOR, "chrinon")
    assert [e.name for e in by_name] == ["CHRINON LTD"]
    assert by_name[0].identifiers == ["gb-coh:07444723"]
    assert [e.id for e in search_entities(hub, OPERATOR, "gb-coh:07444723")] == [by_name[0].id]
    assert [e.id for e in search_entities(hub, OPERATOR, "7444723 ")] == []
    assert [e.id for e in search_entities(hub, OPERATOR, "00686734")] == ["gb-coh:00686734"]
    assert search_entities(hub, OPERATOR, "100%_") == []
    assert search_entities(hub, OPERATOR, "hitchins", kind="person") == []
    company = entity(hub, OPERATOR, "gb-coh:07434180")
    assert [e.owner for e in company.owners] == ["gb-coh:00686734", "gb-coh:00686734"]
    assert company.owners[0].share == "[75, 100]"
    with pytest.raises(NotFound):
        entity(hub, OPERATOR, "nope")
    with pytest.raises(InvalidInput):
        search_entities(hub, OPERATOR, "   ")


def test_links_to_lists_and_accounts(sqlite_hub: Hub, tmp_path: Path) -> None:
    hub = sqlite_hub
    load_file(hub, OPERATOR, FIXTURES / "ftm" / "ownership-sample.jsonl")
    csv = tmp_path / "watch.csv"
    csv.write_text(
        "name,aliases,type,birth_date,nationality,id_number,ref\n"
        "Alpha Shipping Limited,,organization,,GB,01234567,O-1\n"
        "Example Star,,vessel,,PA,9876543,V-1\n"
        "Carla Example,,person,1975-03-04,IT,,P-1\n"
    )
    lists.load(hub, OPERATOR, "plain-csv", csv, list_name="watch")
    tx = pa.table(
        {
            "sender": ["ACC-1", "ACC-2", "5493001KJTIIGC8Y1R12"],
            "receiver": ["ACC-9", "ACC-9", "ACC-9"],
            "sender_identifier": ["5493001KJTIIGC8Y1R12", "", ""],
        }
    )
    alpha = links(hub, OPERATOR, "ftm:co-alpha", transactions=tx)
    by_id = [x for x in alpha.lists if x.via == "identifier"]
    assert [(x.list, x.ref) for x in by_id] == [("watch", "O-1")]
    assert "gb-coh:01234567" in by_id[0].detail
    assert [(a.account, a.role) for a in alpha.accounts] == [
        ("5493001KJTIIGC8Y1R12", "sender"),
        ("ACC-1", "sender"),
    ]
    vessel = links(hub, OPERATOR, "ftm:ve-star")
    assert [(x.ref, x.via) for x in vessel.lists if x.via == "identifier"] == [
        ("V-1", "identifier")
    ]
    carla = links(hub, OPERATOR, "ftm:pe-carla", threshold=0.7)
    assert [(x.ref, x.via) for x in carla.lists] == [("P-1", "name")]
    assert carla.lists[0].score >= 0.7
    assert carla.lists[0].detail


def test_permissions_and_audit(hub: Hub) -> None:
    viewer = factories.member(hub, "viewer").actor
    analyst = factories.member(hub, "analyst").actor
    with pytest.raises(Forbidden):
        load_file(hub, viewer, FIXTURES / "uk-psc" / "psc-data-2.json")
    load_file(hub, analyst, FIXTURES / "uk-psc" / "psc-data-2.json")
    assert edges_table(hub, viewer).num_rows == 2
    with hub.db.session(readonly=True) as s:
        events = s.execute(
            select(AuditEvent.action, AuditEvent.outcome, AuditEvent.actor).where(
                AuditEvent.action.like("ownership.%")
            )
        ).all()
    assert ("ownership.load", "denied", viewer.name) in events
    assert ("ownership.load", "ok", analyst.name) in events
    assert ("ownership.read", "ok", viewer.name) in events


def test_snapshot_follows_loads(sqlite_hub: Hub) -> None:
    hub = sqlite_hub
    load_file(hub, OPERATOR, FIXTURES / "uk-psc" / "psc-data-2.json")
    assert edges_table(hub, OPERATOR).num_rows == 2
    assert list((hub.settings.data_dir / "ownership").glob("edges-*.arrow"))
    load_file(hub, OPERATOR, FIXTURES / "uk-psc" / "psc-data-12.json")
    assert edges_table(hub, OPERATOR).num_rows == 5
    assert len(list((hub.settings.data_dir / "ownership").glob("edges-*.arrow"))) == 1


def test_bulk_read_survives_a_separator_in_a_value(hub: Hub) -> None:
    load_file(hub, OPERATOR, FIXTURES / "uk-psc" / "psc-data-2.json")
    with hub.db.session() as s:
        s.execute(update(OwnershipEdge).values(source="odd\x1fsource\x1e"))
    rows = edges_table(hub, OPERATOR, detail=True).to_pylist()
    assert [r["source"] for r in rows] == ["odd\x1fsource\x1e"] * 2
    assert {r["status"] for r in rows} == {"current"}


def test_huge_file_refused(sqlite_hub: Hub) -> None:
    with pytest.raises(InvalidInput, match="over the limit"):
        load_file(sqlite_hub, OPERATOR, FIXTURES / "bods-0.4" / "fermcat.json", max_bytes=1000)
    assert _count(sqlite_hub, OwnershipLoad) == 0


def test_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.startswith("CTHUB_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("CTHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CTHUB_MODE", "demo")
    runner = CliRunner()
    done = runner.invoke(
        app, ["load", str(FIXTURES / "bods-0.2-dk"), str(FIXTURES / "uk-psc"), "--problems", "2"]
    )
    assert done.exit_code == 0, done.output
    assert "test-bods-data-2.jsonl: bods-0.2, 10 statements read" in done.output
    assert "7 edges" in done.output
    assert "... " in done.output
    assert "total: 13 files imported, 0 failed" in done.output
    broken = tmp_path / "broken.json"
    broken.write_text('[{"statementID": ')
    bad = runner.invoke(app, ["load", str(broken), str(FIXTURES / "ftm")])
    assert bad.exit_code == 2
    assert "1 files imported, 1 failed" in bad.output
    assert "ownership-sample.jsonl line 15: error [invalid_json]" in bad.output
    found = runner.invoke(app, ["search", "Hitchins", "--format", "json"])
    assert found.exit_code == 0
    assert json.loads(found.output)["id"] == "gb-coh:00686734"
    shown = runner.invoke(app, ["show", "gb-coh:07434180", "--format", "csv"])
    assert shown.exit_code == 0
    assert "gb-coh:00686734" in shown.output
    linked = runner.invoke(app, ["links", "gb-coh:00686734", "--format", "json"])
    assert linked.exit_code == 0
    missing = runner.invoke(app, ["load", str(tmp_path / "nothing-here")])
    assert missing.exit_code != 0
