"""The briefing pack for the next coordination meeting with a recipient, and its Markdown.

What a delegation reads before it meets a recipient: the recipient's open needs (highest
priority first), the projects under way or in the pipeline, the overlaps still to be resolved
(flagged or confirmed, never dismissed ones), and the last meeting with its action items, open
ones first. Everything is what the actor may read (``coordination.read`` scope: own
organisation, sharing rules, the coordinator sees all); an overlap is shown only when both of
its projects are visible, so a pack never reveals another organisation's project.
``confidentiality`` is the most restrictive TLP label among the needs in the pack, so an export
carries the marking of its most sensitive line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from cthub.coordination import taxonomy, validation
from cthub.coordination.meetings import ActionItemView, MeetingView, items_of, meeting_view
from cthub.coordination.models import Meeting, Need, OverlapReview, Project
from cthub.coordination.overlap_reasons import Reason, reasons_from_data, render_all
from cthub.coordination.regions import regions
from cthub.coordination.service import NeedView, ProjectView, need_view, project_view, scoped
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import GetText
from cthub.core.model.countries import countries
from cthub.core.policy import Actor

ONGOING = ("pipeline", "implementation")
OPEN_OVERLAPS = ("confirmed", "flagged")


@dataclass(frozen=True)
class OverlapItem:
    id: int
    state: str
    score: float
    reasons: str
    first: ProjectView
    second: ProjectView
    reason_items: tuple[Reason, ...] = ()

    def reasons_in(self, gettext: GetText | None = None) -> str:
        """The reasons in the reader's language (the stored English text for old rows)."""
        return render_all(self.reason_items, self.reasons, gettext)


@dataclass(frozen=True)
class BriefingPack:
    recipient: str
    recipient_name: str
    generated_on: dt.date
    generated_by: str
    confidentiality: str
    needs: tuple[NeedView, ...]
    projects: tuple[ProjectView, ...]
    overlaps: tuple[OverlapItem, ...]
    last_meeting: MeetingView | None
    action_items: tuple[ActionItemView, ...]


def recipient_name(code: str) -> str:
    country = countries().get(code)
    return country.name if country else regions().get(code, code)


def _needs(u: Unit, code: str) -> tuple[NeedView, ...]:
    stmt = select(Need).where(Need.recipient == code, Need.status == "open")
    stmt = stmt.order_by(Need.priority.desc(), Need.identified_on, Need.id)
    return tuple(need_view(n) for n in u.s.scalars(scoped(u, stmt, Need.org_id)))


def _projects(u: Unit, code: str) -> tuple[ProjectView, ...]:
    stmt = select(Project).where(Project.recipient == code, Project.status.in_(ONGOING))
    stmt = stmt.order_by(Project.status, Project.start_date, Project.id)
    return tuple(project_view(p) for p in u.s.scalars(scoped(u, stmt, Project.org_id)))


def _overlaps(u: Unit, code: str) -> tuple[OverlapItem, ...]:
    visible = scoped(u, select(Project.id).where(Project.recipient == code), Project.org_id)
    stmt = select(OverlapReview).where(
        OverlapReview.state.in_(OPEN_OVERLAPS),
        OverlapReview.project_a.in_(visible),
        OverlapReview.project_b.in_(visible),
    )
    items = []
    for r in u.s.scalars(stmt):
        first, second = u.s.get(Project, r.project_a), u.s.get(Project, r.project_b)
        if first is not None and second is not None:
            views = (project_view(first), project_view(second))
            reasons = reasons_from_data(r.reasons_data)
            items.append(OverlapItem(r.id, r.state, r.score, r.reasons, *views, reasons))
    return tuple(sorted(items, key=lambda o: (OPEN_OVERLAPS.index(o.state), -o.score, o.id)))


def _last_meeting(u: Unit, code: str, today: dt.date) -> MeetingView | None:
    stmt = select(Meeting).where(Meeting.recipient == code)
    stmt = stmt.order_by(Meeting.held_on.desc(), Meeting.id.desc()).limit(1)
    meeting = u.s.scalar(scoped(u, stmt, Meeting.org_id))
    if meeting is None:
        return None
    return meeting_view(meeting, items_of(u, [meeting.id])[meeting.id], today)


def _marking(needs: tuple[NeedView, ...]) -> str:
    levels = taxonomy.TLP_LEVELS
    return max((n.confidentiality for n in needs), key=levels.index, default="TLP:GREEN")


