"""Beneficial ownership over HTTP: search the stored entities, read one with its owners and
holdings, its beneficial owners (EU AMLR, at a threshold) with their chains, its exposure under
a sanctions regime (status, blocked share and the path of edges from the listed seeds), and
the report of every entity a regime blocks, as JSON or CSV.

Entity ids hold ``:`` and ``/`` (``gb-coh:01234567``, ``ftm:demo/lakeview``), so they are
matched as a path: ``/entities/ftm:demo/lakeview/ubo``. An id that itself ends in ``/ubo`` or
``/exposure`` is read by those routes; find such an entity through the search instead.
"""

from __future__ import annotations

import builtins
import csv
import datetime as dt
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel

from cthub import ownership
from cthub.core.errors import NotFound
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody
from cthub.ownership.analysis import exposure as regime_exposure
from cthub.ownership.analysis import ubo as ubo_of

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404)}
router = APIRouter(prefix="/api/ownership", tags=["ownership"], responses=ERR)
EntityId = Annotated[
    str, Path(min_length=1, max_length=300, description="An entity id, e.g. gb-coh:01234567")
]
RegimeName = Literal["ofac", "eu", "uk"]
REPORT_COLUMNS = ("entity_id", "name", "status", "owners_share", "path")


class EdgeOut(BaseModel):
    edge_id: str
    owner: str
    asset: str
    interest: str
    interest_type: str
    share_min: float | None
    share_max: float | None
    min_inclusive: bool
    max_inclusive: bool
    share: str
    joint_group: str | None
    start_date: dt.date | None
    end_date: dt.date | None
    status: str
    source: str


class EntitySummaryOut(BaseModel):
    id: str
    kind: str
    subtype: str
    name: str
    jurisdiction: str | None
    identifiers: builtins.list[str]
    placeholder: bool
    closed: bool


class EntityOut(EntitySummaryOut):
    replaced_by: str | None
    details: dict[str, Any]
    owners: builtins.list[EdgeOut]
    holdings: builtins.list[EdgeOut]


class ChainEdgeOut(BaseModel):
    edge_id: str
    owner_id: str
    asset_id: str
    interest: str
    share_min: float | None
    share_max: float | None
    min_inclusive: bool
    max_inclusive: bool
    source: str | None


class ChainOut(BaseModel):
    share: builtins.list[float]
    edges: builtins.list[ChainEdgeOut]


class UBOOwnerOut(BaseModel):
    owner_id: str
    owner_kind: str
    name: str | None
    ownership: builtins.list[float]
    voting: builtins.list[float]
    control: str
    status: str
    basis: builtins.list[str]
    in_cycle: bool
    chains: dict[str, builtins.list[ChainOut]]


class UBOOut(BaseModel):
    entity_id: str
    name: str | None
    known: bool
    threshold: float
    inclusive: bool
    in_cycle: bool
    owners: builtins.list[UBOOwnerOut]
    problems: builtins.list[dict[str, Any]]


class ExposureOut(BaseModel):
    entity_id: str
    name: str | None
    regime: str
    regime_title: str
    status: str
    reason: str | None
    owners_share: str
    share_min: float | None
    share_max: float | None
    list: str | None
    list_ref: str | None
    path: builtins.list[ChainEdgeOut]
    path_text: str


class BlockedRowOut(BaseModel):
    entity_id: str
    name: str | None
    status: str
    owners_share: str
    path: str


class BlockedOut(BaseModel):
    regime: str
    regime_title: str
    seeds: int
    notes: builtins.list[str]
    rows: builtins.list[BlockedRowOut]


def _summary(e: ownership.EntityView) -> dict[str, Any]:
    return {"id": e.id, "kind": e.kind, "subtype": e.subtype, "name": e.name,
            "jurisdiction": e.jurisdiction, "identifiers": e.identifiers,
            "placeholder": e.placeholder, "closed": e.closed}  # fmt: skip


def _edge(x: ownership.EdgeView) -> EdgeOut:
    return EdgeOut(**x.__dict__, share=x.share)


