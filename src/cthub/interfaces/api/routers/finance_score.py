"""Real-time transaction scoring over HTTP: ``POST /api/finance/score`` scores one transaction
against a dataset's stored history and rolling windows (``cthub.finance.realtime``), keeps it,
and answers which rules fired, on which accounts and transactions, with the score and the
alert flag. The body's transaction has ingest's column names; the service checks it as ingest
checks a row, and every call is audited (``finance.monitor``)."""

from __future__ import annotations

import builtins
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cthub.core.policy import Actor
from cthub.finance.realtime import ScoreResult, score_transaction
from cthub.interfaces.api.deps import api_actor, hub_of
from cthub.interfaces.api.schemas import ErrorBody

ERR: dict[int | str, dict[str, Any]] = {c: {"model": ErrorBody} for c in (400, 401, 403, 404, 503)}
router = APIRouter(prefix="/api/finance", tags=["finance"], responses=ERR)
Text = Field("", max_length=300)
Code = Field("", max_length=20)


class TransactionIn(BaseModel):
    """One transaction, with the columns an ingested file has (``cthub.finance.schema``)."""

    model_config = ConfigDict(extra="forbid")
    tx_id: str = Field(max_length=200)
    timestamp: str = Field(max_length=40, description="ISO 8601; without an offset it is UTC")
    sender: str = Text
    receiver: str = Text
    amount: str | int | None = Field(
        None, description='Decimal text in the currency, e.g. "9500.00" (never a float)'
    )
    amount_minor: int | None = Field(None, description="Or the amount in whole minor units")
    currency: str = Field(max_length=8, description="ISO 4217, e.g. EUR")
    sender_name: str = Text
    receiver_name: str = Text
    sender_country: str = Code
    receiver_country: str = Code
    channel: str = Code
    sender_type: str = Code
    receiver_type: str = Code
    sender_identifier: str = Text

    @field_validator("amount", mode="before")
    @classmethod
    def _no_float(cls, value: object) -> object:
        if isinstance(value, float):  # money is never a float: 0.1 + 0.2 is not 0.3
            raise ValueError('a decimal as text, e.g. "9500.00", not a JSON number with a point')
        return value


class ScoreIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(min_length=1, max_length=120)
    transaction: TransactionIn


class FiredOut(BaseModel):
    rule: str
    title: str
    weight: float
    account: str
    detail: dict[str, Any]
    tx_ids: builtins.list[str]
    tx_count: int


class AccountOut(BaseModel):
    account: str
    score: float
    rules: builtins.list[str]


class ScoreOut(BaseModel):
    dataset: str
    tx_id: str
    score: float = Field(description="The best account score, 1 - prod(1 - weight)")
    alert: bool
    accounts: builtins.list[AccountOut]
    fired: builtins.list[FiredOut]
    not_scored: builtins.list[str] = Field(description="Enabled rules with no real-time form")


def _payload(dataset: str, r: ScoreResult) -> dict[str, Any]:
    """``ScoreOut`` as plain data (checked against the model by the tests, not per request)."""
    return {
        "dataset": dataset,
        "tx_id": r.tx_id,
        "score": r.score,
        "alert": r.alert,
        "accounts": [{"account": a.account, "score": a.score, "rules": list(a.rules)}
                     for a in r.accounts],
        "fired": [{"rule": f.rule, "title": f.title, "weight": f.weight, "account": f.account,
                   "detail": dict(f.detail), "tx_ids": list(f.tx_ids), "tx_count": f.tx_count}
                  for f in r.fired],
        "not_scored": list(r.not_scored),
    }  # fmt: skip


@router.post("/score", response_model=ScoreOut)
def score(body: ScoreIn, request: Request, actor: Actor = Depends(api_actor)) -> Response:
    """Score one transaction in real time against the dataset's history, and keep it.

    The answer is serialised directly (orjson): on this path the response model's validation
    cost more than the scoring itself.
    """
    tx = body.transaction.model_dump(exclude_none=True)
    result = score_transaction(hub_of(request), actor, body.dataset, tx)
    return Response(orjson.dumps(_payload(body.dataset, result)), media_type="application/json")


__all__ = ["router"]
