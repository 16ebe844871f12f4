"""Assistance-project pages: list (sort, filter, pages, CSV), form, detail, delete.

The form offers areas and forms as checkboxes, the budget as decimal text with its ISO 4217
currency (``validation`` turns it into minor units), and the recipient's needs to link, reloaded
with HTMX when the recipient changes. Editing keeps what the form does not show (contacts,
results, documents): the service replaces the whole record.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.coordination import analysis, service, validation
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.coordination_pages import (
    Id,
    Many,
    Text,
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
PROJECT_FIELDS = ("title", "description", "donor", "implementer", "recipient", "areas", "forms",
                  "status", "budget", "currency", "start_date", "end_date", "need_ids",
                  "iati_identifier")  # fmt: skip
PROJECT_CSV = ("id", "iati_identifier", "title", "donor", "implementer", "recipient", "areas",
               "forms", "status", "budget", "currency", "start_date", "end_date",
               "need_ids")  # fmt: skip
CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CNY", "CAD", "AUD", "CHF", "NOK", "SEK", "RUB")
LIST = (N_("Projects"), "/coordination/projects")


def project_crumb(request: Request, project_id: int) -> tuple[str, str]:
    _ = gettext(language_of(request))
    return _("Project {id}").format(id=project_id), f"/coordination/projects/{project_id}"


@router.get("/projects", response_class=HTMLResponse)
def projects_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return listing_page(
        request, who, "coordination/projects.html", "-id", service.list_projects, LIST
    )


@router.get("/projects.csv")
def projects_csv(request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    flt, _page = listing_filter(request, "-id")
    projects = every(lambda n, skip: service.list_projects(hub, who.actor, flt, n, skip))
    rows = (
        [";".join(map(str, v)) if isinstance(v := getattr(p, c), tuple) else v for c in PROJECT_CSV]
        for p in projects
    )
    return csv_response("cthub-projects.csv", PROJECT_CSV, rows)


def _need_options(request: Request, who: Caller, recipient: str) -> list[Any]:
    """The recipient's needs a project may answer, highest priority first."""
    try:
        code = validation.recipient(recipient)
    except CthubError:
        return []
    flt = service.Filter(recipient=code, sort="-priority")
    return service.list_needs(hub_of(request), who.actor, flt, 100, 0).items


def _project_form(request: Request, who: Caller, form: dict[str, Any], project_id: int | None,
                  status: int = 200, **extra: Any) -> Response:  # fmt: skip
    hx = bool(request.headers.get("hx-request"))
    label = N_("Edit project") if project_id else N_("Record a project")
    trail = [LIST, project_crumb(request, project_id)] if project_id else [LIST]
    return render(
        request,
        "coordination/project_form.html" if hx else "coordination/project_edit.html",
        status_code=status,
        form=form,
        project_id=project_id,
        heading=label,
        need_options=_need_options(request, who, form.get("recipient", "")),
        currencies=CURRENCIES,
        breadcrumbs=crumbs(*trail, (label, request.url.path)),
        **{"errors": {}, "hints": {}, "error": None, "hint": None, **extra},
        **vocabulary(),
    )


