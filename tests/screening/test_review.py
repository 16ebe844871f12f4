"""Review on both backends: rescreen raises alerts, decisions suppress, versions reopen/close."""

from __future__ import annotations

from pathlib import Path

import pytest

import cthub.lists.models
import cthub.screening.models  # noqa: F401
from cthub.core import auditlog
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.lists import load
from cthub.screening import review
from tests import factories

HEADER = "name,aliases,type,birth_date,nationality,id_number,ref\n"
ROWS = {
    "P-1": "Ivan Petrovich Sidorov,Ivan Sidorov,person,1961-05-04,RU,,P-1\n",
    "P-2": "Abdul Rahman Al Hakim,,person,1975,SY,,P-2\n",
    "O-1": "Northern Star Trading LLC,,organization,,AE,,O-1\n",
}
SUBJECTS = [
    {"id": "cust-1", "name": "Ivan Sidorov", "type": "person", "birth_date": "1961"},
    {"id": "cust-2", "name": "Abdul Rahman Al-Hakim", "nationality": "Syria"},
    {"id": "cust-3", "name": "Jane Unrelated Person"},
]


def write_list(path: Path, rows: dict[str, str]) -> Path:
    path.write_text(HEADER + "".join(rows.values()), encoding="utf-8")
    return path


@pytest.fixture
def setup(hub: Hub, tmp_path: Path) -> tuple[Hub, factories.Member, factories.Member]:
    load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v1.csv", ROWS),
        list_name="test",
    )
    name = factories.org(hub)
    analyst = factories.member(hub, "analyst", name)
    reviewer = factories.member(hub, "reviewer", name)
    review.watch(hub, analyst.actor, SUBJECTS)
    return hub, analyst, reviewer


def by_ref(hub: Hub, m: factories.Member, state: str | None = None) -> dict[str, review.AlertView]:
    views, _ = review.alerts(hub, m.actor, state)
    return {v.list_ref: v for v in views}


def test_rescreen_raises_explained_alerts_once(
    setup: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, reviewer = setup
    result = review.rescreen(hub, analyst.actor)
    assert result.subjects == 3
    assert result.lists == {"test": 1}
    assert result.created == 2
    assert result.closed == 0
    found = by_ref(hub, reviewer, "open")
    assert set(found) == {"P-1", "P-2"}
    assert found["P-1"].query_id == "cust-1"
    assert found["P-1"].entity_name
    assert "name" in found["P-1"].explanation
    assert len(found["P-1"].entry_hash) == 64
    again = review.rescreen(hub, analyst.actor)
    assert again.created == 0
    assert again.already_raised == 2
    assert review.alerts(hub, reviewer.actor)[1] == 2


def test_false_positive_suppresses_until_the_entry_changes(
    setup: tuple[Hub, factories.Member, factories.Member], tmp_path: Path
) -> None:
    hub, analyst, reviewer = setup
    review.rescreen(hub, analyst.actor)
    alert = by_ref(hub, reviewer)["P-2"]
    decided = review.decide(
        hub, reviewer.actor, alert.id, "false_positive", "Different person: DOB 1990"
    )
    assert decided.state == "false_positive"
    assert decided.decisions[0].decided_by == reviewer.username
    assert decided.decisions[0].reason == "Different person: DOB 1990"
    assert decided.decisions[0].decided_at is not None
    events = auditlog.list_events(hub, factories.OPERATOR, limit=20).events
    assert any(e.action == "alerts.decide" and e.resource_id == str(alert.id) for e in events)

    second = review.rescreen(hub, analyst.actor)
    assert second.suppressed == 1
    assert second.created == 0
    assert second.reopened == 0
    assert set(by_ref(hub, reviewer, "open")) == {"P-1"}

    # same content in a new version: still suppressed
    load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v2.csv", ROWS),
        list_name="test",
        rescreen=False,  # this file tests the full re-screen; test_delta the automatic one
    )
    assert review.rescreen(hub, analyst.actor).suppressed == 1

    # the entry changes (new birth date): a new open alert that points at the cleared one
    changed = {**ROWS, "P-2": "Abdul Rahman Al Hakim,Abu Hakim,person,1976,SY,,P-2\n"}
    load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v3.csv", changed),
        list_name="test",
        rescreen=False,  # this file tests the full re-screen; test_delta the automatic one
    )
    third = review.rescreen(hub, analyst.actor)
    assert third.reopened == 1
    assert third.suppressed == 0
    reopened = by_ref(hub, reviewer, "open")["P-2"]
    assert reopened.id != alert.id
    assert reopened.reopens_alert_id == alert.id
    assert reopened.entry_hash != alert.entry_hash
    assert by_ref(hub, reviewer, "false_positive")["P-2"].id == alert.id


