"""Finance pages: the navigation, the vocabulary every finance template uses, and the datasets
page, where a transaction file is uploaded and ingested as a job (its progress bar polled with
HTMX until it ends, then its rows and the first bad rows with line and column) and a dataset
is monitored, also as a job. Alerts are in ``finance_alert_pages``, cases in
``finance_case_pages``, the rule settings in ``finance_rule_pages``; policy, scope and audit
stay in ``cthub.finance``: these views parse, call and render.
"""

from __future__ import annotations

import functools
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as FastPath
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from cthub import finance
from cthub.core import policy
from cthub.core.errors import CthubError, InvalidInput
from cthub.core.i18n import N_, GetText, gettext
from cthub.finance import jobs as finance_jobs
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import Caller, hub_of
from cthub.interfaces.api.routers.finance import MAX_UPLOAD_BYTES, sized, upload_file
from cthub.interfaces.web.context import NavItem, env, language_of, render
from cthub.interfaces.web.forms import is_hx, may
from cthub.interfaces.web.guard import page_caller

router = APIRouter(include_in_schema=False, prefix="/finance")
READERS = policy.ACTIONS["finance.read"].roles
HOME = (N_("Transactions"), "/finance")
DatasetName = Annotated[str, FastPath(min_length=1, max_length=120)]
NO_ERRORS: dict[str, Any] = {"errors": {}, "hints": {}, "error": None, "hint": None}
ALERT_STATES = {"open": N_("Open"), "in_case": N_("In a case"), "closed": N_("Closed")}
CASE_STATES = {"open": N_("Open"), "suspicious": N_("Suspicious"),
               "not_suspicious": N_("Not suspicious")}  # fmt: skip
ON_ERROR = {"abort": N_("Refuse the file if any row is bad"),
            "skip": N_("Skip bad rows and report them")}  # fmt: skip
DECIMAL = {".": N_("Point: 1,234.50"), ",": N_("Comma: 1.234,50")}
MEASURES = {"component_size": N_("Accounts in its connected group"),
            "fan_in": N_("Distinct senders to it"),
            "fan_out": N_("Distinct receivers from it")}  # fmt: skip
JOB_KINDS = {finance_jobs.INGEST: N_("Ingest"), finance_jobs.MONITOR: N_("Monitoring")}
RECENT = 8


def nav() -> list[NavItem]:
    """Side-navigation entries (registered under the ``cthub.web`` entry-point group)."""
    return [
        NavItem("finance", N_("Transactions"), "/finance", READERS),
        NavItem("finance_alerts", N_("Transaction alerts"), "/finance/alerts", READERS),
        NavItem("finance_cases", N_("Finance cases"), "/finance/cases", READERS),
        NavItem("finance_rules", N_("Indicator rules"), "/finance/rules", READERS),
    ]


# -- shared by every finance page -------------------------------------------------------------


def vocabulary() -> dict[str, Any]:
    """The labels (msgids) every finance template uses."""
    return {
        "alert_states": ALERT_STATES,
        "case_states": CASE_STATES,
        "on_error_labels": ON_ERROR,
        "decimal_labels": DECIMAL,
        "measure_labels": MEASURES,
        "job_kinds": JOB_KINDS,
    }


def error_context(exc: CthubError, _: GetText, field: str | None = None) -> dict[str, Any]:
    """``exc`` as template context: beside ``field`` when given, else above the form."""
    message, hint = exc.render(_), exc.render_hint(_)
    if field:
        return {"errors": {field: message}, "hints": {field: hint}, "error": None, "hint": None}
    return {"errors": {}, "hints": {}, "error": message, "hint": hint}


def _detail(text: object) -> list[tuple[str, str]]:
    """A hit's detail (a JSON object from the rule) as key/value pairs to list."""
    try:
        value = json.loads(str(text))
    except ValueError:
        return [("", str(text))] if text else []
    if not isinstance(value, dict):
        return [("", str(value))]
    return [(str(k), "-" if v is None else str(v)) for k, v in value.items()]


env.filters["hit_detail"] = _detail


# -- datasets and jobs ------------------------------------------------------------------------


def _datasets_context(request: Request, who: Caller, **extra: Any) -> dict[str, Any]:
    hub = hub_of(request)
    ctx: dict[str, Any] = {
        "datasets": finance.list_datasets(hub, who.actor),
        "recent": finance_jobs.recent(hub, who.actor, RECENT),
        "may_ingest": may(who.actor, "finance.ingest"),
        "may_monitor": may(who.actor, "finance.monitor"),
        "max_mb": MAX_UPLOAD_BYTES // 2**20,
        "import_files": (
            finance_jobs.import_files(hub, who.actor)
            if hub.settings.finance_import_dir is not None and may(who.actor, "finance.ingest")
            else []
        ),
        "form": {"dataset": "", "on_error": "abort", "decimal": ".", "server_file": ""},
        "job": None,
        "breadcrumbs": [HOME],
        **NO_ERRORS,
        **vocabulary(),
    }
    ctx.update(extra)
    return ctx


