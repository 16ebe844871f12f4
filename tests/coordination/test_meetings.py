"""Coordination meetings, action items and the briefing pack on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import briefing, meetings
from cthub.coordination.models import OverlapReview
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.i18n import gettext
from tests import factories

MEETING = {
    "recipient": "Jordan",
    "title": "Amman donor coordination, spring round",
    "held_on": "2026-03-10",
    "location": "Amman",
    "participants": ["Ministry of Interior", "EU delegation"],
}
PROJECT = {
    "title": "Border guard training",
    "donor": "German Federal Foreign Office",
    "recipient": "JO",
    "areas": "immigration",
    "status": "implementation",
}
TODAY = dt.date(2026, 4, 1)


def test_meeting_minutes_and_action_items(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    meeting = meetings.create_meeting(hub, donor.actor, MEETING)
    assert (meeting.recipient, meeting.participants) == (
        "JO",
        "Ministry of Interior\nEU delegation",
    )
    meetings.record_minutes(hub, donor.actor, meeting.id, "Agreed to share curricula.")
    late = meetings.add_action_item(
        hub,
        donor.actor,
        meeting.id,
        {"description": "Send curricula", "owner": "EU", "due_on": "2026-03-20"},
    )
    soon = meetings.add_action_item(
        hub,
        donor.actor,
        meeting.id,
        {"description": "Site visit", "owner": "DE", "due_on": "2026-05-01"},
    )
    done = meetings.add_action_item(
        hub, donor.actor, meeting.id, {"description": "Minutes", "owner": "JO"}
    )
    assert meetings.complete_action_item(hub, donor.actor, done.id).status == "done"
    assert meetings.complete_action_item(hub, donor.actor, done.id).status == "done"
    got = meetings.get_meeting(hub, donor.actor, meeting.id, today=TODAY)
    assert got.minutes == "Agreed to share curricula."
    assert [(i.id, i.overdue) for i in got.action_items] == [
        (late.id, True), (soon.id, False), (done.id, False),
    ]  # fmt: skip
    open_items = meetings.list_open_actions(hub, donor.actor, recipient="JO", today=TODAY)
    assert [i.id for i in open_items] == [late.id, soon.id]
    overdue = meetings.list_open_actions(hub, donor.actor, overdue_only=True, today=TODAY)
    assert [i.id for i in overdue] == [late.id]
    assert meetings.complete_action_item(hub, donor.actor, done.id, done=False).done_at is None
    changed = meetings.update_meeting(hub, donor.actor, meeting.id, {**MEETING, "title": "Renamed"})
    assert changed.title == "Renamed"
    assert changed.minutes == ""
    page = meetings.list_meetings(hub, donor.actor, recipient="Jordan")
    assert page.total == 1
    assert len(page.items[0].action_items) == 3


BAD_MEETINGS = [
    ({"held_on": ""}, "held_on"),
    ({"held_on": "10/03/2026"}, "held_on"),
    ({"recipient": "Atlantis"}, "recipient"),
    ({"title": ""}, "title"),
]


def test_meeting_errors_name_the_field(hub: Hub) -> None:
    for changes, field in BAD_MEETINGS:
        with pytest.raises(InvalidInput) as err:
            meetings.create_meeting(hub, factories.OPERATOR, {**MEETING, **changes, "org_id": 1})
        assert err.value.params["field"] == field
    with pytest.raises(InvalidInput, match="owning organisation"):
        meetings.create_meeting(hub, factories.OPERATOR, MEETING)


def test_action_item_due_before_the_meeting_is_refused(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    meeting = meetings.create_meeting(hub, donor.actor, MEETING)
    item = {"description": "x", "owner": "y", "due_on": "2026-03-01"}
    with pytest.raises(InvalidInput, match="before the meeting") as err:
        meetings.add_action_item(hub, donor.actor, meeting.id, item)
    assert err.value.params["field"] == "due_on"
    with pytest.raises(InvalidInput) as err:
        meetings.add_action_item(hub, donor.actor, meeting.id, {**item, "owner": ""})
    assert err.value.params["field"] == "owner"
    with pytest.raises(NotFound):
        meetings.complete_action_item(hub, donor.actor, 999)


def test_meetings_are_organisation_scoped(hub: Hub) -> None:
    donor_a = factories.member(hub, "analyst")
    donor_b = factories.member(hub, "analyst")
    secretariat = factories.member(hub, "coordinator")
    meeting = meetings.create_meeting(hub, donor_a.actor, MEETING)
    with pytest.raises(Forbidden):
        meetings.get_meeting(hub, donor_b.actor, meeting.id)
    with pytest.raises(Forbidden):
        meetings.add_action_item(hub, donor_b.actor, meeting.id, {"description": "x", "owner": "y"})
    assert meetings.list_meetings(hub, donor_b.actor).total == 0
    assert meetings.list_meetings(hub, secretariat.actor).total == 1
    with pytest.raises(Forbidden):
        meetings.record_minutes(hub, secretariat.actor, meeting.id, "not theirs")
    viewer = factories.member(hub, "viewer", org_name=donor_a.org)
    assert meetings.get_meeting(hub, viewer.actor, meeting.id).id == meeting.id
    with pytest.raises(Forbidden):
        meetings.create_meeting(hub, viewer.actor, MEETING)


def _overlap(hub: Hub, a: int, b: int, state: str, score: float) -> None:
    with hub.db.session() as s:
        s.add(
            OverlapReview(project_a=a, project_b=b, score=score, reasons="same topic", state=state)
        )


def test_briefing_pack_gathers_what_the_actor_may_read(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    other = factories.member(hub, "analyst")
    need = {"recipient": "JO", "area": "immigration", "title": "Document *fraud*"}
    low = co.create_need(hub, donor.actor, {**need, "priority": 2})
    high = co.create_need(hub, donor.actor, {**need, "priority": 5, "confidentiality": "TLP:AMBER"})
    co.create_need(hub, donor.actor, {**need, "priority": 4, "status": "closed"})
    co.create_need(hub, donor.actor, {**need, "priority": 3, "recipient": "KE"})
    p1 = co.create_project(hub, donor.actor, PROJECT)
    p2 = co.create_project(hub, donor.actor, {**PROJECT, "status": "pipeline"})
    p3 = co.create_project(hub, donor.actor, {**PROJECT, "status": "completed"})
    theirs = co.create_project(hub, other.actor, PROJECT)
    _overlap(hub, p1.id, p2.id, "flagged", 0.7)
    _overlap(hub, p1.id, p3.id, "confirmed", 0.6)
    _overlap(hub, p2.id, p3.id, "dismissed", 0.9)
    _overlap(hub, p1.id, theirs.id, "flagged", 0.95)
    meetings.create_meeting(hub, donor.actor, {**MEETING, "held_on": "2025-11-01"})
    last = meetings.create_meeting(hub, donor.actor, MEETING)
    item = {"description": "Send curricula", "owner": "EU", "due_on": "2026-03-20"}
    first = meetings.add_action_item(hub, donor.actor, last.id, {**item, "owner": "DE"})
    meetings.complete_action_item(hub, donor.actor, first.id)
    second = meetings.add_action_item(hub, donor.actor, last.id, item)
    pack = meetings.briefing_pack(hub, donor.actor, "Jordan", today=TODAY)
    assert (pack.recipient, pack.recipient_name, pack.confidentiality) == (
        "JO",
        "Jordan",
        "TLP:AMBER",
    )
    assert [n.id for n in pack.needs] == [high.id, low.id]
    assert [p.id for p in pack.projects] == [p1.id, p2.id]
    assert [(o.state, o.second.id) for o in pack.overlaps] == [
        ("confirmed", p3.id),
        ("flagged", p2.id),
    ]
    assert pack.last_meeting is not None
    assert pack.last_meeting.id == last.id
    assert [(i.id, i.overdue) for i in pack.action_items] == [(second.id, True), (first.id, False)]
    secretariat = factories.member(hub, "coordinator")
    full = meetings.briefing_pack(hub, secretariat.actor, "JO", today=TODAY)
    assert len(full.overlaps) == 3
    assert len(full.projects) == 3
    text = briefing.briefing_markdown(pack, gettext("en"))
    assert text.startswith("# Briefing pack: Jordan (JO)\n")
    assert "## Open needs (2)" in text
    assert "Document \\*fraud\\*" in text
    assert "- [ ] Send curricula (EU; due 2026-03-20) **overdue**" in text
    assert "- [x] Send curricula (DE; due 2026-03-20)" in text


def test_an_empty_briefing_pack_still_renders(hub: Hub) -> None:
    pack = meetings.briefing_pack(hub, factories.OPERATOR, "298", today=TODAY)
    assert pack.recipient_name == "Africa, regional"
    assert pack.last_meeting is None
    text = briefing.briefing_markdown(pack, gettext("zh_Hans"))
    assert "TLP:GREEN" in text
    assert text.count("\n## ") == 5
