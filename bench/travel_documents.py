"""Benchmark: the lost/stolen document index (cthub.travel.documents) and MRZ checking.

Synthetic SLTD-like list: ``--size`` documents (default 10 M) over 275 issuers, numbers shaped
like passports (letter + 8 digits, 9 digits, 2 letters + 7 digits) and 10 % 12-digit ID card
numbers (the hashed, verified keys). Measured: build time from Python lists, RSS growth after
the build and its peak (sampled from /proc/self/statm), index bytes, save/load, vectorised
lookups/s (half listed, half not, with normalisation), scalar lookups/s with and without
near-miss variants, and TD3 zones parsed and checked per second.
Baseline in the same run: a Python ``set`` of ``"ISO3:number"`` strings at ``--baseline-size``
(default 1 M), its memory extrapolated linearly to ``--size``.
Run: ``.venv/bin/python bench/travel_documents.py [--size 10000000] [--queries 1000000]``.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import gc
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from cthub.travel.documents import STATUSES, DocumentIndex, issuer_codes, normalise
from cthub.travel.mrz import make_td3, parse

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1 << 20


def trim() -> None:
    """Return freed heap pages to the OS (glibc), so RSS differences show what is held."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * PAGE


class PeakRss:
    """Samples RSS every 5 ms while the block runs."""

    def __enter__(self) -> PeakRss:
        self.peak = rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss())


