"""Benchmark: real-time scoring, ``POST /api/finance/score``, through a real uvicorn server.

Generates a synthetic dataset (``cthub.finance.synth``, planted typologies; default 1,000,000
history rows plus the requests, over 250 days so dormancy can show), ingests the history into
a dataset of a fresh SQLite data folder with the bundled UN list loaded (the
sanctioned-counterparty rule screens names), creates an analyst API key and serves
``create_app`` with uvicorn in a child process on a loopback port (uvloop and httptools when
importable, else asyncio and h11). Then N requests (default 20,000), the transactions that
follow the history in time order, go out with concurrency C from one httpx AsyncClient per
connection; the first request loads the dataset's real-time state and is timed alone, a
warm-up of 500 follows, then the measured run. Reported: throughput, p50/p95/p99 latency,
the server's and the client's CPU per request (the machine is shared: CPU per request tells
what a quiet core would do), audit events per request and the server's RSS.

A second table times in-process (no HTTP): ``Scorer.load`` over the same history, the bare
``Scorer.score`` per transaction, and the audited service call ``score_transaction`` on a
warm scorer split into its steps (the API-key check the API adds, the audit unit alone).

Target (the issue): at least 1,000 transactions/s with p99 under 50 ms on loopback, 2 cores.
Baseline: Tazama's design goal of 3,000 tx/s at 35 ms (published figure; not run here).
Run: ``.venv/bin/python bench/finance_score_load.py [--rows 1000000] [--requests 20000]
[--concurrency 32]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson
from sqlalchemy import func, select

from cthub.core import accounts, audit, auth, migrate
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent
from cthub.finance import ingest_file, realtime
from cthub.finance.realtime import Scorer, parse, score_transaction, warm_scorer
from cthub.finance.realtime.base import Context
from cthub.finance.rules import library
from cthub.finance.synth import generate
from cthub.lists import load

SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - throwaway data
OPERATOR = Actor.system("bench")
DAYS = 250
PER_ACCOUNT_DAY = 0.55  # synthetic transactions per customer and day (measured)
WARM_UP = 500
TARGET_TPS, TARGET_P99_MS = 1000.0, 50.0
TAZAMA = "Tazama design goal: 3,000 tx/s at 35 ms (published, not run here)"
FIELDS = ("tx_id", "sender", "receiver", "amount_minor", "currency", "sender_name",
          "receiver_name", "sender_country", "receiver_country", "channel", "sender_type",
          "receiver_type", "sender_identifier")  # fmt: skip


def settings_for(folder: Path) -> Settings:
    url = f"sqlite:///{folder / 'cthub.db'}"
    return Settings(mode="development", data_dir=folder, database_url=url, secret_key=SECRET)


# --- data -------------------------------------------------------------------------------------


def make_data(
    rows: int, requests: int, folder: Path, seed: int
) -> tuple[Path, list[dict[str, Any]]]:
    """The history as Parquet, and the transactions after it as API bodies, in time order."""
    accounts_n = max(200, round((rows + requests) / (PER_ACCOUNT_DAY * DAYS)))
    whole = generate(accounts_n, DAYS, seed=seed).write(folder / "all.parquet")
    con = duckdb.connect()
    src = f"read_parquet('{whole}')"
    (total,) = con.execute(f"SELECT count(*) FROM {src}").fetchall()[0]  # noqa: S608
    cut = f"TX{max(0, total - requests):010d}"  # tx_ids follow time order
    history = folder / "history.parquet"
    con.execute(f"COPY (SELECT * FROM {src} WHERE tx_id < '{cut}') TO '{history}'")  # noqa: S608
    cols = ", ".join(FIELDS)
    rel = con.sql(f"SELECT {cols}, ts FROM {src} WHERE tx_id >= '{cut}' ORDER BY tx_id")  # noqa: S608
    bodies = []
    for row in rel.to_arrow_table().to_pylist():
        stamp: dt.datetime = row.pop("ts")
        bodies.append({**row, "timestamp": stamp.isoformat() + "Z"})
    con.close()
    return history, bodies


def prepare_hub(folder: Path, history: Path) -> tuple[str, Actor, float]:
    """Migrate, load the UN list, an organisation with an analyst key, the dataset ingested."""
    hub = Hub.open(settings_for(folder))
    migrate.upgrade(hub.db)
    load(hub, OPERATOR, "un", rescreen=False)
    org = accounts.create_org(hub, OPERATOR, "Bench FIU", "fiu")
    _, key = accounts.create_key(hub, OPERATOR, "bench-score", "analyst", org="Bench FIU")
    analyst = Actor("bench-analyst", "analyst", org.id, via="bench")
    start = time.perf_counter()
    ingest_file(hub, analyst, history, "bench")
    ingested = time.perf_counter() - start
    hub.close()
    return key, analyst, ingested


# --- the server (child process) ---------------------------------------------------------------


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def stack_of(stack: str) -> str:
    """The event loop and HTTP parser uvicorn runs with for ``--stack``."""
    if stack == "asyncio":
        return "asyncio+h11"
    return ("uvloop" if has("uvloop") else "asyncio") + "+" + (
        "httptools" if has("httptools") else "h11")  # fmt: skip


def serve(folder: Path, port: int, stack: str) -> None:
    import uvicorn

    from cthub.interfaces.api import create_app

    app = create_app(hub=Hub.open(settings_for(folder)))
    loop, http = stack_of(stack).split("+")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                loop=loop, http=http)  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def proc_figures(pid: int) -> tuple[float, float]:
    """CPU seconds (user + system) and RSS MB of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    rss = int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return cpu, rss