@router.get("/projects/new", response_class=HTMLResponse)
def project_new(request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    form: dict[str, Any] = {"status": "pipeline", "areas": [], "forms": [], "need_ids": []}
    return _project_form(request, who, form, None)


@router.get("/projects/need-options", response_class=HTMLResponse)
def need_options(
    request: Request, who: Caller = Depends(page_caller), recipient: str = ""
) -> Response:
    chosen = request.query_params.getlist("need_ids")
    return render(
        request,
        "coordination/need_options.html",
        need_options=_need_options(request, who, recipient),
        form={"need_ids": chosen},
        **vocabulary(),
    )


def _submit(
    request: Request, who: Caller, project_id: int | None, form: dict[str, Any]
) -> Response:
    _ = gettext(language_of(request))
    hub = hub_of(request)
    try:
        if project_id is None:
            view = service.create_project(hub, who.actor, form)
        else:
            old = service.get_project(hub, who.actor, project_id)
            kept = {"contacts": old.contacts, "results": old.results, "documents": old.documents}
            view = service.update_project(hub, who.actor, project_id, {**form, **kept})
    except CthubError as exc:
        status = 200 if request.headers.get("hx-request") else exc.http_status
        extra = form_errors(exc, _, PROJECT_FIELDS)
        return _project_form(request, who, form, project_id, status, **extra)
    return redirect(request, f"/coordination/projects/{view.id}")


def _form(title: str, description: str, donor: str, implementer: str, recipient: str,
          areas: list[str] | None, forms: list[str] | None, status: str, budget: str,
          currency: str, start_date: str, end_date: str, need_ids: list[str] | None,
          iati_identifier: str) -> dict[str, Any]:  # fmt: skip
    values = [title, description, donor, implementer, recipient, areas or [], forms or [],
              status, budget, currency, start_date, end_date, need_ids or [],
              iati_identifier]  # fmt: skip
    return dict(zip(PROJECT_FIELDS, values, strict=True))


@router.post("/projects", response_class=HTMLResponse)
def project_create(
    request: Request, who: Caller = Depends(page_caller),
    title: Text = "", description: Text = "", donor: Text = "", implementer: Text = "",
    recipient: Text = "", areas: Many = None, forms: Many = None, status: Text = "",
    budget: Text = "", currency: Text = "", start_date: Text = "", end_date: Text = "",
    need_ids: Many = None, iati_identifier: Text = "",
) -> Response:  # fmt: skip
    form = _form(title, description, donor, implementer, recipient, areas, forms, status, budget,
                 currency, start_date, end_date, need_ids, iati_identifier)  # fmt: skip
    return _submit(request, who, None, form)


@router.get("/projects/{project_id}", response_class=HTMLResponse)
def project_page(project_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    project = service.get_project(hub, who.actor, project_id)
    register = service.load_register(hub, who.actor, project.recipient)
    overlaps = [
        o
        for o in analysis.list_overlaps(hub, who.actor, recipient=project.recipient)
        if project_id in (o.project_a, o.project_b)
    ]
    return render(
        request,
        "coordination/project.html",
        p=project,
        needs={n.id: n for n in register.needs},
        overlaps=overlaps,
        may_edit=may_write(who.actor, project.org_id),
        breadcrumbs=crumbs(LIST, project_crumb(request, project_id)),
        **vocabulary(),
    )


@router.get("/projects/{project_id}/edit", response_class=HTMLResponse)
def project_edit(project_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    p = service.get_project(hub_of(request), who.actor, project_id)
    form = _form(p.title, p.description, p.donor, p.implementer, p.recipient, list(p.areas),
                 list(p.forms), p.status, p.budget, p.currency or "",
                 p.start_date.isoformat() if p.start_date else "",
                 p.end_date.isoformat() if p.end_date else "",
                 [str(n) for n in p.need_ids], p.iati_identifier or "")  # fmt: skip
    return _project_form(request, who, form, project_id)


@router.post("/projects/{project_id}", response_class=HTMLResponse)
def project_update(
    project_id: Id, request: Request, who: Caller = Depends(page_caller),
    title: Text = "", description: Text = "", donor: Text = "", implementer: Text = "",
    recipient: Text = "", areas: Many = None, forms: Many = None, status: Text = "",
    budget: Text = "", currency: Text = "", start_date: Text = "", end_date: Text = "",
    need_ids: Many = None, iati_identifier: Text = "",
) -> Response:  # fmt: skip
    form = _form(title, description, donor, implementer, recipient, areas, forms, status, budget,
                 currency, start_date, end_date, need_ids, iati_identifier)  # fmt: skip
    return _submit(request, who, project_id, form)


@router.get("/projects/{project_id}/delete", response_class=HTMLResponse)
def project_delete_confirm(
    project_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    require_write(request, who)
    project = service.get_project(hub_of(request), who.actor, project_id)
    return render(
        request,
        "coordination/confirm_delete.html",
        kind=N_("project"),
        title=project.title,
        action=f"/coordination/projects/{project_id}/delete",
        back=f"/coordination/projects/{project_id}",
        breadcrumbs=crumbs(
            LIST, project_crumb(request, project_id), (N_("Delete"), request.url.path)
        ),
    )


@router.post("/projects/{project_id}/delete")
def project_delete(
    project_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    service.delete_project(hub_of(request), who.actor, project_id)
    return RedirectResponse("/coordination/projects?deleted=1", status_code=303)
