"""Name screening against the active sanctions lists, and the review of the alerts it raises.

``POST /api/screening/match`` screens up to 1,000 queries with a cached matcher (rebuilt when a
list gets a new version). Watched subjects are re-screened by ``POST /api/screening/rescreen``;
their hits become alerts that reviewers decide with a reason.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, RowId
from cthub.screening import parse_query, review, screen
from cthub.screening.cache import screener

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404)}
router = APIRouter(prefix="/api/screening", tags=["screening"], responses=ERR)

MAX_QUERIES = 1000


class QueryIn(BaseModel):
    id: str = Field(max_length=200)
    name: str = Field(max_length=500)
    type: str | None = Field(None, max_length=20, description="person, organization or vessel")
    birth_date: str | None = Field(None, max_length=10, description="YYYY or YYYY-MM-DD")
    nationality: str | None = Field(None, max_length=100, description="ISO alpha-2 or name")
    gender: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=100)


class MatchIn(BaseModel):
    queries: list[QueryIn] = Field(min_length=1, max_length=MAX_QUERIES)
    threshold: float = Field(0.7, ge=0.0, le=1.0)
    lists: list[str] | None = Field(None, max_length=50)
    top: int = Field(5, ge=1, le=100)


class FeatureOut(BaseModel):
    name: str
    value: float
    weight: float
    contribution: float


class HitOut(BaseModel):
    score: float
    list: str
    list_ref: str
    matched_name: str
    entity_name: str
    explanation: str
    features: builtins.list[FeatureOut]


class ResultOut(BaseModel):
    query_id: str
    hits: list[HitOut]


class MatchOut(BaseModel):
    results: list[ResultOut]


class SubjectIn(BaseModel):
    id: str = Field(max_length=200, description="The organisation's own id of the subject.")
    name: str = Field(max_length=500)
    type: str | None = Field(None, max_length=20)
    birth_date: str | None = Field(None, max_length=10)
    nationality: str | None = Field(None, max_length=100)
    gender: str | None = Field(None, max_length=20)
    id_number: str | None = Field(None, max_length=100)
    active: bool = True


class WatchIn(BaseModel):
    subjects: list[SubjectIn] = Field(min_length=1, max_length=10_000)


class WatchOut(BaseModel):
    created: int
    updated: int


class RescreenIn(BaseModel):
    lists: list[str] | None = Field(None, max_length=50)
    threshold: float = Field(0.7, ge=0.0, le=1.0)


class RescreenOut(BaseModel):
    subjects: int
    hits: int
    created: int
    reopened: int
    suppressed: int
    already_raised: int
    closed: int
    lists: dict[str, int] = Field(description="Active version of each list screened.")


class DecisionOut(BaseModel):
    decision: str
    reason: str
    decided_by: str
    decided_at: dt.datetime


class AlertOut(BaseModel):
    id: int
    org_id: int
    subject_id: int | None
    query_id: str
    list: str
    list_ref: str
    entry_hash: str
    score: float
    matched_name: str
    entity_name: str
    explanation: str
    state: Literal["open", "true_match", "false_positive", "closed"]
    closed_reason: str | None
    reopens_alert_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    decisions: builtins.list[DecisionOut]


class DecisionIn(BaseModel):
    decision: Literal["true_match", "false_positive"]
    reason: str = Field("", max_length=4000, description="Required: why this decision.")


def _alert_out(v: review.AlertView) -> AlertOut:
    return AlertOut(
        id=v.id,
        org_id=v.org_id,
        subject_id=v.subject_id,
        query_id=v.query_id,
        list=v.list_name,
        list_ref=v.list_ref,
        entry_hash=v.entry_hash,
        score=v.score,
        matched_name=v.matched_name,
        entity_name=v.entity_name,
        explanation=v.explanation,
        state=v.state,
        closed_reason=v.closed_reason,
        reopens_alert_id=v.reopens_alert_id,
        created_at=v.created_at,
        updated_at=v.updated_at,
        decisions=[
            DecisionOut(
                decision=d.decision,
                reason=d.reason,
                decided_by=d.decided_by,
                decided_at=d.decided_at,
            )
            for d in v.decisions
        ],
    )


@router.post("/match", response_model=MatchOut)
def match(body: MatchIn, request: Request, actor: Actor = Depends(api_actor)) -> MatchOut:
    """Screen up to 1,000 queries; hits at or above `threshold`, best first, `top` per query."""
    queries = [
        parse_query(q.model_dump(exclude_none=True), f"queries[{i}]")
        for i, q in enumerate(body.queries)
    ]
    hub = hub_of(request)
    found = screener(hub, actor, body.lists)
    results = [ResultOut(query_id=qid, hits=[]) for qid, _ in queries]
    numbered = ((str(i), q) for i, (_, q) in enumerate(queries))
    for key, hit in screen(hub, actor, found, numbered, body.threshold, body.top):
        results[int(key)].hits.append(
            HitOut(
                score=hit.score,
                list=hit.entry.list,
                list_ref=hit.entry.ref,
                matched_name=hit.matched_name,
                entity_name=found.captions.get(hit.entry.id, hit.entry.names[0]),
                explanation=hit.explanation,
                features=[
                    FeatureOut(
                        name=f.name, value=f.value, weight=f.weight, contribution=f.contribution
                    )
                    for f in hit.features
                ],
            )
        )
    return MatchOut(results=results)


@router.get("/alerts", response_model=list[AlertOut])
def list_alerts(
    request: Request,
    response: Response,
    actor: Actor = Depends(api_actor),
    state: Literal["open", "true_match", "false_positive", "closed"] | None = Query(None),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[AlertOut]:
    """Alerts of the caller's organisation, newest first; the total is in `X-Total-Count`."""
    views, total = review.alerts(hub_of(request), actor, state, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return [_alert_out(v) for v in views]


@router.get("/alerts/{alert_id}", response_model=AlertOut)
def get_alert(alert_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> AlertOut:
    return _alert_out(review.alert(hub_of(request), actor, alert_id))


@router.post("/alerts/{alert_id}/decision", response_model=AlertOut)
def decide(
    alert_id: RowId, body: DecisionIn, request: Request, actor: Actor = Depends(api_actor)
) -> AlertOut:
    """Mark an alert a true match or a false positive; the reason is required."""
    return _alert_out(review.decide(hub_of(request), actor, alert_id, body.decision, body.reason))


@router.post("/watch", response_model=WatchOut)
def watch(body: WatchIn, request: Request, actor: Actor = Depends(api_actor)) -> WatchOut:
    """Put subjects under watch, or update them, by the organisation's own id."""
    records = [
        {**s.model_dump(exclude_none=True, exclude={"active"}), "active": str(s.active)}
        for s in body.subjects
    ]
    done = review.watch(hub_of(request), actor, records)
    return WatchOut(created=done.created, updated=done.updated)


@router.post("/rescreen", response_model=RescreenOut)
def rescreen(body: RescreenIn, request: Request, actor: Actor = Depends(api_actor)) -> RescreenOut:
    """Re-screen the organisation's watched subjects now; returns what changed."""
    done = review.rescreen(hub_of(request), actor, body.lists, body.threshold)
    return RescreenOut(
        subjects=done.subjects,
        hits=done.hits,
        created=done.created,
        reopened=done.reopened,
        suppressed=done.suppressed,
        already_raised=done.already_raised,
        closed=done.closed,
        lists=done.lists,
    )
