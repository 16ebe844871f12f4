"""Watchlist PSI (ECDH on Ristretto255): time per phase, throughput, correctness, message sizes.

For each size (default 10,000 and 100,000 identifiers per side, ``--size N`` for one), two
synthetic watchlists share 10 % of their entries: person names with birth dates, passports,
national IDs, IBANs (valid mod-97) and wallet addresses, normalised with
``cthub.exchange.identifiers``. Both parties run on this machine, one after the other, each on
``--workers`` threads (default: all cores), as in a benchmark:

* blind: initiator A hashes its items to the group and blinds them (round 1);
* respond: responder B re-blinds A's points and blinds its own items (round 2);
* finish: A blinds B's points and intersects (``PsiInitiator.finish``);
* json: both messages to JSON and back; MB: the JSON size of round 1 and of round 2.

Correctness: the indices A learns equal the planted common entries. Target: 100,000 x
100,000 in under 30 s on 2 cores. Baseline in the same run, labelled "insecure baseline
(shared-salt hashing)": both sides SHA-256 their items with a shared salt and compare digests,
which any holder of the salt can brute-force over likely identifiers. A second table times the
scalar multiplication kernel on 20,000 points on 1 thread, ``--workers`` threads and as many
processes, the evidence for using threads.

Run: ``.venv/bin/python bench/exchange_psi.py [--size 100000] [--workers 2]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import secrets
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar

from cthub.exchange import psi
from cthub.exchange.identifiers import identifier
from cthub.exchange.psi import Blinded, PsiInitiator, PsiResponder, Reply

T = TypeVar("T")
SIZES = (10_000, 100_000)
OVERLAP = 0.10
SEED = 20260
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_GIVEN = ["José", "Zoë", "Ahmed", "Li", "Ивan", "François", "Nguyễn", "Søren", "Ana", "Omar"]
_FAMILY = ["Müller", "García-López", "O'Brien", "Wang", "Đặng", "Petrov", "Çelik", "Smith"]


def iban(rng: random.Random) -> str:
    """A German-format IBAN with correct mod-97 check digits, grouped by four."""
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    digits = int("".join(str(int(c, 36)) for c in bban + "DE00"))
    raw = f"DE{98 - digits % 97:02d}{bban}"
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def raw_entry(rng: random.Random) -> tuple[str, str, dict[str, str]]:
    """One watchlist entry as written by an analyst: (kind, value, extra fields)."""
    kind = rng.choice(["name", "name", "passport", "national_id", "iban", "wallet"])
    if kind == "name":
        words = [rng.choice(_GIVEN), rng.choice(_FAMILY), f"{rng.randrange(10**6):06d}"]
        date = f"{rng.randrange(1940, 2005)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        return kind, " ".join(words), {"birth_date": date}
    if kind in ("passport", "national_id"):
        number = f"{rng.randrange(10**9):09d}"
        return (
            kind,
            f"{number[:3]} {number[3:6]}-{number[6:]}",
            {"country": rng.choice(["FR", "CN"])},
        )
    if kind == "iban":
        return kind, iban(rng), {}
    if rng.random() < 0.5:
        return kind, "0x" + secrets.token_hex(20).upper(), {}
    return kind, "1" + "".join(rng.choice(_BASE58) for _ in range(33)), {}


def watchlists(n: int) -> tuple[list[bytes], list[bytes], set[int], float]:
    """Lists A and B of ``n`` items sharing ``OVERLAP``, A's common indices, normalise seconds."""
    rng = random.Random(SEED + n)
    entries = [raw_entry(rng) for _ in range(2 * n - int(n * OVERLAP))]
    start = time.perf_counter()
    items = [identifier(kind, value, **extra) for kind, value, extra in entries]
    seconds = time.perf_counter() - start
    common = int(n * OVERLAP)
    a, b = items[:n], items[n - common :]
    rng.shuffle(b)
    in_b = set(b)  # the planted 10 %, plus any chance collision of the generator
    return a, b, {i for i, item in enumerate(a) if item in in_b}, seconds


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def psi_row(n: int, workers: int) -> None:
    """Run the protocol once on n x n and print its row and the baseline's."""
    a_items, b_items, expected, normalise_s = watchlists(n)
    initiator = PsiInitiator(a_items, workers=workers)
    blinded, blind_s = timed(initiator.blind)
    responder = PsiResponder(b_items, workers=workers)
    reply, respond_s = timed(lambda: responder.respond(blinded))
    found, finish_s = timed(lambda: initiator.finish(reply))
    (round1, round2), json_s = timed(lambda: roundtrip(blinded, reply))
    total = blind_s + respond_s + finish_s
    ok = "yes" if set(found) == expected and len(found) == len(expected) else "NO"
    print(
        f"{n:>9,} {'cthub ECDH PSI (Ristretto255)':<40} {blind_s:7.2f} {respond_s:8.2f} "
        f"{finish_s:7.2f} {total:7.2f} {2 * n / total:>9,.0f} {ok:>7} {json_s:6.2f} "
        f"{round1 / 1e6:6.1f} {round2 / 1e6:6.1f}"
    )
    common, base_s = timed(lambda: salted_hash_intersection(a_items, b_items))
    ok = "yes" if common == expected else "NO"
    print(
        f"{n:>9,} {'insecure baseline (shared-salt hashing)':<40} {'':>7} {'':>8} {'':>7} "
        f"{base_s:7.2f} {2 * n / base_s:>9,.0f} {ok:>7} {'':>6} {32 * n / 1e6:6.1f} "
        f"{32 * n / 1e6:6.1f}"
    )
    count = len(a_items) + len(b_items)
    print(f"{'':>9} (normalising the {count:,} identifiers: {normalise_s:.2f} s)")