def audit_seq(folder: Path) -> int:
    hub = Hub.open(settings_for(folder))
    with hub.db.session(readonly=True) as s:
        seq = s.scalar(select(func.max(AuditEvent.seq))) or 0
    hub.close()
    return int(seq)


# --- the load ---------------------------------------------------------------------------------


def _content_length(head: bytes) -> int:
    at = head.lower().find(b"content-length:")
    return int(head[at + 15 : head.index(b"\r\n", at)]) if at >= 0 else 0


async def fire(port: int, key: str, bodies: list[bytes], concurrency: int) -> dict[str, Any]:
    """Send ``bodies`` over ``concurrency`` keep-alive connections (raw asyncio streams: an
    HTTP client library cost the client ~1.7 ms CPU a request, on the server's cores);
    latencies, wall and client CPU."""
    head = (f"POST /api/finance/score HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
            "Content-Length: ").encode()  # fmt: skip
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    alerts = 0
    todo = iter(bodies)

    async def worker() -> None:
        nonlocal alerts
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for body in todo:
            start = time.perf_counter()
            writer.write(b"%s%d\r\n\r\n%s" % (head, len(body), body))
            answer = await reader.readuntil(b"\r\n\r\n")
            content = await reader.readexactly(_content_length(answer))
            latencies.append((time.perf_counter() - start) * 1000)
            status = int(answer[9:12])
            statuses[status] = statuses.get(status, 0) + 1
            if status != 200 and len(errors) < 3:
                errors.append(content[:300].decode(errors="replace"))
            alerts += content.count(b'"alert":true')
        writer.close()

    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"latencies": latencies, "wall": wall, "cpu": cpu, "statuses": statuses,
            "alerts": alerts, "errors": errors}  # fmt: skip


