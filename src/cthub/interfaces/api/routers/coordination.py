"""The coordination register over HTTP: needs, projects, overlaps, gaps, priorities, IATI, report.

Thin: each route validates the shape with pydantic and calls the same service function as the
CLI and the web pages; the service validates the values (unknown country, negative budget,
dates out of order) and its ``InvalidInput`` names the field in a 400 body.
"""

from __future__ import annotations

import builtins
import datetime as dt
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, UploadFile
from pydantic import BaseModel, Field

from cthub.coordination import analysis, interchange, reporting, service
from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, RowId

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404)}
router = APIRouter(prefix="/api/coordination", tags=["coordination"], responses=ERR)
MAX_UPLOAD = 50 * 1024 * 1024


class NeedIn(BaseModel):
    recipient: str = Field(max_length=100, description="ISO 3166-1 alpha-2 or IATI region")
    area: str = Field(max_length=40)
    priority: int = Field(ge=1, le=5)
    title: str = Field(max_length=300)
    description: str = Field("", max_length=20000)
    source: str = Field("cted_assessment", max_length=40)
    identified_on: dt.date | None = None
    confidentiality: str = Field("TLP:GREEN", max_length=20)
    status: str = Field("open", max_length=20)


class NeedOut(NeedIn):
    id: int
    org_id: int
    identified_on: dt.date | None
    created_by: str
    updated_at: dt.datetime


class ProjectIn(BaseModel):
    title: str = Field(max_length=500)
    description: str = Field("", max_length=20000)
    donor: str = Field(max_length=300)
    implementer: str = Field("", max_length=300)
    recipient: str = Field(max_length=100)
    areas: list[str] = Field(min_length=1, max_length=8)
    forms: list[str] = Field(default_factory=list, max_length=5)
    status: str = Field("pipeline", max_length=20)
    budget: str | None = Field(None, max_length=30, description="Decimal text, e.g. 12500.00")
    currency: str | None = Field(None, max_length=3)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    need_ids: list[int] = Field(default_factory=list, max_length=200)
    iati_identifier: str | None = Field(None, max_length=200)


class ProjectOut(BaseModel):
    id: int
    org_id: int
    iati_identifier: str | None
    title: str
    description: str
    donor: str
    implementer: str
    recipient: str
    areas: list[str]
    forms: list[str]
    status: str
    budget_minor: int | None
    currency: str | None
    budget: str
    start_date: dt.date | None
    end_date: dt.date | None
    need_ids: list[int]
    created_by: str
    updated_at: dt.datetime


class PageOut(BaseModel):
    total: int
    limit: int
    offset: int


class NeedPage(PageOut):
    items: list[NeedOut]


class ProjectPage(PageOut):
    items: list[ProjectOut]


class OverlapOut(BaseModel):
    id: int
    project_a: int
    project_b: int
    title_a: str
    title_b: str
    donor_a: str
    donor_b: str
    recipient: str
    score: float
    reasons: str
    state: str
    note: str
    decided_by: str | None
    decided_at: dt.datetime | None


class DetectOut(BaseModel):
    pairs: int
    new: int
    kept_decisions: int
    seconds: float


class OverlapDecisionIn(BaseModel):
    decision: Literal["confirmed", "dismissed"]
    note: str = Field(min_length=1, max_length=4000)


class GapOut(BaseModel):
    recipient: str
    area: str
    need: float
    committed: float
    delivered: float
    gap: float
    explanation: str


class ImportOut(BaseModel):
    created: int
    updated: int
    invalid: list[dict[str, Any]]
    outside: list[dict[str, str]]


def _need_out(v: service.NeedView) -> NeedOut:
    return NeedOut(**v.__dict__)


def _project_out(v: service.ProjectView) -> ProjectOut:
    data = {k: getattr(v, k) for k in ProjectOut.model_fields}
    return ProjectOut(**{**data, "areas": list(v.areas), "forms": list(v.forms),
                         "need_ids": list(v.need_ids)})  # fmt: skip


def _filter(recipient: str | None, area: str | None, status: str | None, sort: str) -> Any:
    return service.Filter(recipient=recipient, area=area, status=status, sort=sort)


@router.get("/needs", response_model=NeedPage)
def list_needs(
    request: Request,
    actor: Actor = Depends(api_actor),
    recipient: str | None = Query(None, max_length=40),
    area: str | None = Query(None, max_length=40),
    status: str | None = Query(None, max_length=40),
    sort: str = Query("-id", max_length=40),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**31 - 1),
) -> NeedPage:
    page = service.list_needs(
        hub_of(request), actor, _filter(recipient, area, status, sort), limit, offset
    )
    return NeedPage(items=[_need_out(n) for n in page.items], total=page.total,
                    limit=page.limit, offset=page.offset)  # fmt: skip


@router.post("/needs", response_model=NeedOut, status_code=201)
def create_need(body: NeedIn, request: Request, actor: Actor = Depends(api_actor)) -> NeedOut:
    return _need_out(service.create_need(hub_of(request), actor, body.model_dump()))


