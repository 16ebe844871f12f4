"""``score_transaction`` and ``score_transactions``: the audited service calls that score
transactions in real time, one or a batch per call.

Per call: the role gate of ``finance.monitor`` (no database read), each transaction checked as
ingest checks a row, its counterparty names screened through the process's name cache (a miss
screens through ``cthub.screening``, which audits itself, so it runs on a side thread before
the call is scored), then the call is handled by the hub's group-committing writer
(``writer``): in the group's transaction, one query for the dataset of the actor's
organisation, its partition count and last id (the version of the stored history) and the
version of the organisation's rule settings (``lookup``; once per group and organisation), the
transactions scored on the process's scorer of that dataset, rule set and history, and one
audit event per call (dataset, tx_id or, for a batch, the tx ids, score, rules fired; never
account numbers or names). The caller is answered once the group committed. Without ``rules``
the call runs the organisation's rule set (``cthub.finance.rule_settings``), as monitoring
does. A refused or failed call is audited as any unit's is.

A single transaction that is refused (malformed, repeated, late) refuses the call; in a batch,
each refused transaction is skipped and reported with its error, and the rest are scored: the
state cannot be rolled back, and the transactions scored are kept.

When the dataset has no scorer yet, or a new partition or a change of the rule set changed
its version, the call is set aside, the scorer is (re)built on a side thread outside any
transaction (seconds for millions of rows; concurrent calls wait for the one build), the
transactions the previous scorer had scored and the new partitions lack are carried over,
the history's most recent counterparty names are screened into the name cache, and the call
is queued again.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Hashable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cthub.core import policy
from cthub.core.audit import Entry
from cthub.core.errors import CthubError, InvalidInput, Unavailable
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.datasets import _dataset, partition_files
from cthub.finance.models import FinanceDataset, FinancePartition
from cthub.finance.realtime import rulesets
from cthub.finance.realtime.base import Context
from cthub.finance.realtime.incoming import parse
from cthub.finance.realtime.lookup import Found, find
from cthub.finance.realtime.names import NameCache
from cthub.finance.realtime.registry import Registry
from cthub.finance.realtime.rulesets import RuleSet, given, of_organisation, screens
from cthub.finance.realtime.scorer import LoadInfo, Retired, Scorer, ScoreResult
from cthub.finance.realtime.wire import MAX_BATCH
from cthub.finance.realtime.writer import Aside, Job, Writer
from cthub.finance.rules.model import Rule

ACTION = "finance.monitor"
WARM_NAMES = 20_000  # counterparty names screened when a scorer is loaded, latest first
Signature = tuple[int, int]  # partitions, last partition id


REGISTRY = Registry()
NAMES = NameCache()
#: per database and organisation: whether its rule set screened names at its last call
_SCREENS: dict[tuple[str, int | None], bool] = {}
_WRITERS: weakref.WeakKeyDictionary[Hub, Writer] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Batch:
    """What a batch call answers: the transactions scored, in order, and those refused, each
    with its index in the call and the reason."""

    results: tuple[ScoreResult, ...]
    refused: tuple[tuple[int, CthubError], ...]


@dataclass(frozen=True)
class _Call:
    dataset: str
    txs: tuple[Mapping[str, object], ...]
    batch: bool
    own: RuleSet | None
    min_score: float
    context: Context | None  # None: names not screened (yet)


def _partitions(s: Session, dataset_id: int) -> tuple[int, int]:
    q = select(func.count(FinancePartition.id), func.max(FinancePartition.id))
    count, last = s.execute(q.where(FinancePartition.dataset_id == dataset_id)).one()
    return int(count), int(last or 0)


def _build(hub: Hub, actor: Actor, dataset_id: int, rules: RuleSet) -> LoadInfo | None:
    with hub.db.session(readonly=True) as s:  # signature and files from one snapshot
        ds = s.get(FinanceDataset, dataset_id)
        if ds is None:  # pragma: no cover - datasets are not deleted
            raise InvalidInput("No dataset {id}.", id=dataset_id)
        signature = _partitions(s, dataset_id)
        files = [p for p in partition_files(s, hub, ds) if p.exists()]
    key = (hub.db.url, dataset_id)
    info = REGISTRY.build(key, (rules[1], signature), rules[0], files)
    scorer = REGISTRY.current(key, (rules[1], signature))
    if info is not None:
        # the state is millions of long-lived objects: left to the cyclic collector, each of
        # its full passes walked them all and stalled every call for half a second. Frozen,
        # they are skipped (a retired state is still freed by reference counting).
        gc.freeze()
    if info is not None and scorer is not None and scorer.screens:
        NAMES.warm(hub, actor, scorer.stored_names(WARM_NAMES))
    return info


def _names(txs: Sequence[Mapping[str, object]]) -> list[str]:
    found = (tx.get(f) for tx in txs for f in ("sender_name", "receiver_name"))
    return [n.strip() for n in found if isinstance(n, str) and n.strip()]


def _screened(hub: Hub, actor: Actor) -> Any:
    def work(call: _Call) -> _Call:
        return replace(call, context=Context(NAMES.listed(hub, actor, _names(call.txs))))

    return work


def _rebuilt(hub: Hub, actor: Actor, dataset_id: int, rules: RuleSet) -> Any:
    def work(call: _Call) -> _Call:
        _build(hub, actor, dataset_id, rules)
        return call

    return work


def _rebuilding(dataset: str) -> Unavailable:
    return Unavailable(
        "The real-time state of dataset {name} is being rebuilt.",
        hint="Send the transaction again in a moment.",
        name=dataset[:120],
    )


def _scorer(u: Unit, hub: Hub, call: _Call, memo: dict[Hashable, Any]) -> tuple[int, Scorer]:
    """The dataset's current scorer, or ``Aside`` to build it or to screen the names first."""
    key = ("found", u.actor.org_id, call.dataset)
    found: Found = memo[key] if key in memo else memo.setdefault(key, find(u, call.dataset))
    rules = call.own or of_organisation(u, hub.db.url, found.settings)
    scorer = REGISTRY.current((hub.db.url, found.dataset_id), (rules[1], found.partitions))
    if scorer is None:
        work = _rebuilt(hub, u.actor, found.dataset_id, rules)
        raise Aside(work, _rebuilding(call.dataset))
    org = (hub.db.url, u.actor.org_id)
    _SCREENS[org] = screens(rules[0])
    if call.context is None and _SCREENS[org]:
        raise Aside(_screened(hub, u.actor), _rebuilding(call.dataset))
    return found.dataset_id, scorer


