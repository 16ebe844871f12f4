"""Review of content matches over HTTP: the queue, decisions, thumbnails, quarantine alerts and
the transparency report (JSON, CSV or PDF).

Nothing is final until a person confirms or rejects a match with a reason; a rejection may
add the file's hashes to a negative bank. The transparency report counts matches by month,
label, action and decision state for the organisations the caller may see.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from cthub import content
from cthub.content import report
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, RowId

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api/content", tags=["content"], responses=ERR)
Month = str | None


class ReviewOut(BaseModel):
    id: int
    bank: str
    entry_id: int
    label: str
    signal: str
    distance: int
    content_ref: str
    content_sha256: str
    action: str
    explanation: str
    state: str
    reason: str
    decided_by: str
    decided_at: dt.datetime | None
    created_at: dt.datetime
    has_thumbnail: bool


class ReviewPageOut(BaseModel):
    total: int
    items: builtins.list[ReviewOut]


@router.get("/review", response_model=ReviewPageOut)
def review_queue(
    request: Request,
    state: Literal["open", "confirmed", "rejected", ""] = Query("open", description="'': all"),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
    actor: Actor = Depends(api_actor),
) -> ReviewPageOut:
    """Matches waiting for (or given) a decision, newest first."""
    items, total = content.queue(hub_of(request), actor, state, limit, offset)
    return ReviewPageOut(total=total, items=[ReviewOut(**i.__dict__) for i in items])


class DecisionIn(BaseModel):
    decision: Literal["confirmed", "rejected"]
    reason: str = Field(max_length=2000)
    negative_bank: str | None = Field(
        None, max_length=120, description="On rejection: add the file's hashes to this bank"
    )


@router.post("/review/{item_id}/decision", response_model=ReviewOut)
def decide(
    item_id: RowId, body: DecisionIn, request: Request, actor: Actor = Depends(api_actor)
) -> ReviewOut:
    item = content.decide(
        hub_of(request), actor, item_id, body.decision, body.reason, body.negative_bank or None
    )
    return ReviewOut(**item.__dict__)


@router.get(
    "/review/{item_id}/thumbnail",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
def thumbnail(item_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> Response:
    """The match's small JPEG (each read is audited); show it blurred until asked for."""
    data = content.thumbnail(hub_of(request), actor, item_id)
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "private, no-store"})


class AlertOut(BaseModel):
    id: int
    entry_id: int
    bank: str
    signal: str
    hash: str
    matches: int
    window_s: int
    state: str
    resolution: str
    resolved_by: str
    created_at: dt.datetime


@router.get("/alerts", response_model=list[AlertOut])
def alerts(
    request: Request,
    state: Literal["open", "resolved", ""] = Query("open", description="'': all"),
    actor: Actor = Depends(api_actor),
) -> list[AlertOut]:
    """Hashes quarantined after a flood of matches."""
    return [AlertOut(**a.__dict__) for a in content.alerts(hub_of(request), actor, state)]


class ResolutionIn(BaseModel):
    resolution: Literal["release", "remove"]


@router.post("/alerts/{alert_id}/resolution", status_code=204)
def resolve_alert(
    alert_id: RowId, body: ResolutionIn, request: Request, actor: Actor = Depends(api_actor)
) -> Response:
    """``release``: the hash matches again; ``remove``: it is tombstoned (admins only)."""
    content.resolve_alert(hub_of(request), actor, alert_id, body.resolution)
    return Response(status_code=204)


class CountOut(BaseModel):
    month: str
    label: str
    action: str
    state: str
    count: int


class TransparencyOut(BaseModel):
    since: str | None
    until: str | None
    organisations: builtins.list[str] | None = Field(description="None: every organisation")
    generated_at: dt.datetime
    total: int
    by_state: dict[str, int]
    by_action: dict[str, int]
    rows: builtins.list[CountOut]


def _json(data: report.Transparency) -> TransparencyOut:
    return TransparencyOut(
        since=data.since, until=data.until,
        organisations=list(data.organisations) if data.organisations is not None else None,
        generated_at=data.generated_at, total=data.total, by_state=data.by_state(),
        by_action=data.by_action(), rows=[CountOut(**r.__dict__) for r in data.rows],
    )  # fmt: skip


@router.get(
    "/transparency",
    response_model=None,
    responses={200: {"model": TransparencyOut, "content": {"text/csv": {}, "application/pdf": {}}}},
)
def transparency(
    request: Request,
    format: Literal["json", "csv", "pdf"] = Query("json"),
    lang: Literal["en", "zh_Hans"] = Query("en", description="Language of the PDF"),
    since: Month = Query(None, max_length=7, description="First month, YYYY-MM"),
    until: Month = Query(None, max_length=7, description="Last month, YYYY-MM"),
    actor: Actor = Depends(api_actor),
) -> TransparencyOut | Response:
    """Matches counted by month, label, action and decision state."""
    hub = hub_of(request)
    if format == "csv":
        text = report.export_csv(hub, actor, since, until)
        return Response(text, media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": 'attachment; filename="transparency.csv"'})  # fmt: skip
    if format == "pdf":
        body = report.export_pdf(hub, actor, lang, since, until)
        return Response(body, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="transparency-{lang}.pdf"'})  # fmt: skip
    return _json(report.build(hub, actor, since, until))


__all__ = ["router"]
