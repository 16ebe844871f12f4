"""Group commit for real-time scoring: one writer thread per hub scores the calls queued to it
in arrival order and appends their audit events in one transaction per group.

Every scoring call appends to the audit chain, which serialises them anyway; done one unit of
work at a time, each call paid for its own transaction, head lock, insert and commit (most of
a millisecond), and waiting callers handed a lock round. Here a caller queues a ``Job`` and
waits on its future; the writer takes whatever is queued (up to ``MAX_GROUP``), runs the
handler on each job in one session, appends all their events with ``audit.record_many`` (the
chain computed in order), commits, and only then resolves the futures: a caller is told its
call succeeded once its event is durable, exactly as before. A refused job (a ``CthubError``
from the handler) is answered with it and audited ``denied`` or ``failed`` in the same group,
as ``Hub.unit`` audits a refusal. Work too slow for the group (a scorer build, names to
screen) is raised as ``Aside``: it runs on a side thread and the job is queued again.

The thread starts on the first job and ends after ``IDLE_S`` without one; the writer holds its
hub weakly, so a closed hub's writer goes with it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import threading
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from cthub.core import audit
from cthub.core.audit import Entry
from cthub.core.errors import CthubError, Forbidden, Unavailable
from cthub.core.hub import Hub
from cthub.core.policy import Actor

log = logging.getLogger(__name__)
MAX_GROUP = 256  # jobs per transaction: bounds the time the write lock is held
IDLE_S = 2.0
ATTEMPTS = 4  # asides per job before it is refused (a dataset rebuilt again and again)
#: slow work of every writer (builds, screening): a few threads, shared by the process
_ASIDE = ThreadPoolExecutor(max_workers=4, thread_name_prefix="cthub-score-aside")


@dataclass(eq=False)
class Job:
    """One call: the actor, what the handler reads, and the future the caller waits on: a
    thread's ``future``, or, for a caller on an event loop (``loop`` given, the job made on
    that loop's thread), ``waiter``, which the writer settles with one wake-up of the loop per
    group rather than one per call."""

    actor: Actor
    payload: Any
    loop: asyncio.AbstractEventLoop | None = None
    future: Future[Any] = field(default_factory=Future)
    waiter: asyncio.Future[Any] | None = None
    attempts: int = 0

    def __post_init__(self) -> None:
        if self.loop is not None and self.waiter is None:
            self.waiter = self.loop.create_future()

    def gone(self) -> bool:
        """Whether the caller stopped waiting (cancelled) before the call was handled."""
        if self.waiter is not None:
            return self.waiter.cancelled()
        return not self.future.running() and not self.future.set_running_or_notify_cancel()


class Aside(Exception):
    """Raised by a handler before it changed anything: ``work(payload)`` runs on a side thread
    and returns the payload to queue the job again with; after ``ATTEMPTS`` the job is refused
    with ``give_up``."""

    def __init__(self, work: Callable[[Any], Any], give_up: CthubError) -> None:
        super().__init__()
        self.work, self.give_up = work, give_up


#: (hub, session, job, memo of this group) -> (the caller's answer, its audit event)
Handler = Callable[[Hub, Session, Job, dict[Hashable, Any]], tuple[Any, Entry]]


def refusal(actor: Actor, action: str, exc: CthubError) -> Entry:
    """The event ``Hub.unit`` writes for a refused or failed call."""
    outcome = "denied" if isinstance(exc, Forbidden) else "failed"
    details = {"error": exc.code, "message": exc.render()[:500]}
    return Entry(actor, action, outcome=outcome, details=details)


class Writer:
    """The group-committing writer of one hub for one action."""

    def __init__(self, hub: Hub, action: str, handler: Handler) -> None:
        self._hub = weakref.ref(hub)
        self.action, self.handler = action, handler
        self._queue: queue.SimpleQueue[Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False

    def submit(self, job: Job) -> Future[Any]:
        """Queue ``job``; never blocks. The future (or ``job.waiter``) holds the answer or the
        refusal."""
        self._queue.put(job)
        with self._lock:
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="cthub-score-writer", daemon=True).start()
        return job.future

    def aside(self, job: Job, work: Callable[[Any], Any]) -> Future[Any]:
        """Run ``work(job.payload)`` on a side thread, then queue the job with its result."""
        _ASIDE.submit(self._after, job, work)
        return job.future

    def _after(self, job: Job, work: Callable[[Any], Any]) -> None:
        try:
            job.payload = work(job.payload)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who re-raises it
            _settle([(job, exc, None)])
            return
        self.submit(job)

    def _run(self) -> None:
        while True:
            try:
                jobs = [self._queue.get(timeout=IDLE_S)]
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._running = False
                        return
                continue
            while len(jobs) < MAX_GROUP:
                try:
                    jobs.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                self._group(jobs)
            except Exception as exc:  # pragma: no cover - the thread must outlive a fault
                log.exception("real-time scoring writer fault")
                _settle([(job, exc, None) for job in jobs])

    def _group(self, jobs: list[Job]) -> None:
        """Handle ``jobs`` in one transaction; answer each once the transaction committed."""
        hub = self._hub()
        if hub is None:
            _settle([(job, Unavailable("The hub was closed."), None) for job in jobs])
            return
        done: list[tuple[Job, Any]] = []
        try:
            with hub.db.session() as s:
                memo: dict[Hashable, Any] = {}
                entries = [entry for job in jobs for entry in self._one(hub, s, job, memo, done)]
                audit.record_many(s, entries)
        except BaseException as exc:  # noqa: BLE001 - nothing of the group is durable
            log.warning("real-time scoring group of %d failed: %r", len(done), exc)
            _settle([(job, exc, None) for job, _ in done])
            return
        _settle([(job, None, answer) for job, answer in done])

    def _one(
        self, hub: Hub, s: Session, job: Job, memo: dict[Hashable, Any], done: list[Any]
    ) -> list[Entry]:
        if job.gone():
            return []  # the caller went away before its call was handled: nothing was done
        try:
            answer, entry = self.handler(hub, s, job, memo)
        except Aside as aside:
            job.attempts += 1
            if job.attempts <= ATTEMPTS:
                self.aside(job, aside.work)
                return []
            answer, entry = aside.give_up, refusal(job.actor, self.action, aside.give_up)
        except CthubError as exc:
            answer, entry = exc, refusal(job.actor, self.action, exc)
        except Exception as exc:  # a fault: this caller gets a 500 and no event
            log.exception("real-time scoring failed")
            _settle([(job, exc, None)])
            return []
        done.append((job, answer))
        return [entry]


Answer = tuple[Job, BaseException | None, Any]  # the job, its refusal or fault, or its answer


def _settle(answers: list[Answer]) -> None:
    """Answer each job: a thread's future at once, the waiters of an event loop in one
    callback on that loop (one wake-up for the group)."""
    on_loops: dict[asyncio.AbstractEventLoop, list[Answer]] = {}
    for job, exc, answer in answers:
        if exc is None and isinstance(answer, CthubError):
            exc = answer
        if job.loop is not None:
            on_loops.setdefault(job.loop, []).append((job, exc, answer))
            continue
        try:
            if exc is not None:
                job.future.set_exception(exc)
            else:
                job.future.set_result(answer)
        except InvalidStateError:  # pragma: no cover - cancelled before it was handled
            pass
    for loop, part in on_loops.items():
        with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
            loop.call_soon_threadsafe(_resolve, part)


def _resolve(answers: list[Answer]) -> None:
    """On the waiters' loop: set each waiter that is still waited on."""
    for job, exc, answer in answers:
        waiter = job.waiter
        if waiter is None or waiter.done():
            continue
        if exc is not None:
            waiter.set_exception(exc)
        else:
            waiter.set_result(answer)


__all__ = ["ATTEMPTS", "MAX_GROUP", "Answer", "Aside", "Handler", "Job", "Writer", "refusal"]
