"""Terrorist-financing monitoring over HTTP: datasets (and uploads into them, ingested as a
job), monitoring runs, alerts with their explanations and network measures, cases (open,
assign, comment, decide) and the goAML STR of a case closed as suspicious. Every decision is a
person's, recorded and audited."""

from __future__ import annotations

import builtins
import datetime as dt
import functools
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from cthub import finance
from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.finance import graph_view, queues
from cthub.finance import jobs as finance_jobs
from cthub.interfaces.api import uploads
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, JobOut, RowId

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api/finance", tags=["finance"], responses=ERR)
#: Largest transaction file accepted over HTTP (bigger feeds: ``cthub finance ingest``).
MAX_UPLOAD_BYTES = 2 * 2**30
MAX_MAPPING = 4000  # characters of the mapping's JSON


class DatasetOut(BaseModel):
    id: int
    name: str
    partitions: int
    rows: int


@router.get("/datasets", response_model=builtins.list[DatasetOut])
def datasets(request: Request, actor: Actor = Depends(api_actor)) -> builtins.list[DatasetOut]:
    """The organisation's transaction datasets."""
    return [DatasetOut(id=d.id, name=d.name, partitions=d.partitions, rows=d.rows)
            for d in finance.list_datasets(hub_of(request), actor)]  # fmt: skip


