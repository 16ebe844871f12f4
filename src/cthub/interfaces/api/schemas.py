"""Request and response bodies of the HTTP API (they define the OpenAPI schema)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="A row id (32-bit).")]
Role = Literal["admin", "coordinator", "analyst", "reviewer", "partner", "viewer"]


class ErrorBody(BaseModel):
    error: str = Field(description="Stable machine-readable code, e.g. `invalid_input`.")
    message: str
    hint: str | None = None


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=1000)


class Me(BaseModel):
    name: str
    role: str
    org_id: int | None
    via: str
    csrf_token: str | None = None


class Health(BaseModel):
    status: Literal["ok"]
    database: str
    version: str


class OrgOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    country: str | None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    org_id: int
    org: str
    role: str
    disabled: bool
    language: str | None
    created_at: dt.datetime


class UserIn(BaseModel):
    username: str = Field(
        min_length=1,
        max_length=100,
        description="Checked by the service: "
        "2-100 letters, digits, dots, dashes, @ or underscores.",
    )
    role: Role
    display_name: str = Field("", max_length=200)
    password: str | None = Field(None, min_length=10, max_length=1000)


class UserCreated(BaseModel):
    user: UserOut
    password: str | None = Field(None, description="Generated password, shown only this once.")


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    org_id: int
    role: str
    created_by: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    role: Role


class KeyCreated(BaseModel):
    key: KeyOut
    secret: str = Field(description="The API key. It is shown only this once.")


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    at: dt.datetime
    actor: str
    action: str
    outcome: str
    resource_type: str | None
    resource_id: str | None
    org_id: int | None
    details: dict[str, Any]
    hash: str


class EventPageOut(BaseModel):
    events: list[EventOut]
    total: int
    limit: int
    offset: int


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: str
    kind: str
    state: str
    done: int
    total: int | None
    percent: int
    message: str
    error: str | None
    result: dict[str, Any] | None
    created_by: str


class SharingIn(BaseModel):
    grantee: str = Field(min_length=1, max_length=200)
    resource_kind: str = Field(min_length=1, max_length=60)
    purpose: str = Field(min_length=1, max_length=2000)


class EntityIn(BaseModel):
    schema_: str = Field(alias="schema", min_length=1, max_length=60)
    properties: dict[str, list[str]] = Field(default_factory=dict)
    model_config = ConfigDict(populate_by_name=True)


class EntityOut(BaseModel):
    id: str
    schema_: str = Field(alias="schema")
    caption: str
    org_id: int
    properties: dict[str, list[str]]
    model_config = ConfigDict(populate_by_name=True)


class Created(BaseModel):
    id: int
