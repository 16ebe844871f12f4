"""Parallel local screening gives ``service.screen``'s hits in the same order, one audit event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from cthub.lists import load
from cthub.screening import Query, build_matcher, screen
from cthub.screening.batch import CHUNK, screen_parallel
from tests import factories


def _queries(names: list[str], bad_at: int | None = None) -> Iterator[tuple[str, Query]]:
    for n, name in enumerate(names):
        if n == bad_at:
            raise InvalidInput("{where}: the name is empty.", where=f"line {n + 2}")
        yield f"q{n}", Query(name)


def test_parallel_equals_sequential_and_aborts_after_earlier_hits(sqlite_hub: Hub) -> None:
    load(sqlite_hub, factories.OPERATOR, "un")
    scr = build_matcher(sqlite_hub, factories.OPERATOR)
    listed = [name for entry in scr.matcher.index.entries[:300] for name in entry.names[:1]]
    names = [*listed, "Zzyzx Qwerty", *(n.lower() for n in listed)][: 2 * CHUNK + 37]
    actor = factories.OPERATOR
    expected = list(screen(sqlite_hub, actor, scr, _queries(names), 0.7, 3))
    got = list(screen_parallel(sqlite_hub, actor, scr, _queries(names), 0.7, 3, workers=2))
    assert len(expected) > len(names) // 2
    assert [(q, h.entry.id, h.score, h.explanation) for q, h in got] == [
        (q, h.entry.id, h.score, h.explanation) for q, h in expected
    ]
    with sqlite_hub.db.session() as s:
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "screening.screen")
            .order_by(AuditEvent.seq)
        )
        details = [e.details for e in events]
    assert details[-1]["engine"] == "local/2"
    assert details[-1]["queries"] == len(names)
    assert details[-1]["hits"] == len(expected)

    bad_at = CHUNK + 5
    partial: list[tuple[str, object]] = []
    found = screen_parallel(sqlite_hub, actor, scr, _queries(names, bad_at), 0.7, 3, 2)
    with pytest.raises(InvalidInput, match=rf"line {bad_at + 2}: the name is empty"):
        partial.extend(found)
    assert [q for q, _ in partial] == [q for q, _ in expected if int(q[1:]) < bad_at]