def quantiles(values: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[94], cuts[98]


def encode(bodies: list[dict[str, Any]], batch: int) -> list[bytes]:
    if batch <= 1:
        return [orjson.dumps({"dataset": "bench", "transaction": b}) for b in bodies]
    return [orjson.dumps({"dataset": "bench", "transactions": bodies[at : at + batch]})
            for at in range(0, len(bodies), batch)]  # fmt: skip


def start_server(folder: Path, stack: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    args = [sys.executable, __file__, "--serve", str(folder), "--port", str(port), "--stack", stack]
    proc = subprocess.Popen(args)  # noqa: S603 - this script, on a loopback port
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                return proc, port
        except httpx.TransportError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.1)


def run_http(folder: Path, key: str, bodies: list[dict[str, Any]], args: argparse.Namespace,
             plan: list[tuple[int, int]]) -> list[dict[str, Any]]:  # fmt: skip
    """One server; the first request (it loads the state) alone, a warm-up, then each
    (batch size, concurrency) of ``plan`` on the next ``--requests`` transactions."""
    proc, port = start_server(folder, args.stack)
    rows = []
    try:
        first = asyncio.run(fire(port, key, encode(bodies[:1], 1), 1))
        asyncio.run(fire(port, key, encode(bodies[1 : 1 + WARM_UP], 1), 16))
        at = 1 + WARM_UP
        for batch, concurrency in plan:
            part, at = bodies[at : at + args.requests], at + args.requests
            seq, (cpu0, _) = audit_seq(folder), proc_figures(proc.pid)
            out = asyncio.run(fire(port, key, encode(part, batch), concurrency))
            cpu1, rss = proc_figures(proc.pid)
            out |= {"first_ms": first["latencies"][0], "server_cpu": cpu1 - cpu0, "rss": rss,
                    "audit": audit_seq(folder) - seq, "batch": batch, "txs": len(part),
                    "concurrency": concurrency}  # fmt: skip
            rows.append(out)
    finally:
        proc.terminate()
        proc.wait(30)
    return rows


def verify_audit(folder: Path) -> str:
    hub = Hub.open(settings_for(folder))
    with hub.db.session(readonly=True) as s:
        found = audit.verify(s)
    hub.close()
    return f"ok, {found.checked:,} events" if found.ok else f"BROKEN at {found.first_bad_seq}"


# --- in-process -------------------------------------------------------------------------------


def timed(step: Any, rounds: int) -> float:
    """Median microseconds of ``step()``."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        step()
        times.append((time.perf_counter() - start) * 1e6)
    return statistics.median(times)


def in_process(folder: Path, history: Path, key: str, analyst: Actor,
               bodies: list[dict[str, Any]]) -> dict[str, float]:  # fmt: skip
    """Scorer load and score, then the service's steps, without HTTP (own copies of state)."""
    figures: dict[str, float] = {}
    scorer = Scorer(library())
    figures["Scorer.load (s)"] = scorer.load([history]).seconds
    txs = [parse(b) for b in bodies]
    start = time.perf_counter()
    for tx in txs:
        scorer.score(tx, Context())
    figures["Scorer.score, no screening, no audit (us/tx)"] = (
        (time.perf_counter() - start) / len(txs) * 1e6
    )
    hub = Hub.open(settings_for(folder))
    warm_scorer(hub, analyst, "bench")
    rest = iter(bodies)
    figures["score_transaction, warm (us)"] = timed(
        lambda: score_transaction(hub, analyst, "bench", next(rest)), min(2000, len(bodies) // 2)
    )
    many = getattr(realtime, "score_transactions", None)  # absent before the batch form
    if many is not None:
        left = list(rest)
        chunks = iter([left[at : at + 50] for at in range(0, len(left) - 49, 50)])
        figures["score_transactions, 50 a call (us/tx)"] = (
            timed(lambda: many(hub, analyst, "bench", next(chunks)), min(40, len(left) // 50)) / 50
        )

    def unit() -> None:
        with hub.unit(analyst, "finance.monitor") as u:
            u.audit("finance_dataset", 1, details={"dataset": "bench", "tx_id": "x"})

    def api_key() -> None:
        with hub.db.session() as s:
            auth.resolve_api_key(s, key)

    figures["  of which: the audit unit alone (us)"] = timed(unit, 1000)
    figures["API key check per request (us)"] = timed(api_key, 1000)
    hub.close()
    return figures


# --- report -----------------------------------------------------------------------------------


def report(rows: int, args: argparse.Namespace, http: list[dict[str, Any]],
           local: dict[str, float], ingested: float, audit_check: str) -> None:  # fmt: skip
    stack = stack_of(args.stack)
    print(f"\nPOST /api/finance/score, real uvicorn ({stack}), SQLite, loopback, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; {rows:,} history "
          f"rows, state load {http[0]['first_ms'] / 1000:.2f} s (the first request), ingest "
          f"{ingested:.1f} s")  # fmt: skip
    head = ("form", "conc.", "txs", "tx/s", "p50 ms", "p95 ms", "p99 ms", "srv us/tx",
            "cli us/tx", "ev/call", "target")  # fmt: skip
    print("{:>9} {:>5} {:>7} {:>7} {:>7} {:>7} {:>7} {:>9} {:>9} {:>7} {:>7}".format(*head))
    for out in http:
        form = "single" if out["batch"] <= 1 else f"batch {out['batch']}"
        calls, txs = len(out["latencies"]), out["txs"]
        if out["statuses"].get(200, 0) < calls * 0.99:  # the server has no such form
            print(f"{form:>9} {out['concurrency']:>5} refused: {out['statuses']} "
                  f"{out['errors'][:1]}")  # fmt: skip
            continue
        if out["statuses"].get(200, 0) != calls:  # e.g. a synthetic transaction too late
            print(f"          statuses {out['statuses']}: {out['errors'][:1]}")
        p50, p95, p99 = quantiles(out["latencies"])
        tps = txs / out["wall"]
        ok = "met" if tps >= TARGET_TPS and p99 < TARGET_P99_MS else "NOT met"
        print(f"{form:>9} {out['concurrency']:>5} {txs:>7,} {tps:>7.0f} {p50:>7.1f} "
              f"{p95:>7.1f} {p99:>7.1f} {out['server_cpu'] / txs * 1e6:>9.0f} "
              f"{out['cpu'] / txs * 1e6:>9.0f} {out['audit'] / calls:>7.2f} {ok:>7}")  # fmt: skip
    print(f"server RSS {http[-1]['rss']:.0f} MB; alerts {sum(o['alerts'] for o in http)}; "
          f"audit chain after the load: {audit_check}")  # fmt: skip
    print(f"target: >= {TARGET_TPS:.0f} tx/s and p99 < {TARGET_P99_MS:.0f} ms (latency of a "
          f"call; a batch call carries its transactions); {TAZAMA}")  # fmt: skip
    if local:
        print("\nin-process, no HTTP")
    for label, value in local.items():
        print(f"{label:<48} {value:>10.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="history rows (about)")
    parser.add_argument("--requests", type=int, default=20_000, help="transactions per run")
    parser.add_argument("--concurrency", default="16,64", help="connections, comma-separated")
    parser.add_argument("--batch", type=int, default=50, help="transactions per batch call")
    parser.add_argument("--stack", choices=("auto", "asyncio"), default="auto",
                        help="auto: uvloop and httptools when importable")  # fmt: skip
    parser.add_argument("--seed", type=int, default=20260)
    parser.add_argument("--no-local", action="store_true", help="skip the in-process table")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.stack)
        return 0
    conc = [int(c) for c in args.concurrency.split(",")]
    plan = [(size, c) for size in (1, args.batch) for c in conc]
    with tempfile.TemporaryDirectory(prefix="cthub-bench-score-") as tmp:
        folder = Path(tmp)
        http_n = 1 + WARM_UP + args.requests * len(plan)
        local_n = 0 if args.no_local else 4000
        history, bodies = make_data(args.rows, http_n + local_n, folder, args.seed)
        rows = duckdb.sql(f"SELECT count(*) FROM read_parquet('{history}')").fetchall()[0][0]  # noqa: S608
        key, analyst, ingested = prepare_hub(folder, history)
        http = run_http(folder, key, bodies[:http_n], args, plan)
        audit_check = verify_audit(folder)
        local = {} if args.no_local else in_process(folder, history, key, analyst,
                                                    bodies[http_n:])  # fmt: skip
        report(int(rows), args, http, local, ingested, audit_check)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
