"""The audit chain on both backends: appends, verification, and tamper detection basics."""

from __future__ import annotations

import itertools
import threading

from sqlalchemy import select

from cthub.core import audit
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent, AuditHead

ALICE = Actor("alice", "analyst", 1, 1)


def test_events_chain_and_verify(hub: Hub) -> None:
    with hub.db.session() as s:
        for i in range(5):
            audit.record(
                s,
                ALICE,
                "entities.write",
                resource_type="entity",
                resource_id=i,
                details={"name": "محمد", "i": i},
            )
    with hub.db.session(readonly=True) as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        result = audit.verify(s)
        head = s.get(AuditHead, 1)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5]
    assert events[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert result.ok
    assert result.checked == 5
    assert head is not None
    assert head.hash == events[-1].hash


def test_record_many_and_record_share_one_chain_in_a_session(hub: Hub) -> None:
    """``record_many`` appends with Core, ``record`` through the session's ORM head: mixed in
    one transaction, neither may append from a stale head (a fork of the chain)."""
    many = [audit.Entry(ALICE, "finance.monitor", details={"tx_id": f"T{i}"}) for i in range(3)]
    with hub.db.session() as s:
        audit.record(s, ALICE, "entities.write", resource_id=1)  # loads the ORM head
        assert audit.record_many(s, many) == 4
        audit.record(s, ALICE, "entities.write", resource_id=2)
        assert audit.record_many(s, many[:1]) == 6
        assert audit.record_many(s, []) == 6
    with hub.db.session(readonly=True) as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        result = audit.verify(s)
        head = s.get(AuditHead, 1)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert result.ok, result.reason
    assert head is not None
    assert (head.seq, head.hash) == (6, events[-1].hash)


def test_rolled_back_work_leaves_no_event(hub: Hub) -> None:
    try:
        with hub.db.session() as s:
            audit.record(s, ALICE, "entities.write")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with hub.db.session(readonly=True) as s:
        assert s.scalar(select(AuditEvent.seq)) is None
        assert audit.verify(s).ok


def test_concurrent_appends_keep_one_chain(hub: Hub) -> None:
    def write(n: int) -> None:
        for i in range(10):
            with hub.db.session() as s:
                audit.record(s, Actor(f"user{n}", "analyst", 1), "entities.read", details={"i": i})

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with hub.db.session(readonly=True) as s:
        result = audit.verify(s)
    assert result.ok, result
    assert result.checked == 40


def test_truncated_tail_is_detected(hub: Hub) -> None:
    with hub.db.session() as s:
        for _ in range(3):
            audit.record(s, ALICE, "entities.read")
    with hub.db.session() as s:
        head = s.get(AuditHead, 1)
        assert head is not None
        head.seq, head.hash = 4, "f" * 64  # the head claims an event the log no longer has
    with hub.db.session(readonly=True) as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.first_bad_seq == 4


def test_filter_query(hub: Hub) -> None:
    with hub.db.session() as s:
        audit.record(s, ALICE, "users.create", outcome="ok")
        audit.record(s, Actor("bob", "admin", 2), "users.create", outcome="denied")
        audit.record(s, ALICE, "entities.read")
    with hub.db.session(readonly=True) as s:
        denied = list(s.scalars(audit.query(audit.AuditFilter(outcome="denied"))))
        users = list(s.scalars(audit.query(audit.AuditFilter(action="users."))))
        org1 = list(s.scalars(audit.query(audit.AuditFilter(org_ids=[1]))))
    assert [e.actor for e in denied] == ["bob"]
    assert len(users) == 2
    assert {e.actor for e in org1} == {"alice"}
