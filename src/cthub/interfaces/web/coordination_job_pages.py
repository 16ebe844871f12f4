"""Long coordination work as jobs: overlap detection and the CTC report download.

The overlaps page's "Run detection" and the report builder's downloads post here; the answer
is the job panel (``coordination/job_panel.html``), which polls its own progress with HTMX
until the job ends and then shows the detection summary or the download link. Without
JavaScript the same post renders the whole page with the panel. No request waits for a job.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from cthub.coordination import jobs as coordination_jobs
from cthub.core.errors import CthubError
from cthub.core.i18n import gettext
from cthub.core.jobs import JobView
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.coordination_analysis_pages import _overlaps_page
from cthub.interfaces.web.coordination_country_pages import _report
from cthub.interfaces.web.coordination_pages import Text, form_errors
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/coordination")
URLS = {
    coordination_jobs.OVERLAPS: "/coordination/overlaps/jobs/{id}",
    coordination_jobs.REPORT: "/coordination/report/jobs/{id}",
}


def _panel(request: Request, job: JobView) -> Response:
    return render(
        request,
        "coordination/job_panel.html",
        job=job,
        poll=URLS[job.kind].format(id=job.id),
        state=request.query_params.get("state", ""),
    )


@router.post("/overlaps/jobs", response_class=HTMLResponse)
def overlaps_job(request: Request, who: Caller = Depends(page_caller)) -> Response:
    view = coordination_jobs.start_overlaps(hub_of(request), who.actor)
    if request.headers.get("hx-request"):
        return _panel(request, view)
    return _overlaps_page(request, who, job=view, poll=URLS[view.kind].format(id=view.id))


@router.get("/overlaps/jobs/{job_id}", response_class=HTMLResponse)
def overlaps_progress(
    job_id: str, request: Request, who: Caller = Depends(page_caller)
) -> Response:
    kind = coordination_jobs.OVERLAPS
    return _panel(request, coordination_jobs.status(hub_of(request), who.actor, job_id, kind))


@router.post("/report/jobs", response_class=HTMLResponse)
def report_job(
    request: Request, who: Caller = Depends(page_caller),
    period: Text = "", lang: Text = "en", fmt: Text = "pdf",
) -> Response:  # fmt: skip
    _ = gettext(language_of(request))
    hx = bool(request.headers.get("hx-request"))
    try:
        view = coordination_jobs.start_report(hub_of(request), who.actor, period, fmt, lang)
    except CthubError as exc:
        if hx:  # the error in place of the panel, word for word
            error, hint = exc.render(_), exc.render_hint(_)
            return render(request, "coordination/job_panel.html", job=None, error=error, hint=hint)
        extra = form_errors(exc, _, ("period", "lang", "format"))
        return _report(request, who, period.strip().upper(), lang, exc.http_status, **extra)
    if hx:
        return _panel(request, view)
    poll = URLS[view.kind].format(id=view.id)
    return _report(request, who, period.strip().upper(), lang, job=view, poll=poll)


@router.get("/report/jobs/{job_id}", response_class=HTMLResponse)
def report_progress(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    kind = coordination_jobs.REPORT
    return _panel(request, coordination_jobs.status(hub_of(request), who.actor, job_id, kind))


@router.get("/report/jobs/{job_id}/file")
def report_file(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    found = coordination_jobs.report_file(hub_of(request), who.actor, job_id)
    return FileResponse(found.path, media_type=found.media_type, filename=found.filename)
