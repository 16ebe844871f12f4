"""Per-account features for the learned scorer: what the rules said, where the account sits in
the graph, and how it moves money.

One row per account that sends or receives anything (the same universe as the monitor's alert
rate), three groups of columns:

* rules, from the hits: per rule ``<rule>.hits`` (hit rows), ``<rule>.tx`` (distinct
  transactions) and ``<rule>.fired`` (0/1); ``rules.score`` (``1 - prod(1 - weight)``, as
  ``score_accounts`` gives it) and ``rules.count`` (distinct rules fired);
* graph (``cthub.finance.network``, seeds = the accounts some rule flagged): ``graph.fan_in``,
  ``graph.fan_out``, ``graph.degree``, ``graph.component_size``, ``graph.hops`` (0 for a
  flagged account, ``max_hops + 1`` when none is within reach) and ``graph.flagged_neighbours``
  (flagged accounts among its direct counterparties, itself excluded);
* activity (``activity``, DuckDB aggregates over the Parquet, a transaction counted once per
  side): ``tx.in``, ``tx.out``, ``amount.in``, ``amount.out`` (minor units summed across
  currencies: a scale, not money), ``tx.counterparties`` (distinct, either direction),
  ``share.cash``, ``share.crypto``, ``share.msb_hawala``, ``share.cross_border`` and
  ``tx.mean_gap_hours`` (NaN with one transaction).

Vectorised throughout (DuckDB hash aggregates, an Arrow group-by of the hits, sparse matrix
products), float32.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cthub.core import duck
from cthub.core.errors import InvalidInput
from cthub.finance import network
from cthub.finance.learn import activity
from cthub.finance.learn.activity import ACTIVITY, Source
from cthub.finance.rules import Rule, run_rules

MAX_HOPS = 3
GRAPH = (
    "graph.fan_in",
    "graph.fan_out",
    "graph.degree",
    "graph.component_size",
    "graph.hops",
    "graph.flagged_neighbours",
)


@dataclass(frozen=True)
class Features:
    """``matrix[i]`` are the features (``names``) of ``accounts[i]``."""

    accounts: pa.Array
    names: tuple[str, ...]
    matrix: npt.NDArray[np.float32]

    def column(self, name: str) -> npt.NDArray[np.float32]:
        return self.matrix[:, self.names.index(name)]

    def subset(self, mask: npt.NDArray[np.bool_]) -> Features:
        """The rows where ``mask`` is true, in order."""
        keep = np.flatnonzero(mask)
        return Features(self.accounts.take(pa.array(keep)), self.names, self.matrix[keep])

    def select(self, names: Sequence[str]) -> Features:
        """The columns ``names`` in that order; a name not computed raises ``InvalidInput``."""
        missing = [n for n in names if n not in self.names]
        if missing:
            raise InvalidInput(
                "The model needs feature {feature}, which these rules do not give.",
                hint="Run the rules the model was trained with, or train it again.",
                feature=", ".join(missing[:5]),
            )
        index = [self.names.index(n) for n in names]
        return Features(self.accounts, tuple(names), self.matrix[:, index])


def rule_features(rules: Mapping[str, float]) -> tuple[str, ...]:
    """The rule feature names for rules ``name -> weight``, in name order."""
    per_rule = [f"{r}.{stat}" for r in sorted(rules) for stat in ("hits", "tx", "fired")]
    return (*per_rule, "rules.score", "rules.count")


def account_features(
    source: Source,
    hits: pa.Table,
    rules: Mapping[str, float],
    *,
    threads: int | None = None,
) -> Features:
    """The features of every account of ``source`` given the rules' ``hits`` (``HITS``).

    ``rules`` maps each rule that ran to its weight; hits of other rules are ignored.
    """
    return with_graph(source, hits, rules, threads=threads)[0]


def with_graph(
    source: Source,
    hits: pa.Table,
    rules: Mapping[str, float],
    *,
    threads: int | None = None,
) -> tuple[Features, network.AccountGraph]:
    """``account_features`` and the account graph they were computed on."""
    con = duck.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        t = activity.scan(con, source)
        g = activity.graph(con, t)
        activity_part = activity.aggregates(con, g)
    finally:
        con.close()
    rule_part, flagged = _rules_part(g.accounts, hits, rules)
    graph_part = _graph_part(g, flagged)
    names = (*rule_features(rules), *GRAPH, *ACTIVITY)
    matrix = np.hstack([rule_part, graph_part, activity_part]).astype(np.float32)
    return Features(g.accounts, names, matrix), g


def from_rules(
    source: Source,
    rules: Sequence[Rule],
    *,
    listed: pa.Table | None = None,
    threads: int | None = None,
) -> tuple[pa.Table, Features]:
    """Run the enabled ``rules`` over ``source`` (DuckDB) and compute the features:
    ``(hits, features)``; ``listed`` feeds the sanctioned-counterparty rule."""
    src: Any = source if isinstance(source, pa.Table) else [str(p) for p in source]
    hits = run_rules(rules, "duckdb", src, listed=listed, threads=threads)
    weights = {r.name: r.weight for r in rules if r.enabled}
    return hits, account_features(source, hits, weights, threads=threads)


def _rules_part(
    accounts: pa.Array, hits: pa.Table, rules: Mapping[str, float]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    names = sorted(rules)
    n, k = len(accounts), len(names)
    known = hits.filter(pc.is_in(hits.column("rule"), value_set=pa.array(names, pa.string())))
    grouped = known.group_by(["account", "rule"]).aggregate(
        [("tx_id", "count"), ("tx_id", "count_distinct")]
    )
    row = np.asarray(pc.index_in(grouped.column("account"), value_set=accounts).fill_null(-1))
    col = np.asarray(pc.index_in(grouped.column("rule"), value_set=pa.array(names)))
    ok = row >= 0
    row, col = row[ok], col[ok]
    counts = np.zeros((n, k, 3))
    counts[row, col, 0] = np.asarray(grouped.column("tx_id_count"))[ok]
    counts[row, col, 1] = np.asarray(grouped.column("tx_id_count_distinct"))[ok]
    counts[row, col, 2] = 1.0
    fired = counts[:, :, 2]
    weights = np.array([rules[r] for r in names], dtype=np.float64)
    score = _noisy_or(fired, weights)
    part = np.hstack([counts.reshape(n, 3 * k), score[:, None], fired.sum(axis=1)[:, None]])
    return part, fired.sum(axis=1) > 0


def _noisy_or(
    fired: npt.NDArray[np.float64], weights: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """``1 - prod(1 - w)`` over the fired rules of each row."""
    rest = np.ones(fired.shape[0])
    for j, w in enumerate(weights):
        rest *= np.where(fired[:, j] > 0, 1.0 - w, 1.0)
    return np.clip(1.0 - rest, 0.0, 1.0)


def _graph_part(
    graph: network.AccountGraph, flagged: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64]:
    seeds = pc.filter(graph.accounts, pa.array(flagged)).to_pylist()
    m = network.measures(graph, seeds, MAX_HOPS)
    fan_in = np.asarray(m.column("fan_in"), dtype=np.float64)
    fan_out = np.asarray(m.column("fan_out"), dtype=np.float64)
    hops = np.asarray(m.column("hops"), dtype=np.float64)
    hops[hops < 0] = MAX_HOPS + 1
    both = activity.neighbours(graph)
    f = flagged.astype(np.float64)
    neighbours = both @ f - f * both.diagonal()
    size = np.asarray(m.column("component_size"), dtype=np.float64)
    return np.column_stack([fan_in, fan_out, fan_in + fan_out, size, hops, neighbours])


__all__ = [
    "GRAPH",
    "MAX_HOPS",
    "Features",
    "account_features",
    "from_rules",
    "rule_features",
    "with_graph",
]
