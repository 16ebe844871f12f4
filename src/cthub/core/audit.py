"""Append-only, hash-chained audit log.

Each event's ``hash`` is SHA-256 over its canonical JSON form, which includes the previous
event's hash, so editing, deleting or reordering any event breaks the chain from that point on.
``audit_head`` holds the last sequence number and hash; appending locks it (``FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), which serialises writers and detects a truncated
tail. Database triggers refuse UPDATE and DELETE on ``audit_events`` as a second line.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cthub.core.db import utcnow
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent, AuditHead

GENESIS = "0" * 64


_FIELDS = ("seq", "at", "actor", "actor_org_id", "action", "outcome", "resource_type",
           "resource_id", "org_id", "details", "prev_hash")  # fmt: skip


def _canonical(values: dict[str, Any]) -> bytes:
    body = [values[name] for name in _FIELDS]
    body[1] = body[1].astimezone(dt.UTC).isoformat(timespec="microseconds")
    body[9] = body[9] or {}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(ev: AuditEvent) -> str:
    return hashlib.sha256(_canonical({name: getattr(ev, name) for name in _FIELDS})).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    outcome: str = "ok",
    resource_type: str | None = None,
    resource_id: str | int | None = None,
    org_id: int | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event in the caller's transaction, so the event and the work land together."""
    head = _locked_head(session)
    ev = AuditEvent(
        seq=head.seq + 1,
        at=utcnow(),
        actor=actor.name,
        actor_org_id=actor.org_id,
        action=action,
        outcome=outcome,
        resource_type=resource_type,
        resource_id=None if resource_id is None else str(resource_id),
        org_id=org_id if org_id is not None else actor.org_id,
        details=details or {},
        prev_hash=head.hash,
    )
    ev.hash = event_hash(ev)
    head.seq, head.hash = ev.seq, ev.hash
    session.add(ev)
    session.flush()
    return ev


@dataclass(frozen=True)
class Entry:
    """One event to append with ``record_many``; the fields are ``record``'s."""

    actor: Actor
    action: str
    outcome: str = "ok"
    resource_type: str | None = None
    resource_id: str | int | None = None
    org_id: int | None = None
    details: dict[str, Any] | None = None


def record_many(session: Session, entries: Sequence[Entry]) -> int:
    """Append ``entries`` in order in the caller's transaction, as ``record`` would one by one,
    under one lock of the head and with one multi-row insert; the last sequence number.

    This is group commit: a writer serving many callers appends their events together, so the
    chain costs one lock, one statement and one commit per group rather than per event. Each
    caller must wait for the commit before it is told its call succeeded.
    """
    if not entries:
        return _locked_head(session).seq
    seq, prev = _locked_head_row(session)
    rows = []
    for e in entries:
        seq += 1
        row = {"seq": seq, "at": utcnow(), "actor": e.actor.name, "actor_org_id": e.actor.org_id,
               "action": e.action, "outcome": e.outcome, "resource_type": e.resource_type,
               "resource_id": None if e.resource_id is None else str(e.resource_id),
               "org_id": e.org_id if e.org_id is not None else e.actor.org_id,
               "details": e.details or {}, "prev_hash": prev}  # fmt: skip
        prev = row["hash"] = hashlib.sha256(_canonical(row)).hexdigest()
        rows.append(row)
    conn = session.connection()  # Core throughout: no ORM bookkeeping on the hot path
    conn.execute(insert(AuditEvent), rows)
    conn.execute(_SET_HEAD, {"seq": seq, "hash": prev})
    return seq


_GET_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_SET_HEAD = (update(AuditHead).where(AuditHead.id == 1)
             .values(seq=bindparam("seq"), hash=bindparam("hash")))  # fmt: skip


def _locked_head_row(session: Session) -> tuple[int, str]:
    """``_locked_head`` as a plain (seq, hash), read with Core; the ORM head of the session,
    if it loaded one, is flushed first and refreshed by its next ``_locked_head``."""
    session.flush()
    row = session.connection().execute(_GET_HEAD).first()
    if row is None:
        head = _locked_head(session)
        return head.seq, head.hash
    return int(row[0]), str(row[1])


def _locked_head(session: Session) -> AuditHead:
    """The head row, locked until the transaction ends; created on first use.

    Two first writers may race to create it: the loser's insert fails inside a savepoint and
    it then waits for the winner's lock like any later writer.
    """
    stmt = (select(AuditHead).where(AuditHead.id == 1).with_for_update()
            .execution_options(populate_existing=True))  # fmt: skip
    head = session.scalars(stmt).first()
    if head is not None:
        return head
    try:
        with session.begin_nested():
            session.add(AuditHead(id=1, seq=0, hash=GENESIS))
    except IntegrityError:
        pass
    return session.scalars(stmt.execution_options(populate_existing=True)).one()


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify(
    session: Session, progress: Callable[[int, int], None] | None = None, batch: int = 5000
) -> Verification:
    """Walk the chain in sequence order and name the first event that does not fit."""
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    rows = session.execute(
        select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=batch)
    )
    for ev in rows.scalars():
        problem = _check(ev, expected_seq, expected_prev)
        if problem:  # a gap means the missing event (expected_seq) is the first bad one
            return Verification(False, checked, min(ev.seq, expected_seq), problem)
        expected_prev, expected_seq, checked = ev.hash, ev.seq + 1, checked + 1
        if progress and checked % batch == 0:
            progress(checked, total)
    head = session.get(AuditHead, 1)
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if (head_seq, head_hash) != (expected_seq - 1, expected_prev):
        return Verification(
            False, checked, expected_seq, "events at the end of the log are missing (head mismatch)"
        )
    if progress:
        progress(checked, total)
    return Verification(True, checked)


def _check(ev: AuditEvent, expected_seq: int, expected_prev: str) -> str | None:
    if ev.seq != expected_seq:
        return f"sequence gap: expected event {expected_seq}, found {ev.seq} (deleted events)"
    if ev.prev_hash != expected_prev:
        return "previous-hash link broken (event deleted, inserted or reordered before it)"
    if event_hash(ev) != ev.hash:
        return "content does not match its hash (event edited)"
    return None


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    resource_type: str | None = None
    outcome: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    org_ids: Iterable[int] | None = None


def query(flt: AuditFilter) -> Select[AuditEvent]:
    stmt = select(AuditEvent)
    if flt.actor:
        stmt = stmt.where(AuditEvent.actor.contains(flt.actor))
    if flt.action:
        stmt = stmt.where(AuditEvent.action.startswith(flt.action))
    if flt.resource_type:
        stmt = stmt.where(AuditEvent.resource_type == flt.resource_type)
    if flt.outcome:
        stmt = stmt.where(AuditEvent.outcome == flt.outcome)
    if flt.since:
        stmt = stmt.where(AuditEvent.at >= flt.since)
    if flt.until:
        stmt = stmt.where(AuditEvent.at < flt.until)
    if flt.org_ids is not None:
        ids = list(flt.org_ids)
        stmt = stmt.where((AuditEvent.org_id.in_(ids)) | (AuditEvent.actor_org_id.in_(ids)))
    return stmt.order_by(AuditEvent.seq.desc())


__all__ = [
    "AuditFilter",
    "Entry",
    "Verification",
    "event_hash",
    "query",
    "record",
    "record_many",
    "verify",
]
