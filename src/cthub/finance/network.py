"""The account graph of a set of transactions, and per-account network measures.

Accounts are nodes; a transaction from sender to receiver is an edge (cash, with no
counterparty account, adds none). Measures, for every account:

* ``component`` and ``component_size``: the weakly connected component;
* ``fan_in`` / ``fan_out``: distinct counterparties sending to / receiving from it;
* ``hops``: the fewest transactions (either direction) between it and any seed account (listed
  or confirmed suspicious), up to ``max_hops``; ``-1`` when farther or unconnected.

Built on ``scipy.sparse`` (already a dependency): components with ``csgraph``, proximity as
``max_hops`` sparse matrix-vector steps from all seeds at once. ``bench/finance_network.py``
measures it against rustworkx.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class AccountGraph:
    """Node ``i`` is ``accounts[i]``; ``adjacency`` is the directed distinct-edge matrix."""

    accounts: pa.Array
    adjacency: csr_matrix

    def index(self) -> dict[str, int]:
        return {a: i for i, a in enumerate(self.accounts.to_pylist())}


def build(tx: pa.Table) -> AccountGraph:
    """The graph of the ``sender``/``receiver`` columns of ``tx`` (empty ends dropped)."""
    sender, receiver = tx.column("sender"), tx.column("receiver")
    keep = pc.and_(pc.not_equal(sender, ""), pc.not_equal(receiver, ""))
    s, r = pc.filter(sender, keep), pc.filter(receiver, keep)
    ends = [pc.unique(c) for c in (sender, receiver)]  # pc.unique gives one Array
    everyone = pc.unique(pa.concat_arrays(ends))
    accounts = pc.filter(everyone, pc.not_equal(everyone, ""))
    rows = np.asarray(pc.index_in(s, value_set=accounts), dtype=np.int64)
    cols = np.asarray(pc.index_in(r, value_set=accounts), dtype=np.int64)
    n = len(accounts)
    data = np.ones(len(rows), dtype=np.int8)
    adjacency = coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()
    adjacency.data[:] = 1  # distinct edges: repeated transactions count once
    return AccountGraph(accounts, adjacency)


def hops_from(
    graph: AccountGraph, seeds: Iterable[str], max_hops: int = 3
) -> npt.NDArray[np.int16]:
    """Fewest hops (either direction) from any seed, ``-1`` beyond ``max_hops``."""
    where = graph.index()
    n = graph.adjacency.shape[0]
    hops = np.full(n, -1, dtype=np.int16)
    frontier = np.zeros(n, dtype=bool)
    for seed in seeds:
        i = where.get(seed)
        if i is not None:
            frontier[i] = True
    hops[frontier] = 0
    both = (graph.adjacency + graph.adjacency.T).tocsr()
    for step in range(1, max_hops + 1):
        reached = both @ frontier.astype(np.int8) > 0
        new = reached & (hops < 0)
        if not new.any():
            break
        hops[new] = step
        frontier = new
    return hops


def hops_between(graph: AccountGraph, seeds: Iterable[str], max_hops: int = 3) -> dict[str, int]:
    """For each seed, the fewest hops (either direction) to the nearest OTHER seed, ``-1``
    beyond ``max_hops``: a seed is zero hops from itself, which says nothing.

    One breadth-first search from all seeds at once labels every account with its nearest
    seed; the nearest other seed of ``s`` is then the least ``d(u) + 1 + d(v)`` over edges
    whose ends carry different labels with ``u`` labelled ``s`` (exact: on a shortest path
    from ``s`` to another seed, the first edge leaving ``s``'s region is such an edge).
    """
    where = graph.index()
    ids = sorted({where[x] for x in seeds if x in where})
    n = graph.adjacency.shape[0]
    if not ids:
        return {}
    both = (graph.adjacency + graph.adjacency.T).tocoo()
    src, dst = both.row.astype(np.int64), both.col.astype(np.int64)
    dist = np.full(n, -1, dtype=np.int64)
    label = np.full(n, -1, dtype=np.int64)
    start = np.asarray(ids, dtype=np.int64)
    dist[start], label[start] = 0, start
    reach = max_hops // 2 + 2  # the ends of the deciding edge lie within this of a seed
    for step in range(1, reach + 1):
        on = (dist[src] == step - 1) & (dist[dst] < 0)
        if not on.any():
            break
        order = np.argsort(label[src[on]], kind="stable")  # smallest label wins a tie
        targets, labels = dst[on][order], label[src[on]][order]
        first = np.unique(targets, return_index=True)[1]
        dist[targets[first]], label[targets[first]] = step, labels[first]
    cross = (label[src] >= 0) & (label[dst] >= 0) & (label[src] != label[dst])
    best = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best, label[src[cross]], dist[src[cross]] + 1 + dist[dst[cross]])
    accounts = graph.accounts.to_pylist()
    return {accounts[i]: int(best[i]) if best[i] <= max_hops else -1 for i in ids}


def measures(graph: AccountGraph, seeds: Iterable[str] = (), max_hops: int = 3) -> pa.Table:
    """One row per account: component, component_size, fan_in, fan_out, hops."""
    _n, labels = connected_components(graph.adjacency, directed=True, connection="weak")
    sizes = np.bincount(labels)
    fan_out = np.diff(graph.adjacency.indptr).astype(np.int32)
    fan_in = np.bincount(graph.adjacency.indices, minlength=graph.adjacency.shape[0]).astype(
        np.int32
    )
    return pa.table({
        "account": graph.accounts,
        "component": pa.array(labels.astype(np.int64)),
        "component_size": pa.array(sizes[labels].astype(np.int64)),
        "fan_in": pa.array(fan_in),
        "fan_out": pa.array(fan_out),
        "hops": pa.array(hops_from(graph, seeds, max_hops)),
    })  # fmt: skip


__all__ = ["AccountGraph", "build", "hops_between", "hops_from", "measures"]