def build(hub: Hub, actor: Actor, recipient: str, *, today: dt.date | None = None) -> BriefingPack:
    """Assemble the pack from the register as the actor sees it (one audited read)."""
    code = validation.recipient(recipient)
    day = today or dt.date.today()
    with hub.unit(actor, "coordination.read") as u:
        needs, projects = _needs(u, code), _projects(u, code)
        overlaps, meeting = _overlaps(u, code), _last_meeting(u, code, day)
        u.audit("briefing_pack", code, details={"needs": len(needs), "projects": len(projects)})
    return BriefingPack(
        recipient=code, recipient_name=recipient_name(code), generated_on=day,
        generated_by=actor.name, confidentiality=_marking(needs), needs=needs,
        projects=projects, overlaps=overlaps, last_meeting=meeting,
        action_items=meeting.action_items if meeting else (),
    )  # fmt: skip


# -- Markdown ----------------------------------------------------------------------------------

_MD_SPECIAL = set("\\`*_[]<>#|")


def md(text: str) -> str:
    """User text made inert in Markdown: its markup characters are escaped, lines joined."""
    flat = " ".join(text.split())
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in flat)


def _areas(keys: tuple[str, ...], _: GetText) -> str:
    return ", ".join(_(taxonomy.area(k).label) for k in keys if k in taxonomy.AREA_KEYS)


def _need_lines(pack: BriefingPack, _: GetText) -> list[str]:
    return [
        f"- **P{n.priority}** {md(n.title)} ({_areas((n.area,), _)}; {n.confidentiality}; "
        + _("identified {date}").format(date=n.identified_on.isoformat())
        + ")"
        for n in pack.needs
    ]


def _project_lines(pack: BriefingPack, _: GetText) -> list[str]:
    lines = []
    for p in pack.projects:
        dates = " to ".join(d.isoformat() for d in (p.start_date, p.end_date) if d)
        budget = f"; {p.budget} {p.currency}" if p.budget else ""
        when = f"; {dates}" if dates else ""
        status = _(taxonomy.STATUSES.get(p.status, p.status))
        lines.append(
            f"- {md(p.title)}: {md(p.donor)}, {status}{when}{budget} ({_areas(p.areas, _)})"
        )
    return lines


def _overlap_lines(pack: BriefingPack, _: GetText) -> list[str]:
    label = {"flagged": _("flagged"), "confirmed": _("confirmed")}
    lines = []
    for o in pack.overlaps:
        first, second = (f"{md(p.title)} ({md(p.donor)})" for p in (o.first, o.second))
        pair = f"{first} ↔ {second}"
        why = f": {md(o.reasons_in(_))}" if o.reasons else ""
        lines.append(f"- {label.get(o.state, o.state)} ({o.score:.2f}): {pair}{why}")
    return lines


def _item_line(item: ActionItemView, _: GetText) -> str:
    box = "[x]" if item.status == "done" else "[ ]"
    due = "; " + _("due {date}").format(date=item.due_on.isoformat()) if item.due_on else ""
    late = " **" + _("overdue") + "**" if item.overdue else ""
    return f"- {box} {md(item.description)} ({md(item.owner)}{due}){late}"


def _meeting_lines(meeting: MeetingView | None, _: GetText) -> list[str]:
    if meeting is None:
        return [_("No meeting with this recipient has been recorded.")]
    head = f"**{md(meeting.title)}**, {meeting.held_on.isoformat()}"
    lines = [head + (f", {md(meeting.location)}" if meeting.location else "")]
    if meeting.participants:
        names = ", ".join(md(n) for n in meeting.participants.splitlines() if n.strip())
        lines += ["", _("Participants: {names}").format(names=names)]
    if meeting.minutes:
        lines += [""] + [
            f"> {md(line)}" if line.strip() else ">" for line in meeting.minutes.splitlines()
        ]
    return lines


def briefing_markdown(pack: BriefingPack, gettext: GetText) -> str:
    """The pack as Markdown in the language of ``gettext``; user text is escaped."""
    _ = gettext
    none = [_("None recorded.")]
    sections = [
        (_("Open needs ({count})"), _need_lines(pack, _) or none, len(pack.needs)),
        (_("Ongoing projects ({count})"), _project_lines(pack, _) or none, len(pack.projects)),
        (_("Overlaps to resolve ({count})"), _overlap_lines(pack, _) or none, len(pack.overlaps)),
        (_("Last meeting"), _meeting_lines(pack.last_meeting, _), None),
        (
            _("Action items ({count})"),
            [_item_line(i, _) for i in pack.action_items] or none,
            len(pack.action_items),
        ),
    ]
    title = _("Briefing pack: {name}").format(name=md(pack.recipient_name))
    prepared = _("Prepared on {date} by {user}").format(
        date=pack.generated_on.isoformat(), user=md(pack.generated_by)
    )
    out = [f"# {title} ({pack.recipient})", "", f"{pack.confidentiality} · {prepared}"]
    for heading, lines, count in sections:
        label = heading.format(count=count) if count is not None else heading
        out += ["", f"## {label}", "", *lines]
    return "\n".join(out) + "\n"


__all__ = [
    "BriefingPack",
    "OverlapItem",
    "briefing_markdown",
    "build",
    "md",
    "recipient_name",
]