def roundtrip(blinded: Blinded, reply: Reply) -> tuple[int, int]:
    """JSON sizes of both messages after a full encode/decode round trip."""
    text1, text2 = json.dumps(blinded.to_json()), json.dumps(reply.to_json())
    assert Blinded.from_json(json.loads(text1)) == blinded
    assert Reply.from_json(json.loads(text2)) == reply
    return len(text1), len(text2)


def salted_hash_intersection(a_items: list[bytes], b_items: list[bytes]) -> set[int]:
    """A's indices whose SHA-256(salt + item) B also sent: fast, and guessable by salt holders."""
    salt = secrets.token_bytes(16)
    theirs = {hashlib.sha256(salt + item).digest() for item in b_items}
    return {i for i, item in enumerate(a_items) if hashlib.sha256(salt + item).digest() in theirs}


def parallel_table(workers: int, count: int = 20_000) -> None:
    """Scalar multiplications/s of the blinding kernel: 1 thread, threads, processes."""
    points = psi._parallel(psi._hash_and_blind, b"", [b"%d" % i for i in range(count)], workers)
    scalar = psi.new_scalar()
    print(f"\nScalar multiplication kernel, {count:,} points (mult/s):")
    for label, run in (
        ("1 thread", lambda: psi._parallel(psi._blind_points, scalar, points, 1)),
        (f"{workers} threads", lambda: psi._parallel(psi._blind_points, scalar, points, workers)),
        (f"{workers} processes", lambda: processes(scalar, points, workers)),
    ):
        result, seconds = timed(run)
        assert len(result) == len(points)
        print(f"  {label:<14} {count / seconds:>9,.0f}")


def processes(scalar: bytes, points: bytes, workers: int) -> bytes:
    """The same kernel on a process pool (start-up included: a server would keep one)."""
    step = len(points) // psi.POINT_BYTES // (workers * 4) + 1
    starts = range(0, len(points) // psi.POINT_BYTES, step)
    chunks = [points[s * psi.POINT_BYTES : (s + step) * psi.POINT_BYTES] for s in starts]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return b"".join(pool.map(partial(psi._blind_points, scalar), starts, chunks))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=int, help="entries per side (default: 10,000 and 100,000)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    print(
        f"ECDH PSI on Ristretto255, {OVERLAP:.0%} overlap, {args.workers} worker threads, "
        f"{os.cpu_count()} cores; seconds per phase, MB of JSON per round"
    )
    head = (
        f"{'per side':>9} {'method':<40} {'blind':>7} {'respond':>8} {'finish':>7} "
        f"{'total':>7} {'elem/s':>9} {'correct':>7} {'json':>6} {'MB r1':>6} {'MB r2':>6}"
    )
    print(head + "\n" + "-" * len(head))
    for n in (args.size,) if args.size else SIZES:
        psi_row(n, args.workers)
    parallel_table(args.workers)


if __name__ == "__main__":
    main()
