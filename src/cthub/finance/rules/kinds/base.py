"""The rule-kind extension point: one class per kind of pattern, turned into portable SQL.

A ``RuleKind`` declares its typed parameters and writes, from checked values, one SELECT over
the table ``tx`` (the STORED columns of ``cthub.finance.schema``; kinds with ``uses_listed``
also read ``listed(name, list_name, list_ref, score)``). The SELECT returns one row per
suspicious transaction and monitored account: ``account, tx_id, ts, detail``, where
``detail`` is a small JSON object saying what matched.

The text must mean the same on DuckDB and on Spark SQL, so kinds keep to what both define:
window aggregates with ``RANGE BETWEEN INTERVAL 'n' UNIT PRECEDING/FOLLOWING`` over ``ts``,
``LAG``, equi-joins with ``ts`` bounds, ``COUNT(DISTINCT)`` only in GROUP BY (Spark has no
distinct window aggregates), ``||`` and ``CAST(x AS STRING)`` of integers (never of floats or
timestamps, whose text differs), and decimal literals for ratios. Numbers in the SQL come from
checked parameters and codes from closed vocabularies, never from free input.

``examples()`` gives transactions with each planted pattern, the hits the kind's defaults must
report and decoy accounts (near misses) they must not: one contract test runs them for every
registered kind on both engines. Built-in kinds and plugins register the same way, through
the ``cthub.finance_rules`` entry-point group.
"""

from __future__ import annotations

import datetime as dt
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from cthub.core.errors import NotFound
from cthub.core.plugins import Registry
from cthub.finance.rules.model import Params
from cthub.finance.rules.params import Param, Where
from cthub.finance.schema import STORED

ENTRY_POINT_GROUP = "cthub.finance_rules"
_BUILTINS = tuple(
    f"cthub.finance.rules.kinds.{module}:{cls}"
    for module, cls in (
        ("structuring", "Structuring"),
        ("gather_scatter", "GatherScatter"),
        ("pass_through", "PassThrough"),
        ("jurisdiction", "HighRiskJurisdiction"),
        ("cash_abroad", "CashAbroadBurst"),
        ("npo", "NPOInconsistent"),
        ("dormant", "DormantReactivation"),
        ("shared_identifier", "SharedIdentifier"),
        ("sanctioned", "SanctionedCounterparty"),
        ("sanctioned", "SanctionedWallet"),
    )
)
_CLEAN = "translate({expr}, '\"' || chr(92) || chr(10) || chr(13) || chr(9), '''')"


@dataclass(frozen=True)
class Example:
    """A planted pattern: ``rows`` of ``tx`` and, for ``uses_listed`` kinds, ``listed`` rows.

    ``hits`` are the ``(account, tx_id)`` pairs the kind's defaults must report; ``decoys``
    are accounts with a near miss that must not be reported.
    """

    title: str
    rows: tuple[dict[str, object], ...]
    hits: frozenset[tuple[str, str]]
    decoys: frozenset[str]
    listed: tuple[tuple[str, str, str, float] | tuple[str, str, str, float, str], ...] = field(
        default=()
    )  # (name, list_name, list_ref, score[, kind]); kind "name" unless given


class RuleKind(ABC):
    """One kind of pattern. Subclasses set ``name`` (stable, lower case) and ``parameters``."""

    name: ClassVar[str]
    title: ClassVar[str]
    parameters: ClassVar[tuple[Param, ...]]
    uses_listed: ClassVar[bool] = False

    @abstractmethod
    def sql(self, p: Params) -> str:
        """SELECT ``account, tx_id, ts, detail`` over ``tx`` for checked parameters ``p``.

        One row per (account, transaction) at most is not required: the compiler keeps one.
        """

    @abstractmethod
    def examples(self) -> Sequence[Example]:
        """Planted patterns and decoys for the contract tests."""

    def check(self, p: Params, where: Where) -> None:  # noqa: B027 - optional hook
        """Raise ``InvalidInput`` when parameters that are each valid do not fit together."""

    def defaults(self) -> dict[str, object]:
        return {param.name: param.default for param in self.parameters}


