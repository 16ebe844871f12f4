"""Jobs that run on a schedule (retention, for one): declared by capabilities, started by
``cthub serve`` (and ``cthub worker``), each as the local operator.

A capability lists its schedules under the ``cthub.schedules`` entry-point group as a
sequence of ``Schedule(kind, every)``. ``due`` compares each kind's last job with the clock it
is given, so tests move the clock instead of waiting; ``tick`` submits what is due. A kind with
a job still queued or running is never submitted twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points

from sqlalchemy import func, select

from cthub.core import jobs
from cthub.core.db import utcnow
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import Job

log = logging.getLogger(__name__)
SCHEDULER = Actor.system("scheduler")


@dataclass(frozen=True)
class Schedule:
    kind: str
    every: dt.timedelta


def schedules() -> list[Schedule]:
    out: list[Schedule] = []
    for ep in entry_points(group="cthub.schedules"):
        out.extend(ep.load())
    return sorted(out, key=lambda s: s.kind)


def due(
    hub: Hub, now: dt.datetime | None = None, table: Sequence[Schedule] | None = None
) -> list[Schedule]:
    """The schedules whose last job was created at least ``every`` before ``now``."""
    now = now or utcnow()
    out = []
    with hub.db.session(readonly=True) as s:
        for sched in table if table is not None else schedules():
            busy = s.scalar(
                select(func.count())
                .select_from(Job)
                .where(Job.kind == sched.kind, Job.state.in_(("queued", "running")))
            )
            if busy:
                continue
            last = s.scalar(select(func.max(Job.created_at)).where(Job.kind == sched.kind))
            if last is not None and last.tzinfo is None:
                last = last.replace(tzinfo=dt.UTC)
            if last is None or now - last >= sched.every:
                out.append(sched)
    return out


def tick(
    hub: Hub, now: dt.datetime | None = None, table: Sequence[Schedule] | None = None
) -> list[str]:
    """Submit every due job; returns the job ids."""
    return [jobs.submit(hub, SCHEDULER, s.kind).id for s in due(hub, now, table)]


class Scheduler:
    """A daemon thread calling ``tick`` every ``interval_s`` seconds until stopped."""

    def __init__(self, hub: Hub, interval_s: float = 300.0) -> None:
        self.hub = hub
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cthub-scheduler", daemon=True)

    def start(self) -> Scheduler:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                tick(self.hub)
            except Exception:
                log.exception("scheduled jobs could not be submitted")
            self._stop.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()


__all__ = ["SCHEDULER", "Schedule", "Scheduler", "due", "schedules", "tick"]
