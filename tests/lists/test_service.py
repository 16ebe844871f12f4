"""Service: versions, atomic loads, diffs and active entries, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from cthub.lists import active_entries, diff, load, show
from tests.factories import OPERATOR, member
from tests.lists.conftest import FIXTURES


def test_load_twice_gives_two_versions_and_an_empty_diff(hub: Hub) -> None:
    first = load(hub, OPERATOR, "un", FIXTURES / "un-subset.xml")
    second = load(hub, OPERATOR, "un", FIXTURES / "un-subset.xml")
    assert (first.version, second.version) == (1, 2)
    assert first.entry_count == second.entry_count == 20
    [lst] = show(hub, OPERATOR)
    assert lst.name == "un"
    assert [v.active for v in lst.versions] == [False, True]
    assert lst.active_version == 2
    d = diff(hub, OPERATOR, "un", 1, 2)
    assert (d.added, d.removed, d.changed) == ([], [], [])
    with hub.db.session() as s:
        event = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "lists.load").order_by(AuditEvent.seq)
        ).all()[-1]
    assert event.details["entries"] == 20
    assert event.details["version"] == 2


def test_failed_load_keeps_the_active_version(hub: Hub, tmp_path: Path) -> None:
    load(hub, OPERATOR, "un", FIXTURES / "un-subset.xml")
    before = list(active_entries(hub, OPERATOR, ["un"]))
    text = (FIXTURES / "un-subset.xml").read_text(encoding="utf-8")
    cut = tmp_path / "cut.xml"
    cut.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    with pytest.raises(InvalidInput, match="truncated"):
        load(hub, OPERATOR, "un", cut)
    [lst] = show(hub, OPERATOR)
    assert [(v.version, v.active) for v in lst.versions] == [(1, True)]
    assert list(active_entries(hub, OPERATOR, ["un"])) == before
    with hub.db.session() as s:
        outcomes = s.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "lists.load")
        ).all()
    assert outcomes == ["ok", "failed"]


def _modified_un(tmp_path: Path) -> Path:
    text = (FIXTURES / "un-subset.xml").read_text(encoding="utf-8")
    blocks = re.findall(r"    <INDIVIDUAL>.*?</INDIVIDUAL>\n", text, re.S)
    delisted = next(b for b in blocks if ">CDi.002<" in b)
    text = text.replace(delisted, "")
    text = text.replace("<FIRST_NAME>ERIC</FIRST_NAME>", "<FIRST_NAME>ERIK</FIRST_NAME>")
    added = delisted.replace(">CDi.002<", ">XXi.999<")
    text = text.replace("  </INDIVIDUALS>", added + "  </INDIVIDUALS>")
    path = tmp_path / "modified.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_reports_added_removed_changed(hub: Hub, tmp_path: Path) -> None:
    load(hub, OPERATOR, "un", FIXTURES / "un-subset.xml")
    load(hub, OPERATOR, "un", _modified_un(tmp_path))
    d = diff(hub, OPERATOR, "un", 1, 2)
    assert d.added == ["XXi.999"]
    assert d.removed == ["CDi.002"]
    assert d.changed == ["CDi.001"]
    back = diff(hub, OPERATOR, "un", 2, 1)
    assert (back.added, back.removed) == (["CDi.002"], ["XXi.999"])
    with pytest.raises(NotFound, match="no version 7"):
        diff(hub, OPERATOR, "un", 1, 7)


def test_active_entries_across_lists(hub: Hub) -> None:
    load(hub, OPERATOR, "un", FIXTURES / "un-subset.xml")
    load(hub, OPERATOR, "ofac-sdn", FIXTURES / "ofac")
    load(hub, OPERATOR, "plain-csv", FIXTURES / "plain.csv", list_name="national")
    entries = list(active_entries(hub, OPERATOR))
    counts = {name: sum(e.list_name == name for e in entries) for name in ("un", "ofac-sdn")}
    assert counts == {"un": 20, "ofac-sdn": 33}
    assert {e.list_name for e in entries} == {"un", "ofac-sdn", "national"}
    qdi = next(e for e in entries if e.ref == "QDi.001")
    assert qdi.schema == "Person"
    assert qdi.caption.startswith("MOHAMMED SALAHALDIN")
    only = list(active_entries(hub, OPERATOR, ["national"]))
    assert [e.ref for e in only] == ["P-1", "O-1", "V-1"]


def test_policy_and_empty_input(hub: Hub, tmp_path: Path) -> None:
    analyst = member(hub, "analyst").actor
    with pytest.raises(Forbidden):
        load(hub, analyst, "un", FIXTURES / "un-subset.xml")
    assert show(hub, analyst) == []
    empty = tmp_path / "empty.csv"
    empty.write_text("name,aliases,type,birth_date,nationality,id_number,ref\n")
    with pytest.raises(InvalidInput, match="holds no entries"):
        load(hub, OPERATOR, "plain-csv", empty)
    with pytest.raises(NotFound, match="No list source named no-such-source"):
        load(hub, OPERATOR, "no-such-source", empty)


def test_bundled_un_list_loads_by_name(sqlite_hub: Hub) -> None:
    view = load(sqlite_hub, OPERATOR, "un")
    assert (view.list_name, view.version, view.entry_count) == ("un", 1, 1003)
    assert view.source.endswith("un-consolidated.xml.gz")


def test_duplicate_refs_are_refused(hub: Hub, tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "plain.csv", tmp_path / "dup.csv")
    with (tmp_path / "dup.csv").open("a") as f:
        f.write("Other,,person,,,,P-1\n")
    with pytest.raises(InvalidInput, match="reference P-1 occurs twice"):
        load(hub, OPERATOR, "plain-csv", tmp_path / "dup.csv")
