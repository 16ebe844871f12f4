"""A scoring call as it arrives in JSON: ``{"dataset", "transaction"}`` or ``{"dataset",
"transactions": [...]}``, checked by hand with the limits of the API's documented models
(``interfaces.api.routers.finance_score``) and without building them: on the real-time path
pydantic's validation cost more than the scoring. A refusal is an ``InvalidInput`` that names
the field as the models' validation would (``transaction.amount``,
``transactions.3.tx_id``). The values themselves are checked afterwards, as ingest checks a
row (``incoming.parse``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import orjson

from cthub.core.errors import InvalidInput

MAX_BATCH = 500  # transactions per batch call: bounds one call's share of a writer's group
_TEXT, _CODE = 300, 20
#: the longest text of each field; ``amount`` and ``amount_minor`` are numbers
LIMITS: dict[str, int] = {
    "tx_id": 200, "timestamp": 40, "currency": 8, "sender": _TEXT, "receiver": _TEXT,
    "sender_name": _TEXT, "receiver_name": _TEXT, "sender_identifier": _TEXT,
    "sender_country": _CODE, "receiver_country": _CODE, "channel": _CODE,
    "sender_type": _CODE, "receiver_type": _CODE,
}  # fmt: skip
REQUIRED = ("tx_id", "timestamp", "currency")


@dataclass(frozen=True)
class Call:
    """A checked call: the dataset, its transactions (one unless ``batch``)."""

    dataset: str
    transactions: tuple[Mapping[str, object], ...]
    batch: bool


def _bad(field: str, problem: str) -> InvalidInput:
    return InvalidInput(
        "{field}: {problem}.", hint="See the schema at /api/docs.", field=field, problem=problem
    )


def _number(value: object, field: str, decimal_text: bool) -> None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return
    if decimal_text and isinstance(value, str):
        return
    if decimal_text and isinstance(value, float):  # money is never a float: 0.1 + 0.2
        raise _bad(field, 'a decimal as text, e.g. "9500.00", not a JSON number with a point')
    raise _bad(field, "not a whole number" if not decimal_text else "not a number or text")


def transaction(raw: object, where: str) -> dict[str, object]:
    """The transaction at ``where`` with its null values left out, or ``InvalidInput``."""
    if not isinstance(raw, dict):
        raise _bad(where, "not an object")
    for key, value in raw.items():
        field = f"{where}.{key}"
        limit = LIMITS.get(key)
        if limit is not None:
            if not isinstance(value, str):
                raise _bad(field, "not text")
            if len(value) > limit:
                raise _bad(field, f"longer than {limit} characters")
        elif key in ("amount", "amount_minor"):
            _number(value, field, key == "amount")
        else:
            raise _bad(field, "not a known field")
    for key in REQUIRED:
        if key not in raw:
            raise _bad(f"{where}.{key}", "missing")
    return {k: v for k, v in raw.items() if v is not None}


def _dataset(body: Mapping[str, object]) -> str:
    name = body.get("dataset")
    if not isinstance(name, str):
        raise _bad("dataset", "missing" if name is None else "not text")
    if not 1 <= len(name) <= 120:
        raise _bad("dataset", "1 to 120 characters")
    return name


def read_call(raw: bytes) -> Call:
    """The call in ``raw`` (JSON), or ``InvalidInput`` naming what is wrong."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _bad("request", "not JSON") from None
    if not isinstance(body, dict):
        raise _bad("request", "not a JSON object")
    unknown = [k for k in body if k not in ("dataset", "transaction", "transactions")]
    if unknown:
        raise _bad(str(unknown[0])[:60], "not a known field")
    dataset = _dataset(body)
    if "transactions" in body and "transaction" not in body:
        txs = body["transactions"]
        if not isinstance(txs, list) or not 1 <= len(txs) <= MAX_BATCH:
            raise _bad("transactions", f"a list of 1 to {MAX_BATCH} transactions")
        checked = tuple(transaction(tx, f"transactions.{at}") for at, tx in enumerate(txs))
        return Call(dataset, checked, batch=True)
    if "transaction" not in body:
        raise _bad("transaction", "missing (or send a list as transactions)")
    if "transactions" in body:
        raise _bad("transactions", "send transaction or transactions, not both")
    return Call(dataset, (transaction(body["transaction"], "transaction"),), batch=False)


__all__ = ["LIMITS", "MAX_BATCH", "REQUIRED", "Call", "read_call", "transaction"]
