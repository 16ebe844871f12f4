"""``score_transaction``: the audited service call that scores one transaction in real time.

Per call: the role gate of ``finance.monitor`` (no database read), the transaction checked as
ingest checks a row, its counterparty names screened through the process's name cache (a miss
screens through ``cthub.screening``, which audits itself, so it runs before this call's unit),
then one short unit of work (one at a time in the process): one query for the dataset of the
actor's organisation, its partition count and last id (the version of the stored history)
and the version of the organisation's rule settings (``lookup``), the transaction scored on
the process's scorer of that dataset, rule set and history, and one audit event (dataset,
tx_id, score, rules fired; never account numbers or names). Without ``rules`` the call runs
the organisation's rule set (``cthub.finance.rule_settings``), as monitoring does. A refused
or failed call is audited as any unit's is.

When the dataset has no scorer yet, or a new partition or a change of the rule set changed
its version, the unit is left without writing, the scorer is (re)built outside any
transaction (seconds for millions of rows; concurrent calls wait for the one build), the
transactions the previous scorer had scored and the new partitions lack are carried over,
the history's most recent counterparty names are screened into the name cache, and the call
is retried.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import NoReturn

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cthub.core import policy
from cthub.core.errors import CthubError, InvalidInput, Unavailable
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.datasets import _dataset, partition_files
from cthub.finance.models import FinanceDataset, FinancePartition
from cthub.finance.realtime import rulesets
from cthub.finance.realtime.base import Context
from cthub.finance.realtime.incoming import Tx, parse
from cthub.finance.realtime.lookup import find
from cthub.finance.realtime.names import NameCache
from cthub.finance.realtime.registry import Registry
from cthub.finance.realtime.rulesets import RuleSet, given, of_organisation, screens
from cthub.finance.realtime.scorer import LoadInfo, Retired, Scorer, ScoreResult
from cthub.finance.rules.model import Rule

ACTION = "finance.monitor"
ATTEMPTS = 4
WARM_NAMES = 20_000  # counterparty names screened when a scorer is loaded, latest first
Signature = tuple[int, int]  # partitions, last partition id


REGISTRY = Registry()
#: one scoring unit of work at a time in this process: they all append to the audit chain,
#: which serialises them anyway, and waiting here is a lock hand-over, not SQLite's busy
#: handler sleeping a millisecond or more between retries
_WRITES = threading.Lock()
NAMES = NameCache()
#: per database and organisation: whether its rule set screened names at its last call
_SCREENS: dict[tuple[str, int | None], bool] = {}


class _Stale(Exception):
    """Leaves the unit of work without writing: the dataset's scorer must be (re)built."""

    def __init__(self, dataset_id: int, rules: RuleSet) -> None:
        self.dataset_id, self.rules = dataset_id, rules


class _Unscreened(Exception):
    """Leaves the unit of work without writing: the names must be screened first."""


def _refused(hub: Hub, actor: Actor, exc: CthubError) -> NoReturn:
    with hub.unit(actor, ACTION):  # the unit audits the refusal as for any failed call
        raise exc
    raise exc  # pragma: no cover - the unit re-raises


def _gate(hub: Hub, actor: Actor) -> None:
    if not policy.allowed(actor, ACTION):
        with hub.unit(actor, ACTION):  # raises Forbidden and audits the refusal
            pass


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
    if info is not None and scorer is not None and scorer.screens:
        NAMES.warm(hub, actor, scorer.stored_names(WARM_NAMES))
    return info


def _scorer(u: Unit, hub: Hub, dataset: str, own: RuleSet | None) -> tuple[int, Scorer, RuleSet]:
    found = find(u, dataset)
    rules = own or of_organisation(u, hub.db.url, found.settings)
    scorer = REGISTRY.current((hub.db.url, found.dataset_id), (rules[1], found.partitions))
    if scorer is None:
        raise _Stale(found.dataset_id, rules)
    return found.dataset_id, scorer, rules


def _context(hub: Hub, actor: Actor, tx: Tx) -> Context:
    names = [n for n in (tx.sender_name, tx.receiver_name) if n]
    return Context(NAMES.listed(hub, actor, names))


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
    _gate(hub, actor)
    try:
        parsed = parse(tx)
    except InvalidInput as exc:
        _refused(hub, actor, exc)
    own = given(rules) if rules is not None else None
    org = (hub.db.url, actor.org_id)
    screen = screens(own[0]) if own is not None else _SCREENS.get(org, True)
    context = _context(hub, actor, parsed) if screen else None
    for _ in range(ATTEMPTS):
        try:
            with _WRITES, hub.unit(actor, ACTION) as u:
                dataset_id, scorer, chosen = _scorer(u, hub, dataset, own)
                _SCREENS[org] = screens(chosen[0])
                if context is None and _SCREENS[org]:
                    raise _Unscreened
                result = scorer.score(parsed, context or Context(), min_score)
                fired = sorted({f.rule for f in result.fired})
                u.audit("finance_dataset", dataset_id, details={
                    "dataset": dataset[:120], "tx_id": result.tx_id[:80],
                    "score": result.score, "alert": result.alert, "rules": fired,
                })  # fmt: skip
            return result
        except _Unscreened:
            context = _context(hub, actor, parsed)
        except _Stale as stale:
            _build(hub, actor, stale.dataset_id, stale.rules)
        except Retired:
            continue
    raise Unavailable(
        "The real-time state of dataset {name} is being rebuilt.",
        hint="Send the transaction again in a moment.",
        name=dataset[:120],
    )


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


__all__ = ["ACTION", "NAMES", "REGISTRY", "reset", "score_transaction", "warm_scorer"]
