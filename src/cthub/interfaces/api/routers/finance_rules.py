"""The organisation's indicator rules over HTTP: every shipped rule as it runs here (enabled or
not, each parameter with its shipped default), and changes to it, checked as a rule file
would be and audited."""

from __future__ import annotations

import builtins
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from cthub import finance
from cthub.core.policy import Actor
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404)}
router = APIRouter(prefix="/api/finance/rules", tags=["finance"], responses=ERR)
RuleName = Annotated[str, Path(min_length=1, max_length=64)]


class ParamOut(BaseModel):
    name: str
    type: str
    value: str
    default: str
    doc: str
    changed: bool


class RuleOut(BaseModel):
    name: str
    kind: str
    title: str
    description: str
    references: builtins.list[str]
    weight: float
    enabled: bool
    shipped_enabled: bool
    params: builtins.list[ParamOut]
    updated_by: str


def _out(view: finance.RuleView) -> RuleOut:
    return RuleOut(
        name=view.name, kind=view.kind, title=view.title, description=view.description,
        references=list(view.references), weight=view.weight, enabled=view.enabled,
        shipped_enabled=view.shipped_enabled, updated_by=view.updated_by,
        params=[ParamOut(**vars(p)) for p in view.params],
    )  # fmt: skip


@router.get("", response_model=builtins.list[RuleOut])
def rules(request: Request, actor: Actor = Depends(api_actor)) -> builtins.list[RuleOut]:
    """Every shipped rule as the organisation runs it."""
    return [_out(v) for v in finance.list_rules(hub_of(request), actor)]


class RuleChange(BaseModel):
    enabled: bool | None = None
    params: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=2000)]] = (
        Field(default_factory=dict, max_length=40)
    )
    reset: bool = False


@router.patch("/{name}", response_model=RuleOut)
def change(
    name: RuleName, body: RuleChange, request: Request, actor: Actor = Depends(api_actor)
) -> RuleOut:
    """Switch a rule on or off, change parameters (as text: lists comma-separated), or reset it
    to the shipped rule. A value the rule cannot take is refused, naming the parameter."""
    view = finance.set_rule(hub_of(request), actor, name, enabled=body.enabled,
                            params=body.params, reset=body.reset)  # fmt: skip
    return _out(view)