@router.get("", response_class=HTMLResponse)
def datasets_page(request: Request, who: Caller = Depends(page_caller)) -> Response:
    return render(request, "finance/datasets.html", **_datasets_context(request, who))


def _field_of(exc: CthubError) -> str | None:
    """Which upload field a refusal is about (the rest go above the form)."""
    if exc.message.startswith(("Dataset name", "Name the dataset")):
        return "dataset"
    if exc.message.startswith("on_error"):
        return "on_error"
    if exc.message.startswith("The decimal mark"):
        return "decimal"
    if exc.message.startswith(("No transaction file named", "Registering server files")):
        return "server_file"
    return "file" if exc.code == "invalid_input" else None


async def _start(request: Request, who: Caller, form: FormData) -> finance_jobs.FinanceJob:
    dataset = str(form.get("dataset") or "").strip()
    if not dataset:
        raise InvalidInput(
            "Name the dataset the file goes into.",
            hint="For example bank-feed-2026 (letters, digits, '.', '_', '-').",
        )
    on_error, decimal = str(form.get("on_error") or "abort"), str(form.get("decimal") or ".")
    server = str(form.get("server_file") or "").strip()
    if server:  # a file already on the server, read where it lies
        register = functools.partial(finance_jobs.start_register, on_error=on_error,
                                     decimal=decimal)  # fmt: skip
        return await run_in_threadpool(register, hub_of(request), who.actor, server[:200],
                                       dataset[:130])  # fmt: skip
    file = upload_file(form)
    async with uploads.saved([file], MAX_UPLOAD_BYTES) as saved:
        start = functools.partial(finance_jobs.start_ingest, filename=saved[0].name,
                                  on_error=on_error, decimal=decimal)  # fmt: skip
        return await run_in_threadpool(start, hub_of(request), who.actor, saved[0].path,
                                       dataset[:130])  # fmt: skip


@router.post("/uploads", response_class=HTMLResponse)
async def upload(request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Start ingesting the uploaded file; the answer is the job's progress panel."""
    _ = gettext(language_of(request))
    extra: dict[str, Any] = {}
    status = 200
    form_echo = {"dataset": "", "on_error": "abort", "decimal": ".", "server_file": ""}
    try:
        uploads.check_declared(request, MAX_UPLOAD_BYTES, "The transaction file")
        async with request.form(max_files=1, max_fields=10) as form:
            form_echo = {k: str(form.get(k) or d) for k, d in form_echo.items()}
            extra["job"] = await _start(request, who, form)
    except InvalidInput as exc:
        shown = sized(exc)
        extra, status = error_context(shown, _, _field_of(shown)), shown.http_status
    except CthubError as exc:
        extra, status = error_context(exc, _), exc.http_status
    if is_hx(request):  # HTMX swaps only 2xx answers
        ctx = _datasets_context(request, who, form=form_echo, **extra)
        return render(request, "finance/upload_form.html", **ctx)
    ctx = _datasets_context(request, who, form=form_echo, **extra)
    return render(request, "finance/datasets.html", status_code=status, **ctx)


@router.post("/datasets/{name}/monitor", response_class=HTMLResponse)
def monitor(name: DatasetName, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """Start monitoring the dataset; the answer is the job's progress panel."""
    _ = gettext(language_of(request))
    try:
        job = finance_jobs.start_monitor(hub_of(request), who.actor, name)
    except CthubError as exc:
        if not is_hx(request):
            raise
        return render(request, "finance/job_panel.html", job=None, **error_context(exc, _))
    if is_hx(request):
        return render(request, "finance/job_panel.html", job=job, **NO_ERRORS, **vocabulary())
    return render(request, "finance/datasets.html", **_datasets_context(request, who, job=job))


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_progress(job_id: str, request: Request, who: Caller = Depends(page_caller)) -> Response:
    """A job's panel (polled while it runs); its last poll refreshes the datasets table."""
    hub = hub_of(request)
    job = finance_jobs.status(hub, who.actor, job_id[:40])
    done = job.job.state not in ("queued", "running")
    extra: dict[str, Any] = {}
    if done:
        extra = {"oob": True, "datasets": finance.list_datasets(hub, who.actor),
                 "recent": finance_jobs.recent(hub, who.actor, RECENT)}  # fmt: skip
    ctx = {**NO_ERRORS, **vocabulary(), "may_monitor": may(who.actor, "finance.monitor"), **extra}
    return render(request, "finance/job_panel.html", job=job, **ctx)


__all__ = ["CASE_STATES", "HOME", "NO_ERRORS", "error_context", "nav", "router", "vocabulary"]
