"""Delta re-screening on both backends: a new list version re-screens only what it changed.

The world: list ``test`` v1 holds an entry that stays (K-1, decided a false positive), one that
changes in v2 (C-1, decided a false positive: it reopens), one that v2 removes (R-1, with an
open alert: it closes as delisted); v2 adds A-1, which matches a passenger of a second
organisation. Subjects are watched in two organisations and screened once against v1 in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cthub.lists.models
import cthub.screening.jobs
import cthub.screening.models  # noqa: F401
from cthub.core import jobs
from cthub.core.errors import Forbidden
from cthub.core.hub import Hub
from cthub.core.jobs import InProcessRunner
from cthub.interfaces.cli.lists import app
from cthub.interfaces.cli.runtime import open_hub
from cthub.lists import FOLLOW_UP_JOBS, RESCREEN_JOB, EntryView, entries, load
from cthub.screening import Screener, delta, review
from tests import factories
from tests.conftest import SECRET

HEADER = "name,aliases,type,birth_date,nationality,id_number,ref\n"
V1 = {
    "K-1": "Ivan Petrovich Sidorov,Ivan Sidorov,person,1961-05-04,RU,,K-1\n",
    "C-1": "Abdul Rahman Al Hakim,,person,1975,SY,,C-1\n",
    "R-1": "Northern Star Trading LLC,,organization,,AE,,R-1\n",
}
V2 = {
    "K-1": V1["K-1"],
    "C-1": "Abdul Rahman Al Hakim,Abu Hakim,person,1976,SY,,C-1\n",
    "A-1": "Olga Kuznetsova,,person,1980,RU,,A-1\n",
}
BANK = [
    {"id": "cust-1", "name": "Ivan Sidorov", "type": "person", "birth_date": "1961"},
    {"id": "cust-2", "name": "Abdul Rahman Al-Hakim", "nationality": "Syria"},
    {"id": "cust-3", "name": "Jane Unrelated Person"},
]
AIRLINE = [
    {"id": "pax-1", "name": "Olga Kuznetsova", "type": "person"},
    {"id": "partner-1", "name": "Northern Star Trading LLC", "type": "organization"},
]


def write_list(path: Path, rows: dict[str, str]) -> Path:
    path.write_text(HEADER + "".join(rows.values()), encoding="utf-8")
    return path


@dataclass(frozen=True)
class World:
    hub: Hub
    bank: factories.Member  # analyst
    bank_reviewer: factories.Member
    airline: factories.Member  # analyst
    airline_reviewer: factories.Member


def by_ref(hub: Hub, m: factories.Member, state: str | None = None) -> dict[str, review.AlertView]:
    views, _ = review.alerts(hub, m.actor, state)
    return {v.list_ref: v for v in views}


@pytest.fixture
def world(hub: Hub, tmp_path: Path) -> World:
    first = load(
        hub, factories.OPERATOR, "plain-csv", write_list(tmp_path / "v1.csv", V1), list_name="test"
    )
    assert (first.previous_version, first.rescreen_job) == (None, None)  # nothing replaced
    bank, airline = factories.org(hub), factories.org(hub)
    w = World(
        hub,
        factories.member(hub, "analyst", bank),
        factories.member(hub, "reviewer", bank),
        factories.member(hub, "analyst", airline),
        factories.member(hub, "reviewer", airline),
    )
    review.watch(hub, w.bank.actor, BANK)
    review.watch(hub, w.airline.actor, AIRLINE)
    assert review.rescreen(hub, w.bank.actor).created == 2
    assert review.rescreen(hub, w.airline.actor).created == 1
    found = by_ref(hub, w.bank_reviewer)
    for ref in ("K-1", "C-1"):
        review.decide(hub, w.bank_reviewer.actor, found[ref].id, "false_positive", "other DOB")
    return w


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The refs of the entries each delta matcher indexes (a spy on ``delta_screener``)."""
    seen: list[list[str]] = []
    real = delta.delta_screener

    def spy(views: Sequence[EntryView], reference: Screener) -> Screener:
        seen.append([v.ref for v in views])
        return real(views, reference)

    monkeypatch.setattr(delta, "delta_screener", spy)
    return seen