@router.get("/needs/{need_id}", response_model=NeedOut)
def get_need(need_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> NeedOut:
    return _need_out(service.get_need(hub_of(request), actor, need_id))


@router.put("/needs/{need_id}", response_model=NeedOut)
def update_need(
    need_id: RowId, body: NeedIn, request: Request, actor: Actor = Depends(api_actor)
) -> NeedOut:
    return _need_out(service.update_need(hub_of(request), actor, need_id, body.model_dump()))


@router.delete("/needs/{need_id}", status_code=204)
def delete_need(need_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> Response:
    service.delete_need(hub_of(request), actor, need_id)
    return Response(status_code=204)


@router.get("/projects", response_model=ProjectPage)
def list_projects(
    request: Request,
    actor: Actor = Depends(api_actor),
    recipient: str | None = Query(None, max_length=40),
    area: str | None = Query(None, max_length=40),
    status: str | None = Query(None, max_length=40),
    sort: str = Query("-id", max_length=40),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**31 - 1),
) -> ProjectPage:
    page = service.list_projects(
        hub_of(request), actor, _filter(recipient, area, status, sort), limit, offset
    )
    return ProjectPage(items=[_project_out(p) for p in page.items], total=page.total,
                       limit=page.limit, offset=page.offset)  # fmt: skip


@router.post("/projects", response_model=ProjectOut, status_code=201)
def create_project(
    body: ProjectIn, request: Request, actor: Actor = Depends(api_actor)
) -> ProjectOut:
    return _project_out(service.create_project(hub_of(request), actor, body.model_dump()))


@router.get("/projects/{project_id}", response_model=ProjectOut)
def get_project(
    project_id: RowId, request: Request, actor: Actor = Depends(api_actor)
) -> ProjectOut:
    return _project_out(service.get_project(hub_of(request), actor, project_id))


@router.put("/projects/{project_id}", response_model=ProjectOut)
def update_project(
    project_id: RowId, body: ProjectIn, request: Request, actor: Actor = Depends(api_actor)
) -> ProjectOut:
    data = body.model_dump(exclude_unset=True)  # unsent identifiers are kept
    view = service.update_project(hub_of(request), actor, project_id, data)
    return _project_out(view)


@router.delete("/projects/{project_id}", status_code=204)
def delete_project(
    project_id: RowId, request: Request, actor: Actor = Depends(api_actor)
) -> Response:
    service.delete_project(hub_of(request), actor, project_id)
    return Response(status_code=204)


@router.post("/overlaps/detect", response_model=DetectOut)
def detect_overlaps(
    request: Request, actor: Actor = Depends(api_actor),
    min_score: float = Query(analysis.DEFAULT_MIN_SCORE, ge=0.0, le=1.0),
) -> DetectOut:  # fmt: skip
    return DetectOut(**analysis.detect(hub_of(request), actor, min_score=min_score).__dict__)


@router.get("/overlaps", response_model=list[OverlapOut])
def list_overlaps(
    request: Request, actor: Actor = Depends(api_actor),
    state: Literal["flagged", "confirmed", "dismissed"] | None = None,
    min_score: float = Query(0.0, ge=0.0, le=1.0),
) -> builtins.list[OverlapOut]:  # fmt: skip
    views = analysis.list_overlaps(hub_of(request), actor, state=state, min_score=min_score)
    return [OverlapOut(**v.__dict__) for v in views]


@router.post("/overlaps/{overlap_id}/decision", status_code=204)
def decide_overlap(
    overlap_id: RowId, body: OverlapDecisionIn, request: Request,
    actor: Actor = Depends(api_actor),
) -> Response:  # fmt: skip
    analysis.decide_overlap(hub_of(request), actor, overlap_id, body.decision, body.note)
    return Response(status_code=204)


@router.get("/gaps", response_model=list[GapOut])
def gaps(request: Request, actor: Actor = Depends(api_actor)) -> builtins.list[GapOut]:
    return [
        GapOut(
            recipient=c.recipient,
            area=c.area,
            need=c.need_weight,
            committed=c.committed,
            delivered=c.delivered,
            gap=c.gap,
            explanation=c.explain(),
        )
        for c in analysis.gap_cells(hub_of(request), actor)
    ]


@router.post("/iati", response_model=ImportOut)
async def import_iati(
    file: UploadFile, request: Request, actor: Actor = Depends(api_actor),
    skip_invalid: bool = False,
) -> ImportOut:  # fmt: skip
    """Import an IATI activity file (multipart upload); all or nothing unless skip_invalid."""
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("The file {name} is larger than 50 MB.", name=file.filename or "")
    with tempfile.TemporaryDirectory() as tmp:
        name = Path(file.filename or "").name
        path = Path(tmp) / (name if name not in ("", ".", "..") else "upload.xml")
        path.write_bytes(data)
        result = interchange.import_iati(hub_of(request), actor, path, skip_invalid=skip_invalid)
    return ImportOut(
        created=result.created, updated=result.updated,
        outside=[{"identifier": i, "reason": why} for i, why in result.outside],
        invalid=[{"identifier": i.identifier, "line": i.line, "errors": list(i.errors)}
                 for i in result.invalid],
    )  # fmt: skip


@router.get("/iati", response_class=Response)
def export_iati(
    request: Request, actor: Actor = Depends(api_actor),
    recipient: str | None = Query(None, max_length=3),
) -> Response:  # fmt: skip
    data = interchange.export_iati(hub_of(request), actor, recipient=recipient)
    return Response(data, media_type="application/xml")


@router.get("/report", response_class=Response)
def report(
    request: Request, actor: Actor = Depends(api_actor),
    period: str = Query(max_length=6, description="Half-year, e.g. 2026H2"),
    lang: Literal["en", "zh_Hans"] = "en", format: Literal["html", "pdf"] = "html",
) -> Response:  # fmt: skip
    body = reporting.generate(hub_of(request), actor, period, format, lang)
    media = "application/pdf" if format == "pdf" else "text/html; charset=utf-8"
    return Response(body, media_type=media)


__all__ = ["router"]
