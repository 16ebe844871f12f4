"""One hash bank's page: its settings, its entries a page at a time, and the ways to fill it.

Files uploaded here are hashed at once (PDQ for photos, MD5 and SHA-256 for all) and the
answer says what was added and what was skipped. A hash list is imported as a job
(``content-import``): the form's answer is the job panel, which polls its progress with HTMX
until the import ends and then shows its summary, line errors included. No request waits for
the job. Removing an entry tombstones it; the CSV export lists the removals too.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from cthub import content
from cthub.content import hashlists
from cthub.content import jobs as content_jobs
from cthub.content.entries import STATUSES, list_entries
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import gettext
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.web.content_pages import BANKS, NO_ERRORS, error_context, vocabulary
from cthub.interfaces.web.context import language_of, render
from cthub.interfaces.web.forms import Id, Text, is_hx, may, page_number, redirect
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/content")
MAX_FILES = 50


def _query(params: dict[str, object]) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None)})


def _bank_context(
    request: Request, who: Caller, name: str, status: str, page: str
) -> dict[str, Any]:
    hub = hub_of(request)
    bank = content.get_bank(hub, who.actor, name)
    status = status if status in STATUSES else ""
    number, size = page_number(page), hub.settings.page_size
    rows, total = list_entries(hub, who.actor, name, status=status, limit=size,
                               offset=(number - 1) * size)  # fmt: skip
    mine = who.actor.is_system or bank.org_id == who.actor.org_id
    return {
        "bank": bank,
        "entries": rows,
        "total": total,
        "status": status,
        "page": number,
        "pages": max(1, -(-total // size)),
        "query": lambda **changes: _query({"status": status, **changes}),
        "may_write": mine and may(who.actor, "content.banks"),
        "breadcrumbs": [BANKS, (bank.name, f"/content/banks/{bank.name}")],
        "added": None,
        "job": None,
        **NO_ERRORS,
        **vocabulary(),
    }


@router.get("/banks/{name}", response_class=HTMLResponse)
def bank_page(
    name: str,
    request: Request,
    who: Caller = Depends(page_caller),
    status: str = Query("", max_length=20),
    page: str = Query("1", max_length=8),
) -> Response:
    return render(request, "content/bank.html", **_bank_context(request, who, name, status, page))


def _uploads(form: FormData, field: str) -> list[UploadFile]:
    found = [f for f in form.getlist(field) if isinstance(f, UploadFile) and f.filename]
    if not found:
        raise InvalidInput("Choose a file to upload.")
    return found


async def _add(request: Request, who: Caller, name: str, form: FormData) -> Any:
    hub = hub_of(request)
    label = str(form.get("label") or "").strip() or None
    async with uploads.saved(_uploads(form, "files"), hub.settings.content_max_bytes) as files:
        result = await run_in_threadpool(
            content.add_files, hub, who.actor, name, [f.path for f in files], label
        )
        result.errors = [(uploads.shown(w, files), uploads.shown(m, files))
                         for w, m in result.errors]  # fmt: skip
        return result


@router.post("/banks/{name}/files", response_class=HTMLResponse)
async def add_files(name: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Hash the uploaded files into the bank; the answer says what was added and skipped."""
    _ = gettext(language_of(request))
    hub = hub_of(request)
    extra: dict[str, Any] = {}
    status = 200
    try:
        uploads.check_declared(request, hub.settings.content_max_bytes * MAX_FILES)
        async with request.form(max_files=MAX_FILES, max_fields=10) as form:
            extra["added"] = await _add(request, who, name, form)
    except CthubError as exc:
        extra, status = error_context(exc, _), exc.http_status
    if is_hx(request):  # HTMX swaps only 2xx answers
        return render(request, "content/add_result.html", **{**NO_ERRORS, "added": None, **extra})
    ctx = _bank_context(request, who, name, "", "1")
    return render(request, "content/bank.html", status_code=status, **{**ctx, **extra})


@router.post("/banks/{name}/imports", response_class=HTMLResponse)
async def start_import(name: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Start importing a hash list as a job; the answer is its progress panel."""
    _ = gettext(language_of(request))
    hub = hub_of(request)
    extra: dict[str, Any] = {}
    try:
        uploads.check_declared(request, hub.settings.content_max_bytes)
        async with request.form(max_files=1, max_fields=10) as form:
            upload = _uploads(form, "file")[0]
            data = await uploads.read_capped(upload, hub.settings.content_max_bytes)
            label = str(form.get("label") or "").strip() or None
            extra["job"] = await run_in_threadpool(
                content_jobs.start_import, hub, who.actor, name, data,
                uploads.safe_name(upload.filename, "hashes.txt"), label,
            )  # fmt: skip
    except CthubError as exc:
        extra, status = error_context(exc, _), exc.http_status
    else:
        status = 200
    if is_hx(request):
        return render(request, "content/import_panel.html", **{**NO_ERRORS, "job": None, **extra})
    ctx = _bank_context(request, who, name, "", "1")
    return render(request, "content/bank.html", status_code=status, **{**ctx, **extra})


@router.get("/imports/{job_id}", response_class=HTMLResponse)
def import_progress(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    view = content_jobs.status(hub_of(request), who.actor, job_id)
    return render(request, "content/import_panel.html", job=view, **NO_ERRORS)


@router.post("/banks/{name}/entries/{entry_id}/remove", response_class=HTMLResponse)
def remove_entry(
    name: str,
    entry_id: Id,
    request: Request,
    who: Caller = Depends(page_caller),
    reason: Text = "",
    back: Text = "",
) -> Response:
    """Tombstone one entry; the bank's page comes back where the reader was."""
    content.remove_entry(hub_of(request), who.actor, name, entry_id, reason)
    target = f"/content/banks/{name}"
    if back.startswith("?") and "\n" not in back and "\r" not in back:
        target += back[:200]
    return redirect(request, target)


@router.get("/banks/{name}/export.csv")
def export_csv(name: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Every entry of the bank as CSV, tombstones included (``status`` ``removed``)."""
    rows = content.export_rows(hub_of(request), who.actor, name)  # checked and read first
    lines = hashlists.write_csv(rows)
    return StreamingResponse(
        lines, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )  # fmt: skip


__all__ = ["router"]