def _handle(hub: Hub, s: Session, job: Job, memo: dict[Hashable, Any]) -> tuple[Any, Entry]:
    """One call in the writer's group: gate, look up, score; the answer and its event."""
    call: _Call = job.payload
    policy.require(s, job.actor, ACTION)
    tx = None if call.batch else parse(call.txs[0])  # refused before the dataset is looked up
    dataset_id, scorer = _scorer(Unit(s, job.actor, ACTION), hub, call, memo)
    context = call.context or Context()
    if tx is not None:
        try:
            result = scorer.score(tx, context, call.min_score)
        except Retired:
            raise Aside(lambda c: c, _rebuilding(call.dataset)) from None
        fired = sorted({f.rule for f in result.fired})
        details = {"dataset": call.dataset[:120], "tx_id": result.tx_id[:80],
                   "score": result.score, "alert": result.alert, "rules": fired}  # fmt: skip
        return result, Entry(job.actor, ACTION, resource_type="finance_dataset",
                             resource_id=dataset_id, details=details)  # fmt: skip
    batch = _score_all(scorer, call, context)
    return batch, Entry(job.actor, ACTION, resource_type="finance_dataset",
                        resource_id=dataset_id, details=_batch_details(call, batch))  # fmt: skip


def _score_all(scorer: Scorer, call: _Call, context: Context) -> Batch:
    results: list[ScoreResult] = []
    refused: list[tuple[int, CthubError]] = []
    for at, raw in enumerate(call.txs):
        try:
            results.append(scorer.score(parse(raw), context, call.min_score))
        except InvalidInput as exc:
            refused.append((at, exc))
        except Retired:
            if not results and not refused:  # nothing kept yet: the whole call goes again
                raise Aside(lambda c: c, _rebuilding(call.dataset)) from None
            refused.append((at, _rebuilding(call.dataset)))
    return Batch(tuple(results), tuple(refused))


def _batch_details(call: _Call, batch: Batch) -> dict[str, Any]:
    def tx_id(at: int) -> str:
        value = call.txs[at].get("tx_id")
        return value[:80] if isinstance(value, str) else f"#{at}"

    return {
        "dataset": call.dataset[:120],
        "tx_ids": [r.tx_id[:80] for r in batch.results],
        "alerts": [r.tx_id[:80] for r in batch.results if r.alert],
        "refused": [tx_id(at) for at, _ in batch.refused],
        "rules": sorted({f.rule for r in batch.results for f in r.fired}),
    }


def _writer(hub: Hub) -> Writer:
    writer = _WRITERS.get(hub)
    if writer is None:
        writer = _WRITERS.setdefault(hub, Writer(hub, ACTION, _handle))
    return writer


