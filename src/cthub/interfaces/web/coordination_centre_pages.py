"""Regional training centres: list (country, area), form with curriculum rows, project links.

The curriculum is a table of course rows (title, area, audience, days); blank rows are left
out, so the n-th row sent is the service's ``curricula[n]`` and its error is shown in that row,
beside the cell it names. "Add a course" appends a blank row with HTMX. Projects are linked and
unlinked in place. Centres are reference data: coordination staff of any organisation edit them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cthub.coordination import centres, service
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.coordination_pages import (
    NO_ERRORS,
    Id,
    Many,
    Text,
    crumbs,
    form_errors,
    link_maker,
    may_write,
    page_count,
    redirect,
    require_write,
    vocabulary,
)
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/coordination")
CENTRES = (N_("Training centres"), "/coordination/centres")
FIELDS = ("name", "country", "city", "url", "areas", "curricula")
COURSE = ("title", "area", "audience", "duration_days")


def centre_crumb(request: Request, centre_id: int) -> tuple[str, str]:
    _ = gettext(language_of(request))
    return _("Centre {id}").format(id=centre_id), f"/coordination/centres/{centre_id}"


@router.get("/centres", response_class=HTMLResponse)
def centres_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    q = request.query_params
    flt = {k: (q.get(k) or "").strip() for k in ("country", "area")}
    raw = q.get("page") or "1"
    page, size = (max(1, min(int(raw), 10**6)) if raw.isdecimal() else 1), 25
    extra, found = dict(NO_ERRORS), None
    try:
        found = centres.list_centres(hub_of(request), who.actor, country=flt["country"] or None,
                                     area=flt["area"] or None, limit=size,
                                     offset=(page - 1) * size)  # fmt: skip
    except CthubError as exc:
        extra = form_errors(exc, gettext(language_of(request)), ("country", "area"))
    return render(
        request,
        "coordination/centres.html",
        status_code=200 if found else 400,
        found=found,
        flt=flt,
        page=page,
        pages=page_count(found.total, size) if found else 1,
        link=link_maker(request),
        may_create=may_write(who.actor),
        breadcrumbs=crumbs(CENTRES),
        **extra,
        **vocabulary(),
    )


def _form_page(request: Request, form: dict[str, Any], centre_id: int | None,
               status: int = 200, **extra: Any) -> Response:  # fmt: skip
    hx = bool(request.headers.get("hx-request"))
    label = N_("Edit training centre") if centre_id else N_("Record a training centre")
    trail = [CENTRES, centre_crumb(request, centre_id)] if centre_id else [CENTRES]
    return render(
        request,
        "coordination/centre_form.html" if hx else "coordination/centre_edit.html",
        status_code=status,
        form=form,
        courses=[*form.get("curricula", []), {}],  # a blank row to fill in
        centre_id=centre_id,
        heading=label,
        breadcrumbs=crumbs(*trail, (label, request.url.path)),
        **{**NO_ERRORS, **extra},
        **vocabulary(),
    )


@router.get("/centres/new", response_class=HTMLResponse)
def centre_new(request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    return _form_page(request, {"areas": [], "curricula": []}, None)


@router.get("/centres/course-row", response_class=HTMLResponse)
def course_row(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "coordination/centre_course.html", c={}, n=0, errors={},
                  **vocabulary())  # fmt: skip


def _courses(titles: list[str], areas: list[str], audiences: list[str],
             days: list[str]) -> list[dict[str, str]]:  # fmt: skip
    """The course rows sent, blank ones left out (the n-th kept row is ``curricula[n]``)."""
    width = max(len(titles), len(areas), len(audiences), len(days), 0)
    columns = [c + [""] * (width - len(c)) for c in (titles, areas, audiences, days)]
    rows = [dict(zip(COURSE, values, strict=True)) for values in zip(*columns, strict=True)]
    return [r for r in rows if any(v.strip() for k, v in r.items() if k != "area")]


def _submit(request: Request, who: Caller, centre_id: int | None,
            form: dict[str, Any]) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hub = hub_of(request)
    try:
        if centre_id is None:
            view = centres.create_centre(hub, who.actor, form)
        else:
            view = centres.update_centre(hub, who.actor, centre_id, form)
    except CthubError as exc:
        status = 200 if request.headers.get("hx-request") else exc.http_status
        named = [
            f"curricula[{n}].{k}" for n in range(1, len(form["curricula"]) + 1) for k in COURSE
        ]
        extra = form_errors(exc, _, (*FIELDS, *named))
        return _form_page(request, form, centre_id, status, **extra)
    return redirect(request, f"/coordination/centres/{view.id}")


def _form(name: str, country: str, city: str, url: str, areas: list[str] | None,
          course_title: list[str] | None, course_area: list[str] | None,
          course_audience: list[str] | None,
          course_days: list[str] | None) -> dict[str, Any]:  # fmt: skip
    courses = _courses(course_title or [], course_area or [], course_audience or [],
                       course_days or [])  # fmt: skip
    return {"name": name, "country": country, "city": city, "url": url, "areas": areas or [],
            "curricula": courses}  # fmt: skip


@router.post("/centres", response_class=HTMLResponse)
def centre_create(
    request: Request, who: Caller = Depends(page_caller), name: Text = "", country: Text = "",
    city: Text = "", url: Text = "", areas: Many = None, course_title: Many = None,
    course_area: Many = None, course_audience: Many = None, course_days: Many = None,
) -> Response:  # fmt: skip
    form = _form(name, country, city, url, areas, course_title, course_area, course_audience,
                 course_days)  # fmt: skip
    return _submit(request, who, None, form)


def _centre(request: Request, who: Caller, centre_id: int, **extra: Any) -> dict[str, Any]:
    hub = hub_of(request)
    view = centres.get_centre(hub, who.actor, centre_id)
    linked = [service.get_project(hub, who.actor, p) for p in view.project_ids]
    return {"c": view, "linked": linked, "may_edit": may_write(who.actor),
            "link_form": {}, **NO_ERRORS, **extra}  # fmt: skip


@router.get("/centres/{centre_id}", response_class=HTMLResponse)
def centre_page(centre_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(
        request,
        "coordination/centre.html",
        breadcrumbs=crumbs(CENTRES, centre_crumb(request, centre_id)),
        **_centre(request, who, centre_id),
        **vocabulary(),
    )


@router.get("/centres/{centre_id}/edit", response_class=HTMLResponse)
def centre_edit(centre_id: Id, request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    c = centres.get_centre(hub_of(request), who.actor, centre_id)
    courses = [{"title": k.title, "area": k.area, "audience": k.audience,
                "duration_days": str(k.duration_days)} for k in c.curricula]  # fmt: skip
    form = {"name": c.name, "country": c.country, "city": c.city, "url": c.url,
            "areas": list(c.areas), "curricula": courses}  # fmt: skip
    return _form_page(request, form, centre_id)


@router.post("/centres/{centre_id}", response_class=HTMLResponse)
def centre_update(
    centre_id: Id, request: Request, who: Caller = Depends(page_caller), name: Text = "",
    country: Text = "", city: Text = "", url: Text = "", areas: Many = None,
    course_title: Many = None, course_area: Many = None, course_audience: Many = None,
    course_days: Many = None,
) -> Response:  # fmt: skip
    form = _form(name, country, city, url, areas, course_title, course_area, course_audience,
                 course_days)  # fmt: skip
    return _submit(request, who, centre_id, form)


def _links(request: Request, who: Caller, centre_id: int, status: int = 200,
           **extra: Any) -> Response:  # fmt: skip
    if request.headers.get("hx-request"):
        return render(request, "coordination/centre_projects.html", status_code=status,
                      **_centre(request, who, centre_id, **extra))  # fmt: skip
    if status == 200:
        return RedirectResponse(f"/coordination/centres/{centre_id}#projects", status_code=303)
    return render(request, "coordination/centre.html", status_code=status,
                  breadcrumbs=crumbs(CENTRES, centre_crumb(request, centre_id)),
                  **_centre(request, who, centre_id, **extra), **vocabulary())  # fmt: skip


@router.post("/centres/{centre_id}/projects", response_class=HTMLResponse)
def centre_link(
    centre_id: Id, request: Request, who: Caller = Depends(page_caller), project_id: Text = ""
) -> Response:
    _ = gettext(language_of(request))
    raw = project_id.strip().lstrip("#")
    try:
        if not raw.isdecimal() or not 0 < int(raw) < 2**31:
            return _links(request, who, centre_id, 200 if request.headers.get("hx-request")
                          else 400, errors={"project_id": _("Enter a project number.")},
                          link_form={"project_id": project_id})  # fmt: skip
        centres.link_project(hub_of(request), who.actor, centre_id, int(raw))
    except CthubError as exc:  # the project's refusal, beside the one field there is
        status = 200 if request.headers.get("hx-request") else exc.http_status
        errors, hints = {"project_id": exc.render(_)}, {"project_id": exc.render_hint(_)}
        return _links(request, who, centre_id, status, errors=errors, hints=hints,
                      link_form={"project_id": project_id})  # fmt: skip
    return _links(request, who, centre_id)


@router.post("/centres/{centre_id}/projects/{project_id}/unlink", response_class=HTMLResponse)
def centre_unlink(
    centre_id: Id, project_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    centres.unlink_project(hub_of(request), who.actor, centre_id, project_id)
    return _links(request, who, centre_id)
