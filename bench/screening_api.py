"""Benchmark: single-query ``POST /api/screening/match`` latency through a real uvicorn server.

For each backend (a temporary SQLite file; a throwaway database on the PostgreSQL at
127.0.0.1:5432, trust auth, created from the ``test`` database as ``tests/conftest.py`` does)
it migrates, loads UN (``../shared/data`` or the bundled copy), OFAC SDN (``ofac-sdn``) and,
when present, the OFAC consolidated non-SDN list (``ofac-xml`` as ``ofac-consolidated``),
creates an analyst API key per code path and serves ``create_app`` with uvicorn, one child
process per code path on loopback ports: ``before`` revalidates the cached matcher the previous
way (the audited ``cthub.lists.show``, one extra write transaction per request), ``after`` the
current way (``cthub.lists.active_versions``, one read), and ``projected`` the current way plus
a bench-only patch that writes an API key's ``last_used_at`` at most once a minute (a possible
next step in ``cthub.core.auth``; today that is a second write transaction per request). All
warm up, then N single-query requests over all loaded lists go to each, sequentially and
alternating between the servers (so a busy machine slows each alike), one keep-alive httpx
client per server. It reports p50/p95/p99, audit events written per request and each server's
RSS once the matcher over every loaded list is built. A second table times each per-request
database step in-process.
Target: p95 under 20 ms on both backends; RSS with every list's matcher under 1 GB.
Baseline (previous session's notes): p95 SQLite 19.4 ms, PostgreSQL 40 ms.
Run: ``.venv/bin/python bench/screening_api.py [--requests 500] [--backends sqlite,postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select, text

from cthub.core import accounts, auth, migrate
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent
from cthub.lists import active_entries, active_versions, load, show

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if not SHARED.exists():
    SHARED = Path("/work/shared/data")
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - throwaway database
OPERATOR = Actor.system("bench")
TARGET_P95_MS = 20.0
TARGET_RSS_MB = 1024.0
BASELINE_P95_MS = {"sqlite": 19.4, "postgresql": 40.0}
MODES = ("before", "after", "projected")
KEY_TOUCH_S = 60.0  # "projected": an API key's last_used_at written at most once a minute
OTHER_NAMES = ["Anna Berg", "Farid Costa", "Hiroshi Tanaka", "Olga Ivanova", "Carlos Dubois"]


def settings_for(folder: Path, url: str) -> Settings:
    return Settings(mode="development", data_dir=folder, database_url=url, secret_key=SECRET)


# --- the server (child process) ---------------------------------------------------------------


def legacy_cache() -> None:
    """Put back the previous key validation: ``show`` (audited) on every request."""
    from cthub.interfaces.api.routers import screening as router
    from cthub.screening import cache
    from cthub.screening.service import Screener, build_matcher

    def screener(hub: Hub, actor: Actor, lists: Iterable[str] | None = None) -> Screener:
        names = tuple(sorted(set(lists))) if lists else None
        versions = tuple(
            (lst.name, v.version, v.sha256, str(v.loaded_at))
            for lst in show(hub, actor)
            if names is None or lst.name in names
            for v in lst.versions
            if v.active
        )
        key = (hub.db.url, names, versions)
        with cache._lock:
            found = cache._matchers.get(key)
            if found is None:
                found = cache._matchers[key] = build_matcher(hub, actor, names)
            return found

    router.screener = screener  # type: ignore[attr-defined]


def throttled_key_touch() -> None:
    """Simulate a possible next step (bench only, ``cthub.core.auth`` is unchanged): write an
    API key's ``last_used_at`` at most every ``KEY_TOUCH_S``, so most requests commit only the
    audit event. The pending change is dropped when the stored value is recent enough."""
    from sqlalchemy import inspect
    from sqlalchemy.orm import Session

    from cthub.core.tables import ApiKey

    resolve = auth.resolve_api_key

    def resolve_api_key(session: Session, key: str) -> Actor | None:
        actor = resolve(session, key)
        for row in [obj for obj in session.dirty if isinstance(obj, ApiKey)]:
            old = inspect(row).attrs.last_used_at.history.deleted
            now = row.last_used_at
            if old and old[0] is not None and now and (now - old[0]).total_seconds() < KEY_TOUCH_S:
                session.expire(row, ["last_used_at"])
        return actor

    auth.resolve_api_key = resolve_api_key


def serve(url: str, folder: Path, port: int, mode: str) -> None:
    import uvicorn

    from cthub.interfaces.api import create_app

    if mode == "before":
        legacy_cache()
    if mode == "projected":
        throttled_key_touch()
    app = create_app(hub=Hub.open(settings_for(folder, url)))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- setup ------------------------------------------------------------------------------------


def pg_up() -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", 5432)) == 0


def pg_database(name: str, drop_only: bool = False) -> str:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def prepare(url: str, folder: Path) -> tuple[Hub, dict[str, str], list[str]]:
    """Migrate, load the lists, create an API key per code path; the hub, keys and lists."""
    hub = Hub.open(settings_for(folder, url))
    migrate.upgrade(hub.db)
    un = SHARED / "un-consolidated" / "consolidated.xml"
    load(hub, OPERATOR, "un", un if un.exists() else None, rescreen=False)
    load(hub, OPERATOR, "ofac-sdn", SHARED / "ofac-sdn", rescreen=False)
    consolidated = SHARED / "ofac-consolidated" / "consolidated.xml"
    if consolidated.exists():
        load(hub, OPERATOR, "ofac-xml", consolidated, list_name="ofac-consolidated", rescreen=False)
    accounts.create_org(hub, OPERATOR, "Bench FIU", "fiu")
    keys = {
        mode: accounts.create_key(hub, OPERATOR, f"bench-{mode}", "analyst", org="Bench FIU")[1]
        for mode in MODES
    }
    counts = {name: v.entry_count for name, v in sorted(active_versions(hub).items())}
    return hub, keys, [f"{name} ({count:,})" for name, count in counts.items()]


def query_names(hub: Hub, count: int) -> list[str]:
    """Listed names (a third with parts swapped) and unrelated names, in a fixed order."""
    rng = random.Random(11)
    captions = [v.caption for v in active_entries(hub, OPERATOR)]
    names = []
    for number in range(count):
        words = rng.choice(captions).split()
        if number % 3 == 0:
            words.reverse()
        names.append(" ".join(words) if number % 4 else rng.choice(OTHER_NAMES))
    return names


# --- measurement ------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def audit_events(hub: Hub, after_seq: int) -> dict[str, int]:
    """Audit events written since ``after_seq``, by actor."""
    with hub.db.session(readonly=True) as s:
        rows = s.execute(
            select(AuditEvent.actor, func.count())
            .where(AuditEvent.seq > after_seq)
            .group_by(AuditEvent.actor)
        )
        return {actor: count for actor, count in rows}


def audit_seq(hub: Hub) -> int:
    with hub.db.session(readonly=True) as s:
        return s.scalar(select(func.max(AuditEvent.seq))) or 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    """One uvicorn child serving the database, with the previous or the current cache check."""

    def __init__(self, url: str, folder: Path, key: str, mode: str) -> None:
        port = free_port()
        args = [sys.executable, __file__, "--serve", url, "--data-dir", str(folder)]
        args += ["--port", str(port), "--mode", mode]
        self.proc = subprocess.Popen(args)  # noqa: S603 - this script, on a loopback port
        headers = {"Authorization": f"Bearer {key}"}
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers)
        self.timings: list[float] = []
        self.figures: dict[str, float] = {}

    def wait_up(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}")
            try:
                if self.client.get("/healthz").status_code == 200:
                    self.figures["idle_rss"] = rss_mb(self.proc.pid)
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start within 60 s")

    def match(self, name: str, number: int = 0) -> float:
        body = {"queries": [{"id": str(number), "name": name}]}
        start = time.perf_counter()
        resp = self.client.post("/api/screening/match", json=body)
        elapsed = (time.perf_counter() - start) * 1000
        resp.raise_for_status()
        return elapsed

    def warm(self, names: list[str]) -> None:
        self.figures["cold_s"] = self.match("warm up") / 1000  # builds the matcher
        for name in names:  # connection, threads, normaliser caches
            self.match(name)
        self.figures["rss"] = rss_mb(self.proc.pid)

    def stop(self) -> None:
        self.client.close()
        self.proc.terminate()
        self.proc.wait(30)


def quantiles(timings: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return statistics.median(timings), cuts[94], cuts[98]


def run_servers(
    hub: Hub, url: str, folder: Path, keys: dict[str, str], names: list[str]
) -> dict[str, dict[str, float]]:
    """All code paths at once, requests alternating, so load on the machine slows each alike."""
    servers = {mode: Server(url, folder, keys[mode], mode) for mode in MODES}
    try:
        for server in servers.values():
            server.wait_up()
            server.warm(names[:50])
        seq = audit_seq(hub)
        for number, name in enumerate(names):
            order = MODES if number % 2 == 0 else MODES[::-1]  # ABC CBA ...
            for mode in order:
                servers[mode].timings.append(servers[mode].match(name, number))
        events = audit_events(hub, seq)
        results = {}
        for mode, server in servers.items():
            p50, p95, p99 = quantiles(server.timings)
            per_request = events.get(f"key:bench-{mode}", 0) / len(names)
            results[mode] = {"p50": p50, "p95": p95, "p99": p99, "events": per_request}
            results[mode] |= server.figures
        return results
    finally:
        for server in servers.values():
            server.stop()


def step_timings(hub: Hub, key: str, rounds: int = 200) -> dict[str, float]:
    """Median ms of each per-request database step, called directly (no HTTP)."""
    analyst = Actor("key:bench", "analyst", None, via="api_key")

    def api_key() -> None:
        with hub.db.session() as s:
            auth.resolve_api_key(s, key)

    def screening_audit() -> None:
        with hub.unit(analyst, "screening.screen") as u:
            u.audit("screening", details={"queries": 1, "hits": 0})

    steps: dict[str, Callable[[], object]] = {
        "API key check (write: last_used_at)": api_key,
        "cache check before: lists.show (audited)": lambda: show(hub, analyst),
        "cache check after: lists.active_versions": lambda: active_versions(hub),
        "screening.screen audit event (unit)": screening_audit,
    }
    medians = {}
    for label, step in steps.items():
        timings = []
        for _ in range(rounds):
            start = time.perf_counter()
            step()
            timings.append((time.perf_counter() - start) * 1000)
        medians[label] = statistics.median(timings)
    return medians


def bench_backend(
    backend: str, requests: int
) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    with tempfile.TemporaryDirectory(prefix=f"cthub-bench-api-{backend}-") as tmp:
        folder = Path(tmp)
        pg_name = f"cthub_bench_api_{os.getpid()}"
        url = f"sqlite:///{folder / 'cthub.db'}" if backend == "sqlite" else pg_database(pg_name)
        try:
            start = time.perf_counter()
            hub, keys, lists = prepare(url, folder)
            print(f"{backend}: loaded {', '.join(lists)} in {time.perf_counter() - start:.0f} s")
            runs = run_servers(hub, url, folder, keys, query_names(hub, requests))
            steps = step_timings(hub, keys["after"])
            hub.close()
            return runs, steps
        finally:
            if backend == "postgresql":
                pg_database(pg_name, drop_only=True)


def report(results: dict[str, tuple[dict[str, dict[str, float]], dict[str, float]]]) -> None:
    print("\nsingle-query POST /api/screening/match, sequential, real uvicorn, all loaded lists")
    head = ("backend", "code", "p50 ms", "p95 ms", "p99 ms", "audit/req", "RSS MB", "cold s")
    print("{:<11} {:<10} {:>7} {:>7} {:>7} {:>9} {:>7} {:>7}".format(*head))
    for backend, (runs, _) in results.items():
        for mode, r in runs.items():
            print(
                f"{backend:<11} {mode:<10} {r['p50']:>7.1f} {r['p95']:>7.1f} {r['p99']:>7.1f} "
                f"{r['events']:>9.2f} {r['rss']:>7.0f} {r['cold_s']:>7.1f}"
            )
        print(f"{'':<11} {'notes':<10} {BASELINE_P95_MS[backend]:>15.1f}  (p95 in the notes)")
    print(f"target: p95 < {TARGET_P95_MS:.0f} ms; RSS with every list's matcher < 1 GB")
    idle = ", ".join(f"{b} {r['after']['idle_rss']:.0f} MB" for b, (r, _) in results.items())
    print(f"RSS MB: the server once its matcher is built (before the first request: {idle})")
    print("\nper-request database steps, in-process, median ms")
    labels = next(iter(results.values()))[1]
    print(f"{'step':<42} " + " ".join(f"{b:>10}" for b in results))
    for label in labels:
        print(f"{label:<42} " + " ".join(f"{s[label]:>10.2f}" for _, s in results.values()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # child: serve this database URL
    parser.add_argument("--data-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--mode", choices=MODES, default="after", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.data_dir, args.port, args.mode)
        return 0
    if not (SHARED / "ofac-sdn" / "sdn.csv").exists():
        print(
            f"no OFAC SDN data under {SHARED}: this benchmark needs ../shared/data", file=sys.stderr
        )
        return 2
    results = {}
    for backend in args.backends.split(","):
        if backend == "postgresql" and not pg_up():
            print("postgresql: nothing listens on 127.0.0.1:5432; skipped", file=sys.stderr)
            continue
        results[backend] = bench_backend(backend, args.requests)
    report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