def _no_kind(name: str, names: str) -> NotFound:
    return NotFound(
        "No rule kind named {name}.", hint="Use one of: {names}.", name=name, names=names
    )


registry: Registry[RuleKind] = Registry(ENTRY_POINT_GROUP, _BUILTINS, _no_kind, kind="rule kind")


# SQL text helpers; every input is a checked number, a code or a column expression.


def quote(text: str) -> str:
    """A SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def among(column: str, codes: Sequence[str]) -> str:
    """``column IN (...)``, or ``FALSE`` for no codes."""
    return f"{column} IN ({', '.join(quote(c) for c in codes)})" if codes else "FALSE"


def detail(*fields: tuple[str, str]) -> str:
    """A JSON object from ``(key, value)`` pairs, in order.

    A key ending in ``#`` takes an integer expression; one ending in ``=`` takes a constant
    text, written in at compile time; any other takes a text expression, cleaned of quotes,
    backslashes and control characters. A NULL value becomes ``null``.
    """
    parts: list[str] = []
    for key, expr in fields:
        name = key.rstrip("#=")
        lead = "," if parts else "{"
        if key.endswith("="):
            parts.append(quote(f"{lead}{json.dumps(name)}:{json.dumps(expr)}"))
            continue
        if key.endswith("#"):
            value = f"COALESCE(CAST({expr} AS STRING), 'null')"
        else:
            value = f"COALESCE('\"' || {_CLEAN.format(expr=expr)} || '\"', 'null')"
        parts.append(f"{quote(lead + json.dumps(name) + ':')} || {value}")
    return " || ".join([*parts, "'}'"]) if parts else "'{}'"


def legs(
    columns: Sequence[str],
    inbound: Sequence[str],
    outbound: Sequence[str],
    where_in: str = "TRUE",
    where_out: str = "TRUE",
) -> str:
    """Each transaction as its receiver's inbound and its sender's outbound leg.

    The rows are ``account`` then ``columns``, from the expressions ``inbound`` (for the
    receiver) and ``outbound`` (for the sender) of ``tx``; a side's account must not be ``''``
    and its WHERE part must hold.
    """

    def side(account: str, exprs: Sequence[str], where: str) -> str:
        cols = ", ".join(f"{e} AS {c}" for e, c in zip(exprs, columns, strict=True))
        return (
            f"SELECT {account} AS account, {cols} FROM tx "  # noqa: S608 - our own expressions
            f"WHERE {account} <> '' AND ({where})"
        )

    inbound_leg = side("receiver", inbound, where_in)
    return f"{inbound_leg}\n  UNION ALL\n  {side('sender', outbound, where_out)}"


def within(partition: str, frame: str) -> str:
    """A window over ``ts`` per ``partition`` with a RANGE ``frame``."""
    return f"OVER (PARTITION BY {partition} ORDER BY ts RANGE BETWEEN {frame})"


# Example builders.

BASE = dt.datetime(2024, 3, 1, 9, 0)


def tx(
    tx_id: str, hours: float, sender: str, receiver: str, amount: int, **extra: str
) -> dict[str, object]:
    """One ``tx`` row ``hours`` after ``BASE``; unspecified text columns are ``''`` (EUR,
    transfer, persons in DE)."""
    row: dict[str, object] = dict.fromkeys(STORED, "")
    row.update(
        tx_id=tx_id,
        ts=BASE + dt.timedelta(hours=hours),
        sender=sender,
        receiver=receiver,
        amount_minor=amount,
        currency="EUR",
        channel="transfer",
        sender_type="person",
        receiver_type="person",
        sender_country="DE",
        receiver_country="DE",
        sender_name=f"Holder {sender}" if sender else "",
        receiver_name=f"Holder {receiver}" if receiver else "",
    )
    row.update(extra)
    return row


__all__ = [
    "BASE",
    "ENTRY_POINT_GROUP",
    "Example",
    "RuleKind",
    "among",
    "detail",
    "legs",
    "quote",
    "registry",
    "tx",
    "within",
]