def _queue(
    hub: Hub,
    actor: Actor,
    dataset: str,
    txs: Sequence[Mapping[str, object]],
    batch: bool,
    rules: Sequence[Rule] | None,
    min_score: float,
    loop: asyncio.AbstractEventLoop | None,
) -> Job:
    if batch and not 1 <= len(txs) <= MAX_BATCH:
        raise InvalidInput("A batch holds 1 to {most} transactions.", most=MAX_BATCH)
    own = given(rules) if rules is not None else None
    screen = screens(own[0]) if own is not None else _SCREENS.get((hub.db.url, actor.org_id), True)
    call = _Call(dataset, tuple(txs), batch, own, min_score, None)
    writer, job = _writer(hub), Job(actor, call, loop)
    if not screen or not policy.allowed(actor, ACTION):  # a refused call screens nothing
        writer.submit(job)
        return job
    listed = NAMES.cached(hub, _names(txs))
    if listed is None:  # a name not cached yet, or the list versions due a check
        writer.aside(job, _screened(hub, actor))
        return job
    job.payload = replace(call, context=Context(listed))
    writer.submit(job)
    return job


def submit(
    hub: Hub,
    actor: Actor,
    dataset: str,
    txs: Sequence[Mapping[str, object]],
    *,
    batch: bool,
    rules: Sequence[Rule] | None = None,
    min_score: float = 0.0,
) -> Future[Any]:
    """Queue a call to the hub's writer without blocking; the future holds a
    ``ScoreResult`` (``batch`` false: ``txs`` holds one transaction), or a ``Batch``, or the
    refusal, once the call's audit event is committed."""
    return _queue(hub, actor, dataset, txs, batch, rules, min_score, None).future


def submit_on_loop(
    hub: Hub,
    actor: Actor,
    dataset: str,
    txs: Sequence[Mapping[str, object]],
    *,
    batch: bool,
    rules: Sequence[Rule] | None = None,
    min_score: float = 0.0,
) -> asyncio.Future[Any]:
    """``submit`` for a caller on a running event loop (the API): the answer comes as an
    ``asyncio`` future of that loop, which the writer settles together with the rest of its
    group (one wake-up of the loop per group, not per call)."""
    loop = asyncio.get_running_loop()
    job = _queue(hub, actor, dataset, txs, batch, rules, min_score, loop)
    assert job.waiter is not None  # noqa: S101 - made by Job for a loop
    return job.waiter


def score_transaction(
    hub: Hub,
    actor: Actor,
    dataset: str,
    tx: Mapping[str, object],
    *,
    rules: Sequence[Rule] | None = None,
    min_score: float = 0.0,
) -> ScoreResult:
    """Score one transaction of ``dataset`` against its stored history and the transactions
    scored since, with ``rules`` (the organisation's rule set when None), and keep it.

    ``alert`` is set when a rule fired and the best account score is at least ``min_score``
    (the batch run alerts on every account a rule fired on: ``min_score`` 0). Raises
    ``InvalidInput`` naming the field of a bad transaction or a repeated ``tx_id``.
    """
    future = submit(hub, actor, dataset, [tx], batch=False, rules=rules, min_score=min_score)
    result: ScoreResult = future.result()
    return result


def score_transactions(
    hub: Hub,
    actor: Actor,
    dataset: str,
    txs: Sequence[Mapping[str, object]],
    *,
    rules: Sequence[Rule] | None = None,
    min_score: float = 0.0,
) -> Batch:
    """Score up to ``MAX_BATCH`` transactions in order, as ``score_transaction`` scores one,
    in one call and one audit event (listing the tx ids); a refused transaction is skipped
    and reported in ``Batch.refused``, the others scored and kept."""
    future = submit(hub, actor, dataset, txs, batch=True, rules=rules, min_score=min_score)
    result: Batch = future.result()
    return result


def warm_scorer(
    hub: Hub, actor: Actor, dataset: str, *, rules: Sequence[Rule] | None = None
) -> LoadInfo | None:
    """Load the dataset's real-time state now rather than on the first transaction; the load
    figures, or None when it was loaded already. Audited as one ``finance.monitor`` call."""
    with hub.unit(actor, ACTION) as u:
        chosen = given(rules) if rules is not None else of_organisation(u, hub.db.url)
        ds = _dataset(u, dataset)
        u.audit("finance_dataset", ds.id, details={"dataset": ds.name, "warm": True})
    return _build(hub, actor, ds.id, chosen)


def reset() -> None:
    """Forget every scorer and cached name of this process (tests)."""
    REGISTRY.clear()
    NAMES.clear()
    rulesets.clear()
    _SCREENS.clear()


__all__ = [
    "ACTION",
    "MAX_BATCH",
    "NAMES",
    "REGISTRY",
    "Batch",
    "reset",
    "score_transaction",
    "score_transactions",
    "submit",
    "submit_on_loop",
    "warm_scorer",
]