@router.get("/entities", response_model=builtins.list[EntitySummaryOut])
def search(
    request: Request,
    q: str = Query(..., min_length=1, max_length=200, description="Part of a name, or an id"),
    kind: Literal["person", "company", "arrangement", "unknown"] | None = Query(None),
    limit: int = Query(50, ge=1, le=1000),
    actor: Actor = Depends(api_actor),
) -> builtins.list[EntitySummaryOut]:
    """Entities whose name contains ``q`` (any case) or with an identifier equal to it."""
    found = ownership.search_entities(hub_of(request), actor, q, kind=kind, limit=limit)
    return [EntitySummaryOut(**_summary(e)) for e in found]


@router.get("/entities/{entity_id:path}/ubo", response_model=UBOOut)
def beneficial_owners(
    entity_id: EntityId,
    request: Request,
    threshold: float = Query(0.25, gt=0, le=1, description="Effective share, 0.25 for 25%"),
    actor: Actor = Depends(api_actor),
) -> UBOOut:
    """Beneficial owners of one entity: effective shares as intervals (multiplied along each
    chain, added over chains, cycles solved), control, and every chain per basis."""
    return UBOOut.model_validate(ubo_of(hub_of(request), actor, entity_id, threshold=threshold))


@router.get("/entities/{entity_id:path}/exposure", response_model=ExposureOut)
def exposure(
    entity_id: EntityId,
    request: Request,
    regime: RegimeName = Query(..., description="ofac, eu or uk"),
    actor: Actor = Depends(api_actor),
) -> ExposureOut:
    """Whether ``regime`` blocks the entity through ownership (or, EU/UK, control), with the
    blocked share and the path of edges from the listed seeds down to it."""
    found = regime_exposure(hub_of(request), actor, regime)
    res = found.result
    i = res.graph.node(entity_id)
    if i < 0:
        raise NotFound(
            "No entity {id} in the ownership store.",
            hint="Find it with `cthub ownership search`.",
            id=entity_id[:200],
        )
    row = res.table.slice(i, 1).to_pylist()[0]
    report = res.report(include_possible=True, with_path=False)
    share = ""
    if row["status"] != "not_blocked":
        ids = report.column("entity_id").to_pylist()
        share = str(report.column("owners_share")[ids.index(entity_id)].as_py() or "")
    path = res.explain(entity_id)
    return ExposureOut(
        entity_id=entity_id, name=row["name"], regime=regime, regime_title=res.regime.title,
        status=row["status"], reason=row["reason"], owners_share=share,
        share_min=row["share_lo"], share_max=row["share_hi"], list=row["list"],
        list_ref=row["list_ref"], path=[ChainEdgeOut(**e.as_dict()) for e in path],
        path_text=res.path(entity_id),
    )  # fmt: skip


@router.get("/entities/{entity_id:path}", response_model=EntityOut)
def entity(entity_id: EntityId, request: Request, actor: Actor = Depends(api_actor)) -> EntityOut:
    """One entity with its identifiers, its owners (edges into it) and its holdings."""
    e = ownership.entity(hub_of(request), actor, entity_id)
    return EntityOut(**_summary(e), replaced_by=e.replaced_by, details=e.details,
                     owners=[_edge(x) for x in e.owners],
                     holdings=[_edge(x) for x in e.holdings])  # fmt: skip


@router.get(
    "/blocked",
    response_model=None,
    responses={200: {"model": BlockedOut, "content": {"text/csv": {}}}},
)
def blocked(
    request: Request,
    regime: RegimeName = Query(..., description="ofac, eu or uk"),
    format: Literal["json", "csv"] = Query("json"),
    actor: Actor = Depends(api_actor),
) -> BlockedOut | Response:
    """Entities ``regime`` blocks or possibly blocks from the listed seeds:
    ``entity_id,name,status,owners_share,path`` (CSV), or the same rows in JSON."""
    found = regime_exposure(hub_of(request), actor, regime)
    rows = found.report().to_pylist()
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=REPORT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: r.get(k) or "" for k in REPORT_COLUMNS} for r in rows)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers={
            "Content-Disposition": f'attachment; filename="blocked-{regime}.csv"'})  # fmt: skip
    return BlockedOut(regime=regime, regime_title=found.result.regime.title,
                      seeds=found.seeds.num_rows, notes=found.notes,
                      rows=[BlockedRowOut(**{k: r.get(k) or "" if k != "name" else r.get(k)
                                             for k in REPORT_COLUMNS}) for r in rows])  # fmt: skip


__all__ = ["router"]
