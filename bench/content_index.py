"""PDQ hash index: build time, queries/s at threshold 31, recall and memory, on one core.

For each size in ``--sizes`` (default 1 M and 10 M uniform random 256-bit hashes):

* cthub ``HashIndex`` (exact multi-index hashing above 100,000 hashes): build seconds, RSS
  growth and ``memory_bytes()``, queries/s in one batch and one query at a time, recall
  against the exact flat scan;
* FAISS's flat Hamming scan (``IndexBinaryFlat``'s kernel): exact reference and baseline;
* numpy brute force (XOR + ``np.bitwise_count`` over uint64 views), on a few queries;
* python-threatexchange ``PDQIndex`` (Meta's matcher, faiss ``IndexBinaryMultiHash`` 16x16
  bits, ``nflip = 1``), in a subprocess with ``$CTHUB_TE_PYTHON`` or ``/tmp/tevenv/bin/python``
  (``python3 -m venv /tmp/tevenv && /tmp/tevenv/bin/pip install threatexchange``), for sizes
  up to ``--te-max`` (default 1 M: at 10 M it needs several GiB); "not measured" otherwise.

Queries: half near-duplicates of stored hashes (0-31 random bit flips), half random hashes.
Targets (Meta's hasher-matcher-actioner): >= 1,000 queries/s on one core, 10 M hashes < 2 GB.
Times are ``time.perf_counter`` with ``faiss.omp_set_num_threads(1)``. ``--gpu`` times a FAISS
GPU flat index (k-NN, k = 64, filtered at 31) where this faiss build has GPU support.

Run: ``.venv/bin/python bench/content_index.py [--sizes 1000000,10000000] [--queries 10000]``;
quick: ``--sizes 200000 --queries 2000``.
"""

# ruff: noqa: S603, S108 - runs the threatexchange baseline venv at a known scratch path

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from cthub.content.index import (
    Hashes,
    HashIndex,
    hashes_from_hex,
    hashes_to_hex,
    near_duplicates,
    random_hashes,
)
from cthub.content.index.scan import flat_range_search

THRESHOLD = 31
TE_PYTHON = os.environ.get("CTHUB_TE_PYTHON", "/tmp/tevenv/bin/python")
Pairs = set[tuple[int, int]]

_TE_SCRIPT = r"""
import json, sys, time
import numpy as np, faiss
faiss.omp_set_num_threads(1)
from threatexchange.signal_type.pdq.pdq_index import PDQIndex
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096
stored = np.load(sys.argv[1]); queries = np.load(sys.argv[2])
hexes = [bytes(r).hex() for r in stored]; qhex = [bytes(r).hex() for r in queries]
r0 = rss(); t = time.perf_counter()
index = PDQIndex(entries=zip(hexes, range(len(hexes))))
build = time.perf_counter() - t; grown = rss() - r0
t = time.perf_counter(); found = [[m.metadata for m in index.query(q)] for q in qhex]
spent = time.perf_counter() - t
pairs = [[i, j] for i, ids in enumerate(found) for j in ids]
print(json.dumps({"build": build, "rss": grown, "qps": len(qhex) / spent, "pairs": pairs}))
"""


def rss() -> int:
    """Resident bytes of this process now."""
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def query_mix(stored: Hashes, count: int, rng: np.random.Generator) -> Hashes:
    """Half near-duplicates of random stored rows (0-31 flips), half unrelated hashes."""
    half = count // 2
    near, _ = near_duplicates(stored[rng.integers(0, len(stored), half)], rng, max_flips=31)
    return np.vstack([near, random_hashes(count - half, rng)])


def as_pairs(rows: np.ndarray, found: np.ndarray) -> Pairs:
    return set(zip(rows.tolist(), found.tolist(), strict=True))


def recall(got: Pairs, exact: Pairs) -> str:
    if not exact:
        return "-"
    hit = len(got & exact) / len(exact)
    extra = len(got - exact)
    return f"{hit:.4f}" + (f" (+{extra} false)" if extra else "")


def numpy_brute_force(stored: Hashes, queries: Hashes) -> float:
    """Queries/s of a plain numpy scan: XOR of uint64 words and a popcount per query."""
    words = stored.view(np.uint64)
    t = time.perf_counter()
    for query in queries.view(np.uint64):
        dist = np.bitwise_count(words ^ query).sum(axis=1, dtype=np.int32)
        np.nonzero(dist <= THRESHOLD)
    return len(queries) / (time.perf_counter() - t)