def numbers(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    alphabet = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", dtype=np.uint8)
    letters = np.frombuffer(b"CFGHJKLMNPRTVWXYZ", dtype=np.uint8)
    chars = np.full((count, 12), ord(" "), dtype=np.uint8)
    chars[:, :9] = alphabet[rng.integers(0, 10, size=(count, 9))]
    shape = rng.random(count)
    passport = shape < 0.45
    chars[passport, 0] = letters[rng.integers(0, len(letters), int(passport.sum()))]
    two = (shape >= 0.75) & (shape < 0.9)
    chars[two, :2] = letters[rng.integers(0, len(letters), (int(two.sum()), 2))]
    long_id = shape >= 0.9
    chars[long_id, 9:] = alphabet[rng.integers(0, 10, (int(long_id.sum()), 3))]
    text = chars.view("S12").ravel().astype("U12")
    return [value.rstrip() for value in text.tolist()]


def table(rows: list[tuple[str, str, str]]) -> None:
    header = ("measure", "cthub DocumentIndex", "baseline: Python set of 'ISO3:number'")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--baseline-size", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--scalar", type=int, default=20_000)
    parser.add_argument("--mrz", type=int, default=50_000)
    args = parser.parse_args()
    size = args.size

    print(f"generating {size:,} synthetic documents ...", flush=True)
    started = time.perf_counter()
    listed = numbers(size, 1)
    codes = issuer_codes()
    rng = np.random.default_rng(2)
    countries = [codes[i] for i in rng.integers(0, len(codes), size).tolist()]
    statuses = [STATUSES[i] for i in rng.integers(0, len(STATUSES), size).tolist()]
    types = [("passport", "id_card", "P", "I", "")[i] for i in rng.integers(0, 5, size).tolist()]
    days = [dt.date(2002, 1, 1) + dt.timedelta(days=i) for i in range(8400)]
    reported = [days[i] for i in rng.integers(0, len(days), size).tolist()]
    print(f"  ({time.perf_counter() - started:.1f} s)\n", flush=True)

    gc.collect()
    trim()  # hand the generator's freed heap back first, or the build would reuse it unseen
    before = rss()
    with PeakRss() as peak:
        started, cpu = time.perf_counter(), time.process_time()
        index = DocumentIndex.from_columns(listed, countries, statuses, types, reported)
        build_s, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    gc.collect()
    growth = rss() - before
    peak_growth = peak.peak - before

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "documents.npz"
        started = time.perf_counter()
        index.save(path)
        save_s = time.perf_counter() - started
        file_size = path.stat().st_size
        started = time.perf_counter()
        mapped = DocumentIndex.load(path)
        load_s = time.perf_counter() - started
        first = mapped.lookup_many(listed[:1000], countries[:1000]).found.all()
        del mapped

    # vectorised: half listed, half not listed (another seed; a few may collide for real)
    half = args.queries // 2
    picks = rng.integers(0, size, half)
    query_numbers = [listed[i] for i in picks.tolist()] + numbers(args.queries - half, 3)
    query_countries = [countries[i] for i in picks.tolist()] + [
        codes[i] for i in rng.integers(0, len(codes), args.queries - half).tolist()
    ]
    started, cpu = time.perf_counter(), time.process_time()
    result = index.lookup_many(query_numbers, query_countries)
    batch_s, batch_cpu = time.perf_counter() - started, time.process_time() - cpu
    found_listed = int(result.found[:half].sum())
    found_other = int(result.found[half:].sum())

    sample = list(zip(query_numbers[: args.scalar], query_countries[: args.scalar], strict=True))
    started = time.process_time()
    for number, country in sample:
        index.lookup(number, country)
    scalar_s = time.process_time() - started
    started = time.process_time()
    for number, country in sample:
        index.lookup(number, country, near_misses=False)
    scalar_exact_s = time.process_time() - started

    # baseline: a set of "ISO3:number" strings at baseline size, extrapolated
    base_n = min(args.baseline_size, size)
    started = time.process_time()
    baseline = {f"{c}:{n}" for c, n in zip(countries[:base_n], listed[:base_n], strict=True)}
    base_build_s = time.process_time() - started
    # the set's table plus its string objects (RSS would hide it in freed heap of the build)
    base_growth = sys.getsizeof(baseline) + sum(map(sys.getsizeof, baseline))
    base_queries = list(zip(query_numbers, query_countries, strict=True))[: min(base_n, 500_000)]
    started = time.process_time()
    base_found = sum(f"{c}:{normalise(n)}" in baseline for n, c in base_queries)
    base_lookup_s = time.process_time() - started
    scale = size / base_n
    del baseline

    # MRZ: generate TD3 zones, then parse and check them
    mrz_rng = random.Random(5)
    zones = [
        make_td3(
            document_number=listed[i][:9],
            surname="".join(mrz_rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(8)),
            given_names="ANNA MARIA",
            nationality=countries[i] if len(countries[i]) == 3 else "UTO",
            birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=mrz_rng.randrange(25000)),
            sex=mrz_rng.choice("FM"),
            expiry_date=dt.date(2025, 1, 1) + dt.timedelta(days=mrz_rng.randrange(3650)),
        )
        for i in range(min(args.mrz, 10_000))
    ]
    started = time.process_time()
    valid = 0
    for k in range(args.mrz):
        valid += parse(zones[k % len(zones)]).valid
    checked = args.mrz
    mrz_s = time.process_time() - started

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{size:,} documents, {args.queries:,} vectorised queries, {len(sample):,} scalar")
    print(f"{os.cpu_count()} CPUs, load average now {load} (other work slows wall times)\n")
    table(
        [
            (
                f"build {size:,}",
                f"{build_s:.1f} s (CPU {build_cpu:.1f} s)",
                f"CPU {base_build_s * scale:.1f} s (from {base_n:,}: {base_build_s:.2f} s)",
            ),
            (
                "RSS growth after build (baseline: set + strings)",
                f"{growth / MIB:.0f} MiB",
                f"{base_growth * scale / MIB:.0f} MiB (extrapolated; {base_growth / MIB:.0f} MiB"
                f" at {base_n:,})",
            ),
            ("peak RSS growth during build", f"{peak_growth / MIB:.0f} MiB", "-"),
            ("index bytes", f"{index.nbytes / MIB:.0f} MiB ({index.nbytes / size:.1f} B/doc)", "-"),
            (
                "save / load (.npz, mmap)",
                f"{save_s:.2f} s / {load_s * 1000:.1f} ms, {file_size / MIB:.0f} MiB"
                f" (found after load: {first})",
                "-",
            ),
            (
                "vectorised lookups/s (wall; per CPU second)",
                f"{args.queries / batch_s:,.0f}; {args.queries / batch_cpu:,.0f}",
                f"{len(base_queries) / base_lookup_s:,.0f} per CPU second (loop: normalise + 'in')",
            ),
            (
                "scalar lookups per CPU second, with near misses",
                f"{len(sample) / scalar_s:,.0f}",
                "-",
            ),
            (
                "scalar lookups per CPU second, exact only",
                f"{len(sample) / scalar_exact_s:,.0f}",
                "-",
            ),
            (
                f"hits: listed half / unlisted half (baseline holds {base_n:,})",
                f"{found_listed:,}/{half:,} / {found_other:,}",
                f"{base_found:,} of {len(base_queries):,}",
            ),
            (
                "MRZ TD3 parse + check per CPU second",
                f"{checked / mrz_s:,.0f} ({valid:,} valid)",
                "-",
            ),
        ]
    )
    print(
        "\nunlisted half: random numbers of the same shapes; a hit there is a real collision"
        " with a listed number of the same issuer, not a false hit."
    )


if __name__ == "__main__":
    main()
