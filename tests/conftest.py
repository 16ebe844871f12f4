"""Test fixtures.

Strategy:
- Storage and service tests take the ``hub`` fixture, which is parametrised over both backends:
  ``sqlite`` (a file in tmp_path, copied from a migrated template) and ``postgresql`` (a
  database per xdist worker at 127.0.0.1:5432, migrated once, truncated between tests).
  PostgreSQL and Redis are started when down (``tests/services.py``) and never skipped.
- API tests use ``client`` (Starlette's TestClient over httpx) on a SQLite hub; the security
  tests that matter across backends take ``backend_client``.
- Builders for organisations, users and keys live in ``tests/factories.py``.
- Browser tests (``tests/e2e``) run Debian's chromium through Playwright against a real
  uvicorn server on a loopback port.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from cthub.core import auth, migrate
from cthub.core.config import Settings
from cthub.core.db import Base, Database
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from tests.services import ensure_postgres, ensure_redis

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECRET = "test-secret-key-that-is-long-enough-0123456789"


# Spark in the tests runs tiny inputs: interpreted expressions and the JVM's quick compiler only
# (a module's Spark setup 31 s -> 17 s); the engine's results are the same, which
# tests/finance/test_rules.py checks against DuckDB. Benchmarks and users keep Spark's defaults.
os.environ.setdefault(
    "CTHUB_SPARK_CONF",
    "spark.sql.codegen.factoryMode=NO_CODEGEN;spark.sql.adaptive.enabled=false;"
    "spark.driver.extraJavaOptions=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
)


# Users are made by the hundred here: in-process, passwords are argon2id hashes with the
# smallest costs (about 1 ms, not 100 ms each; ~15 % of the suite's time). The product's own
# costs are asserted in tests/core/test_auth.py, and CLI tests run them in fresh processes.
auth._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _worker() -> str:
    # outside xdist, several pytest runs may share the server: one database per process
    return os.environ.get("PYTEST_XDIST_WORKER", f"main{os.getpid()}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "cthub.db"
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    ensure_postgres()
    name = f"cthub_test_{_worker()}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    db = Database(url)
    migrate.upgrade(db)
    db.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(db: Database) -> None:
    """Empty every table and restart every sequence, as ``TRUNCATE ... RESTART IDENTITY`` of
    all tables would. Truncating ~80 tables costs ~0.5-1 s; most tests fill a few, so only the
    tables holding rows are truncated and only the sequences that were used are restarted."""
    names = [t.name for t in Base.metadata.sorted_tables]
    probe = " UNION ALL ".join(f"SELECT '{n}' WHERE EXISTS (SELECT 1 FROM \"{n}\")" for n in names)
    used = "SELECT schemaname, sequencename FROM pg_sequences WHERE last_value IS NOT NULL"
    with db.engine.begin() as conn:
        full = [f'"{r[0]}"' for r in conn.execute(text(probe))]
        sequences = [f'"{r[0]}"."{r[1]}"' for r in conn.execute(text(used))]
        # replica mode skips the append-only triggers, as only a superuser could
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        if full:
            conn.execute(text(f"TRUNCATE {', '.join(full)} CASCADE"))
        for sequence in sequences:
            conn.execute(text(f"ALTER SEQUENCE {sequence} RESTART"))


def make_settings(tmp_path: Path, url: str, **extra: object) -> Settings:
    return Settings(
        mode="development", data_dir=tmp_path, database_url=url, secret_key=SECRET, **extra
    )  # type: ignore[arg-type]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Database]:
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        shutil.copy(template, tmp_path / "cthub.db")
        db = Database(f"sqlite:///{tmp_path / 'cthub.db'}")
    else:
        db = Database(request.getfixturevalue("pg_url"))
        _truncate(db)
    yield db
    db.dispose()


@pytest.fixture
def hub(database: Database, tmp_path: Path) -> Iterator[Hub]:
    h = Hub(make_settings(tmp_path, database.url), database)
    yield h
    h.close()


@pytest.fixture
def sqlite_hub(tmp_path: Path, sqlite_template: Path) -> Iterator[Hub]:
    shutil.copy(sqlite_template, tmp_path / "cthub.db")
    url = f"sqlite:///{tmp_path / 'cthub.db'}"
    h = Hub(make_settings(tmp_path, url), Database(url))
    yield h
    h.close()


@pytest.fixture
def client(sqlite_hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub=sqlite_hub)) as c:
        yield c


@pytest.fixture
def backend_client(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub=hub)) as c:
        yield c


@pytest.fixture(scope="session")
def redis_url() -> str:
    ensure_redis()
    return f"redis://127.0.0.1:6379/{9 if _worker() == 'main' else 10 + int(_worker()[2:] or 0)}"
