"""Benchmark: screening matcher throughput and memory against UN + OFAC SDN names (~30k).

Names are parsed minimally here (UN XML name parts and aliases, OFAC sdn.csv + alt.csv);
queries are list names with one typo or swapped parts, plus unrelated synthetic names.
Baseline: yente/nomenklatura ``logic-v2`` at about 4 queries/s per vCPU (published).
Run: ``.venv/bin/python bench/screening_matcher.py [--queries 3000]``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
from pathlib import Path

from cthub.screening import Entry, Matcher, Query

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
if not DATA.exists():
    DATA = Path("/work/shared/data")
BASELINE_QPS = 4.0


def un_entries(path: Path) -> list[Entry]:
    root = ET.parse(path).getroot()  # noqa: S314 - bench-only parse of the bundled list
    entries = []
    for kind, tag in (("person", "INDIVIDUAL"), ("organization", "ENTITY")):
        for node in root.iter(tag):
            parts = [node.findtext(p) or "" for p in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME")]
            names = [" ".join(p for p in parts if p)]
            names += [a.findtext("ALIAS_NAME") or "" for a in node.iter(f"{tag}_ALIAS")]
            births = [d.findtext("YEAR") or "" for d in node.iter("INDIVIDUAL_DATE_OF_BIRTH")]
            ref = node.findtext("REFERENCE_NUMBER") or ""
            entries.append(
                Entry(
                    ref,
                    "un",
                    ref,
                    kind,
                    tuple(n for n in names if n),
                    tuple(b for b in births if b),
                )
            )
    return entries


def ofac_entries(folder: Path) -> list[Entry]:
    aliases: dict[str, list[str]] = {}
    with (folder / "alt.csv").open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) > 3:
                aliases.setdefault(row[0], []).append(row[3])
    entries = []
    with (folder / "sdn.csv").open(encoding="latin-1", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) > 2:
                kind = {"individual": "person", "vessel": "vessel"}.get(
                    row[2].strip(), "organization"
                )
                names = (row[1], *aliases.get(row[0], []))
                entries.append(Entry(row[0], "ofac-sdn", row[0], kind, names))
    return entries


def make_queries(entries: list[Entry], count: int, rng: random.Random) -> list[Query]:
    names = [name for entry in entries for name in entry.names]
    queries = []
    for number in range(count):
        words = rng.choice(names).split()
        if number % 3 == 0:
            rng.shuffle(words)
        elif number % 3 == 1:
            word = rng.randrange(len(words))
            cut = rng.randrange(max(len(words[word]), 1))
            words[word] = words[word][:cut] + words[word][cut + 1 :]
        else:
            words = [rng.choice(names).split()[0], rng.choice(names).split()[-1]]
        queries.append(Query(" ".join(words), birth_date=str(rng.randrange(1940, 2000))))
    return queries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=3000)
    args = parser.parse_args()
    if not (DATA / "un-consolidated" / "consolidated.xml").exists():
        print(f"no list data under {DATA}: this benchmark needs ../shared/data", file=sys.stderr)
        return 2
    tracemalloc.start()
    start = time.perf_counter()
    entries = un_entries(DATA / "un-consolidated" / "consolidated.xml")
    entries += ofac_entries(DATA / "ofac-sdn")
    matcher = Matcher.from_entries(entries)
    build_s = time.perf_counter() - start
    memory_mb = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    queries = make_queries(entries, args.queries, random.Random(7))
    start = time.perf_counter()
    hits = sum(len(matcher.screen(q, threshold=0.7)) for q in queries)
    elapsed = time.perf_counter() - start
    qps = len(queries) / elapsed
    rows = [
        ("entries", f"{len(entries):,}"),
        ("names indexed", f"{len(matcher.index.names):,}"),
        ("index keys", f"{len(matcher.index.postings):,}"),
        ("build time (s, incl. parse)", f"{build_s:.2f}"),
        ("memory after build (MiB, tracemalloc)", f"{memory_mb:.0f}"),
        ("queries", f"{len(queries):,}"),
        ("hits >= 0.7", f"{hits:,}"),
        ("queries/s (one core)", f"{qps:,.0f}"),
        ("mean latency (ms)", f"{1000 / qps:.2f}"),
        (f"vs logic-v2 baseline {BASELINE_QPS:.0f}/s", f"{qps / BASELINE_QPS:,.0f}x"),
    ]
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"{label:<{width}}  {value:>10}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
