"""The ownership computation engine on a synthetic register-shaped graph (default 1,000,000
companies, about 600,000 persons, 3.9 M edges with bands, voting and control edges, joint
groups and cycles; ``cthub.ownership.compute.synthetic``).

Measured in one run: compiling the edge table (validation included); beneficial owners of every
company at 25% (target < 10 s on 2 cores); the same effective ownership computed the usual
way in SQL, DuckDB joining the paths found so far with the edges once per level and adding
the products (the baseline: 1.8-9.1 s measured on such graphs); the OFAC, EU and UK fixed
points from the seeds (target for OFAC < 1 s); single-company lookups per second from the
computed result (target > 20,000/s) and full reports with their chains.

The DuckDB baseline uses share_max, stops at 25 levels and drops path products under 1e-6
(cycles would otherwise never end); it answers "who has 25% or more" only for exact shares,
without intervals, cycles flagged or control, so it does less than cthub.

Run: ``.venv/bin/python bench/ownership_compute.py [--companies 1000000] [--lookups 20000]``
(``--no-baseline`` skips DuckDB).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cthub.core import duck
from cthub.ownership.compute import blocked, compile_graph, compute_ubo, synthetic_graph

T = TypeVar("T")


def timed(f: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def duckdb_levels(edges: pa.Table, threshold: float, threads: int) -> tuple[int, int]:
    """(pairs at or over ``threshold``, levels run): the per-level SQL iteration."""
    con = duck.connect(threads=threads)
    own = edges.filter(pc.equal(edges.column("interest"), "ownership")).select(
        ["owner", "asset", "share_max"]
    )
    con.register("own_arrow", own)
    con.execute("CREATE TABLE e AS SELECT owner, asset, share_max AS s FROM own_arrow")
    con.execute(
        "CREATE TABLE paths AS SELECT owner AS person, asset AS company, s AS share FROM e "
        "WHERE owner NOT IN (SELECT asset FROM e)"
    )
    con.execute("CREATE TABLE total AS SELECT * FROM paths")
    levels = 1
    while levels < 25:
        con.execute(
            "CREATE OR REPLACE TABLE paths AS SELECT p.person, e.asset AS company, "
            "sum(p.share * e.s) AS share FROM paths p JOIN e ON e.owner = p.company "
            "GROUP BY ALL HAVING sum(p.share * e.s) >= 1e-6"
        )
        row = con.execute("SELECT count(*) FROM paths").fetchone()
        if not row or row[0] == 0:
            break
        con.execute("INSERT INTO total SELECT * FROM paths")
        levels += 1
    row = con.execute(
        "SELECT count(*) FROM (SELECT person, company FROM total GROUP BY ALL "
        "HAVING sum(share) >= ? - 1e-9)",
        [threshold],
    ).fetchone()
    return (int(row[0]) if row else 0), levels


def lookups(res: object, ids: list[str], f: Callable[[str], object]) -> float:
    t = time.perf_counter()
    for i in ids:
        f(i)
    return len(ids) / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--lookups", type=int, default=20_000)
    ap.add_argument("--no-baseline", action="store_true")
    args = ap.parse_args()
    syn, gen_s, _ = timed(lambda: synthetic_graph(args.companies, seed=args.seed))
    graph, comp_s, comp_cpu = timed(lambda: compile_graph(syn.edges, syn.nodes))
    _, csr_s, csr_cpu = timed(lambda: (graph.by_owner, graph.by_asset))
    _, idx_s, _ = timed(lambda: graph.index)
    print(
        f"graph: {syn.n_companies:,} companies, {syn.n_persons:,} persons, "
        f"{syn.edges.num_rows:,} edges, {syn.seeds.num_rows:,} seeds; generated in {gen_s:.1f} s;"
        f" {len(graph.problems):,} problems reported; {os.cpu_count()} cores"
    )
    rows: list[tuple[str, float, float, str, str]] = [
        ("compile + validate edges", comp_s, comp_cpu, f"{graph.n_edges:,} edges", ""),
        ("edge CSR by owner and by asset", csr_s, csr_cpu, "", ""),
        ("id index (for lookups)", idx_s, idx_s, f"{graph.n_nodes:,} ids", ""),
    ]
    res, ubo_s, ubo_cpu = timed(lambda: compute_ubo(graph))
    status = np.bincount(res.pairs.status, minlength=3)
    at_25 = int(np.sum((res.pairs.o_hi >= 0.25 - 1e-9) & (res.pairs.owner != res.pairs.entity)))
    found_ubo = f"{status[0]:,} ubo + {status[1]:,} possible"
    rows.append(("UBO, every company (cthub)", ubo_s, ubo_cpu, found_ubo, "< 10 s"))
    if args.no_baseline:
        rows.append(("UBO, DuckDB iteration per level", 0.0, 0.0, "not run", "1.8-9.1 s"))
    else:
        (pairs, levels), db_s, db_cpu = timed(lambda: duckdb_levels(syn.edges, 0.25, 2))
        found_db = f"{pairs:,} pairs >= 25%, {levels} levels"
        rows.append(("UBO, DuckDB iteration per level", db_s, db_cpu, found_db, "1.8-9.1 s"))
    for name in ("ofac", "eu", "uk"):
        br, s, c = timed(lambda name=name: blocked(graph, syn.seeds, name))
        counts = np.unique(np.asarray(br.table.column("status")), return_counts=True)
        found = dict(zip(counts[0].tolist(), counts[1].tolist(), strict=True))
        target = "< 1 s" if name == "ofac" else ""
        result = (
            f"{found.get('blocked', 0):,} blocked + {found.get('possibly_blocked', 0):,} possible"
        )
        rows.append((f"{name.upper()} fixed point", s, c, result, target))
        if name == "ofac":
            rep, rs, rc = timed(lambda br=br: br.report())
            rows.append(("OFAC report with paths", rs, rc, f"{rep.num_rows:,} rows", ""))
    rng = np.random.default_rng(args.seed)
    companies = [graph.id_list[int(i)] for i in rng.integers(0, syn.n_companies, args.lookups)]
    per_s = lookups(res, companies, res.owners)
    rows.append(("single-company lookup", 0.0, 0.0, f"{per_s:,.0f} lookups/s", "> 20,000/s"))
    few = companies[: max(args.lookups // 20, 1)]
    rep_s = lookups(res, few, res.report)
    rows.append(("single-company report + chains", 0.0, 0.0, f"{rep_s:,.0f} reports/s", ""))
    print(f"{'task':34} {'wall s':>8} {'cpu s':>8}  {'result':38} {'target':>10}")
    for task, wall, cpu, result, target in rows:
        w = f"{wall:8.2f}" if wall else f"{'':8}"
        c = f"{cpu:8.2f}" if cpu else f"{'':8}"
        print(f"{task:34} {w} {c}  {result:38} {target:>10}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(f"peak RSS {rss:,.0f} MiB; load average {load:.1f} (wall times stretch when the cores"
          f" are shared); cthub pairs with ownership >= 25%: {at_25:,}")  # fmt: skip


if __name__ == "__main__":
    main()