def assert_v2_applied(w: World, before: dict[str, review.AlertView]) -> None:
    hub = w.hub
    assert by_ref(hub, w.bank_reviewer, "false_positive")["K-1"] == before["K-1"]  # untouched
    reopened = by_ref(hub, w.bank_reviewer, "open")["C-1"]
    assert reopened.reopens_alert_id == before["C-1"].id
    assert reopened.entry_hash != before["C-1"].entry_hash
    assert by_ref(hub, w.bank_reviewer, "false_positive")["C-1"].id == before["C-1"].id
    airline = by_ref(hub, w.airline_reviewer)
    assert airline["A-1"].state == "open"
    assert airline["A-1"].query_id == "pax-1"
    assert airline["A-1"].org_id == w.airline.actor.org_id
    assert airline["R-1"].state == "closed"
    assert airline["R-1"].closed_reason == "delisted: test version 2"
    # a full re-screen afterwards finds nothing left to do
    bank = review.rescreen(hub, w.bank.actor)
    assert (bank.created, bank.reopened, bank.closed) == (0, 0, 0)
    assert (bank.suppressed, bank.already_raised) == (1, 1)
    full = review.rescreen(hub, w.airline.actor)
    assert (full.created, full.reopened, full.closed, full.already_raised) == (0, 0, 0, 1)


def test_a_load_that_replaces_a_version_queues_the_delta_job(
    world: World, indexed: list[list[str]], tmp_path: Path
) -> None:
    hub = world.hub
    before = by_ref(hub, world.bank_reviewer)
    view = load(
        hub, factories.OPERATOR, "plain-csv", write_list(tmp_path / "v2.csv", V2), list_name="test"
    )
    assert view.previous_version == 1
    assert view.rescreen_job is not None
    runner = hub.jobs
    assert isinstance(runner, InProcessRunner)
    runner.wait_idle()
    job = jobs.get(hub, factories.OPERATOR, view.rescreen_job)
    assert job.kind == RESCREEN_JOB == "screening-delta"
    assert job.state == "succeeded", job.error
    assert job.result is not None
    counts = {k: job.result[k] for k in ("added", "changed", "removed", "indexed", "subjects")}
    assert counts == {"added": 1, "changed": 1, "removed": 1, "indexed": 2, "subjects": 5}
    outcome = {k: job.result[k] for k in ("created", "reopened", "refreshed", "closed")}
    assert outcome == {"created": 1, "reopened": 1, "refreshed": 0, "closed": 1}
    assert indexed == [["A-1", "C-1"]]  # K-1, unchanged, is not screened again
    assert_v2_applied(world, before)


def test_rescreen_delta_direct_and_idempotent(
    world: World, indexed: list[list[str]], tmp_path: Path
) -> None:
    hub = world.hub
    before = by_ref(hub, world.bank_reviewer)
    view = load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v2.csv", V2),
        list_name="test",
        rescreen=False,
    )
    assert (view.previous_version, view.rescreen_job) == (1, None)
    done = delta.rescreen_delta(hub, factories.OPERATOR, "test", 1, 2)
    assert (done.added, done.changed, done.removed, done.indexed) == (1, 1, 1, 2)
    assert (done.subjects, done.created, done.reopened, done.closed) == (5, 1, 1, 1)
    assert done.seconds >= 0
    again = delta.rescreen_delta(hub, factories.OPERATOR, "test", 1, 2)
    assert (again.created, again.reopened, again.refreshed, again.closed) == (0, 0, 0, 0)
    assert again.already_raised == 2
    assert indexed == [["A-1", "C-1"], ["A-1", "C-1"]]
    assert_v2_applied(world, before)


def test_an_unchanged_version_screens_nothing(world: World, indexed: list[list[str]]) -> None:
    hub = world.hub
    done = delta.rescreen_delta(hub, factories.OPERATOR, "test", 1, 1)
    assert (done.indexed, done.subjects, done.hits, done.created, done.closed) == (0, 0, 0, 0, 0)
    assert indexed == []