def threatexchange(stored: Hashes, queries: Hashes) -> dict[str, Any] | str:
    """The PDQIndex baseline's figures, or why they are missing."""
    if not Path(TE_PYTHON).exists():
        return f"not measured ({TE_PYTHON} missing)"
    with tempfile.TemporaryDirectory(prefix="content-index-") as tmp:
        np.save(Path(tmp) / "stored.npy", stored)
        np.save(Path(tmp) / "queries.npy", queries)
        args = [TE_PYTHON, "-c", _TE_SCRIPT, f"{tmp}/stored.npy", f"{tmp}/queries.npy"]
        try:
            done = subprocess.run(args, capture_output=True, text=True, timeout=1800, check=True)
            result: dict[str, Any] = json.loads(done.stdout)
        except subprocess.CalledProcessError as exc:
            return f"not measured (failed: {exc.stderr.strip().splitlines()[-1:]})"
        except (subprocess.SubprocessError, OSError, ValueError) as exc:
            return f"not measured ({type(exc).__name__})"
    return result


def gpu_status() -> str | None:
    """Why GPU indexes cannot be used here, or None when they can."""
    gpus = faiss.get_num_gpus() if hasattr(faiss, "get_num_gpus") else 0
    if not hasattr(faiss, "StandardGpuResources") or gpus == 0:
        return f"not available (this faiss build has no GPU support; GPUs seen: {gpus})"
    return None


def gpu_line(stored: Hashes, queries: Hashes) -> str:
    """GPU flat k-NN queries/s where faiss has GPU support, else why not."""
    missing = gpu_status()
    if missing:
        return f"GPU: {missing}"
    resources = faiss.StandardGpuResources()
    cpu = faiss.IndexBinaryFlat(256)
    cpu.add(stored)
    gpu = faiss.index_binary_cpu_to_gpu(resources, 0, cpu)
    gpu.search(queries[:10], 64)
    t = time.perf_counter()
    dist, _ = gpu.search(queries, 64)
    qps = len(queries) / (time.perf_counter() - t)
    within = int((dist <= THRESHOLD).sum())
    return f"GPU flat k-NN (k=64, filtered at {THRESHOLD}): {qps:,.0f} q/s, {within} matches"


class Table:
    HEAD = (
        f"{'hashes':>10} {'engine':<34} {'build s':>8} {'q/s batch':>10} {'q/s single':>10}"
        f" {'MiB RSS+':>9} {'MiB index':>9}  recall vs exact"
    )

    def __init__(self) -> None:
        print(self.HEAD)
        print("-" * len(self.HEAD))

    @staticmethod
    def row(n: int, engine: str, build: float | None, qps: float | None, **more: Any) -> None:
        def num(v: float | None, fmt: str) -> str:
            return "-" if v is None else format(v, fmt)

        print(
            f"{n:>10,} {engine:<34} {num(build, '.1f'):>8} {num(qps, ',.0f'):>10}"
            f" {num(more.get('single'), ',.0f'):>10} {num(more.get('rss'), ',.0f'):>9}"
            f" {num(more.get('mem'), ',.0f'):>9}  {more.get('recall', '-')}",
            flush=True,
        )


def cthub_rows(n: int, stored: Hashes, queries: Hashes, exact: Pairs, sample: int) -> HashIndex:
    """Build and time the cthub index; print its row."""
    ids = np.arange(n, dtype=np.int64)
    before = rss()
    t = time.perf_counter()
    index = HashIndex.build(ids, stored)
    build = time.perf_counter() - t
    grown = (rss() - before) / 2**20
    index.search(queries[:64], THRESHOLD)  # warm caches and the probe masks
    t = time.perf_counter()
    found = index.search(queries, THRESHOLD)
    batch = len(queries) / (time.perf_counter() - t)
    singles = queries[:sample]
    t = time.perf_counter()
    for i in range(len(singles)):
        index.search(singles[i : i + 1], THRESHOLD)
    single = len(singles) / (time.perf_counter() - t)
    got = as_pairs(found.query_rows(), found.ids)
    got = {p for p in got if p[0] < sample}
    Table.row(
        n, f"cthub HashIndex ({index.kind})", build, batch, single=single, rss=grown,
        mem=index.memory_bytes() / 2**20, recall=recall(got, exact),
    )  # fmt: skip
    return index


