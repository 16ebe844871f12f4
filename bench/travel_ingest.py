"""Travel ingest speed: EDIFACT tokenise + map + validate, without storage.

* PAXLST: the synthetic 180-passenger D:05B manifest, replicated to ``--passengers`` (default
  20,000) by repeating its passenger groups in one message; passengers/s per core
  (target >= 20,000/s);
* PNRGOV: ``bigbigPnr.txt`` (47 PNRs) and ``pnrWithBags.txt`` (127 PNRs); PNR/s per core
  (target >= 5,000/s).

Times are CPU seconds of one process (``time.process_time``), best of several rounds, i.e. per
core. Baseline in the same run: pydifact's ``Interchange.from_str`` (tokenising only, no
mapping) with the interpreter at ``$CTHUB_PYDIFACT_PYTHON`` or ``/tmp/pdvenv/bin/python``
(``python3 -m venv /tmp/pdvenv && /tmp/pdvenv/bin/pip install pydifact``); "not measured" when
that interpreter is missing or fails.

Run: ``.venv/bin/python bench/travel_ingest.py [--passengers 20000] [--rounds 5]``.
"""

# ruff: noqa: S603, S108 - runs the pydifact baseline venv at a known scratch path

from __future__ import annotations

import argparse
import functools
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cthub.travel.edifact.interchange import clear_caches
from cthub.travel.parse import parse_bytes

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "travel"
SYNTHETIC = FIXTURES / "synthetic" / "XY0123-IST-AMM-180pax-PAXLST-D05B.edi"
PNR_FILES = [FIXTURES / "pnrgov" / "bigbigPnr.txt", FIXTURES / "pnrgov" / "pnrWithBags.txt"]
PYDIFACT = os.environ.get("CTHUB_PYDIFACT_PYTHON", "/tmp/pdvenv/bin/python")

_BASELINE = r"""
import json, sys, time, warnings
warnings.simplefilter("ignore")
from pydifact.segmentcollection import Interchange
rounds = int(sys.argv[1])
out = {}
for path in sys.argv[2:]:
    text = open(path, encoding="latin-1").read()
    try:
        Interchange.from_str(text)
    except Exception as exc:
        out[path] = "failed: " + type(exc).__name__
        continue
    best = None
    n = 1
    while True:
        t = time.process_time()
        for _ in range(n):
            Interchange.from_str(text)
        dt = time.process_time() - t
        if dt > 0.2 or n >= 64:
            break
        n *= 2
    best = dt / n
    for _ in range(rounds - 1):
        t = time.process_time()
        for _ in range(n):
            Interchange.from_str(text)
        best = min(best, (time.process_time() - t) / n)
    out[path] = best
print(json.dumps(out))
"""


def replicate(data: bytes, passengers: int) -> bytes:
    """One message with ``passengers`` travellers cut from the synthetic file's groups."""
    lines = data.decode("latin-1").split("'\n")
    first = next(i for i, x in enumerate(lines) if x.startswith("NAD+FL"))
    cnt = next(i for i, x in enumerate(lines) if x.startswith("CNT"))
    groups: list[list[str]] = []
    for x in lines[first:cnt]:
        if x.startswith("NAD+FL"):
            groups.append([])
        groups[-1].append(x)
    body = [x for k in range(passengers) for x in groups[k % len(groups)]]
    unh = next(i for i, x in enumerate(lines) if x.startswith("UNH"))
    seg = [*lines[unh:first], *body, f"CNT+42:{passengers}"]
    unt = lines[cnt + 1].split("+")
    seg.append(f"UNT+{len(seg) + 1}+{unt[2]}")
    out = [*lines[:unh], *seg, *(x for x in lines[cnt + 2 :] if x.strip())]
    return ("'\n".join(out) + "'\n").encode("latin-1")


def cold_parse(data: bytes, name: str) -> None:
    """One parse with the date caches emptied first, so no result carries over between runs."""
    clear_caches()
    parse_bytes(data, name)


def cpu_best(fn: Callable[[], object], rounds: int) -> float:
    """Best CPU seconds per call over ``rounds`` rounds of a self-calibrated loop."""
    n = 1
    while True:
        t = time.process_time()
        for _ in range(n):
            fn()
        spent = time.process_time() - t
        if spent > 0.2 or n >= 64:
            break
        n *= 2
    best = spent / n
    for _ in range(rounds - 1):
        t = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - t) / n)
    return best


