"""Benchmark: the whole ``cthub finance monitor`` contract over N transactions, as a user runs it.

Generates N transactions (default 10,000,000; ``finance_rules.generate``: synth with planted
typologies) into one Parquet file, loads the bundled UN list into a fresh data folder
(``cthub lists load un``), then runs ``cthub finance monitor --input TX.parquet --output
ALERTS.csv`` in a child process: input checking and conversion (``ingest.prepare``),
counterparty screening through ``cthub.screening``, every shipped rule on DuckDB, scoring and
the network measures of the alerted accounts. Wall time and the child's own peak RSS
(``os.wait4``) are reported against, in the same run, a plain DuckDB 24-hour window sum over
the same file (``finance_rules.BASELINE``, 2 threads). Targets: rules under 60 s and memory
under 4 GB for 10M transactions; the whole path is reported against them.

Run: ``.venv/bin/python bench/finance_monitor.py [--rows 10000000]``.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).parent))
from finance_rules import BASELINE, generate

CTHUB = str(Path(sys.executable).with_name("cthub"))


def child(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak RSS in MB and stderr of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 (our own cthub executable)
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}):\n{err}")
    return seconds, usage.ru_maxrss / 1024, err.strip().splitlines()[-1] if err.strip() else ""


def prepare_input(rows: int, path: str) -> tuple[str, float, float]:
    """Generate the file, then time the baseline over it: (generator, seconds, seconds)."""
    t = time.perf_counter()
    made = generate(rows, path)
    generated = time.perf_counter() - t
    con = duckdb.connect(config={"threads": 2})
    t = time.perf_counter()
    con.execute(BASELINE, [path]).fetchall()
    baseline = time.perf_counter() - t
    con.close()
    return made, generated, baseline


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10_000_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-monitor-") as tmp:
        path = str(Path(tmp) / "tx.parquet")
        # generation and the baseline in a spawned child: a child's peak RSS starts from its
        # parent's (Linux keeps the high-water mark across exec), so this process stays small
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            made, generated, baseline = pool.apply(prepare_input, (args.rows, path))
        print(f"generated {args.rows:,} rows with {made} in {generated:.1f} s")
        env = {**os.environ, "CTHUB_DATA_DIR": str(Path(tmp) / "data")}
        env.pop("CTHUB_DATABASE_URL", None)
        load, load_rss, _ = child([CTHUB, "lists", "load", "un"], env)
        out = Path(tmp) / "alerts.csv"
        wall, rss, summary = child(
            [CTHUB, "finance", "monitor", "--input", path, "--output", str(out)], env
        )
        with out.open(encoding="utf-8") as f:
            header, *rows = list(csv.reader(f))
    print()
    print("| step | rows | seconds | rows/s | peak RSS MB | note |")
    print("|---|---:|---:|---:|---:|---|")
    print(f"| baseline: DuckDB 24 h window sum | {args.rows:,} | {baseline:.2f} | "
          f"{args.rows / baseline:,.0f} | | same file, 2 threads |")  # fmt: skip
    print(f"| `cthub lists load un` | | {load:.2f} | | {load_rss:,.0f} | bundled UN list |")
    print(f"| `cthub finance monitor` (whole path) | {args.rows:,} | {wall:.2f} | "
          f"{args.rows / wall:,.0f} | {rss:,.0f} | {summary} |")  # fmt: skip
    print(f"\noutput columns: {','.join(header)}; {len(rows):,} alerted accounts; "
          f"target: < 60 s for the rules, < 4,096 MB")  # fmt: skip


if __name__ == "__main__":
    main()