def upkeep_line(index: HashIndex, rng: np.random.Generator) -> None:
    """Costs of keeping the index in step: a batch add, a batch remove, save and load."""
    fresh = random_hashes(1_000, rng)
    first = 1 << 40
    t = time.perf_counter()
    index.add(np.arange(first, first + 1_000), fresh)
    add = time.perf_counter() - t
    t = time.perf_counter()
    index.remove(np.arange(first, first + 1_000))
    remove = time.perf_counter() - t
    with tempfile.TemporaryDirectory(prefix="content-index-") as tmp:
        path = Path(tmp) / "pdq.index"
        t = time.perf_counter()
        stamp = index.save(path, 1)
        save = time.perf_counter() - t
        t = time.perf_counter()
        loaded, _ = HashIndex.load(path, expect_generation=1)
        load = time.perf_counter() - t
    assert len(loaded) == len(index)
    print(
        f"{len(index):>10,} upkeep: add 1,000 {add * 1e3:.0f} ms, remove 1,000 {remove * 1e3:.0f}"
        f" ms, save {save:.1f} s, load {load:.1f} s (file {stamp.bytes / 2**20:,.0f} MiB,"
        " checksum verified, tables rebuilt)"
    )


def exact_reference(n: int, stored: Hashes, queries: Hashes) -> Pairs:
    """The exact matches of ``queries`` by the FAISS flat scan; prints its row."""
    t = time.perf_counter()
    rows, found, _ = flat_range_search(stored, queries, THRESHOLD)
    qps = len(queries) / (time.perf_counter() - t)
    Table.row(n, "FAISS flat scan (exact reference)", None, qps, recall="1 (reference)")
    return as_pairs(rows, found)


def baseline_rows(n: int, stored: Hashes, queries: Hashes, exact: Pairs, te_max: int) -> None:
    few = queries[: max(10, min(200, 20_000_000 // n))]
    single = numpy_brute_force(stored, few)
    Table.row(n, "numpy brute force (XOR+popcount)", None, None, single=single, recall="exact")
    if n > te_max:
        print(f"{n:>10,} {'threatexchange PDQIndex':<34} not measured (above --te-max {te_max:,})")
        return
    te = threatexchange(stored, queries)
    if isinstance(te, str):
        print(f"{n:>10,} {'threatexchange PDQIndex':<34} {te}")
        return
    got = {(int(i), int(j)) for i, j in te["pairs"]}
    Table.row(
        n, "threatexchange PDQIndex (MIH 16x16)", te["build"], None, single=te["qps"],
        rss=te["rss"] / 2**20, recall=recall(got, exact),
    )  # fmt: skip


def hex_line(stored: Hashes) -> None:
    """Speed of the vectorised hex conversion, both ways."""
    part = stored[:1_000_000]
    t = time.perf_counter()
    hexes = hashes_to_hex(part)
    out = time.perf_counter() - t
    t = time.perf_counter()
    back = hashes_from_hex(hexes)
    into = time.perf_counter() - t
    assert np.array_equal(back, part)
    print(f"hex conversion ({len(part):,} hashes): to hex {len(part) / out / 1e6:.1f} M/s,"
          f" from hex {len(part) / into / 1e6:.1f} M/s")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000000,10000000")
    ap.add_argument("--queries", type=int, default=10_000)
    ap.add_argument("--recall-queries", type=int, default=2_000)
    ap.add_argument("--te-max", type=int, default=1_000_000)
    ap.add_argument("--gpu", action="store_true")
    args = ap.parse_args()
    faiss.omp_set_num_threads(1)
    rng = np.random.default_rng(20240611)
    print(f"PDQ index, threshold {THRESHOLD}, one core (faiss {faiss.__version__}, numpy"
          f" {np.__version__}); queries: half 0-31-bit near-duplicates, half random")  # fmt: skip
    Table()
    sizes = [int(s) for s in args.sizes.split(",")]
    for n in sizes:
        stored = random_hashes(n, rng)
        queries = query_mix(stored, args.queries, rng)
        sample = min(args.recall_queries, len(queries))
        exact = exact_reference(n, stored, queries[:sample])
        index = cthub_rows(n, stored, queries, exact, sample)
        upkeep_line(index, rng)
        del index
        baseline_rows(n, stored, queries[:sample], exact, args.te_max)
        if args.gpu:
            print(gpu_line(stored, queries))
        if n >= 1_000_000 or n == sizes[-1]:
            hex_line(stored)
        del stored, queries
    if not args.gpu:
        print(f"GPU: not run (pass --gpu); {gpu_status() or 'available'}")


if __name__ == "__main__":
    main()
