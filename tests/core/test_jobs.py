"""Jobs: persisted state and progress, failures that leave nothing half-written, both runners."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from cthub.core import entities, jobs
from cthub.core.config import Settings
from cthub.core.db import Database
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.jobs import InProcessRunner, JobContext, RedisRunner
from cthub.core.tables import EntityRecord, Job
from tests import factories
from tests.conftest import SECRET


@jobs.job("test.import_people", action="entities.write")
def _import_people(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """Creates entities in one transaction, reporting progress; fails at ``fail_at``."""
    names: list[str] = ctx.params["names"]
    with hub.unit(ctx.actor, "entities.write") as u:
        for i, name in enumerate(names):
            if i == ctx.params.get("fail_at"):
                raise InvalidInput("Row {row}: the name is empty.", row=i + 1)
            e = entities.build("Person", {"name": [name]})
            u.s.add(
                EntityRecord(
                    id=e.id,
                    schema="Person",
                    org_id=ctx.actor.org_id,
                    caption=e.caption,
                    properties=e.properties,
                    created_by=ctx.actor.name,
                )
            )
            u.s.flush()
            ctx.progress(i + 1, len(names), f"imported {name}")
    return {"imported": len(names)}


def _entity_count(hub: Hub) -> int:
    with hub.db.session(readonly=True) as s:
        return s.scalar(select(func.count()).select_from(EntityRecord)) or 0


def test_inline_job_succeeds_with_progress(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    seen: list[tuple[int, int | None]] = []
    view = jobs.run_inline(
        hub,
        m.actor,
        "test.import_people",
        {"names": ["A One", "B Two"]},
        on_progress=lambda d, t, _m: seen.append((d, t)),
    )
    assert view.state == "succeeded"
    assert view.result == {"imported": 2}
    assert view.percent == 100
    assert seen == [(1, 2), (2, 2)]
    assert _entity_count(hub) == 2


def test_failed_job_records_error_and_writes_nothing(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    view = jobs.run_inline(
        hub, m.actor, "test.import_people", {"names": ["A One", "B Two", "C Three"], "fail_at": 2}
    )
    assert view.state == "failed"
    assert view.error is not None
    assert "Row 3" in view.error
    assert _entity_count(hub) == 0
    assert jobs.get(hub, m.actor, view.id).state == "failed"


def test_starting_a_job_needs_its_permission(hub: Hub) -> None:
    viewer = factories.member(hub, "viewer")
    from cthub.core.errors import Forbidden

    with pytest.raises(Forbidden):
        jobs.create(hub, viewer.actor, "test.import_people", {"names": []})


def test_unknown_kind_is_invalid_input(hub: Hub) -> None:
    with pytest.raises(InvalidInput, match="Unknown job kind"):
        jobs.create(hub, factories.OPERATOR, "no.such.kind")


def test_in_process_runner(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    runner = InProcessRunner(hub)
    hub._runner = runner
    view = jobs.submit(hub, m.actor, "test.import_people", {"names": ["X Y"]})
    runner.wait_idle()
    assert jobs.get(hub, m.actor, view.id).state == "succeeded"


def test_runner_recovers_interrupted_jobs(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    stuck = jobs.create(hub, m.actor, "test.import_people", {"names": ["Q R"]})
    waiting = jobs.create(hub, m.actor, "test.import_people", {"names": ["S T"]})
    with hub.db.session() as s:
        row = s.get(Job, stuck.id)
        assert row is not None
        row.state = "running"
    runner = InProcessRunner(hub)
    runner.wait_idle()
    runner.stop()
    assert jobs.get(hub, m.actor, stuck.id).state == "failed"
    assert jobs.get(hub, m.actor, waiting.id).state == "succeeded"


@pytest.mark.redis
def test_redis_queue_and_worker_process(
    tmp_path: Path, sqlite_template: Path, redis_url: str
) -> None:
    """Server mode: a job queued on the real Redis is run by a `cthub worker` process."""
    import shutil

    from redis import Redis

    Redis.from_url(redis_url).flushdb()
    shutil.copy(sqlite_template, tmp_path / "cthub.db")
    url = f"sqlite:///{tmp_path / 'cthub.db'}"
    settings = Settings(
        mode="development",
        data_dir=tmp_path,
        database_url=url,
        secret_key=SECRET,
        job_backend="redis",
        redis_url=redis_url,
    )
    hub = Hub(settings, Database(url))
    try:
        assert isinstance(hub.jobs, RedisRunner)
        admin = factories.member(hub, "admin")
        view = jobs.submit(hub, admin.actor, "audit.verify")
        assert jobs.get(hub, admin.actor, view.id).state == "queued"
        env = {
            "CTHUB_DATABASE_URL": url,
            "CTHUB_SECRET_KEY": SECRET,
            "CTHUB_MODE": "development",
            "CTHUB_JOB_BACKEND": "redis",
            "CTHUB_REDIS_URL": redis_url,
            "CTHUB_DATA_DIR": str(tmp_path),
            "PATH": "/usr/bin:/bin",
        }
        cli = str(Path(sys.executable).parent / "cthub")
        done = subprocess.run(
            [cli, "worker", "--burst"], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        deadline = time.monotonic() + 10
        while jobs.get(hub, admin.actor, view.id).state != "succeeded":
            assert time.monotonic() < deadline, jobs.get(hub, admin.actor, view.id)
            time.sleep(0.1)
        assert jobs.get(hub, admin.actor, view.id).result["ok"] is True  # type: ignore[index]
    finally:
        hub.close()
