"""Real-time transaction scoring over HTTP: ``POST /api/finance/score`` scores one transaction
(``{"dataset", "transaction"}``), or a batch of up to 500 in order (``{"dataset",
"transactions": [...]}``), against a dataset's stored history and rolling windows
(``cthub.finance.realtime``), keeps them, and answers which rules fired, on which accounts and
transactions, with the score and the alert flag. The body's transactions have ingest's column
names; the service checks them as ingest checks a row, and every call is authenticated, gated
and audited (``finance.monitor``, one event per call).

The route is documented by pydantic models but served by a lean handler (``serve``): the
body is checked by hand (``cthub.finance.realtime.wire``), the bearer key's resolution is kept
for ``deps.KEY_CACHE_S`` seconds, and the call is awaited on the scoring writer's group commit
instead of a threadpool; measured, FastAPI's validation, dependency and threadpool machinery
cost more per request than the scoring.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Coroutine
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cthub.core.errors import InvalidInput
from cthub.core.policy import Actor
from cthub.finance.realtime import MAX_BATCH, Batch, Call, ScoreResult, read_call, submit_on_loop
from cthub.interfaces.api.deps import api_actor, api_actor_cached, hub_of
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


class ScoreBatchIn(BaseModel):
    """The batch form: up to ``MAX_BATCH`` transactions scored in order in one call."""

    model_config = ConfigDict(extra="forbid")
    dataset: str = Field(min_length=1, max_length=120)
    transactions: builtins.list[TransactionIn] = Field(min_length=1, max_length=MAX_BATCH)


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


class RefusedOut(BaseModel):
    index: int = Field(description="Position of the transaction in the call, from 0")
    tx_id: str
    error: str
    message: str
    hint: str | None


class ScoreBatchOut(BaseModel):
    dataset: str
    results: builtins.list[ScoreOut] = Field(description="The transactions scored, in order")
    refused: builtins.list[RefusedOut] = Field(description="Skipped, with the reason")


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


def _batch_payload(request: Request, call: Call, batch: Batch) -> dict[str, Any]:
    from cthub.core.i18n import gettext
    from cthub.interfaces.web.context import language_of

    _ = gettext(language_of(request))

    def tx_id(at: int) -> str:
        value = call.transactions[at].get("tx_id")
        return value if isinstance(value, str) else ""

    return {
        "dataset": call.dataset,
        "results": [_payload(call.dataset, r) for r in batch.results],
        "refused": [{"index": at, "tx_id": tx_id(at), **exc.to_dict(_)}
                    for at, exc in batch.refused],
    }  # fmt: skip


PATH = "/api/finance/score"
MAX_BODY = 8 << 20  # bytes: 500 transactions of the longest fields, JSON-escaped, fit


async def _body(request: Request) -> bytes:
    """The request body, refused once it grows past ``MAX_BODY``."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise InvalidInput(
                "request: larger than {most} MiB.",
                hint="Send at most 500 transactions per call.",
                most=MAX_BODY >> 20,
            )
        chunks.append(chunk)
    return b"".join(chunks)


async def serve(request: Request) -> Response:
    """The route's handler: the key (cached, ``api_actor_cached``), the body checked by hand
    (``cthub.finance.realtime.wire``), the call queued to the scoring writer and awaited, the answer
    serialised with orjson. Nothing here blocks the event loop on the database. The app calls it
    directly for ``POST`` on ``PATH`` (``interfaces.api.App``), ahead of the framework's
    middleware and routing; through the router it is the same handler."""
    actor = await api_actor_cached(request)
    call = read_call(await _body(request))
    answer = await submit_on_loop(hub_of(request), actor, call.dataset, call.transactions,
                                  batch=call.batch)  # fmt: skip
    if isinstance(answer, Batch):
        return Response(orjson.dumps(_batch_payload(request, call, answer)),
                        media_type="application/json")  # fmt: skip
    return Response(orjson.dumps(_payload(call.dataset, answer)), media_type="application/json")


class _HandCheckedRoute(APIRoute):
    """Documented from its endpoint's signature (the pydantic models above), served by
    ``_serve``: on this path FastAPI's validation and threadpool cost more than the scoring,
    so the body is checked by hand, with the same limits and the field named in a 400."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        return serve


def score(body: ScoreIn | ScoreBatchIn, actor: Actor = Depends(api_actor)) -> Response:
    """Score one transaction (``transaction``), or up to 500 in order (``transactions``), in
    real time against the dataset's history, and keep them. Every call is authenticated,
    gated (``finance.monitor``) and audited: one event per call. In the batch form a refused
    transaction is skipped and listed in ``refused``; the others are scored.

    A bearer key is checked again at most every few seconds (``KEY_CACHE_S``): a revoked key
    is refused within that time. (The signature documents the route; ``serve`` serves it.)
    """
    raise NotImplementedError  # pragma: no cover - served by _serve


router.add_api_route("/score", score, methods=["POST"], response_model=ScoreOut | ScoreBatchOut,
                     route_class_override=_HandCheckedRoute)  # fmt: skip


__all__ = ["MAX_BODY", "PATH", "router", "serve"]
