"""Long work runs as a job: persisted state, progress, and an error when it fails.

A job kind is a function registered with ``@job("kind", action=...)``; modules that define job
kinds are listed under the ``cthub.jobs`` entry-point group, so the worker finds built-in and
plugin kinds the same way. A handler does its writes through ``hub.unit(...)``, one transaction,
so a job that fails leaves nothing half-written; progress is written in separate short
transactions so pages and the CLI can show it live.

Two runners: ``InProcessRunner`` (a worker thread inside ``cthub serve``, the embedded default)
and ``RedisRunner`` (jobs queued on Redis with RQ and run by ``cthub worker`` processes).
"""

from __future__ import annotations

import functools
import logging
import queue
import threading
import time
import traceback
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from sqlalchemy import select, update

from cthub.core.db import utcnow
from cthub.core.errors import CthubError, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Job

log = logging.getLogger(__name__)
Handler = Callable[[Hub, "JobContext"], dict[str, Any] | None]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    action: str
    func: Handler


_REGISTRY: dict[str, JobSpec] = {}


def job(kind: str, *, action: str) -> Callable[[Handler], Handler]:
    """Register a job kind; ``action`` is the policy action needed to start it."""

    def decorate(func: Handler) -> Handler:
        if kind in _REGISTRY and _REGISTRY[kind].func is not func:
            raise ValueError(f"job kind {kind!r} is already registered")
        _REGISTRY[kind] = JobSpec(kind, action, func)
        return func

    return decorate


def load_handlers() -> dict[str, JobSpec]:
    for ep in entry_points(group="cthub.jobs"):
        ep.load()
    return dict(_REGISTRY)


def spec_for(kind: str) -> JobSpec:
    if kind not in _REGISTRY:
        load_handlers()
    if kind not in _REGISTRY:
        raise InvalidInput(
            "Unknown job kind {kind}.",
            hint="Known kinds: {known}.",
            kind=kind,
            known=", ".join(sorted(_REGISTRY)),
        )
    return _REGISTRY[kind]


class ProgressBoard:
    """Live progress of running jobs, readable while the job's own transaction is open.

    On SQLite a job's writes hold the database's single write lock until they commit, so
    progress cannot go to the jobs table meanwhile; it goes here (this process) and, in server
    mode, to Redis (other processes). On PostgreSQL it is also written to the jobs table.
    """

    def __init__(self) -> None:
        self._local: dict[str, tuple[int, int | None, str]] = {}
        self._lock = threading.Lock()

    def set(self, hub: Hub, job_id: str, done: int, total: int | None, message: str) -> None:
        with self._lock:
            self._local[job_id] = (done, total, message)
        if hub.settings.job_backend == "redis":
            _redis(hub).hset(
                f"cthub:progress:{job_id}",
                mapping={"done": done, "total": -1 if total is None else total, "message": message},
            )
            _redis(hub).expire(f"cthub:progress:{job_id}", 24 * 3600)
        if not hub.settings.is_sqlite:
            with hub.db.session() as s:
                s.execute(
                    update(Job)
                    .where(Job.id == job_id)
                    .values(done=done, total=total, message=message)
                )

    def get(self, hub: Hub, job_id: str) -> tuple[int, int | None, str] | None:
        with self._lock:
            if job_id in self._local:
                return self._local[job_id]
        if hub.settings.job_backend == "redis":
            raw = _redis(hub).hgetall(f"cthub:progress:{job_id}")
            if raw:
                total = int(raw[b"total"])
                return int(raw[b"done"]), None if total < 0 else total, raw[b"message"].decode()
        return None

    def forget(self, job_id: str) -> None:
        with self._lock:
            self._local.pop(job_id, None)


BOARD = ProgressBoard()


def _redis(hub: Hub) -> Any:
    return _redis_for(hub.settings.redis_url)


@functools.cache
def _redis_for(url: str) -> Any:
    from redis import Redis

    return Redis.from_url(url)


