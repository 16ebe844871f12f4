"""Delta re-evaluation of ownership exposure against the full evaluation (the baseline), on the
synthetic register-shaped graph (default 1,000,000 companies, about 600,000 persons, 3.9 M
edges; ``cthub.ownership.compute.synthetic``), under OFAC.

The full evaluation is what ``ownership.alerts.evaluate`` computes before it writes alerts: the
fixed point over the whole graph, then every blocked or possibly blocked entity's finding (its
path with every edge and share, and the seeds the path starts from). The delta is what
``ownership.alerts.delta`` computes after a list version changed 10 seeds: the descendants of
the changed seeds (the region), the fixed point on the region and its ancestors
(``compute.region.blocked_within``) and the findings of the region. Seed linking and database
writes are left out of both (they do not depend on the graph's size in the same way).

Two changes are measured: 5 seeds delisted and 5 persons newly listed, drawn at random; and
the 10 seeds that hold the most companies directly delisted (the worst case for the region).
Each delta is checked against the full evaluation with the new seeds: on the region the
findings are equal, and outside it no status moved between the old and the new full answer.

Run: ``.venv/bin/python bench/ownership_delta.py [--companies 1000000] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from cthub.ownership.alerting import Finding, findings, seed_rows
from cthub.ownership.compute import OwnershipGraph, blocked, compile_graph, synthetic_graph
from cthub.ownership.compute.region import blocked_within

T = TypeVar("T")
STATUSES = ("blocked", "possibly_blocked")


def timed(f: Callable[[], T]) -> tuple[T, float]:
    t = time.perf_counter()
    out = f()
    return out, time.perf_counter() - t


def with_via(seeds: pa.Table) -> pa.Table:
    return seeds.append_column("via", pa.array(["identifier"] * seeds.num_rows))


def change(
    graph: OwnershipGraph, seeds: pa.Table, rng: np.random.Generator, busiest: bool
) -> tuple[pa.Table, set[str]]:
    """The new seed table and the changed seed ids (see the module docstring)."""
    ids = seeds.column("entity_id").to_pylist()
    if busiest:
        _, indptr = graph.by_owner
        nodes = graph.nodes(seeds.column("entity_id").combine_chunks())
        held = indptr[nodes + 1] - indptr[nodes]
        gone = {ids[int(i)] for i in np.argsort(-held, kind="stable")[:10]}
        fresh: list[str] = []
    else:
        gone = set(rng.choice(ids, 5, replace=False).tolist())
        persons = [i for i in graph.id_list[-200_000:] if i.startswith("P") and i not in ids]
        fresh = rng.choice(persons, 5, replace=False).tolist()
    kept = seeds.filter(pc.invert(pc.is_in(seeds.column("entity_id"), pa.array(sorted(gone)))))
    added = pa.table({"entity_id": fresh, "listed": [True] * len(fresh),
                      "list": ["synthetic-sdn"] * len(fresh),
                      "list_ref": [f"NEW-{i}" for i in range(len(fresh))],
                      "via": ["identifier"] * len(fresh)})  # fmt: skip
    return pa.concat_tables([kept, added.cast(kept.schema)]), gone | set(fresh)


def statuses(graph: OwnershipGraph, seeds: pa.Table) -> npt.NDArray[np.str_]:
    res = blocked(graph, seeds, "ofac")
    return np.asarray(res.table.column("status").slice(0, graph.n_nodes).to_pylist())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--companies", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    syn = synthetic_graph(args.companies, seed=args.seed)
    graph, comp_s = timed(lambda: compile_graph(syn.edges, syn.nodes))
    _ = graph.by_owner, graph.by_asset  # built once per compiled graph, cached with it
    seeds = with_via(syn.seeds)
    print(f"graph: {syn.n_companies:,} companies, {syn.n_persons:,} persons, "
          f"{graph.n_edges:,} edges, {seeds.num_rows:,} seeds; compiled in {comp_s:.1f} s "
          f"(once per load, cached); {os.cpu_count()} cores")  # fmt: skip
    rows: list[tuple[str, int, int, float, float, str]] = []
    keyed = seed_rows(seeds)
    full, fp_s = timed(lambda: blocked(graph, seeds, "ofac"))
    found, find_s = timed(lambda: findings(full, keyed))
    rows.append(("full OFAC evaluation", graph.n_nodes, 0, fp_s, fp_s + find_s,
                 f"{len(found):,} findings"))  # fmt: skip
    rng = np.random.default_rng(args.seed)
    for label, busiest in (("5 delisted + 5 listed, random", False), ("10 busiest delisted", True)):
        new, changed = change(graph, seeds, rng, busiest)
        part, fp_d = timed(partial(blocked_within, graph, new, "ofac", changed))
        local, find_d = timed(partial(findings, part.result, seed_rows(new), part.ids))
        rows.append((f"delta: {label}", len(part.region), part.context, fp_d, fp_d + find_d,
                     check(graph, seeds, new, part.ids, local)))  # fmt: skip
    print(f"{'run':40} {'evaluated':>10} {'context':>9} {'fixpoint s':>11} {'total s':>8}  check")
    for run, evaluated, context, fp, total, note in rows:
        print(f"{run:40} {evaluated:>10,} {context:>9,} {fp:>11.3f} {total:>8.3f}  {note}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:,.0f} MiB; load average {os.getloadavg()[0]:.1f}")


def check(
    graph: OwnershipGraph,
    old: pa.Table,
    new: pa.Table,
    region: frozenset[str],
    local: dict[str, Finding],
) -> str:
    """Whether the delta's findings equal the full evaluation's with the new seeds."""
    full = blocked(graph, new, "ofac")
    expected = findings(full, seed_rows(new), region)
    before, after = statuses(graph, old), statuses(graph, new)
    inside = np.isin(np.asarray(graph.id_list), np.asarray(sorted(region)))
    moved = int(np.sum((before != after) & ~inside))
    same = expected == local
    return f"{'equal' if same else 'DIFFERENT'} to full on region; {moved} moved outside"


if __name__ == "__main__":
    main()
