"""Entities of the shared model, scoped to the caller's organisation and its sharing rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response

from cthub.core import entities
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import EntityIn, EntityOut, ErrorBody

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404)}
router = APIRouter(prefix="/api/entities", tags=["entities"], responses=ERR)


def _out(view: entities.EntityView) -> EntityOut:
    return EntityOut(
        id=view.id,
        schema_=view.schema,
        caption=view.caption,
        org_id=view.org_id,
        properties=view.properties,
    )


@router.get("", response_model=list[EntityOut])
def search(
    request: Request,
    response: Response,
    actor: Actor = Depends(api_actor),
    schema: str | None = Query(None, max_length=60),
    q: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=10**9),
) -> list[EntityOut]:
    """Entities visible to the caller; the total count is in the `X-Total-Count` header."""
    views, total = entities.search(
        hub_of(request), actor, schema=schema, text=q, limit=limit, offset=offset
    )
    response.headers["X-Total-Count"] = str(total)
    return [_out(v) for v in views]


@router.post("", response_model=EntityOut, status_code=201)
def create(body: EntityIn, request: Request, actor: Actor = Depends(api_actor)) -> EntityOut:
    return _out(entities.create(hub_of(request), actor, body.schema_, body.properties))


@router.get("/{entity_id}", response_model=EntityOut)
def get(entity_id: str, request: Request, actor: Actor = Depends(api_actor)) -> EntityOut:
    return _out(entities.get(hub_of(request), actor, entity_id))


@router.put("/{entity_id}", response_model=EntityOut)
def update(
    entity_id: str, body: EntityIn, request: Request, actor: Actor = Depends(api_actor)
) -> EntityOut:
    return _out(entities.update(hub_of(request), actor, entity_id, body.properties))