def _upload_body() -> dict[str, Any]:
    """The documented multipart body of the upload (read by hand, after the caller is known)."""
    props = {
        "file": {"type": "string", "format": "binary",
                 "description": "CSV with a header row, or Parquet (known by the name)"},
        "on_error": {"type": "string", "enum": ["abort", "skip"], "default": "abort",
                     "description": "abort: refuse a file with any bad row; skip: keep the "
                     "good rows and report the bad ones"},
        "decimal": {"type": "string", "enum": [".", ","], "default": ".",
                    "description": "decimal mark of amounts written as text: . (1,234.50) or "
                    ", (1.234,50)"},
        "mapping": {"type": "string", "maxLength": MAX_MAPPING,
                    "description": 'JSON object, canonical column to yours: {"timestamp": '
                    '"booked_at"}'},
    }  # fmt: skip
    return {"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "properties": props, "required": ["file"]}}}}}  # fmt: skip


def sized(exc: InvalidInput) -> InvalidInput:
    """``uploads``' refusal of a file over the limit, with the finance way round it."""
    if exc.message != "{file} is larger than {limit} bytes.":
        return exc
    return InvalidInput("{file} is larger than {limit} bytes.",
                        hint="Split the file, or ingest it on the server with "
                        "`cthub finance ingest`.", **exc.params)  # fmt: skip


async def _declared(request: Request) -> None:
    """Refuse an oversized body before it is read."""
    try:
        uploads.check_declared(request, MAX_UPLOAD_BYTES, "The transaction file")
    except InvalidInput as exc:
        raise sized(exc) from None


def _text(form: FormData, key: str, default: str = "") -> str:
    value = form.get(key)
    return value.strip() if isinstance(value, str) else default


def mapping_of(text: str) -> dict[str, str]:
    """The optional column mapping: a JSON object of canonical column to the file's column."""
    if not text:
        return {}
    try:
        value = json.loads(text) if len(text) <= MAX_MAPPING else None
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise InvalidInput(
            "The column mapping must be a JSON object of canonical column to your column.",
            hint='For example {"timestamp": "booked_at", "amount": "value"}.',
        )
    return value


def upload_file(form: FormData) -> UploadFile:
    found = form.get("file")
    if not isinstance(found, UploadFile) or not found.filename:
        raise InvalidInput("Choose a transaction file to upload.",
                           hint="A CSV with a header row, or a Parquet file.")  # fmt: skip
    return found


@router.post(
    "/datasets/{name}/files",
    response_model=JobOut,
    status_code=202,
    dependencies=[Depends(_declared)],
    openapi_extra=_upload_body(),
)
async def upload(name: str, request: Request, actor: Actor = Depends(api_actor)) -> JobOut:
    """Add a transaction file to dataset ``name`` as a job; poll `/api/jobs/{id}` for its
    progress and result (rows, skipped rows, the first bad rows with line and column)."""
    hub = hub_of(request)
    async with request.form(max_files=1, max_fields=10) as form:
        file = upload_file(form)
        on_error = _text(form, "on_error") or "abort"
        decimal = _text(form, "decimal") or "."
        mapping = mapping_of(_text(form, "mapping"))
        try:
            async with uploads.saved([file], MAX_UPLOAD_BYTES) as saved:
                start = functools.partial(finance_jobs.start_ingest, filename=saved[0].name,
                                          mapping=mapping, on_error=on_error,
                                          decimal=decimal)  # fmt: skip
                started = await run_in_threadpool(start, hub, actor, saved[0].path, name[:120])
        except InvalidInput as exc:
            raise sized(exc) from None
    return JobOut.model_validate(started.job)


class ImportFileOut(BaseModel):
    name: str
    bytes: int


@router.get("/import-files", response_model=builtins.list[ImportFileOut])
def import_files(request: Request, actor: Actor = Depends(api_actor)) -> list[ImportFileOut]:
    """The transaction files on the server that may be registered into a dataset by name
    (`CTHUB_FINANCE_IMPORT_DIR`, the organisation's `org-<id>` folder in it); empty when
    registering is off."""
    found = finance_jobs.import_files(hub_of(request), actor)
    return [ImportFileOut(name=n, bytes=b) for n, b in found]


class RegisterIn(BaseModel):
    file: str = Field(min_length=1, max_length=200, description="A name from /import-files")
    mapping: dict[str, str] = Field(default_factory=dict, max_length=40,
                                    description="canonical column to yours")  # fmt: skip
    on_error: Literal["abort", "skip"] = "abort"
    decimal: Literal[".", ","] = "."


@router.post("/datasets/{name}/register", response_model=JobOut, status_code=202)
def register(
    name: str, body: RegisterIn, request: Request, actor: Actor = Depends(api_actor)
) -> JobOut:
    """Add a file already on the server to dataset ``name`` as a job, reading it where it
    lies (it is not moved or deleted); poll `/api/jobs/{id}` as for an upload."""
    started = finance_jobs.start_register(hub_of(request), actor, body.file, name[:120],
                                          mapping=body.mapping, on_error=body.on_error,
                                          decimal=body.decimal)  # fmt: skip
    return JobOut.model_validate(started.job)


class RunOut(BaseModel):
    dataset: str
    alerts: int


Engine = Literal["duckdb", "spark"]


@router.post("/datasets/{name}/monitor", response_model=RunOut)
def monitor(
    name: str,
    request: Request,
    engine: Engine = Query("duckdb"),
    actor: Actor = Depends(api_actor),
) -> RunOut:
    """Run the organisation's rules over the dataset and store its alerts for review, waiting
    for the result (for a large dataset, start a job with `/monitor-jobs` instead)."""
    result = finance.monitor_dataset(hub_of(request), actor, name[:120], engine=engine)
    return RunOut(dataset=name[:120], alerts=len(result.alerts))


@router.post("/datasets/{name}/monitor-jobs", response_model=JobOut, status_code=202)
def monitor_job(
    name: str,
    request: Request,
    engine: Engine = Query("duckdb"),
    actor: Actor = Depends(api_actor),
) -> JobOut:
    """Start monitoring the dataset as a job; poll `/api/jobs/{id}` for its progress and
    result (the number of alerts stored)."""
    started = finance_jobs.start_monitor(hub_of(request), actor, name[:120], engine)
    return JobOut.model_validate(started.job)


class AlertOut(BaseModel):
    id: int
    account: str
    score: float
    rules: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    tx_count: int
    state: str
    case_id: int | None
    hits: builtins.list[dict[str, Any]]
    network: dict[str, Any]


@router.get("/alerts", response_model=builtins.list[AlertOut])
def alerts(
    request: Request,
    state: Literal["open", "in_case", "closed", ""] = Query("open", description="'': all"),
    limit: int = Query(100, ge=1, le=10_000),
    actor: Actor = Depends(api_actor),
) -> builtins.list[AlertOut]:
    """Alerted accounts, best score first, each with the transactions its rules fired on."""
    return [AlertOut(**a.__dict__) for a in finance.alerts(hub_of(request), actor, state, limit)]


class AlertDetailOut(AlertOut):
    dataset: str


@router.get("/alerts/{alert_id}", response_model=AlertDetailOut)
def get_alert(
    alert_id: RowId, request: Request, actor: Actor = Depends(api_actor)
) -> AlertDetailOut:
    """One alert: its rules, the transactions each fired on, its network measures, its
    dataset."""
    row = queues.alert(hub_of(request), actor, alert_id)
    return AlertDetailOut(**row.alert.__dict__, dataset=row.dataset)


class NodeOut(BaseModel):
    account: str
    name: str
    hops: int = Field(description="From the alerted account (0 for itself)")
    via: str = Field(description="The first-hop account a second-hop one was reached through")
    transactions: int
    alert_id: int | None = Field(description="The account's own alert in the dataset, if any")
    score: float | None


class EdgeOut(BaseModel):
    sender: str
    receiver: str
    transactions: int


class GraphOut(BaseModel):
    account: str
    dataset: str
    alert_id: int
    nodes: builtins.list[NodeOut]
    edges: builtins.list[EdgeOut]
    reachable: int = Field(description="Accounts within the hops, drawn or not")
    truncated: bool


@router.get("/alerts/{alert_id}/graph", response_model=GraphOut)
def alert_graph(
    alert_id: RowId,
    request: Request,
    hops: int = Query(2, ge=1, le=2),
    actor: Actor = Depends(api_actor),
) -> GraphOut:
    """The alerted account's neighbourhood from the dataset's transactions, up to ``hops``
    away and at most 60 accounts (the graph the alert page draws)."""
    n = graph_view.neighbourhood(hub_of(request), actor, alert_id, hops=hops)
    return GraphOut(account=n.account, dataset=n.dataset, alert_id=n.alert_id,
                    nodes=[NodeOut(**x.__dict__) for x in n.nodes],
                    edges=[EdgeOut(**e.__dict__) for e in n.edges], reachable=n.reachable,
                    truncated=n.truncated)  # fmt: skip


AlertId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class CaseIn(BaseModel):
    alert_ids: builtins.list[AlertId] = Field(min_length=1, max_length=500)
    title: str = Field(max_length=300)


class CommentOut(BaseModel):
    author: str
    text: str
    at: dt.datetime


class CaseOut(BaseModel):
    id: int
    title: str
    state: str
    assignee: str
    reason: str
    created_by: str
    decided_by: str
    decided_at: dt.datetime | None
    alerts: builtins.list[AlertOut]
    comments: builtins.list[CommentOut]


def _case_out(c: finance.CaseView) -> CaseOut:
    data = {k: v for k, v in c.__dict__.items() if k not in ("alerts", "comments")}
    comments = [CommentOut(author=a, text=t, at=w) for a, t, w in c.comments]
    return CaseOut(**data, alerts=[AlertOut(**a.__dict__) for a in c.alerts], comments=comments)


class CaseRowOut(BaseModel):
    id: int
    title: str
    state: str
    assignee: str
    created_by: str
    created_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    alerts: int


class CasePageOut(BaseModel):
    cases: builtins.list[CaseRowOut]
    total: int
    page: int
    pages: int


@router.get("/cases", response_model=CasePageOut)
def list_cases(
    request: Request,
    state: Literal["open", "suspicious", "not_suspicious", ""] = Query("", description="'': all"),
    assignee: str = Query("", max_length=200, description="'': anyone"),
    page: int = Query(1, ge=1, le=10**6),
    size: int = Query(50, ge=1, le=200),
    actor: Actor = Depends(api_actor),
) -> CasePageOut:
    """Cases, newest first, each with its number of alerts."""
    rows = queues.case_page(hub_of(request), actor, state, assignee, page, size)
    return CasePageOut(cases=[CaseRowOut(**c.__dict__) for c in rows.rows], total=rows.total,
                       page=rows.page, pages=rows.pages)  # fmt: skip


@router.post("/cases", response_model=CaseOut, status_code=201)
def open_case(body: CaseIn, request: Request, actor: Actor = Depends(api_actor)) -> CaseOut:
    return _case_out(finance.open_case(hub_of(request), actor, body.alert_ids, body.title))


@router.get("/cases/{case_id}", response_model=CaseOut)
def get_case(case_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> CaseOut:
    return _case_out(finance.get_case(hub_of(request), actor, case_id))


class AssignIn(BaseModel):
    assignee: str = Field(max_length=200)


@router.post("/cases/{case_id}/assignee", response_model=CaseOut)
def assign(
    case_id: RowId, body: AssignIn, request: Request, actor: Actor = Depends(api_actor)
) -> CaseOut:
    return _case_out(finance.assign(hub_of(request), actor, case_id, body.assignee))


class CommentIn(BaseModel):
    text: str = Field(max_length=5000)


@router.post("/cases/{case_id}/comments", response_model=CaseOut)
def comment(
    case_id: RowId, body: CommentIn, request: Request, actor: Actor = Depends(api_actor)
) -> CaseOut:
    return _case_out(finance.comment(hub_of(request), actor, case_id, body.text))


class DecisionIn(BaseModel):
    decision: Literal["suspicious", "not_suspicious"]
    reason: str = Field(max_length=5000)


@router.post("/cases/{case_id}/decision", response_model=CaseOut)
def decide(
    case_id: RowId, body: DecisionIn, request: Request, actor: Actor = Depends(api_actor)
) -> CaseOut:
    """A reviewer's decision, with a reason (recorded with user and time)."""
    view = finance.close(hub_of(request), actor, case_id, body.decision, body.reason)
    return _case_out(view)


@router.get("/cases/{case_id}/goaml", response_class=Response,
            responses={200: {"content": {"application/xml": {}}}})  # fmt: skip
def goaml(case_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> Response:
    """The goAML STR XML of a case closed as suspicious (validated against the XSD)."""
    xml = finance.export_str(hub_of(request), actor, case_id)
    disposition = f'attachment; filename="str-{case_id}.xml"'
    return Response(xml, media_type="application/xml",
                    headers={"Content-Disposition": disposition})  # fmt: skip


__all__ = ["router"]
