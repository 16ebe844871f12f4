"""Benchmark: crypto-asset address lookups against the full OFAC address list (AddressIndex).

Listed: the OFAC SDN "Digital Currency Address" list of 2025-11 (758 addresses, 19 chains, from
``../shared/data/ownership/ofac-crypto-addresses`` or the test fixture copy) plus the July 2021
CSV remarks with their holders (97), padded with ``--padding`` synthetic valid addresses
(default 100,000: EVM, bech32, base58check Bitcoin and TRON) so the table is not a toy.
Queries (``--queries``, default 1,000,000): 10 % listed as written, 10 % listed in another case
(EVM upper/lower, bech32 upper, cashaddr upper with prefix, and base58 swapped case, which must
NOT match), 80 % unlisted valid addresses of the same shapes. Measured: build time and memory
(tracemalloc); vectorised lookups/s from a Python list and from an Arrow array (wall and CPU; each
hit becomes an ``AddressHit``, 15 % of queries here, far more than in real traffic), the same
at a realistic 0.1 % listed, and the ``contains`` mask alone (no Python objects: what a filter
or join needs); scalar ``lookup_one``/s; full ``normalise`` (checksums) per second; the hit
counts. Each lookup measure is the best of ``--repeat`` runs after a warm-up.
Baseline in the same run: a plain ``dict`` and a Python loop of ``comparison_key`` + ``get``.
Target: 10^6 lookups/s. Run: ``.venv/bin/python bench/ownership_addresses.py [--queries N]``.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import os
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyarrow as pa

from cthub.ownership.addresses import (
    AddressIndex,
    ListedAddress,
    base58,
    comparison_key,
    from_file,
)
from cthub.ownership.addresses.bech32 import segwit_encode
from cthub.ownership.addresses.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
FIXTURES = ROOT / "tests" / "fixtures" / "ownership" / "addresses"
MIB = 1 << 20


def source(shared: Path, fixture: Path) -> Path:
    return shared if shared.exists() else fixture


def synthetic(n: int, rng: random.Random) -> list[tuple[str, str]]:
    """``n`` valid ``(address, chain)``: a quarter each EVM, bech32, Bitcoin P2PKH, TRON."""
    out = []
    for i in range(n):
        digest = hashlib.sha256(rng.randbytes(16)).digest()[:20]
        kind = i % 4
        if kind == 0:
            out.append(("0x" + digest.hex(), "ETH"))
        elif kind == 1:
            out.append((segwit_encode("bc", 0, digest), "XBT"))
        elif kind == 2:
            out.append((base58.encode_check(b"\x00" + digest), "XBT"))
        else:
            out.append((base58.encode_check(b"\x41" + digest), "TRX"))
    return out


def other_case(address: str) -> str:
    low = address.lower()
    if low.startswith("0x"):
        return "0x" + address[2:].swapcase()
    if low.startswith(("bc1", "ltc1", "bnb1")) or (low[:1] in "qp" and len(low) == 42):
        return "bitcoincash:" + address.upper() if low[:1] in "qp" else address.upper()
    return address.swapcase()  # base58: another address, must not match


T = TypeVar("T")


def best_of(repeat: int, run: Callable[[], T]) -> tuple[T, float, float]:
    """The result and the best wall and CPU seconds of ``repeat`` runs."""
    best_wall = best_cpu = float("inf")
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = run()
        best_wall = min(best_wall, time.perf_counter() - started)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return result, best_wall, best_cpu


def table(rows: list[tuple[str, str, str]]) -> None:
    header = ("measure", "cthub AddressIndex", "baseline: dict + Python loop")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(3)]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--padding", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1_000_000)
    parser.add_argument("--scalar", type=int, default=100_000)
    parser.add_argument("--validate", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="best of N runs per measure")
    args = parser.parse_args()
    rng = random.Random(20261)

    listed = [
        *from_file(source(SHARED / "ownership" / "ofac-crypto-addresses",
                          FIXTURES / "ofac-addresses-2025-11")),
        *from_file(source(SHARED / "ofac-sdn", FIXTURES / "ofac-csv")),
    ]  # fmt: skip
    real = len(listed)
    pad = synthetic(args.padding, rng)
    listed += [ListedAddress(a, c, "synthetic", f"S{i}") for i, (a, c) in enumerate(pad)]

    AddressIndex(listed[:100]).lookup(["warm-up"])  # Arrow's first kernel calls are slow
    gc.collect()
    started, cpu = time.perf_counter(), time.process_time()
    index = AddressIndex(listed)
    build_s, build_cpu = time.perf_counter() - started, time.process_time() - cpu
    del index
    gc.collect()
    tracemalloc.start()
    index = AddressIndex(listed)  # again, traced: what the index holds, and its peak
    gc.collect()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    n = args.queries
    tenth = n // 10
    names = [r.address for r in listed]
    as_listed = [names[rng.randrange(len(names))] for _ in range(tenth)]
    recased = [other_case(names[rng.randrange(len(names))]) for _ in range(tenth)]
    unlisted = [a for a, _ in synthetic(n - 2 * tenth, random.Random(7))]
    queries = as_listed + recased + unlisted
    rng.shuffle(queries)
    must_hit = sum(1 for q in as_listed) + sum(
        1 for q in recased if q.lower().startswith(("0x", "bc1", "ltc1", "bnb1", "bitcoincash:"))
    )

    index.lookup(queries[:100_000])  # warm-up: the allocator's first growth is not lookups
    hits, list_s, list_cpu = best_of(args.repeat, lambda: index.lookup(queries))
    array = pa.array(queries, pa.string())
    _, arrow_s, arrow_cpu = best_of(args.repeat, lambda: index.lookup(array))
    mask, mask_s, mask_cpu = best_of(args.repeat, lambda: index.contains(array))
    rare = pa.array(as_listed[: n // 1000] + unlisted[: n - n // 1000], pa.string())
    rare_hits, rare_s, rare_cpu = best_of(args.repeat, lambda: index.lookup(rare))
    found = len({h.position for h in hits})

    sample = queries[: args.scalar]
    started = time.process_time()
    for q in sample:
        index.lookup_one(q)
    scalar_s = time.process_time() - started

    tracemalloc.start()
    plain = {comparison_key(r.address): r for r in listed}
    plain_bytes = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    base, base_s, _ = best_of(
        args.repeat, lambda: [q for q in queries if plain.get(comparison_key(q)) is not None]
    )
    base_found = len(base)

    checked = queries[: args.validate]
    started = time.process_time()
    bad = sum(1 for q in checked if not normalise(q).valid)
    validate_s = time.process_time() - started

    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{real:,} OFAC addresses + {args.padding:,} synthetic = {len(listed):,} listed, "
          f"{len(index):,} keys; {n:,} queries")  # fmt: skip
    print(f"{os.cpu_count()} CPUs, load average now {load} (other work slows wall times)\n")
    table(
        [
            ("build", f"{build_s:.2f} s (CPU {build_cpu:.2f} s)", "-"),
            (
                "memory held by the index (tracemalloc; peak during build)",
                f"{held / MIB:.0f} MiB ({held / len(listed):,.0f} B/address); {peak / MIB:.0f} MiB",
                f"{plain_bytes / MIB:.0f} MiB (dict of key -> record, records shared)",
            ),
            (
                "lookups/s from a Python list (wall; per CPU second)",
                f"{n / list_s:,.0f}; {n / list_cpu:,.0f}",
                f"{n / base_s:,.0f} (wall)",
            ),
            (
                "lookups/s from an Arrow array (wall; per CPU second)",
                f"{n / arrow_s:,.0f}; {n / arrow_cpu:,.0f}",
                "-",
            ),
            (
                "lookups/s at 0.1 % listed, Arrow array (wall; per CPU second)",
                f"{len(rare) / rare_s:,.0f}; {len(rare) / rare_cpu:,.0f} ({len(rare_hits):,} hits)",
                "-",
            ),
            (
                "contains() mask from an Arrow array (wall; per CPU second)",
                f"{n / mask_s:,.0f}; {n / mask_cpu:,.0f} ({mask.true_count:,} listed)",
                "-",
            ),
            ("scalar lookup_one per CPU second", f"{len(sample) / scalar_s:,.0f}", "-"),
            (
                "queries found (expected: listed + recased EVM/bech32/cashaddr)",
                f"{found:,} (expected {must_hit:,}; {len(hits):,} hits)",
                f"{base_found:,}",
            ),
            (
                "normalise (all checksums) per CPU second",
                f"{len(checked) / validate_s:,.0f} ({bad:,} of {len(checked):,} with problems)",
                "-",
            ),
        ]
    )
    print("\nrecased base58 queries (10 % less the EVM/bech32/cashaddr ones) must not match:")
    print("base58 is case-sensitive, so a swapped-case address is another (invalid) one.")


if __name__ == "__main__":
    main()
