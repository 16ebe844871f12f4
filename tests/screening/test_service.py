"""Screening over stored lists, on both backends: entries mapped, queries checked, audited."""

from __future__ import annotations

import pytest

from cthub.core import auditlog
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.lists import active_entries
from cthub.lists import load as load_list
from cthub.screening import build_matcher, parse_query, screen
from tests import factories


@pytest.fixture
def loaded(hub: Hub) -> Hub:
    load_list(hub, factories.OPERATOR, "un")  # the bundled UN consolidated list
    return hub


def test_every_listed_name_finds_its_own_entry(loaded: Hub) -> None:
    """Recall on the list itself: each entry's primary name must return that entry first."""
    analyst = factories.member(loaded, "analyst")
    screener = build_matcher(loaded, analyst.actor, ["un"])
    views = list(active_entries(loaded, analyst.actor, ["un"]))
    assert screener.entries == len(views) == 1003
    queries = [parse_query({"id": v.ref, "name": v.caption}, "test") for v in views]
    found = {
        qid
        for qid, hit in screen(loaded, analyst.actor, screener, queries, 0.5, 5)
        if hit.entry.ref == qid
    }
    assert len(found) / len(views) >= 0.99


def test_hits_carry_refs_and_explanations(loaded: Hub) -> None:
    analyst = factories.member(loaded, "analyst")
    screener = build_matcher(loaded, analyst.actor)
    query = parse_query({"id": "q1", "name": "Badege Eric", "type": "person"}, "row 1")
    hits = list(screen(loaded, analyst.actor, screener, [query], 0.7, 3))
    assert hits
    qid, best = hits[0]
    assert qid == "q1"
    assert best.entry.ref == "CDi.001"
    assert "name" in best.explanation
    events = auditlog.list_events(loaded, factories.OPERATOR, limit=5).events
    assert events[0].action == "screening.screen"
    assert events[0].details["queries"] == 1


@pytest.mark.parametrize(
    ("record", "field"),
    [
        ({"id": "1", "name": " "}, "name"),
        ({"id": "", "name": "X"}, "id"),
        ({"id": "1", "name": "X", "birth_date": "70"}, "birth_date"),
        ({"id": "1", "name": "X", "nationality": "Atlantis"}, "nationality"),
        ({"id": "1", "name": "X", "type": "company"}, "type"),
    ],
)
def test_bad_records_name_the_field(record: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput, match=f"line 7: .*{field}"):
        parse_query(record, "in.csv line 7")


def test_nationality_accepts_names_and_codes() -> None:
    assert parse_query({"id": "1", "name": "A", "nationality": "Iraq"}, "x")[1].nationality == "IQ"
    assert parse_query({"id": "1", "name": "A", "nationality": "iq"}, "x")[1].nationality == "IQ"


def test_unloaded_list_and_roles(hub: Hub) -> None:
    with pytest.raises(NotFound):
        build_matcher(hub, factories.OPERATOR, ["un"])
    load_list(hub, factories.OPERATOR, "un")
    with pytest.raises(NotFound, match="eu"):
        build_matcher(hub, factories.OPERATOR, ["un", "eu"])
    partner = factories.member(hub, "partner")
    screener = build_matcher(hub, factories.OPERATOR, ["un"])
    with pytest.raises(Forbidden):
        list(screen(hub, partner.actor, screener, [], 0.7, 5))