def test_delisted_entry_closes_its_open_alert(
    setup: tuple[Hub, factories.Member, factories.Member], tmp_path: Path
) -> None:
    hub, analyst, reviewer = setup
    review.rescreen(hub, analyst.actor)
    without = {k: v for k, v in ROWS.items() if k != "P-1"}
    load(
        hub,
        factories.OPERATOR,
        "plain-csv",
        write_list(tmp_path / "v2.csv", without),
        list_name="test",
        rescreen=False,  # this file tests the full re-screen; test_delta the automatic one
    )
    result = review.rescreen(hub, analyst.actor)
    assert result.closed == 1
    assert result.lists == {"test": 2}
    closed = by_ref(hub, reviewer, "closed")["P-1"]
    assert closed.closed_reason == "delisted: test version 2"
    with pytest.raises(Conflict):
        review.decide(hub, reviewer.actor, closed.id, "true_match", "late")


def test_decision_needs_a_reason_and_a_known_decision(
    setup: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, reviewer = setup
    review.rescreen(hub, analyst.actor)
    alert = by_ref(hub, reviewer)["P-1"]
    with pytest.raises(InvalidInput, match="reason"):
        review.decide(hub, reviewer.actor, alert.id, "false_positive", "  ")
    with pytest.raises(InvalidInput):
        review.decide(hub, reviewer.actor, alert.id, "maybe", "unsure")
    with pytest.raises(NotFound):
        review.decide(hub, reviewer.actor, 10**6, "true_match", "x")
    assert review.alert(hub, reviewer.actor, alert.id).state == "open"


def test_organisations_and_roles_are_gated(
    setup: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, reviewer = setup
    review.rescreen(hub, analyst.actor)
    alert = by_ref(hub, reviewer)["P-1"]
    other = factories.member(hub, "reviewer")  # another organisation
    assert review.alerts(hub, other.actor) == ([], 0)
    with pytest.raises(Forbidden):
        review.alert(hub, other.actor, alert.id)
    with pytest.raises(Forbidden):
        review.decide(hub, other.actor, alert.id, "true_match", "mine now")
    viewer = factories.member(hub, "viewer", reviewer.org)
    assert review.alerts(hub, viewer.actor)[1] == 2
    with pytest.raises(Forbidden):
        review.decide(hub, viewer.actor, alert.id, "true_match", "looks right")
    with pytest.raises(Forbidden):
        review.watch(hub, viewer.actor, SUBJECTS)
    with pytest.raises(Forbidden):
        review.rescreen(hub, reviewer.actor)
    assert review.decide(hub, reviewer.actor, alert.id, "true_match", "ok").state == "true_match"


def test_watch_upserts_and_deactivates(
    setup: tuple[Hub, factories.Member, factories.Member],
) -> None:
    hub, analyst, _ = setup
    done = review.watch(
        hub,
        analyst.actor,
        [
            {"id": "cust-1", "name": "Ivan Sidorov", "active": "false"},
            {"id": "cust-9", "name": "New One"},
        ],
    )
    assert (done.created, done.updated) == (1, 1)
    assert review.rescreen(hub, analyst.actor).subjects == 3
    with pytest.raises(InvalidInput, match="subject 1"):
        review.watch(hub, analyst.actor, [{"id": "x", "name": "X", "birth_date": "70"}])
