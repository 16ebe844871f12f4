"""Account-graph measures (components, fan-in/out, hops from seed accounts) for a random
transaction graph, cthub's scipy.sparse version against rustworkx in the same run.

rustworkx is not a cthub dependency: install it into the venv to measure the baseline
(``.venv/bin/uv pip install rustworkx``); otherwise the baseline says "not measured".

"within 3 hops" may differ by a few: rustworkx counts a seed that made no transaction (an
isolated node), cthub's graph only holds accounts that appear in the transactions.

Run: ``.venv/bin/python bench/finance_network.py [--accounts 1000000] [--tx 10000000]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pyarrow as pa

from cthub.finance.network import build, measures


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--tx", type=int, default=10_000_000)
    ap.add_argument("--seeds", type=int, default=100)
    args = ap.parse_args()
    rng = np.random.default_rng(3)
    # heavy-tailed: a few accounts (shops, payroll) see most of the traffic
    s = (rng.pareto(1.2, args.tx) * 1000).astype(np.int64) % args.accounts
    r = rng.integers(0, args.accounts, args.tx)
    names = np.array([f"AC{i:08d}" for i in range(args.accounts)], dtype=object)
    tx = pa.table({"sender": pa.array(names[s]), "receiver": pa.array(names[r])})
    seeds = [str(x) for x in names[rng.choice(args.accounts, args.seeds, replace=False)]]
    t = time.perf_counter()
    graph = build(tx)
    built = time.perf_counter() - t
    t = time.perf_counter()
    table = measures(graph, seeds, max_hops=3)
    measured = time.perf_counter() - t
    near = int(np.sum(np.asarray(table.column("hops")) >= 0))
    print(f"graph: {args.accounts:,} accounts, {args.tx:,} transactions, {args.seeds} seeds")
    print(f"{'engine':34} {'build s':>9} {'measures s':>11} {'within 3 hops':>14}")
    print(f"{'cthub (pyarrow + scipy.sparse)':34} {built:9.2f} {measured:11.2f} {near:14,}")
    try:
        import rustworkx as rx
    except ImportError:
        print(f"{'rustworkx':34} {'not measured (not installed)':>36}")
        return
    t = time.perf_counter()
    g = rx.PyDiGraph()
    g.add_nodes_from(range(args.accounts))
    g.extend_from_edge_list(list(zip(s.tolist(), r.tolist(), strict=True)))
    rx_built = time.perf_counter() - t
    t = time.perf_counter()
    rx.weakly_connected_components(g)
    u = g.to_undirected()  # multigraph=False dedupes edges quadratically: 127 s here
    starts = sorted({int(x[2:]) for x in seeds})
    layers = rx.bfs_layers(u, starts)
    rx_near = sum(len(layer) for layer in layers[:4])
    fan_in = [g.in_degree(i) for i in range(args.accounts)]
    rx_measured = time.perf_counter() - t
    print(f"{'rustworkx (PyDiGraph, bfs_layers)':34} {rx_built:9.2f} {rx_measured:11.2f}"
          f" {rx_near:14,}")  # fmt: skip
    del fan_in


if __name__ == "__main__":
    main()
