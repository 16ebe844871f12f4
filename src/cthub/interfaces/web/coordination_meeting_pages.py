"""Coordination meetings: list, record and edit, minutes, action items, the briefing pack.

A meeting's page edits its minutes and adds action items with HTMX, each part swapped in place
with the service's errors beside their fields; an item is marked done or reopened inline. The
briefing pack is ``meetings.briefing_pack`` rendered as a page, beside the Markdown download
the country page offers. Policy and audit stay in ``cthub.coordination.meetings``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.coordination import meetings
from cthub.core import policy
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.coordination_pages import (
    NO_ERRORS,
    Id,
    Text,
    crumbs,
    form_errors,
    link_maker,
    page_count,
    redirect,
    vocabulary,
)
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/coordination")
MEETINGS = (N_("Meetings"), "/coordination/meetings")
ACTION = "coordination.meetings"
MEETING_FIELDS = ("recipient", "title", "held_on", "location", "participants")
ITEM_FIELDS = ("description", "owner", "due_on")


def may_meet(actor: policy.Actor, org_id: int | None = None) -> bool:
    """Whether to offer changes: the role gate, and the meeting being the actor's own."""
    return policy.allowed(actor, ACTION) and (org_id is None or org_id == actor.org_id)


def meeting_crumb(request: Request, meeting_id: int) -> tuple[str, str]:
    _ = gettext(language_of(request))
    return _("Meeting {id}").format(id=meeting_id), f"/coordination/meetings/{meeting_id}"


def _page_number(request: Request) -> int:
    raw = request.query_params.get("page") or "1"
    return max(1, min(int(raw), 10**6)) if raw.isdecimal() else 1


@router.get("/meetings", response_class=HTMLResponse)
def meetings_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    recipient = (request.query_params.get("recipient") or "").strip()
    page, size = _page_number(request), hub.settings.page_size
    extra = dict(NO_ERRORS)
    try:
        found = meetings.list_meetings(
            hub, who.actor, recipient=recipient or None, limit=size, offset=(page - 1) * size
        )
    except CthubError as exc:  # an unknown recipient, beside the filter
        extra = form_errors(exc, gettext(language_of(request)), ("recipient",))
        found = meetings.list_meetings(hub, who.actor, limit=size)
    return render(
        request,
        "coordination/meetings.html",
        status_code=400 if extra["errors"] or extra["error"] else 200,
        result=found,
        recipient=recipient,
        page=page,
        pages=page_count(found.total, size),
        link=link_maker(request),
        may_create=may_meet(who.actor),
        breadcrumbs=crumbs(MEETINGS),
        **extra,
        **vocabulary(),
    )


def _meeting_form(request: Request, form: Mapping[str, Any], meeting_id: int | None,
                  status: int = 200, **extra: Any) -> Response:  # fmt: skip
    hx = bool(request.headers.get("hx-request"))
    label = N_("Edit meeting") if meeting_id else N_("Record a meeting")
    trail = [MEETINGS, meeting_crumb(request, meeting_id)] if meeting_id else [MEETINGS]
    return render(
        request,
        "coordination/meeting_form.html" if hx else "coordination/meeting_edit.html",
        status_code=status,
        form=form,
        meeting_id=meeting_id,
        heading=label,
        breadcrumbs=crumbs(*trail, (label, request.url.path)),
        **{**NO_ERRORS, **extra},
        **vocabulary(),
    )


def _require_meet(request: Request, who: Caller) -> None:
    with hub_of(request).db.session(readonly=True) as s:
        policy.require(s, who.actor, ACTION)


@router.get("/meetings/new", response_class=HTMLResponse)
def meeting_new(request: Request, who: Caller = Depends(page_caller)) -> Response:
    _require_meet(request, who)
    form = {"recipient": (request.query_params.get("recipient") or "").strip().upper()}
    return _meeting_form(request, form, None)


def _meeting_submit(request: Request, who: Caller, meeting_id: int | None,
                    form: dict[str, str]) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hub = hub_of(request)
    try:
        if meeting_id is None:
            view = meetings.create_meeting(hub, who.actor, form)
        else:  # the form does not show the minutes: keep them
            old = meetings.get_meeting(hub, who.actor, meeting_id)
            view = meetings.update_meeting(hub, who.actor, meeting_id,
                                           {**form, "minutes": old.minutes})  # fmt: skip
    except CthubError as exc:
        status = 200 if request.headers.get("hx-request") else exc.http_status
        extra = form_errors(exc, _, MEETING_FIELDS)
        return _meeting_form(request, form, meeting_id, status, **extra)
    return redirect(request, f"/coordination/meetings/{view.id}")


@router.post("/meetings", response_class=HTMLResponse)
def meeting_create(
    request: Request, who: Caller = Depends(page_caller), recipient: Text = "",
    title: Text = "", held_on: Text = "", location: Text = "", participants: Text = "",
) -> Response:  # fmt: skip
    values = [recipient, title, held_on, location, participants]
    return _meeting_submit(request, who, None, dict(zip(MEETING_FIELDS, values, strict=True)))


