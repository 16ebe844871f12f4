"""Organisations, users, API keys and sharing rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from cthub.core import accounts
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import (
    Created,
    ErrorBody,
    KeyCreated,
    KeyIn,
    KeyOut,
    OrgOut,
    RowId,
    SharingIn,
    UserCreated,
    UserIn,
    UserOut,
)

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 409)}
router = APIRouter(prefix="/api", tags=["admin"], responses=ERR)


@router.get("/orgs", response_model=list[OrgOut])
def list_orgs(request: Request, actor: Actor = Depends(api_actor)) -> list[OrgOut]:
    return [OrgOut.model_validate(o) for o in accounts.list_orgs(hub_of(request), actor)]


@router.get("/users", response_model=list[UserOut])
def list_users(request: Request, actor: Actor = Depends(api_actor)) -> list[UserOut]:
    return [UserOut.model_validate(u) for u in accounts.list_users(hub_of(request), actor)]


@router.post("/users", response_model=UserCreated, status_code=201)
def create_user(body: UserIn, request: Request, actor: Actor = Depends(api_actor)) -> UserCreated:
    user, password = accounts.create_user(
        hub_of(request),
        actor,
        body.username,
        body.role,
        password=body.password,
        display_name=body.display_name,
    )
    return UserCreated(user=UserOut.model_validate(user), password=password)


@router.post("/users/{username}/disable", status_code=204)
def disable_user(username: str, request: Request, actor: Actor = Depends(api_actor)) -> None:
    accounts.set_disabled(hub_of(request), actor, username, True)


@router.post("/users/{username}/enable", status_code=204)
def enable_user(username: str, request: Request, actor: Actor = Depends(api_actor)) -> None:
    accounts.set_disabled(hub_of(request), actor, username, False)


@router.get("/keys", response_model=list[KeyOut])
def list_keys(request: Request, actor: Actor = Depends(api_actor)) -> list[KeyOut]:
    return [KeyOut.model_validate(k) for k in accounts.list_keys(hub_of(request), actor)]


@router.post("/keys", response_model=KeyCreated, status_code=201)
def create_key(body: KeyIn, request: Request, actor: Actor = Depends(api_actor)) -> KeyCreated:
    key, secret = accounts.create_key(hub_of(request), actor, body.name, body.role)
    return KeyCreated(key=KeyOut.model_validate(key), secret=secret)


@router.post("/keys/{key_id}/revoke", response_model=KeyOut)
def revoke_key(key_id: RowId, request: Request, actor: Actor = Depends(api_actor)) -> KeyOut:
    return KeyOut.model_validate(accounts.revoke_key(hub_of(request), actor, key_id))


@router.post("/sharing", response_model=Created, status_code=201)
def grant_sharing(body: SharingIn, request: Request, actor: Actor = Depends(api_actor)) -> Created:
    rule_id = accounts.grant_sharing(
        hub_of(request), actor, body.grantee, body.resource_kind, body.purpose
    )
    return Created(id=rule_id)
