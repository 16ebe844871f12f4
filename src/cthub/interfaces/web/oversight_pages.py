"""Audit log (filter, paginate, CSV export, verify) and jobs with live progress."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from cthub.core import audit, auditlog, jobs
from cthub.core.i18n import N_
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import render
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False)
FILTERS = ("actor", "action", "outcome", "resource_type")


def _filter(request: Request) -> audit.AuditFilter:
    q = request.query_params
    return audit.AuditFilter(
        actor=q.get("actor") or None,
        action=q.get("action") or None,
        outcome=q.get("outcome") or None,
        resource_type=q.get("resource_type") or None,
    )


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, who: Caller = Depends(page_caller), page: int = 1) -> Response:
    hub = hub_of(request)
    size = hub.settings.page_size
    page = max(1, min(page, 10**6))
    result = auditlog.list_events(hub, who.actor, _filter(request), size, (page - 1) * size)
    pages = max(1, -(-result.total // size))
    params = {k: request.query_params.get(k, "") for k in FILTERS}
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "audit.html",
        result=result,
        page=page,
        pages=pages,
        params=params,
        query=query,
        breadcrumbs=[(N_("Administration"), "/admin/users"), (N_("Audit log"), "/audit")],
    )


@router.get("/audit.csv")
def audit_csv(request: Request, who: Caller = Depends(page_caller)) -> Response:
    page = auditlog.list_events(hub_of(request), who.actor, _filter(request), 1000, 0)

    def rows() -> Iterator[str]:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(
            ["seq", "at", "actor", "action", "outcome", "resource_type", "resource_id", "hash"]
        )
        for e in page.events:
            w.writerow(
                [
                    e.seq,
                    e.at.isoformat(),
                    e.actor,
                    e.action,
                    e.outcome,
                    e.resource_type or "",
                    e.resource_id or "",
                    e.hash,
                ]
            )
        yield buf.getvalue()

    return StreamingResponse(
        rows(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="cthub-audit.csv"'},
    )


@router.post("/audit/verify", response_class=HTMLResponse)
def audit_verify(request: Request, who: Caller = Depends(page_caller)) -> Response:
    view = jobs.submit(hub_of(request), who.actor, "audit.verify")
    return render(request, "job_progress.html", job=view)


@router.get("/jobs", response_class=HTMLResponse)
def jobs_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    recent = jobs.recent(hub_of(request), who.actor, limit=100)
    return render(request, "jobs.html", jobs=recent, breadcrumbs=[(N_("Jobs"), "/jobs")])


@router.get("/jobs/{job_id}/progress", response_class=HTMLResponse)
def job_progress(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "job_progress.html", job=jobs.get(hub_of(request), who.actor, job_id))