class JobContext:
    """What a running handler sees: its parameters, its actor and a progress reporter."""

    def __init__(
        self,
        hub: Hub,
        job_id: str,
        actor: Actor,
        params: dict[str, Any],
        on_progress: Callable[[int, int | None, str], None] | None = None,
    ) -> None:
        self.hub, self.job_id, self.actor, self.params = hub, job_id, actor, params
        self._on_progress = on_progress
        self._last = 0.0

    def progress(self, done: int, total: int | None = None, message: str = "") -> None:
        if self._on_progress:
            self._on_progress(done, total, message)
        now = time.monotonic()
        if now - self._last < 0.25 and (total is None or done < total):
            return
        self._last = now
        BOARD.set(self.hub, self.job_id, done, total, message[:500])


@dataclass(frozen=True)
class JobView:
    id: str
    kind: str
    state: str
    done: int
    total: int | None
    message: str
    error: str | None
    result: dict[str, Any] | None
    created_by: str

    @property
    def percent(self) -> int:
        if self.state == "succeeded":
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @classmethod
    def of(cls, j: Job, hub: Hub | None = None) -> JobView:
        done, total, message = j.done, j.total, j.message
        live = BOARD.get(hub, j.id) if hub is not None and j.state == "running" else None
        if live:
            done, total, message = live
        return cls(j.id, j.kind, j.state, done, total, message, j.error, j.result, j.created_by)


def create(hub: Hub, actor: Actor, kind: str, params: dict[str, Any] | None = None) -> JobView:
    spec = spec_for(kind)
    with hub.unit(actor, spec.action) as u:
        row = Job(
            id=uuid.uuid4().hex,
            kind=kind,
            org_id=actor.org_id,
            created_by=actor.name,
            actor=actor.to_dict(),
            params=params or {},
            state="queued",
        )
        u.s.add(row)
        u.audit("job", row.id, details={"kind": kind}, action="jobs.start")
        u.s.flush()
        return JobView.of(row)


def submit(hub: Hub, actor: Actor, kind: str, params: dict[str, Any] | None = None) -> JobView:
    """Persist a job and hand it to this hub's runner; returns at once."""
    view = create(hub, actor, kind, params)
    hub.jobs.enqueue(view.id)
    return view


def get(hub: Hub, actor: Actor, job_id: str) -> JobView:
    with hub.unit(actor, "jobs.read") as u:
        row = u.s.get(Job, job_id)
        if row is None:
            raise NotFound("No job {id}.", id=job_id)
        u.require(row)
        u.audit("job", job_id)
        return JobView.of(row, hub)


def recent(hub: Hub, actor: Actor, limit: int = 20) -> list[JobView]:
    with hub.unit(actor, "jobs.read") as u:
        stmt = select(Job).order_by(Job.created_at.desc()).limit(limit)
        orgs = u.visible_orgs()
        if orgs is not None:
            stmt = stmt.where(Job.org_id.in_(orgs))
        return [JobView.of(j, hub) for j in u.s.scalars(stmt)]


def execute(
    hub: Hub, job_id: str, on_progress: Callable[[int, int | None, str], None] | None = None
) -> JobView:
    """Run one queued job to completion in this process and persist its outcome."""
    with hub.db.session() as s:
        row = s.get(Job, job_id)
        if row is None or row.state != "queued":
            raise NotFound("No queued job {id}.", id=job_id)
        row.state, row.started_at = "running", utcnow()
        kind, actor, params = row.kind, Actor.from_dict(row.actor), dict(row.params)
    ctx = JobContext(hub, job_id, actor, params, on_progress)
    values: dict[str, Any]
    try:
        result = spec_for(kind).func(hub, ctx)
        values = {"state": "succeeded", "result": result or {}}
    except CthubError as exc:
        values = {"state": "failed", "error": exc.render() + (f" {exc.hint}" if exc.hint else "")}
    except Exception as exc:  # noqa: BLE001 - a job must record any failure, not crash the worker
        log.error("job %s failed:\n%s", job_id, traceback.format_exc())
        values = {"state": "failed", "error": f"{type(exc).__name__}: {exc}"}
    live = BOARD.get(hub, job_id)
    if live and values["state"] == "succeeded":
        values.update(done=live[0], total=live[1], message=live[2])
    with hub.db.session() as s:
        s.execute(update(Job).where(Job.id == job_id).values(finished_at=utcnow(), **values))
        row = s.get(Job, job_id)
        if row is None:  # pragma: no cover - deleted while running
            raise NotFound("No job {id}.", id=job_id)
        view = JobView.of(row)
    BOARD.forget(job_id)
    return view


