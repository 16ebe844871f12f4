"""Batch screening page: upload a CSV, watch its job's progress bar, download the result CSV.

The form posts with HTMX (multipart); the answer is either the server's error, word for word,
or the job panel, which polls its own progress until the job ends and then shows the summary
and the download link. Without JavaScript the same post renders the whole page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, gettext
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.context import NavItem, language_of, render
from cthub.interfaces.web.guard import page_caller
from cthub.lists import show as show_lists
from cthub.screening import batch

router = APIRouter(include_in_schema=False)
MAX_UPLOAD_MB = 50
MAX_TOP = 50
FORM_SLACK = 2**16  # the form's other fields and multipart framing, besides the file
CRUMBS = [(N_("Screen a name"), "/screening"), (N_("Batch screening"), "/screening/batch")]


def nav() -> list[NavItem]:
    """Side-navigation entry (registered under the ``cthub.web`` entry-point group)."""
    return [NavItem("screening-batch", N_("Batch screening"), "/screening/batch")]


def _page(request: Request, who: Caller, status: int = 200, **ctx: Any) -> Response:
    hub = hub_of(request)
    loaded = [lst.name for lst in show_lists(hub, who.actor) if lst.active_version is not None]
    defaults: dict[str, Any] = {"threshold": 0.7, "top": 5, "lists": [], "job": None}
    return render(
        request,
        "screening_batch.html",
        status_code=status,
        loaded=loaded,
        recent=batch.recent(hub, who.actor),
        max_mb=MAX_UPLOAD_MB,
        breadcrumbs=CRUMBS,
        **{**defaults, **ctx},
    )


@router.get("/screening/batch", response_class=HTMLResponse)
def batch_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return _page(request, who)


@router.post("/screening/batch", response_class=HTMLResponse)
async def batch_submit(request: Request, who: Caller = Depends(page_caller)) -> Response:
    _ = gettext(language_of(request))
    hub = hub_of(request)
    form: FormData | None = None
    try:
        length = request.headers.get("content-length") or "0"
        _check_size(int(length) if length.isdigit() else 0, FORM_SLACK)  # before reading it
        form = await request.form(max_files=1, max_fields=20)
        upload, threshold, top, lists = _options(form)
        _check_size(upload.size or 0)
        stored = await run_in_threadpool(
            batch.store_upload, hub, upload.file, upload.filename or ""
        )
        view = await run_in_threadpool(batch.start, hub, who.actor, stored, threshold, top, lists)
    except CthubError as exc:
        error, hint = exc.render(_), exc.render_hint(_)
        if request.headers.get("hx-request"):
            return render(request, "screening_batch_result.html", error=error, hint=hint)
        return _page(request, who, 400, error=error, hint=hint, **_echo(form))
    finally:
        if form is not None:
            await form.close()
    if request.headers.get("hx-request"):
        return render(request, "screening_batch_result.html", job=view, error=None)
    return _page(request, who, job=view, **_echo(form))


def _check_size(size: int, slack: int = 0) -> None:
    if size > MAX_UPLOAD_MB * 2**20 + slack:
        raise InvalidInput(
            "The file is larger than {limit} MB.",
            hint="Split it into smaller files, or screen it with `cthub screening screen`.",
            limit=MAX_UPLOAD_MB,
        )


def _options(form: FormData) -> tuple[UploadFile, float, int, list[str]]:
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("Choose a CSV file to upload.")
    try:
        threshold = float(str(form.get("threshold") or "0.7"))
    except ValueError:
        threshold = -1.0  # refused below with the usual message
    if not 0.0 <= threshold <= 1.0:
        raise InvalidInput("The threshold must be between 0 and 1.", hint="For example 0.7.")
    top_text = str(form.get("top") or "5")
    if not top_text.isdigit() or not 1 <= int(top_text) <= MAX_TOP:
        raise InvalidInput("Hits per name must be a whole number from 1 to {most}.", most=MAX_TOP)
    lists = [str(v) for v in form.getlist("lists") if isinstance(v, str) and v]
    return upload, threshold, int(top_text), lists


def _echo(form: FormData | None) -> dict[str, Any]:
    """The submitted options, to fill the form again."""
    if form is None:
        return {}
    lists = [str(v) for v in form.getlist("lists") if isinstance(v, str)]
    return {"threshold": form.get("threshold") or 0.7, "top": form.get("top") or 5, "lists": lists}


@router.get("/screening/batch/{job_id}/progress", response_class=HTMLResponse)
def batch_progress(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    hub = hub_of(request)
    view = batch.status(hub, who.actor, job_id)
    done = view.job.state not in ("queued", "running")  # the last poll: refresh the table too
    recent = batch.recent(hub, who.actor) if done else []
    return render(request, "screening_batch_job.html", job=view, oob=done, recent=recent)


@router.get("/screening/batch/{job_id}/result.csv")
def batch_result(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    path = batch.result_file(hub_of(request), who.actor, job_id)
    return FileResponse(
        path, media_type="text/csv; charset=utf-8", filename=f"screening-{job_id[:8]}.csv"
    )
