"""The needs register: list (sort, filter, pages, CSV), form, detail with suggestions, delete.

A need's page shows the projects linked to it, the unlinked projects that may answer it
(``analysis.need_matches``) and the donors ranked for it (``analysis.donor_suggestions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.coordination import analysis, service
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.coordination_pages import (
    Id,
    crumbs,
    csv_response,
    every,
    form_errors,
    listing_filter,
    listing_page,
    may_write,
    redirect,
    require_write,
    vocabulary,
)
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/coordination")
NEEDS = (N_("Needs"), "/coordination/needs")
NEED_FIELDS = ("recipient", "area", "priority", "title", "description", "source",
               "identified_on", "confidentiality", "status")  # fmt: skip


def need_crumb(request: Request, need_id: int) -> tuple[str, str]:
    """A breadcrumb with a number in it, translated here (the layout passes it through)."""
    _ = gettext(language_of(request))
    return _("Need {id}").format(id=need_id), f"/coordination/needs/{need_id}"


NEED_CSV = ("id", "recipient", "area", "priority", "title", "source", "identified_on",
            "confidentiality", "status", "created_by")  # fmt: skip


@router.get("/needs", response_class=HTMLResponse)
def needs_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return listing_page(
        request, who, "coordination/needs.html", "-priority", service.list_needs, NEEDS
    )


@router.get("/needs.csv")
def needs_csv(request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    flt, _page = listing_filter(request, "-priority")
    needs = every(lambda limit, offset: service.list_needs(hub, who.actor, flt, limit, offset))
    rows = ([getattr(n, c) for c in NEED_CSV] for n in needs)
    return csv_response("cthub-needs.csv", NEED_CSV, rows)


def _need_form(request: Request, who: Caller, form: Mapping[str, Any], need_id: int | None,
               status: int = 200, **extra: Any) -> Response:  # fmt: skip
    hx = bool(request.headers.get("hx-request"))
    label = N_("Edit need") if need_id else N_("Record a need")
    trail = [NEEDS]
    if need_id:
        trail.append(need_crumb(request, need_id))
    return render(
        request,
        "coordination/need_form.html" if hx else "coordination/need_edit.html",
        status_code=status,
        form=form,
        need_id=need_id,
        heading=label,
        breadcrumbs=crumbs(*trail, (label, request.url.path)),
        **{"errors": {}, "hints": {}, "error": None, "hint": None, **extra},
        **vocabulary(),
    )


@router.get("/needs/new", response_class=HTMLResponse)
def need_new(request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    form = {"priority": "3", "source": "cted_assessment", "confidentiality": "TLP:GREEN",
            "status": "open"}  # fmt: skip
    return _need_form(request, who, form, None)


def _need_submit(request: Request, who: Caller, need_id: int | None,
                 form: dict[str, str]) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hub = hub_of(request)
    try:
        if need_id is None:
            view = service.create_need(hub, who.actor, form)
        else:
            view = service.update_need(hub, who.actor, need_id, form)
    except CthubError as exc:
        status = 200 if request.headers.get("hx-request") else exc.http_status
        return _need_form(request, who, form, need_id, status, **form_errors(exc, _, NEED_FIELDS))
    return redirect(request, f"/coordination/needs/{view.id}")


NeedForm = Annotated[str, Form()]


@router.post("/needs", response_class=HTMLResponse)
def need_create(
    request: Request,
    who: Caller = Depends(page_caller),
    recipient: NeedForm = "", area: NeedForm = "", priority: NeedForm = "", title: NeedForm = "",
    description: NeedForm = "", source: NeedForm = "", identified_on: NeedForm = "",
    confidentiality: NeedForm = "", status: NeedForm = "",
) -> Response:  # fmt: skip
    values = [recipient, area, priority, title, description, source, identified_on,
              confidentiality, status]  # fmt: skip
    return _need_submit(request, who, None, dict(zip(NEED_FIELDS, values, strict=True)))


@router.get("/needs/{need_id}", response_class=HTMLResponse)
def need_page(need_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    need = service.get_need(hub, who.actor, need_id)
    suggestions = analysis.donor_suggestions(hub, who.actor, need_id)
    register = service.load_register(hub, who.actor, need.recipient)
    linked = [p for p in register.projects if need_id in p.need_ids]
    matches = [
        m
        for m in analysis.need_matches(hub, who.actor)
        if m.need_id == need_id and m.project_id not in {p.id for p in linked}
    ]
    return render(
        request,
        "coordination/need.html",
        need=need,
        suggestions=suggestions,
        matches=matches,
        linked=linked,
        projects={p.id: p for p in register.projects},
        may_edit=may_write(who.actor, need.org_id),
        breadcrumbs=crumbs(NEEDS, need_crumb(request, need_id)),
        **vocabulary(),
    )


@router.get("/needs/{need_id}/edit", response_class=HTMLResponse)
def need_edit(need_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    need = service.get_need(hub_of(request), who.actor, need_id)
    form = {f: str(getattr(need, f)) for f in NEED_FIELDS}
    return _need_form(request, who, form, need_id)


@router.post("/needs/{need_id}", response_class=HTMLResponse)
def need_update(
    need_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    recipient: NeedForm = "", area: NeedForm = "", priority: NeedForm = "", title: NeedForm = "",
    description: NeedForm = "", source: NeedForm = "", identified_on: NeedForm = "",
    confidentiality: NeedForm = "", status: NeedForm = "",
) -> Response:  # fmt: skip
    values = [recipient, area, priority, title, description, source, identified_on,
              confidentiality, status]  # fmt: skip
    return _need_submit(request, who, need_id, dict(zip(NEED_FIELDS, values, strict=True)))


@router.get("/needs/{need_id}/delete", response_class=HTMLResponse)
def need_delete_confirm(
    need_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    require_write(request, who)
    need = service.get_need(hub_of(request), who.actor, need_id)
    return render(
        request,
        "coordination/confirm_delete.html",
        kind=N_("need"),
        title=need.title,
        action=f"/coordination/needs/{need_id}/delete",
        back=f"/coordination/needs/{need_id}",
        breadcrumbs=crumbs(NEEDS, need_crumb(request, need_id), (N_("Delete"), request.url.path)),
    )


@router.post("/needs/{need_id}/delete")
def need_delete(need_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    service.delete_need(hub_of(request), who.actor, need_id)
    return RedirectResponse("/coordination/needs?deleted=1", status_code=303)