def run_inline(
    hub: Hub,
    actor: Actor,
    kind: str,
    params: dict[str, Any] | None = None,
    on_progress: Callable[[int, int | None, str], None] | None = None,
) -> JobView:
    """Create and run a job in this process (the CLI), still persisted and audited."""
    return execute(hub, create(hub, actor, kind, params).id, on_progress)


class JobRunner(ABC):
    @abstractmethod
    def enqueue(self, job_id: str) -> None: ...

    def stop(self) -> None:  # noqa: B027 - optional hook
        """Release threads or connections."""


class InProcessRunner(JobRunner):
    """A daemon thread that runs queued jobs one by one inside the serving process."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="cthub-jobs", daemon=True)
        self._recover()
        self._thread.start()

    def _recover(self) -> None:
        """Jobs left running by a dead process failed; jobs left queued run now."""
        with self.hub.db.session() as s:
            s.execute(
                update(Job)
                .where(Job.state == "running")
                .values(
                    state="failed",
                    error="interrupted: the server stopped while it ran",
                    finished_at=utcnow(),
                )
            )
            for job_id in s.scalars(select(Job.id).where(Job.state == "queued")):
                self._queue.put(job_id)

    def enqueue(self, job_id: str) -> None:
        self._queue.put(job_id)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            try:
                execute(self.hub, job_id)
            except NotFound:
                continue
            finally:
                self._queue.task_done()

    def wait_idle(self) -> None:
        self._queue.join()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)


class RedisRunner(JobRunner):
    """Queues job ids on Redis (RQ); ``cthub worker`` processes run them."""

    def __init__(self, hub: Hub) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(hub.settings.redis_url)
        self.queue = Queue(hub.settings.job_queue, connection=self.connection)

    def enqueue(self, job_id: str) -> None:
        self.queue.enqueue(
            "cthub.core.jobs.run_queued",
            job_id,
            job_id=job_id,
            job_timeout=24 * 3600,
            result_ttl=3600,
            failure_ttl=7 * 24 * 3600,
        )

    def stop(self) -> None:
        self.connection.close()


def runner_for(hub: Hub) -> JobRunner:
    if hub.settings.job_backend == "redis":
        return RedisRunner(hub)
    return InProcessRunner(hub)


_worker_hub: Hub | None = None


def run_queued(job_id: str) -> None:
    """RQ entry point, run inside ``cthub worker`` with the worker's own hub."""
    if _worker_hub is None:
        raise RuntimeError("run_queued called outside `cthub worker`")
    execute(_worker_hub, job_id)


def run_worker(hub: Hub, *, burst: bool = False) -> bool:
    """Process jobs from the Redis queue until stopped (or until empty with ``burst``)."""
    from rq import SimpleWorker

    global _worker_hub
    _worker_hub = hub
    load_handlers()
    runner = RedisRunner(hub)
    worker = SimpleWorker([runner.queue], connection=runner.connection)
    return bool(worker.work(burst=burst, with_scheduler=False))


__all__ = [
    "JobContext",
    "JobRunner",
    "JobView",
    "create",
    "execute",
    "get",
    "job",
    "recent",
    "run_inline",
    "run_worker",
    "submit",
]
