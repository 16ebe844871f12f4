"""The matcher cache, on both backends: a hit reads one row set and writes nothing; a version
loaded through another engine (as another process would) invalidates it on the next call."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from cthub.core.db import Database
from cthub.core.errors import Forbidden
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.core.tables import AuditEvent
from cthub.lists import active_versions, load
from cthub.screening import Query, cache
from tests import factories

HEADER = "name,aliases,type,birth_date,nationality,id_number,ref\n"


def _csv(folder: Path, name: str, rows: str) -> Path:
    path = folder / name
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def _events(hub: Hub) -> int:
    with hub.db.session(readonly=True) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.fixture
def listed(hub: Hub, tmp_path: Path) -> Iterator[Hub]:
    v1 = _csv(tmp_path, "v1.csv", "Ivan Sidorov,,person,,,,P-1\n")
    load(hub, factories.OPERATOR, "plain-csv", v1, list_name="test")
    cache.clear()
    yield hub
    cache.clear()


def test_a_version_loaded_by_another_engine_invalidates_the_cache(
    listed: Hub, tmp_path: Path
) -> None:
    analyst = factories.member(listed, "analyst").actor
    first = cache.screener(listed, analyst, ["test"])
    assert cache.screener(listed, analyst, ["test"]) is first
    other = Hub(listed.settings, Database(listed.db.url))  # its own pool: another process's view
    try:
        v2 = _csv(tmp_path, "v2.csv", "Olga Kuznetsova,,person,,,,P-2\n")
        load(other, factories.OPERATOR, "plain-csv", v2, list_name="test")
    finally:
        other.close()
    fresh = cache.screener(listed, analyst, ["test"])
    assert fresh is not first
    hits = fresh.matcher.screen(Query(name="Olga Kuznetsova"), threshold=0.7)
    assert [h.entry.ref for h in hits] == ["P-2"]
    assert cache.screener(listed, analyst, ["test"]) is fresh


def test_a_cache_hit_is_one_read_and_no_write(listed: Hub) -> None:
    analyst = factories.member(listed, "analyst").actor
    cache.screener(listed, analyst, ["test"])  # the miss builds (and audits the read)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement.strip().split()[0].upper())

    before = _events(listed)
    event.listen(listed.db.engine, "before_cursor_execute", seen)
    try:
        cache.screener(listed, analyst, ["test"])
    finally:
        event.remove(listed.db.engine, "before_cursor_execute", seen)
    assert [s for s in statements if s not in ("BEGIN",)] == ["SELECT"]
    assert _events(listed) == before


def test_active_versions_names_the_active_version_of_each_list(listed: Hub, tmp_path: Path) -> None:
    v2 = _csv(tmp_path, "v2.csv", "Olga Kuznetsova,,person,,,,P-2\n")
    load(listed, factories.OPERATOR, "plain-csv", v2, list_name="test")
    load(listed, factories.OPERATOR, "plain-csv", v2, list_name="other")
    assert {n: v.version for n, v in active_versions(listed).items()} == {"test": 2, "other": 1}
    assert list(active_versions(listed, ["other", "missing"])) == ["other"]


def test_a_role_without_lists_read_gets_no_cached_matcher(listed: Hub) -> None:
    cache.screener(listed, factories.member(listed, "analyst").actor, ["test"])
    stranger = Actor("stranger", "no-such-role", None)
    before = _events(listed)
    with pytest.raises(Forbidden):
        cache.screener(listed, stranger, ["test"])
    assert _events(listed) == before + 1  # the refusal is audited
