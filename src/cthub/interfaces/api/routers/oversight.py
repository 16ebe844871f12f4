"""Audit log and jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request

from cthub.core import audit, auditlog, jobs
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody, EventPageOut, JobOut

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404)}
router = APIRouter(prefix="/api", responses=ERR)


@router.get("/audit", response_model=EventPageOut, tags=["audit"])
def list_audit(
    request: Request,
    actor: Actor = Depends(api_actor),
    who: str | None = Query(None, alias="actor", max_length=120),
    action: str | None = Query(None, max_length=80),
    outcome: str | None = Query(None, max_length=20),
    resource_type: str | None = Query(None, max_length=60),
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
) -> EventPageOut:
    flt = audit.AuditFilter(
        actor=who,
        action=action,
        outcome=outcome,
        resource_type=resource_type,
        since=_utc(since),
        until=_utc(until),
    )
    page = auditlog.list_events(hub_of(request), actor, flt, limit, offset)
    return EventPageOut.model_validate(page, from_attributes=True)


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


@router.post("/audit/verify", response_model=JobOut, status_code=202, tags=["audit"])
def verify_audit(request: Request, actor: Actor = Depends(api_actor)) -> JobOut:
    """Start a verification job; poll `/api/jobs/{id}` for progress and the verdict."""
    return JobOut.model_validate(jobs.submit(hub_of(request), actor, "audit.verify"))


@router.get("/jobs", response_model=list[JobOut], tags=["jobs"])
def list_jobs(request: Request, actor: Actor = Depends(api_actor)) -> list[JobOut]:
    return [JobOut.model_validate(j) for j in jobs.recent(hub_of(request), actor)]


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
def get_job(job_id: str, request: Request, actor: Actor = Depends(api_actor)) -> JobOut:
    return JobOut.model_validate(jobs.get(hub_of(request), actor, job_id))
