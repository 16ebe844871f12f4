"""Synthetic transaction generation: speed and peak memory, on one core.

Each case runs in a fresh subprocess (so peak RSS is its own) with Arrow limited to one
thread: ``memory`` builds the whole table in memory, ``stream`` writes Parquet chunk by chunk
through ``Synthetic.write``. Baseline: the issue's targets, 1,000,000 rows in well under 30 s
on one core, and 10,000,000 rows streamed in under 2 GB.

    .venv/bin/python bench/finance_synth.py            # 1M in memory and streamed, 10M streamed
    .venv/bin/python bench/finance_synth.py --quick    # the 1M cases only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES = (  # name, accounts, days, mode, limit seconds, limit MiB
    ("1M in memory", 5_000, 365, "memory", 30.0, None),
    ("1M streamed", 5_000, 365, "stream", 30.0, None),
    ("10M streamed", 50_000, 365, "stream", None, 2048),
)


def child(accounts: int, days: int, mode: str, out: str) -> None:
    """Generate one case and print its figures as JSON."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cthub.finance.synth import generate

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    wall, cpu = time.perf_counter(), time.process_time()
    data = generate(accounts, days, seed=1)
    if mode == "memory":
        rows = data.transactions.num_rows
    else:
        path = data.write(Path(out) / "tx.parquet")
        rows = pq.ParquetFile(path).metadata.num_rows
    figures = {
        "rows": rows,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "labels": data.labels.num_rows,
    }
    print(json.dumps(figures))


def run(name: str, accounts: int, days: int, mode: str) -> dict[str, float]:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, __file__, "--child", str(accounts), str(days), mode, out]
        done = subprocess.run(  # noqa: S603 - this script, with our own arguments
            args, capture_output=True, text=True, env=env, check=True
        )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 1M-row cases")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        accounts, days, mode, out = args.child
        child(int(accounts), int(days), mode, out)
        return
    print("baseline: issue targets (1M rows < 30 s on one core; 10M rows streamed < 2 GiB)")
    header = f"{'case':<14} {'accounts':>8} {'days':>5} {'rows':>11} {'wall s':>7} "
    print(header + f"{'cpu s':>7} {'rows/s':>9} {'peak MiB':>9}  target")
    for name, accounts, days, mode, limit_s, limit_mib in CASES:
        if args.quick and not name.startswith("1M"):
            continue
        f = run(name, accounts, days, mode)
        verdict = []
        if limit_s is not None:
            verdict.append(f"< {limit_s:.0f} s: {'met' if f['cpu'] < limit_s else 'MISSED'}")
        if limit_mib is not None:
            ok = f["rss_mib"] < limit_mib
            verdict.append(f"< {limit_mib} MiB: {'met' if ok else 'MISSED'}")
        print(
            f"{name:<14} {accounts:>8} {days:>5} {int(f['rows']):>11,} {f['wall']:>7.1f} "
            f"{f['cpu']:>7.1f} {f['rows'] / f['wall']:>9,.0f} {f['rss_mib']:>9.0f}  "
            + "; ".join(verdict)
        )


if __name__ == "__main__":
    main()
