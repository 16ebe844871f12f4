"""Benchmark: one million rows through `cthub screening screen`, local engine and Spark.

Loads UN (``../shared/data`` or the bundled copy) and OFAC SDN (``../shared/data/ofac-sdn``)
into a temporary data folder, writes N input rows (a third listed names with a typo, swapped
parts or other case, with a birth year or nationality now and then; two thirds random names from
several naming cultures), then runs the CLI twice: ``--workers W`` (forked local processes) and
``--engine spark --workers W`` (``local[W]``). Both outputs must be identical. Peak RSS is the
whole process tree (JVM and Python workers included), sampled every 0.2 s.
Target: 1,000,000 rows in under 20 minutes on 2 cores; the loaded lists under 1 GB.
Run: ``.venv/bin/python bench/screening_million.py [--rows 1000000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import os
import pickle
import random
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

from cthub.core import migrate
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.lists import load
from cthub.screening import Screener, build_matcher

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
CLI = str(Path(sys.executable).parent / "cthub")
TARGET_S = 20 * 60
OPERATOR = Actor.system("bench")
FIRST_NAMES = (
    "James Maria Wei Li Fatima Ahmed Olga Ivan Kwame Amina Sofia Hiroshi Pedro Ana Omar Layla "
    "Yusuf Elena Dmitri Chen Priya Rahul Aisha Jean Pierre Carlos Lucia Mehmet Zeynep Ngozi Juan "
    "Anna Lars Ingrid Tomasz Katarzyna Nguyen Thi Minh Abdul Karim Samira Hassan Leila Mikhail"
)
LAST_NAMES = (
    "Smith Garcia Wang Zhang Haddad Khan Ivanova Petrov Mensah Diallo Rossi Sato Silva Santos "
    "Yilmaz Kaya Okafor Nwosu Muller Schmidt Novak Kowalski Tran Pham Rahman Hussain Ali Costa "
    "Dubois Martin Lopez Fernandez Nakamura Tanaka Kim Park Cohen Levi Jansen Berg Andersen"
)


def lists_hub(folder: Path) -> Hub:
    hub = Hub.open(Settings(data_dir=folder, mode="demo"))
    migrate.upgrade(hub.db)
    un = SHARED / "un-consolidated" / "consolidated.xml"
    load(hub, OPERATOR, "un", un if un.exists() else None)
    load(hub, OPERATOR, "ofac-sdn", SHARED / "ofac-sdn")
    return hub


def variant(name: str, rng: random.Random) -> str:
    words = name.split()
    kind = rng.randrange(4)
    if kind == 0 and len(words) > 1:
        rng.shuffle(words)
    elif kind == 1:
        at = rng.randrange(len(words))
        cut = rng.randrange(max(len(words[at]), 1))
        words[at] = words[at][:cut] + words[at][cut + 1 :]
    elif kind == 2:
        words = [w.upper() if rng.random() < 0.5 else w.lower() for w in words]
    return " ".join(words)


def write_input(path: Path, screener: Screener, rows: int) -> None:
    rng = random.Random(2024)
    entries = screener.matcher.index.entries
    first, last = FIRST_NAMES.split(), LAST_NAMES.split()
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["id", "name", "type", "birth_date", "nationality"])
        for n in range(rows):
            if n % 3 == 0:
                entry = rng.choice(entries)
                name = variant(rng.choice(entry.names), rng)
                born = entry.birth_dates[0][:4] if entry.birth_dates and n % 2 else ""
                country = entry.countries[0] if entry.countries and n % 5 == 0 else ""
                writer.writerow([f"b{n}", name, entry.schema if n % 4 == 0 else "", born, country])
            else:
                middle = f" {rng.choice(first)}" if n % 7 == 0 else ""
                name = f"{rng.choice(first)}{middle} {rng.choice(last)}"
                writer.writerow([f"b{n}", name, "person", str(rng.randrange(1940, 2005)), ""])


def tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def run_cli(folder: Path, args: list[str]) -> tuple[float, int, str]:
    """Seconds, peak tree RSS and stderr of one CLI run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")}
    env |= {"CTHUB_DATA_DIR": str(folder), "CTHUB_MODE": "demo", "PYTHONHASHSEED": "0"}
    start = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own CLI
        [CLI, "screening", "screen", *args], env=env, stderr=subprocess.PIPE, text=True
    )
    peak = 0

    def sample() -> None:
        nonlocal peak
        while proc.poll() is None:
            peak = max(peak, tree_rss(proc.pid))
            time.sleep(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"cthub {' '.join(args)} failed:\n{stderr}")
    return time.perf_counter() - start, peak, stderr


def report(results: list[tuple[str, float, int, int, Path]], rows: int, workers: int) -> None:
    scale = 1_000_000 / rows
    print(f"\n{'engine':<14}{'rows/s':>10}{'total s':>10}{'1M rows s':>11}{'peak RSS MiB':>14}"
          f"{'hits':>11}  target (1M < {TARGET_S // 60} min)")  # fmt: skip
    for engine, seconds, peak, hits, _ in results:
        label = f"{engine} ({workers})"
        per_million = seconds * scale
        verdict = "met" if per_million < TARGET_S else "MISSED"
        print(f"{label:<14}{rows / seconds:>10,.0f}{seconds:>10.0f}{per_million:>11.0f}"
              f"{peak / 2**20:>14,.0f}{hits:>11,}  {verdict}")  # fmt: skip
    if len(results) == 2:
        same = filecmp.cmp(results[0][4], results[1][4], shallow=False)
        print(f"\noutputs identical: {'yes' if same else 'NO'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--engines", default="local,spark")
    args = parser.parse_args()
    if not (SHARED / "ofac-sdn" / "sdn.csv").exists():
        print(f"no OFAC SDN data under {SHARED}: this benchmark needs it", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="cthub-million-"))
    hub = lists_hub(folder)
    tracemalloc.start()
    screener = build_matcher(hub, OPERATOR)
    matcher_mib = tracemalloc.get_traced_memory()[0] / 2**20
    tracemalloc.stop()
    pickled_mib = len(pickle.dumps(screener, protocol=5)) / 2**20
    source = folder / "in.csv"
    write_input(source, screener, args.rows)
    print(f"{args.rows:,} rows, {screener.entries:,} entries of {', '.join(screener.lists)}")
    print(f"matcher: {matcher_mib:.0f} MiB (tracemalloc), {pickled_mib:.1f} MiB pickled")
    results = []
    for engine in args.engines.split(","):
        out = folder / f"out-{engine}.csv"
        extra = ["--engine", "spark"] if engine == "spark" else []
        cli = ["--input", str(source), "--output", str(out), "--workers", str(args.workers)]
        seconds, peak, _ = run_cli(folder, cli + extra)
        hits = sum(1 for _ in out.open(encoding="utf-8")) - 1
        results.append((engine, seconds, peak, hits, out))
        print(f"{engine}: {seconds:.0f} s", flush=True)
    report(results, args.rows, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