def baseline(paths: list[Path], rounds: int) -> dict[str, float | str]:
    if not Path(PYDIFACT).exists():
        return {str(p): f"not measured ({PYDIFACT} missing)" for p in paths}
    try:
        done = subprocess.run(
            [PYDIFACT, "-c", _BASELINE, str(rounds), *map(str, paths)],
            capture_output=True,
            text=True,
            timeout=900,
            check=True,
        )
        result: dict[str, float | str] = json.loads(done.stdout)
    except (subprocess.SubprocessError, OSError, ValueError) as exc:
        return {str(p): f"not measured ({type(exc).__name__})" for p in paths}
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--passengers", type=int, default=20_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="travel-ingest-"))
    big = tmp / f"XY0123-{args.passengers}pax.edi"
    big.write_bytes(replicate(SYNTHETIC.read_bytes(), args.passengers))
    work: list[tuple[str, Path, str, int, float]] = []  # label, file, unit, units, target
    for path, target in [(SYNTHETIC, 20_000.0), (big, 20_000.0)]:
        r = parse_bytes(path.read_bytes(), path.name)
        n = sum(len(m.passengers) for m in r.messages)
        work.append((f"PAXLST {path.name}", path, "passengers", n, target))
    for path in PNR_FILES:
        r = parse_bytes(path.read_bytes(), path.name)
        n = sum(len(m.pnrs) for m in r.messages)
        work.append((f"PNRGOV {path.name}", path, "PNRs", n, 5_000.0))
    base = baseline([w[1] for w in work], args.rounds)
    version = sys.version.split()[0]
    print(f"travel ingest: tokenise + map + validate, CPU time of one process, python {version}")
    head = (
        f"{'workload':<44} {'units':>7} {'cthub/s':>10} {'pydifact/s':>11} {'x':>6}"
        f" {'target':>7}  met"
    )
    print(head)
    print("-" * len(head))
    for label, path, unit, n, target in work:
        data = path.read_bytes()
        sec = cpu_best(functools.partial(cold_parse, data, path.name), args.rounds)
        rate = n / sec
        b = base.get(str(path))
        if isinstance(b, float) and b > 0:
            brate = f"{n / b:,.0f}"
            ratio = f"{b / sec:.1f}"
        else:
            brate, ratio = "not measured", "-"
        met = "yes" if rate >= target else "NO"
        print(
            f"{label:<44} {n:>7,} {rate:>10,.0f} {brate:>11} {ratio:>6} {target:>7,.0f}  {met}"
            f"  ({unit})"
        )
    notes = {str(p): v for p, v in base.items() if isinstance(v, str)}
    for path_s, why in notes.items():
        print(f"baseline {Path(path_s).name}: {why}")
    print("pydifact: Interchange.from_str only (no PAXLST/PNRGOV mapping, no validation).")
    for path in PNR_FILES:
        n, rate = stored_rate(path, args.rounds)
        print(f"PNRGOV {path.name} ingest + store (SQLite, first pushes): {n} PNRs, "
              f"{rate:,.0f} PNR/s per core (target 5,000)")  # fmt: skip
    print("PAXLST ingest + store: bench/travel_checks.py (a synthetic day, 20,000 passengers).")


def stored_rate(path: Path, rounds: int) -> tuple[int, float]:
    """PNRs/s of ``service.ingest`` (parse + store + audit, one transaction) of a file whose
    PNRs are new, into a database that already took another file (warm caches)."""
    from cthub.core import migrate
    from cthub.core.config import Settings
    from cthub.core.hub import Hub
    from cthub.core.policy import Actor
    from cthub.travel import service

    op = Actor.system("bench")
    warm = next(p for p in PNR_FILES if p != path)
    best, n = float("inf"), 0
    for _ in range(rounds):
        hub = Hub.open(Settings(data_dir=Path(tempfile.mkdtemp(prefix="pnr-")), mode="demo"))
        migrate.upgrade(hub.db)
        service.ingest(hub, op, warm.name, warm.read_bytes())
        t = time.process_time()
        n = service.ingest(hub, op, path.name, path.read_bytes()).stored.pnrs
        best = min(best, time.process_time() - t)
        hub.close()
    return n, n / best


if __name__ == "__main__":
    main()
