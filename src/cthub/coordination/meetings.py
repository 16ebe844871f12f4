"""Coordination meetings with a recipient: minutes, action items, and the briefing pack.

A meeting belongs to the organisation that recorded it (``coordination.meetings`` writes stay
inside it; ``coordination.read`` reaches shared organisations, and the coordinator reads every
one). Action items belong to their meeting; an open item past its due date is *overdue*, which
depends on the day asked, so the functions that report it take ``today`` (default: the date
now). The briefing pack gathers what a delegation needs before the next meeting with a
recipient; it is a plain dataclass so the web page and the Markdown export
(``briefing.briefing_markdown``) render the same content.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from cthub.coordination import validation
from cthub.coordination.models import ActionItem, Meeting
from cthub.coordination.service import Page, get_owned, paged, scoped, writer_org
from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import N_
from cthub.core.policy import Actor

if TYPE_CHECKING:
    from cthub.coordination.briefing import BriefingPack

ACTION_STATES: dict[str, str] = {"open": N_("Open"), "done": N_("Done")}


@dataclass(frozen=True)
class ActionItemView:
    id: int
    meeting_id: int
    recipient: str
    meeting_title: str
    description: str
    owner: str
    due_on: dt.date | None
    status: str
    done_at: dt.datetime | None
    overdue: bool


@dataclass(frozen=True)
class MeetingView:
    id: int
    org_id: int
    recipient: str
    title: str
    held_on: dt.date
    location: str
    participants: str
    minutes: str
    created_by: str
    created_at: dt.datetime
    action_items: tuple[ActionItemView, ...]


def item_view(item: ActionItem, meeting: Meeting, today: dt.date) -> ActionItemView:
    overdue = item.status == "open" and item.due_on is not None and item.due_on < today
    return ActionItemView(
        item.id, meeting.id, meeting.recipient, meeting.title, item.description, item.owner,
        item.due_on, item.status, item.done_at, overdue,
    )  # fmt: skip


def item_order(item: ActionItemView) -> tuple[bool, bool, dt.date, int]:
    """Open items first, then by due date (undated last): the order a chair goes through."""
    return (item.status != "open", item.due_on is None, item.due_on or dt.date.max, item.id)


def meeting_view(meeting: Meeting, items: Iterable[ActionItem], today: dt.date) -> MeetingView:
    views = sorted((item_view(i, meeting, today) for i in items), key=item_order)
    return MeetingView(
        meeting.id, meeting.org_id, meeting.recipient, meeting.title, meeting.held_on,
        meeting.location, meeting.participants, meeting.minutes, meeting.created_by,
        meeting.created_at, tuple(views),
    )  # fmt: skip


def items_of(u: Unit, meeting_ids: list[int]) -> dict[int, list[ActionItem]]:
    """The action items of several meetings in one query, by meeting id."""
    found: dict[int, list[ActionItem]] = {m: [] for m in meeting_ids}
    if meeting_ids:
        stmt = select(ActionItem).where(ActionItem.meeting_id.in_(meeting_ids))
        for item in u.s.scalars(stmt.order_by(ActionItem.id)):
            found[item.meeting_id].append(item)
    return found


def _participants(value: Any) -> str:
    if isinstance(value, list | tuple):
        value = "\n".join(str(v).strip() for v in value if str(v).strip())
    return validation.text({"participants": value}, "participants", required=False, limit=5000)


def _meeting_values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "recipient": validation.recipient(data.get("recipient")),
        "title": validation.text(data, "title", limit=300),
        "held_on": validation.date(data.get("held_on"), "held_on", required=True),
        "location": validation.text(data, "location", required=False, limit=200),
        "participants": _participants(data.get("participants")),
        "minutes": validation.text(data, "minutes", required=False, limit=100_000),
    }


def _view(u: Unit, meeting: Meeting, today: dt.date | None = None) -> MeetingView:
    return meeting_view(meeting, items_of(u, [meeting.id])[meeting.id], today or dt.date.today())


# -- meetings ----------------------------------------------------------------------------------


def create_meeting(hub: Hub, actor: Actor, data: Mapping[str, Any]) -> MeetingView:
    """Record a meeting in the actor's organisation (the operator passes ``org_id``)."""
    values = _meeting_values(data)
    with hub.unit(actor, "coordination.meetings") as u:
        meeting = Meeting(org_id=writer_org(u, data), created_by=actor.name, **values)
        u.s.add(meeting)
        u.s.flush()
        u.audit(
            "meeting", meeting.id, org_id=meeting.org_id, details={"recipient": meeting.recipient}
        )
        return _view(u, meeting)


def update_meeting(hub: Hub, actor: Actor, meeting_id: int, data: Mapping[str, Any]) -> MeetingView:
    """Replace a meeting's fields (minutes too: send the current ones to keep them)."""
    values = _meeting_values(data)
    with hub.unit(actor, "coordination.meetings") as u:
        meeting = get_owned(u, Meeting, meeting_id, "meeting")
        for key, value in values.items():
            setattr(meeting, key, value)
        u.audit("meeting", meeting.id, org_id=meeting.org_id)
        return _view(u, meeting)


