"""Content banks end to end on SQLite: bulk import of a hash list, then matching through the
service (policy, audit, index sync, bank rules) rather than the bare index.

* import: a ``--rows`` (default 1,000,000) row CSV hash list ``signal_type,hash,label`` of
  random PDQ hashes read, validated and stored in one transaction (target < 60 s);
* first match: the index built from the database (what a fresh process pays once);
* match rate: ``--queries`` PDQ hashes through ``match_hashes`` (half near-duplicates of banked
  hashes at 0-31 bit flips, half random), one call per query as an API client would send them,
  without recording review items; queries/s on one core (the issue asks >= 1,000/s of the
  index on 1M hashes: ``bench/content_index.py`` measures the bare index);
* a reload: the index saved next to the database and read back by a new process.

Baseline in the same run: the plain row-by-row ORM insert (``session.add`` per entry) on the
first ``--baseline-rows`` rows, scaled to the full size.

Run: ``.venv/bin/python bench/content_import.py [--rows 1000000] [--queries 2000]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from cthub.content import create_bank, import_list, match_hashes, matcher
from cthub.content.index import hashes_to_hex, near_duplicates, random_hashes
from cthub.content.models import ContentEntry
from cthub.core import migrate
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.policy import Actor

OP = Actor.system("bench")


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _orm_baseline(hub: Hub, hexes: list[str]) -> float:
    t = time.perf_counter()
    with hub.db.session() as s:
        for i, h in enumerate(hexes):
            s.add(ContentEntry(bank_id=2, signal="pdq", digest=h, hash=h, label="x", rev=i))
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=2_000)
    ap.add_argument("--baseline-rows", type=int, default=50_000)
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    rng = np.random.default_rng(7)
    stored = random_hashes(args.rows, rng)
    hexes = hashes_to_hex(stored)
    data = ("signal_type,hash,label\n" + "".join(f"pdq,{h},propaganda\n" for h in hexes)).encode()
    tmp = Path(tempfile.mkdtemp(prefix="cthub-content-bench-"))
    hub = Hub.open(Settings(data_dir=tmp, mode="demo"))
    migrate.upgrade(hub.db)
    create_bank(hub, OP, "bench", tlp="TLP:GREEN")
    create_bank(hub, OP, "baseline")
    print(f"hash list: {args.rows:,} rows, {len(data) / 2**20:.1f} MiB", file=sys.stderr)

    t = time.perf_counter()
    result = import_list(hub, OP, "bench", data, "list.csv")
    import_s = time.perf_counter() - t
    assert result.added == args.rows, result

    half = args.queries // 2
    picks = rng.choice(args.rows, half, replace=False)
    near, _flips = near_duplicates(stored[picks], rng, max_flips=31)
    queries = hashes_to_hex(np.concatenate([near, random_hashes(args.queries - half, rng)]))
    t = time.perf_counter()
    first = match_hashes(hub, OP, [("pdq", queries[0])], record=False)
    first_s = time.perf_counter() - t
    t = time.process_time()
    found = sum(bool(match_hashes(hub, OP, [("pdq", q)], record=False).matches) for q in queries)
    match_s = time.process_time() - t

    matcher.pdq_index(hub).save()
    matcher._INDEXES.clear()
    t = time.perf_counter()
    match_hashes(hub, OP, [("pdq", queries[0])], record=False)
    reload_s = time.perf_counter() - t
    base_s = _orm_baseline(hub, hexes[: args.baseline_rows]) * args.rows / args.baseline_rows

    print(f"{'measure':44} {'value':>12} {'target':>12}")
    print(f"{'import ' + format(args.rows, ',') + ' rows, s':44} {import_s:12.1f} {'< 60':>12}")
    print(f"{'  rows/s':44} {args.rows / import_s:12,.0f}")
    print(f"{'  baseline ORM add() per row, s (scaled)':44} {base_s:12.1f}")
    print(f"{'first match (index built from the DB), s':44} {first_s:12.2f}")
    print(f"{'index reloaded from disk + first match, s':44} {reload_s:12.2f}")
    print(f"{'match_hashes queries/s (1 core, 1/call)':44} {len(queries) / match_s:12,.0f}")
    print(f"{'  near-duplicates found':44} {found:>12,} {'>= ' + str(half):>12}")
    print(f"{'peak RSS MiB':44} {_rss_mib():12,.0f}")
    print(f"first query matched: {len(first.matches)}", file=sys.stderr)


if __name__ == "__main__":
    main()