def _meeting(request: Request, who: Caller, meeting_id: int, status: int = 200,
             **extra: Any) -> Response:  # fmt: skip
    view = meetings.get_meeting(hub_of(request), who.actor, meeting_id)
    parts = {"minutes_form": {"minutes": view.minutes}, "item_form": {}, **NO_ERRORS}
    return render(
        request,
        "coordination/meeting.html",
        status_code=status,
        mt=view,
        may_edit=may_meet(who.actor, view.org_id),
        action_states=meetings.ACTION_STATES,
        breadcrumbs=crumbs(MEETINGS, meeting_crumb(request, meeting_id)),
        **{**parts, **extra},
        **vocabulary(),
    )


@router.get("/meetings/briefing", response_class=HTMLResponse)
def briefing_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    recipient = (request.query_params.get("recipient") or "").strip()
    trail = crumbs(MEETINGS, (N_("Briefing pack"), request.url.path))
    try:
        pack = meetings.briefing_pack(hub_of(request), who.actor, recipient)
    except CthubError as exc:
        extra = form_errors(exc, gettext(language_of(request)), ("recipient",))
        return render(request, "coordination/briefing.html", status_code=exc.http_status,
                      pack=None, recipient=recipient, breadcrumbs=trail, **extra,
                      **vocabulary())  # fmt: skip
    return render(
        request,
        "coordination/briefing.html",
        pack=pack,
        recipient=pack.recipient,
        action_states=meetings.ACTION_STATES,
        breadcrumbs=trail,
        **NO_ERRORS,
        **vocabulary(),
    )


@router.get("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_page(meeting_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _meeting(request, who, meeting_id)


@router.get("/meetings/{meeting_id}/edit", response_class=HTMLResponse)
def meeting_edit(meeting_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    _require_meet(request, who)
    view = meetings.get_meeting(hub_of(request), who.actor, meeting_id)
    form = {f: str(getattr(view, f)) for f in MEETING_FIELDS}
    return _meeting_form(request, form, meeting_id)


@router.post("/meetings/{meeting_id}", response_class=HTMLResponse)
def meeting_update(
    meeting_id: Id, request: Request, who: Caller = Depends(page_caller), recipient: Text = "",
    title: Text = "", held_on: Text = "", location: Text = "", participants: Text = "",
) -> Response:  # fmt: skip
    values = [recipient, title, held_on, location, participants]
    form = dict(zip(MEETING_FIELDS, values, strict=True))
    return _meeting_submit(request, who, meeting_id, form)


@router.post("/meetings/{meeting_id}/minutes", response_class=HTMLResponse)
def meeting_minutes(
    meeting_id: Id, request: Request, who: Caller = Depends(page_caller), minutes: Text = ""
) -> Response:
    _ = gettext(language_of(request))
    hx = bool(request.headers.get("hx-request"))
    extra: dict[str, Any] = {**NO_ERRORS, "minutes_form": {"minutes": minutes}}
    try:
        view = meetings.record_minutes(hub_of(request), who.actor, meeting_id, minutes)
    except CthubError as exc:
        extra.update(form_errors(exc, _, ("minutes",)))
        if not hx:
            return _meeting(request, who, meeting_id, exc.http_status, **extra)
        return render(request, "coordination/meeting_minutes.html", mt=None,
                      meeting_id=meeting_id, may_edit=True, **extra)  # fmt: skip
    if not hx:
        return RedirectResponse(f"/coordination/meetings/{meeting_id}", status_code=303)
    extra["minutes_form"] = {"minutes": view.minutes}
    return render(request, "coordination/meeting_minutes.html", mt=view, meeting_id=meeting_id,
                  may_edit=True, saved=True, **extra)  # fmt: skip


@router.post("/meetings/{meeting_id}/actions", response_class=HTMLResponse)
def action_add(
    meeting_id: Id, request: Request, who: Caller = Depends(page_caller),
    description: Text = "", owner: Text = "", due_on: Text = "",
) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hub, hx = hub_of(request), bool(request.headers.get("hx-request"))
    form = dict(zip(ITEM_FIELDS, (description, owner, due_on), strict=True))
    extra: dict[str, Any] = {**NO_ERRORS, "item_form": {}}
    try:
        meetings.add_action_item(hub, who.actor, meeting_id, form)
    except CthubError as exc:
        extra = {**form_errors(exc, _, ITEM_FIELDS), "item_form": form}
        if not hx:
            return _meeting(request, who, meeting_id, exc.http_status, **extra)
    if not hx:
        return RedirectResponse(f"/coordination/meetings/{meeting_id}#actions", status_code=303)
    view = meetings.get_meeting(hub, who.actor, meeting_id)
    return render(request, "coordination/meeting_actions.html", mt=view, may_edit=True,
                  action_states=meetings.ACTION_STATES, **extra)  # fmt: skip


@router.post("/meetings/actions/{item_id}", response_class=HTMLResponse)
def action_status(
    item_id: Id, request: Request, who: Caller = Depends(page_caller), done: Text = "1"
) -> Response:
    item = meetings.complete_action_item(hub_of(request), who.actor, item_id, done=done == "1")
    if not request.headers.get("hx-request"):
        return RedirectResponse(f"/coordination/meetings/{item.meeting_id}#actions", 303)
    return render(request, "coordination/action_row.html", a=item, may_edit=True,
                  action_states=meetings.ACTION_STATES)  # fmt: skip