def record_minutes(hub: Hub, actor: Actor, meeting_id: int, minutes: str) -> MeetingView:
    """Set the minutes of a held meeting; the rest of the record is left as it is."""
    text = validation.text({"minutes": minutes}, "minutes", required=False, limit=100_000)
    with hub.unit(actor, "coordination.meetings") as u:
        meeting = get_owned(u, Meeting, meeting_id, "meeting")
        meeting.minutes = text
        u.audit("meeting", meeting.id, org_id=meeting.org_id, details={"minutes": len(text)})
        return _view(u, meeting)


def get_meeting(
    hub: Hub, actor: Actor, meeting_id: int, *, today: dt.date | None = None
) -> MeetingView:
    with hub.unit(actor, "coordination.read") as u:
        meeting = get_owned(u, Meeting, meeting_id, "meeting")
        u.audit("meeting", meeting.id, org_id=meeting.org_id)
        return _view(u, meeting, today)


def list_meetings(
    hub: Hub,
    actor: Actor,
    *,
    recipient: str | None = None,
    limit: int = 50,
    offset: int = 0,
    today: dt.date | None = None,
) -> Page[MeetingView]:
    """Visible meetings, latest first, optionally of one recipient."""
    with hub.unit(actor, "coordination.read") as u:
        stmt = scoped(u, select(Meeting), Meeting.org_id)
        if recipient:
            stmt = stmt.where(Meeting.recipient == validation.recipient(recipient))
        stmt = stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc())
        rows, total = paged(u, stmt, limit, offset)
        items = items_of(u, [m.id for m in rows])
        u.audit("meeting", details={"listed": len(rows)})
        day = today or dt.date.today()
        return Page([meeting_view(m, items[m.id], day) for m in rows], total, limit, offset)


# -- action items ------------------------------------------------------------------------------


def add_action_item(
    hub: Hub, actor: Actor, meeting_id: int, data: Mapping[str, Any]
) -> ActionItemView:
    """Add an action item with an owner and an optional due date (not before the meeting)."""
    description = validation.text(data, "description", limit=2000)
    owner = validation.text(data, "owner", limit=200)
    due_on = validation.date(data.get("due_on"), "due_on")
    with hub.unit(actor, "coordination.meetings") as u:
        meeting = get_owned(u, Meeting, meeting_id, "meeting")
        if due_on is not None and due_on < meeting.held_on:
            raise InvalidInput(
                "The due date {due} is before the meeting on {held}.",
                hint="Give a due date on or after the meeting.",
                field="due_on", due=due_on.isoformat(), held=meeting.held_on.isoformat(),
            )  # fmt: skip
        item = ActionItem(
            meeting_id=meeting.id, description=description, owner=owner, due_on=due_on
        )
        u.s.add(item)
        u.s.flush()
        u.audit("action_item", item.id, org_id=meeting.org_id, details={"meeting": meeting.id})
        return item_view(item, meeting, dt.date.today())


def complete_action_item(
    hub: Hub, actor: Actor, item_id: int, *, done: bool = True
) -> ActionItemView:
    """Mark an item done (or open again with ``done=False``); repeating it changes nothing."""
    with hub.unit(actor, "coordination.meetings") as u:
        item = u.s.get(ActionItem, item_id)
        if item is None:
            raise NotFound("No {kind} with id {id}.", kind="action item", id=item_id)
        meeting = get_owned(u, Meeting, item.meeting_id, "meeting")
        if done != (item.status == "done"):
            item.status, item.done_at = ("done", utcnow()) if done else ("open", None)
        u.audit("action_item", item.id, org_id=meeting.org_id, details={"status": item.status})
        return item_view(item, meeting, dt.date.today())


def list_open_actions(
    hub: Hub,
    actor: Actor,
    *,
    recipient: str | None = None,
    overdue_only: bool = False,
    today: dt.date | None = None,
) -> list[ActionItemView]:
    """Open action items of the visible meetings, soonest due first (overdue ones lead)."""
    day = today or dt.date.today()
    with hub.unit(actor, "coordination.read") as u:
        stmt = scoped(u, select(ActionItem, Meeting), Meeting.org_id)
        stmt = stmt.join(Meeting, Meeting.id == ActionItem.meeting_id)
        stmt = stmt.where(ActionItem.status == "open")
        if recipient:
            stmt = stmt.where(Meeting.recipient == validation.recipient(recipient))
        if overdue_only:
            stmt = stmt.where(ActionItem.due_on < day)
        views = [item_view(item, meeting, day) for item, meeting in u.s.execute(stmt)]
        u.audit("action_item", details={"open": len(views)})
        return sorted(views, key=item_order)


def briefing_pack(
    hub: Hub, actor: Actor, recipient: str, *, today: dt.date | None = None
) -> BriefingPack:
    """The briefing pack for the next meeting with ``recipient``; see ``briefing.build``."""
    from cthub.coordination import briefing  # built on this module, so imported when used

    return briefing.build(hub, actor, recipient, today=today)


__all__ = [
    "ACTION_STATES",
    "ActionItemView",
    "MeetingView",
    "add_action_item",
    "briefing_pack",
    "complete_action_item",
    "create_meeting",
    "get_meeting",
    "item_order",
    "item_view",
    "items_of",
    "list_meetings",
    "list_open_actions",
    "meeting_view",
    "record_minutes",
    "update_meeting",
]
