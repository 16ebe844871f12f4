"""Benchmark: every shipped finance rule over N transactions on DuckDB (2 threads), and on Spark.

Generates N transactions (default 10,000,000) with ``cthub.finance.synth.generate`` (planted
typologies and decoys; a plain numpy generator when synth is not installed) into one Parquet
file, in a child process so its memory does not count. Then, in this process, DuckDB with 2
threads runs, as the baseline in the same run, a plain 24-hour window (sum of amounts per
sender over ``RANGE INTERVAL 24 HOURS``) over the file, and each shipped rule alone through
``run_rules``: seconds, rows/s, hits, accounts flagged and, on synth data, "found" (planted
accounts flagged / planted; synth's ``crowdfunding`` for gather-scatter) and "decoys" (decoy
accounts flagged). Peak RSS is this process's (DuckDB runs in it). Target: all rules under
60 s for 10M rows, memory under 4 GB. Then the same rules on Spark ``local[2]`` over about
1,000,000 rows generated the same way over the same year (``--spark-rows``), reported with
the JVM's peak RSS; no target.

The sanctioned-counterparty rule joins a ``listed`` table of 1,000 person names drawn from
the data among those on at most three transactions (score 0.9): the join is timed here;
screening the names is ``screening_million``'s. High-risk countries are the shipped list plus
synth's conflict countries, so that rule has planted accounts to find.

Run: ``.venv/bin/python bench/finance_rules.py [--rows 10000000] [--spark-rows 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from cthub.finance.rules import Rule, configure, library, run_rules
from cthub.finance.schema import STORED

BASELINE = """
SELECT COUNT(*) AS n, MAX(day_total) AS top FROM (
  SELECT SUM(amount_minor) OVER (PARTITION BY sender ORDER BY ts
    RANGE BETWEEN INTERVAL 24 HOURS PRECEDING AND CURRENT ROW) AS day_total
  FROM read_parquet(?)
)"""
TYPOLOGY = {"gather_scatter": "crowdfunding"}  # synth's name where it differs from the rule's


def generate(rows: int, path: str) -> str:
    """Write about ``rows`` transactions to ``path``; returns which generator made them."""
    try:
        from cthub.finance.synth import generate as synth
    except ImportError:
        _numpy_rows(rows, path)
        return "numpy"
    days = 365
    data = synth(max(200, int(rows / (0.55 * days))), days, seed=7)
    left = rows
    batches = data.batches()
    first = next(batches)
    with pq.ParquetWriter(path, first.schema) as writer:
        for batch in (first, *batches):
            writer.write_table(batch.slice(0, left))
            left -= min(left, batch.num_rows)
            if not left:
                break
    pq.write_table(data.labels, f"{path}.labels.parquet")
    pq.write_table(data.decoys, f"{path}.decoys.parquet")
    return "synth"


def _numpy_rows(rows: int, path: str) -> None:
    """A plain random table of the STORED columns: 200,000 accounts over a year."""
    rng = np.random.default_rng(7)
    accounts = pc.binary_join_element_wise(
        "A", pa.array(rng.integers(0, 200_000, rows)).cast(pa.string()), ""
    )
    peers = pc.binary_join_element_wise(
        "A", pa.array(rng.integers(0, 200_000, rows)).cast(pa.string()), ""
    )
    ts = np.sort(rng.integers(0, 365 * 86400 * 10**6, rows)) + np.datetime64("2024-01-01", "us")
    countries = np.array(["DE", "DE", "DE", "FR", "NL", "TR", "IR", "SY"])
    channels = np.array(["transfer", "transfer", "card", "cash", "money_service", "hawala"])
    pick = lambda values: pa.array(values[rng.integers(0, len(values), rows)])  # noqa: E731
    table = pa.table(
        {
            "tx_id": pc.binary_join_element_wise(
                "T", pa.array(np.arange(rows)).cast(pa.string()), ""
            ),
            "ts": pa.array(ts),
            "sender": accounts,
            "receiver": peers,
            "amount_minor": pa.array(rng.lognormal(9, 1.5, rows).astype(np.int64)),
            "currency": pa.array(np.full(rows, "EUR")),
            "sender_name": accounts,
            "receiver_name": peers,
            "sender_country": pick(countries[:3]),
            "receiver_country": pick(countries),
            "channel": pick(channels),
            "sender_type": pick(np.array(["person"] * 9 + ["npo"])),
            "receiver_type": pick(np.array(["person", "company"])),
            "sender_identifier": pc.binary_join_element_wise(
                "id", pa.array(rng.integers(0, 190_000, rows)).cast(pa.string()), ""
            ),
        }
    )
    pq.write_table(table.select(list(STORED)), path, row_group_size=1_000_000)


def conflict_countries() -> tuple[str, ...]:
    try:
        from cthub.finance.synth import DEFAULT_HIGH_RISK
    except ImportError:
        return ()
    return tuple(DEFAULT_HIGH_RISK)


def shipped_rules() -> list[Rule]:
    rules = []
    for rule in library():
        if rule.kind == "high_risk_jurisdiction":
            extra = sorted(set(rule.params.codes("countries")) | set(conflict_countries()))
            rule = configure(rule, countries=extra)
        rules.append(rule)
    return rules


def listed_sample(path: str) -> pa.Table:
    con = duckdb.connect()
    names = con.execute(
        "SELECT receiver_name FROM read_parquet(?) "
        "WHERE receiver_name <> '' AND receiver_type = 'person' GROUP BY receiver_name "
        "HAVING COUNT(*) <= 3 ORDER BY hash(receiver_name) LIMIT 1000",
        [path],
    ).fetchall()
    return pa.table(
        {
            "name": [n for (n,) in names],
            "list_name": ["bench"] * len(names),
            "list_ref": [f"B-{i}" for i in range(len(names))],
            "score": [0.9] * len(names),
        }
    )


def truth(path: str) -> tuple[dict[str, set[str]], set[str]]:
    labels, decoys = Path(f"{path}.labels.parquet"), Path(f"{path}.decoys.parquet")
    if not labels.exists():
        return {}, set()
    planted: dict[str, set[str]] = {}
    for row in pq.read_table(labels).to_pylist():
        planted.setdefault(row["typology"], set()).add(row["account"])
    return planted, set(pq.read_table(decoys)["account"].to_pylist())


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def on_duckdb(path: str, rows: int, rules: list[Rule], listed: pa.Table) -> list[dict[str, object]]:
    planted, decoys = truth(path)
    con = duckdb.connect()
    con.execute("SET threads = 2")
    start = time.perf_counter()
    n, _ = con.execute(BASELINE, [path]).fetchone() or (0, 0)
    base = time.perf_counter() - start
    con.close()
    out: list[dict[str, object]] = [{"rule": "baseline: 24h window sum", "s": base, "hits": n}]
    for rule in rules:
        start = time.perf_counter()
        hits = run_rules([rule], "duckdb", path, listed=listed, threads=2)
        took = time.perf_counter() - start
        accounts = set(hits["account"].to_pylist())
        want = planted.get(TYPOLOGY.get(rule.kind, rule.kind), set())
        found = f"{len(accounts & want)}/{len(want)}" if want else "-"
        if rule.kind == "sanctioned_counterparty":  # names drawn from the data, not screened
            found = "-"
        out.append(
            {
                "rule": rule.name,
                "s": took,
                "hits": hits.num_rows,
                "accounts": len(accounts),
                "found": found,
                "decoys": len(accounts & decoys) if planted else "-",
            }
        )
    return out


def on_spark(path: str, rows: int, rules: list[Rule], listed: pa.Table) -> list[dict[str, object]]:
    """The rules on Spark over ``rows`` freshly generated rows (a whole year, fewer accounts)."""
    from cthub.finance.rules import on_spark as engine

    small = f"{path}.spark.parquet"
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        pool.apply(generate, (rows, small))
    rows = pq.ParquetFile(small).metadata.num_rows
    listed = listed_sample(small)
    spark = engine.session(2, shuffle_partitions=8)
    out: list[dict[str, object]] = []
    try:
        for rule in rules:
            start = time.perf_counter()
            hits = run_rules([rule], "spark", small, listed=listed, spark=spark)
            out.append({"rule": rule.name, "s": time.perf_counter() - start, "hits": hits.num_rows})
        pid = spark.sparkContext._jvm.ProcessHandle.current().pid()
        status = Path(f"/proc/{pid}/status").read_text().splitlines()
        peak = next((line.split()[1] for line in status if line.startswith("VmHWM")), "0")
        out.append({"rule": "(JVM peak RSS MB)", "s": 0.0, "hits": int(peak) // 1024})
        out.append({"rule": "(rows)", "s": 0.0, "hits": rows})
    finally:
        spark.stop()
    return out


def table(title: str, rows: int, results: list[dict[str, object]]) -> None:
    print(f"\n{title}")
    head = f"{'rule':28} {'seconds':>8} {'rows/s':>12} {'hits':>9} {'accounts':>8}"
    print(f"{head} {'found':>8} {'decoys':>7}")
    for r in results:
        s = float(r["s"])
        rate = f"{rows / s:,.0f}" if s else "-"
        print(
            f"{r['rule']!s:28} {s:8.2f} {rate:>12} {r['hits']!s:>9} {r.get('accounts', '')!s:>8} "
            f"{r.get('found', '')!s:>8} {r.get('decoys', '')!s:>7}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--spark-rows", type=int, default=1_000_000)
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "tx.parquet")
        start = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            made = pool.apply(generate, (args.rows, path))
        rows = pq.ParquetFile(path).metadata.num_rows
        print(f"{rows:,} transactions ({made}) generated in {time.perf_counter() - start:.1f} s")
        rules, listed = shipped_rules(), listed_sample(path)
        results = on_duckdb(path, rows, rules, listed)
        total = sum(float(r["s"]) for r in results[1:])
        table(f"DuckDB, 2 threads, {rows:,} rows", rows, results)
        print(
            f"all rules: {total:.1f} s ({rows / total:,.0f} rows/s; target < 60 s at 10M); "
            f"baseline {float(results[0]['s']):.1f} s; peak RSS {peak_rss_mb():,.0f} MB "
            f"(target < 4,096 MB)"
        )
        if not args.no_spark:
            n = min(rows, args.spark_rows)
            spark = on_spark(path, n, rules, listed)
            made = int(str(spark.pop()["hits"]))
            table(f"Spark local[2], {made:,} rows (no target)", made, spark)
            print(f"all rules: {sum(float(r['s']) for r in spark[:-1]):.1f} s")
        print(
            json.dumps(
                {
                    "rows": rows,
                    "duckdb_total_s": round(total, 2),
                    "peak_rss_mb": round(peak_rss_mb()),
                }
            )
        )


if __name__ == "__main__":
    main()
