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


__all__ = ["AccountGraph", "build", "hops_from", "measures"]
