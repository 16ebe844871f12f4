"""The knowledge base: search evaluations and lessons learned, record, view, edit, delete.

Search is ``knowledge.search`` (full text, ranked, with a snippet whose matches are marked by
``knowledge.snippet_html``); without a query the page lists the latest records under the same
filters. Records belong to the organisation that wrote them and are edited only there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from cthub.coordination import knowledge
from cthub.core.errors import CthubError
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import env, language_of, render
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
KNOWLEDGE = (N_("Knowledge"), "/coordination/knowledge")
FILTERS = ("q", "area", "recipient", "kind")
FIELDS = ("kind", "title", "body", "areas", "recipient", "published_on", "project_id")
env.filters["snippet"] = lambda snippet: Markup(knowledge.snippet_html(snippet))  # noqa: S704


def evaluation_crumb(request: Request, evaluation_id: int) -> tuple[str, str]:
    _ = gettext(language_of(request))
    return _("Record {id}").format(id=evaluation_id), f"/coordination/knowledge/{evaluation_id}"


def _found(request: Request, who: Caller, flt: dict[str, str], page: int, size: int) -> Any:
    """Search results for a query, else the latest records (both under the filters)."""
    hub, offset = hub_of(request), (page - 1) * size
    area, recipient, kind = (flt[k] or None for k in ("area", "recipient", "kind"))
    if flt["q"]:
        return knowledge.search(hub, who.actor, flt["q"], area=area, recipient=recipient,
                                kind=kind, limit=size, offset=offset)  # fmt: skip
    return knowledge.list_evaluations(hub, who.actor, area=area, recipient=recipient, kind=kind,
                                      limit=size, offset=offset)  # fmt: skip


@router.get("/knowledge", response_class=HTMLResponse)
def knowledge_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    q = request.query_params
    flt = {k: (q.get(k) or "").strip() for k in FILTERS}
    raw = q.get("page") or "1"
    page, size = (max(1, min(int(raw), 10**6)) if raw.isdecimal() else 1), 20
    extra = dict(NO_ERRORS)
    try:
        found = _found(request, who, flt, page, size)
    except CthubError as exc:
        extra = form_errors(exc, gettext(language_of(request)), FILTERS)
        found = None
    return render(
        request,
        "coordination/knowledge.html",
        status_code=400 if found is None else 200,
        flt=flt,
        found=found,
        searched=bool(flt["q"]) and found is not None,
        page=page,
        pages=page_count(found.total, size) if found else 1,
        link=link_maker(request),
        kinds=knowledge.KINDS,
        deleted=q.get("deleted") == "1",
        may_create=may_write(who.actor),
        breadcrumbs=crumbs(KNOWLEDGE),
        **extra,
        **vocabulary(),
    )


def _form_page(request: Request, form: Mapping[str, Any], evaluation_id: int | None,
               status: int = 200, **extra: Any) -> Response:  # fmt: skip
    hx = bool(request.headers.get("hx-request"))
    label = N_("Edit the record") if evaluation_id else N_("Record an evaluation or a lesson")
    trail = [KNOWLEDGE]
    if evaluation_id:
        trail.append(evaluation_crumb(request, evaluation_id))
    return render(
        request,
        "coordination/evaluation_form.html" if hx else "coordination/evaluation_edit.html",
        status_code=status,
        form=form,
        evaluation_id=evaluation_id,
        heading=label,
        kinds=knowledge.KINDS,
        breadcrumbs=crumbs(*trail, (label, request.url.path)),
        **{**NO_ERRORS, **extra},
        **vocabulary(),
    )


@router.get("/knowledge/new", response_class=HTMLResponse)
def evaluation_new(request: Request, who: Caller = Depends(page_caller)) -> Response:
    require_write(request, who)
    q = request.query_params
    form: dict[str, Any] = {"kind": q.get("kind") or "evaluation", "areas": [],
                            "recipient": q.get("recipient"),
                            "project_id": q.get("project_id")}  # fmt: skip
    return _form_page(request, form, None)


def _submit(request: Request, who: Caller, evaluation_id: int | None,
            form: dict[str, Any]) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hub = hub_of(request)
    try:
        if evaluation_id is None:
            view = knowledge.create_evaluation(hub, who.actor, form)
        else:
            view = knowledge.update_evaluation(hub, who.actor, evaluation_id, form)
    except CthubError as exc:
        status = 200 if request.headers.get("hx-request") else exc.http_status
        return _form_page(request, form, evaluation_id, status, **form_errors(exc, _, FIELDS))
    return redirect(request, f"/coordination/knowledge/{view.id}")


def _form(kind: str, title: str, body: str, areas: list[str] | None, recipient: str,
          published_on: str, project_id: str) -> dict[str, Any]:  # fmt: skip
    values = [kind, title, body, areas or [], recipient, published_on, project_id]
    return dict(zip(FIELDS, values, strict=True))


@router.post("/knowledge", response_class=HTMLResponse)
def evaluation_create(
    request: Request, who: Caller = Depends(page_caller), kind: Text = "", title: Text = "",
    body: Text = "", areas: Many = None, recipient: Text = "", published_on: Text = "",
    project_id: Text = "",
) -> Response:  # fmt: skip
    form = _form(kind, title, body, areas, recipient, published_on, project_id)
    return _submit(request, who, None, form)


@router.get("/knowledge/{evaluation_id}", response_class=HTMLResponse)
def evaluation_page(
    evaluation_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    view = knowledge.get_evaluation(hub_of(request), who.actor, evaluation_id)
    return render(
        request,
        "coordination/evaluation.html",
        e=view,
        kinds=knowledge.KINDS,
        may_edit=may_write(who.actor, view.org_id),
        breadcrumbs=crumbs(KNOWLEDGE, evaluation_crumb(request, evaluation_id)),
        **vocabulary(),
    )


@router.get("/knowledge/{evaluation_id}/edit", response_class=HTMLResponse)
def evaluation_edit(
    evaluation_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    require_write(request, who)
    e = knowledge.get_evaluation(hub_of(request), who.actor, evaluation_id)
    form = _form(e.kind, e.title, e.body, list(e.areas), e.recipient or "",
                 e.published_on.isoformat() if e.published_on else "",
                 str(e.project_id) if e.project_id else "")  # fmt: skip
    return _form_page(request, form, evaluation_id)


@router.post("/knowledge/{evaluation_id}", response_class=HTMLResponse)
def evaluation_update(
    evaluation_id: Id, request: Request, who: Caller = Depends(page_caller), kind: Text = "",
    title: Text = "", body: Text = "", areas: Many = None, recipient: Text = "",
    published_on: Text = "", project_id: Text = "",
) -> Response:  # fmt: skip
    form = _form(kind, title, body, areas, recipient, published_on, project_id)
    return _submit(request, who, evaluation_id, form)


@router.get("/knowledge/{evaluation_id}/delete", response_class=HTMLResponse)
def evaluation_delete_confirm(
    evaluation_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    require_write(request, who)
    view = knowledge.get_evaluation(hub_of(request), who.actor, evaluation_id)
    crumb = evaluation_crumb(request, evaluation_id)
    return render(
        request,
        "coordination/confirm_delete.html",
        kind=N_("record"),
        title=view.title,
        action=f"/coordination/knowledge/{evaluation_id}/delete",
        back=f"/coordination/knowledge/{evaluation_id}",
        breadcrumbs=crumbs(KNOWLEDGE, crumb, (N_("Delete"), request.url.path)),
    )


@router.post("/knowledge/{evaluation_id}/delete")
def evaluation_delete(
    evaluation_id: Id, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    knowledge.delete_evaluation(hub_of(request), who.actor, evaluation_id)
    return RedirectResponse("/coordination/knowledge?deleted=1", status_code=303)
