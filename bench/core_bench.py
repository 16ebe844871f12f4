"""Core throughput: audit appends and verification, API-key requests, argon2 logins.

Runs on SQLite (a temporary file) and on the PostgreSQL at 127.0.0.1:5432 when reachable, and
prints one table. No target is named for the core in the issue; the figures are the baseline
for later changes (compare runs on the same machine).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cthub.core import accounts, audit, auth, migrate
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.interfaces.api import create_app

N_EVENTS = 5000
N_REQUESTS = 500
OP = Actor.system("bench")


def _pg_url() -> str | None:
    admin = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:5432/test", isolation_level="AUTOCOMMIT"
    )
    try:
        with admin.connect() as c:
            c.execute(text('DROP DATABASE IF EXISTS "cthub_bench" WITH (FORCE)'))
            c.execute(text('CREATE DATABASE "cthub_bench"'))
    except Exception:  # noqa: BLE001 - no server: bench SQLite only
        return None
    return "postgresql+psycopg://postgres@127.0.0.1:5432/cthub_bench"


def bench(url: str, data_dir: Path) -> dict[str, float]:
    db = Database(url)
    migrate.upgrade(db)
    hub = Hub(
        Settings(mode="development", data_dir=data_dir, database_url=url, secret_key="bench" * 10),
        db,
    )
    t0 = time.perf_counter()
    for i in range(N_EVENTS):
        with db.session() as s:
            audit.record(s, OP, "bench.event", details={"i": i})
    append = N_EVENTS / (time.perf_counter() - t0)
    t0 = time.perf_counter()
    with db.session(readonly=True) as s:
        result = audit.verify(s)
    verify = result.checked / (time.perf_counter() - t0)
    accounts.create_org(hub, OP, "Bench FIU", "fiu")
    _, key = accounts.create_key(hub, OP, "bench", "admin", org="Bench FIU")
    accounts.create_user(
        hub, OP, "bench.user", "analyst", org="Bench FIU", password="bench password 123"
    )
    t0 = time.perf_counter()
    for _ in range(20):
        with db.session() as s:
            auth.login(s, hub.settings, "bench.user", "bench password 123", "bench")
    logins = 20 / (time.perf_counter() - t0)
    lat = []
    with TestClient(create_app(hub=hub)) as client:
        for _ in range(N_REQUESTS):
            t = time.perf_counter()
            assert client.get("/api/me", headers={"Authorization": f"Bearer {key}"}).is_success
            lat.append((time.perf_counter() - t) * 1000)
    hub.close()
    q = statistics.quantiles(lat, n=100)
    return {
        "append/s": append,
        "verify/s": verify,
        "logins/s": logins,
        "me p50 ms": q[49],
        "me p95 ms": q[94],
    }


def main() -> None:
    rows: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        rows.append(("sqlite", bench(f"sqlite:///{tmp}/bench.db", Path(tmp))))
        pg = _pg_url()
        if pg:
            rows.append(("postgresql", bench(pg, Path(tmp))))
    cols = list(rows[0][1])
    print(f"{'backend':<12}" + "".join(f"{c:>14}" for c in cols))
    for name, vals in rows:
        print(f"{name:<12}" + "".join(f"{vals[c]:>14.1f}" for c in cols))
    print(
        f"(audit: {N_EVENTS} single-event transactions; /api/me: {N_REQUESTS} in-process "
        "requests, each resolving and updating its API key)"
    )


if __name__ == "__main__":
    main()
