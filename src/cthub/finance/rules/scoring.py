"""Accounts ranked by the rules they fired: one explainable score per account.

An account's score is ``1 - prod(1 - weight)`` over the distinct rules that fired on it: the
chance that at least one rule is right if each alone were right with its weight's
probability. So two rules score above either alone, a rule firing many times counts once, and
the score stays in [0, 1]. Each row also says which rules fired (highest weight first), when
(first and last hit), on how many transactions and which ones (the first ``max_tx_ids`` in
time), so an alert can be explained without rerunning the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import pyarrow as pa

from cthub.core.errors import InvalidInput
from cthub.finance.rules.model import Rule

SCORES = pa.schema(
    [
        ("account", pa.string()),
        ("score", pa.float64()),
        ("rules", pa.string()),
        ("first_seen", pa.timestamp("us")),
        ("last_seen", pa.timestamp("us")),
        ("tx_count", pa.int64()),
        ("tx_ids", pa.string()),
    ]
)


@dataclass
class _Account:
    rules: set[str] = field(default_factory=set)
    tx_ids: dict[str, None] = field(default_factory=dict)  # insertion-ordered set
    first: datetime | None = None
    last: datetime | None = None


def score_accounts(
    hits: pa.Table, rules: Iterable[Rule] | Mapping[str, float], *, max_tx_ids: int | None = 20
) -> pa.Table:
    """One ``SCORES`` row per account in ``hits`` (``HITS``), best first.

    ``rules`` gives each rule's weight (the rules that ran, or a name-to-weight mapping);
    a hit of a rule not among them raises ``InvalidInput``. Ties order by transaction count
    (more first), then account. ``max_tx_ids`` caps the ids listed (None: all of them).
    """
    weights = dict(rules) if isinstance(rules, Mapping) else {r.name: r.weight for r in rules}
    ordered = hits.sort_by([("account", "ascending"), ("ts", "ascending"), ("tx_id", "ascending")])
    accounts: dict[str, _Account] = {}
    columns = [ordered.column(c).to_pylist() for c in ("account", "rule", "tx_id", "ts")]
    for account, rule, tx_id, ts in zip(*columns, strict=True):
        if rule not in weights:
            raise InvalidInput(
                "The hits name rule {rule}, which is not among the rules given.",
                hint="Score with the rules that produced the hits.",
                rule=rule,
            )
        seen = accounts.setdefault(account, _Account())
        seen.rules.add(rule)
        seen.tx_ids[tx_id] = None
        seen.first = ts if seen.first is None else min(seen.first, ts)
        seen.last = ts if seen.last is None else max(seen.last, ts)
    rows = [_row(account, seen, weights, max_tx_ids) for account, seen in accounts.items()]
    rows.sort(key=lambda r: (-r[1], -r[5], r[0]))
    return pa.Table.from_pylist([dict(zip(SCORES.names, r, strict=True)) for r in rows], SCORES)


def combined(weights: Iterable[float]) -> float:
    """``1 - prod(1 - w)``, multiplied in a fixed order so equal sets give equal scores."""
    rest = 1.0
    for weight in sorted(weights):
        rest *= 1.0 - weight
    return min(1.0, max(0.0, 1.0 - rest))


_Row = tuple[str, float, str, datetime | None, datetime | None, int, str]


def _row(account: str, seen: _Account, weights: Mapping[str, float], cap: int | None) -> _Row:
    """The SCORES values of one account, in column order."""
    fired = sorted(seen.rules, key=lambda name: (-weights[name], name))
    score = round(combined(weights[name] for name in fired), 6)
    ids = ",".join(list(seen.tx_ids)[:cap])
    return account, score, ",".join(fired), seen.first, seen.last, len(seen.tx_ids), ids


__all__ = ["SCORES", "combined", "score_accounts"]