def test_an_organisation_rescreens_only_its_own_subjects(world: World, tmp_path: Path) -> None:
    hub = world.hub
    load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v2.csv", V2),
        list_name="test",
        rescreen=False,
    )
    viewer = factories.member(hub, "viewer", world.airline.org)
    with pytest.raises(Forbidden):
        delta.rescreen_delta(hub, viewer.actor, "test", 1, 2)
    done = delta.rescreen_delta(hub, world.airline.actor, "test", 1, 2)
    assert (done.subjects, done.created, done.reopened, done.closed) == (2, 1, 0, 1)
    assert "C-1" not in by_ref(hub, world.bank_reviewer, "open")  # the bank's stays decided


def test_a_refreshed_open_alert_keeps_its_id(world: World, tmp_path: Path) -> None:
    hub = world.hub
    open_before = by_ref(hub, world.airline_reviewer, "open")["R-1"]
    changed = {**V1, "R-1": "Northern Star Trading LLC,Northern Star FZE,organization,,AE,,R-1\n"}
    load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v2.csv", changed),
        list_name="test",
        rescreen=False,
    )
    done = delta.rescreen_delta(hub, factories.OPERATOR, "test", 1, 2)
    assert (done.changed, done.created, done.refreshed, done.already_raised) == (1, 0, 1, 1)
    after = by_ref(hub, world.airline_reviewer, "open")["R-1"]
    assert after.id == open_before.id
    assert after.entry_hash != open_before.entry_hash


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CTHUB_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CTHUB_DATABASE_URL", f"sqlite:///{tmp_path / 'cthub.db'}")
    monkeypatch.setenv("CTHUB_SECRET_KEY", SECRET)
    monkeypatch.setenv("CTHUB_MODE", "development")


@pytest.mark.usefixtures("cli_env")
def test_cli_load_prints_what_the_rescreen_did(tmp_path: Path) -> None:
    runner = CliRunner()
    first = write_list(tmp_path / "v1.csv", V1)
    result = runner.invoke(app, ["load", "plain-csv", str(first), "--name", "test"])
    assert result.output.strip() == "list test version 1: 3 entries", result.output
    hub = open_hub()
    try:
        member = factories.member(hub, "analyst")
        review.watch(hub, member.actor, AIRLINE)
        assert review.rescreen(hub, member.actor).created == 1
    finally:
        hub.close()
    second = write_list(tmp_path / "v2.csv", V2)
    result = runner.invoke(app, ["load", "plain-csv", str(second), "--name", "test"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    # then one line per installed follow-up job (ownership-delta)
    assert all(line.startswith(FOLLOW_UP_JOBS) for line in lines[2:]), lines
    assert lines[:2] == [
        "list test version 2: 3 entries",
        "re-screened 2 subjects against 2 new or changed entries: "
        "1 alerts created, 0 reopened, 1 closed (1 entries delisted)",
    ]


def test_the_job_catches_up_with_a_newer_version_and_checks_its_parameters(
    world: World, tmp_path: Path
) -> None:
    hub = world.hub
    for number in (2, 3):
        path = write_list(tmp_path / f"v{number}.csv", V2)
        load(hub, factories.OPERATOR, "plain-csv", path, list_name="test", rescreen=False)
    params = {"list": "test", "from_version": 1, "to_version": 2}
    job = jobs.run_inline(hub, factories.OPERATOR, RESCREEN_JOB, params)
    assert job.state == "succeeded", job.error
    assert job.result is not None
    assert (job.result["to_version"], job.result["closed"]) == (3, 1)
    assert job.result["requested_by"] == factories.OPERATOR.name
    closed = by_ref(hub, world.airline_reviewer, "closed")["R-1"]
    assert closed.closed_reason == "delisted: test version 3"
    bad = jobs.run_inline(hub, factories.OPERATOR, RESCREEN_JOB, {"list": "test"})
    assert bad.state == "failed"
    assert bad.error is not None
    assert "needs a list, from_version and to_version" in bad.error


def test_entries_reads_chosen_refs_of_one_version(world: World) -> None:
    found = entries(world.hub, factories.OPERATOR, "test", 1, ["R-1", "K-1", "absent"])
    assert [(v.ref, v.version) for v in found] == [("K-1", 1), ("R-1", 1)]
    assert found[1].caption == "Northern Star Trading LLC"
