"""Benchmark: overlap detection quality on planted overlaps, and its speed and memory at scale.

Quality: a generated register that is not the demo one (seed 20261, 3,000 projects; the
weights were tuned on seeds 1 and 2) with its planted overlaps as truth. Precision, recall and
F1 of ``detect_overlaps`` at a few thresholds. Baselines in the same run: exact title equality
(normalised), and the naive approach: every pair of the register scored without blocking, by
scikit-learn's ``TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4))`` cosine plus the
same date and area conditions; its time on 3,000 projects is extrapolated to 100,000 (x n^2).

Scale: ``detect_overlaps`` on 10,000 and 100,000 generated projects (150 recipients, 18
donors), each in a fresh subprocess so peak RSS is its own: wall time of detection (register
generation not included), flagged pairs, and peak RSS of the process (and its workers).
Run: ``.venv/bin/python bench/coordination_overlaps.py [--quick]`` (``--quick``: no 100,000).
"""

# ruff: noqa: S603 - runs this same script as a child
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np

from cthub.coordination.generator import generate_register
from cthub.coordination.overlaps import Overlap, detect_overlaps
from cthub.coordination.records import ProjectRecord
from cthub.coordination.similarity import normalise

SEED = 20261
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6)
SIZES = (10_000, 100_000)


def scores(pred: set[tuple[int, int]], truth: frozenset[tuple[int, int]]) -> tuple[float, ...]:
    hits = len(pred & truth)
    precision = hits / len(pred) if pred else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return precision, recall, f1


def title_equality(projects: list[ProjectRecord]) -> set[tuple[int, int]]:
    groups: dict[str, list[int]] = {}
    for p in projects:
        if p.status != "cancelled":
            groups.setdefault(normalise(p.title), []).append(p.id)
    return {(a, b) for ids in groups.values() for a in ids for b in ids if a < b}


def naive_all_pairs(
    projects: list[ProjectRecord], threshold: float
) -> tuple[set[tuple[int, int]], float]:
    """Every pair scored (no blocking): plain char TF-IDF cosine, same recipient, area, dates."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

    started = time.perf_counter()
    live = [p for p in projects if p.status != "cancelled"]
    matrix = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).fit_transform(
        [f"{p.title}\n{p.description}" for p in live]
    )
    cosine = (matrix @ matrix.T).toarray()
    recipient = np.array([p.recipient for p in live])
    start = np.array([p.start.toordinal() if p.start else -(10**8) for p in live])
    end = np.array([p.end.toordinal() if p.end else 10**8 for p in live])
    areas = [set(p.areas) for p in live]
    i, j = np.triu_indices(len(live), 1)
    ok = (recipient[i] == recipient[j]) & (np.maximum(start[i], start[j]) <= np.minimum(
        end[i], end[j])) & (cosine[i, j] >= threshold)  # fmt: skip
    pairs = {
        (min(live[a].id, live[b].id), max(live[a].id, live[b].id))
        for a, b in zip(i[ok], j[ok], strict=True)
        if areas[a] & areas[b]
    }
    return pairs, time.perf_counter() - started


def quality() -> None:
    register = generate_register(SEED, projects=3000, needs=300)
    truth = register.planted_overlaps
    started = time.perf_counter()
    found: list[Overlap] = detect_overlaps(register.projects, min_score=min(THRESHOLDS))
    seconds = time.perf_counter() - started
    print(f"Quality: seed {SEED}, {len(register.projects):,} projects, {len(truth)} planted")
    print(f"{'system':<34}{'threshold':>10}{'precision':>11}{'recall':>8}{'F1':>7}")
    for threshold in THRESHOLDS:
        pred = {(o.project_a, o.project_b) for o in found if o.score >= threshold}
        p, r, f = scores(pred, truth)
        print(f"{'cthub detect_overlaps':<34}{threshold:>10.2f}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
    p, r, f = scores(title_equality(list(register.projects)), truth)
    print(f"{'baseline: equal titles':<34}{'':>10}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
    naive_seconds = 0.0
    for threshold in (0.3, 0.4, 0.5):
        pairs, naive_seconds = naive_all_pairs(list(register.projects), threshold)
        p, r, f = scores(pairs, truth)
        print(f"{'baseline: all pairs, TF-IDF':<34}{threshold:>10.2f}{p:>11.3f}{r:>8.3f}{f:>7.3f}")
    factor = (100_000 / len(register.projects)) ** 2
    print(f"\ncthub on 3,000: {seconds:.2f} s; naive all pairs on 3,000: {naive_seconds:.2f} s,")
    print(f"naive extrapolated to 100,000 (x{factor:,.0f}): {naive_seconds * factor / 60:,.0f} min")


def child(size: int, processes: int) -> None:
    register = generate_register(SEED, recipients=150, donors=18, projects=size, needs=2000)
    started = time.perf_counter()
    found = detect_overlaps(register.projects, processes=processes)
    seconds = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "pairs": len(found), "rss_mb": own / 1024,
                      "worker_rss_mb": workers / 1024}))  # fmt: skip


def scale(sizes: tuple[int, ...]) -> None:
    print(f"\nScale (seed {SEED}, 150 recipients, 18 donors; detection only)")
    print(f"{'projects':>10}{'processes':>11}{'seconds':>9}{'flagged':>10}{'peak RSS':>10}"
          f"{'worker RSS':>12}")  # fmt: skip
    for size in sizes:
        for processes in (1, 2):
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(size), str(processes)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(f"{size:>10,}{processes:>11}{row['seconds']:>9.1f}{row['pairs']:>10,}"
                  f"{row['rss_mb']:>8.0f}MB{row['worker_rss_mb']:>10.0f}MB")  # fmt: skip
    print("Target: 100,000 projects in under 60 s on 2 cores.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 100,000-project run")
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    quality()
    scale(SIZES[:1] if args.quick else SIZES)
    return 0


if __name__ == "__main__":
    sys.exit(main())
