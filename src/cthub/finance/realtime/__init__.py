"""Real-time transaction scoring: one transaction against the stored history and the rolling
windows of the indicator rules, in milliseconds.

``score_transaction(hub, actor, dataset, tx)`` (``finance.monitor``, audited) checks the
transaction as ingest checks a row, scores it on the dataset's in-memory state and keeps it:
which enabled rules fire *at* it, given the history up to and including it, each with its
weight, detail and the transactions involved, the score of each account (combined as the batch
scoring combines rule weights) and the alert flag. The state (``Scorer``) is loaded once per
process from the dataset's Parquet partitions, only as far back as the rules look, and is
rebuilt when a partition is added. Detectors (``DETECTORS``) mirror the batch rule kinds; over
a replay in time order they fire on the same accounts and transactions as the batch rules.
"""

from __future__ import annotations

from cthub.finance.realtime.incoming import FIELDS, Tx, parse
from cthub.finance.realtime.scorer import (
    DETECTORS,
    AccountScore,
    FiredRule,
    LoadInfo,
    Scorer,
    ScoreResult,
)
from cthub.finance.realtime.service import (
    Batch,
    score_transaction,
    score_transactions,
    submit,
    submit_on_loop,
    warm_scorer,
)
from cthub.finance.realtime.wire import MAX_BATCH, Call, read_call

__all__ = [
    "DETECTORS",
    "FIELDS",
    "MAX_BATCH",
    "AccountScore",
    "Batch",
    "Call",
    "FiredRule",
    "LoadInfo",
    "ScoreResult",
    "Scorer",
    "Tx",
    "parse",
    "read_call",
    "score_transaction",
    "score_transactions",
    "submit",
    "submit_on_loop",
    "warm_scorer",
]
