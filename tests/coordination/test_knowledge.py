"""Evaluations and lessons learned on both backends: full-text search, ranking, org scope."""

from __future__ import annotations

import pytest
from sqlalchemy import text

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import knowledge
from cthub.core import accounts
from cthub.core.errors import Forbidden, InvalidInput
from cthub.core.hub import Hub
from tests import factories

BORDER = {
    "kind": "evaluation",
    "title": "Border guard training: final evaluation",
    "body": "The mentoring after the courses mattered more than the courses. Document fraud "
    "detection rose at two crossings; the border authority kept the trainers.",
    "areas": ["immigration"],
    "recipient": "JO",
    "published_on": "2025-06-30",
}
FIU = {
    "kind": "lesson",
    "title": "Financial intelligence analysts",
    "body": "Typologies of terrorist financing were taught to analysts. A border region was "
    "discussed once. Mentoring was not funded.",
    "areas": "financial_law,law_enforcement",
    "recipient": "KE",
}
CHINESE = {
    "kind": "lesson",
    "title": "边境管理培训的经验教训",
    "body": "边境管理人员接受了文件欺诈检测培训。经验表明，后续辅导比课程本身更重要。",  # noqa: RUF001
    "areas": ["immigration"],
}


def test_search_ranks_title_matches_first_and_highlights(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    border = knowledge.create_evaluation(hub, donor.actor, BORDER)
    fiu = knowledge.create_evaluation(hub, donor.actor, FIU)
    found = knowledge.search(hub, donor.actor, "border")
    expected = "fts5" if hub.db.dialect == "sqlite" else "tsvector"
    assert (found.method, found.total) == (expected, 2)
    assert [h.evaluation.id for h in found.hits] == [border.id, fiu.id]
    assert found.hits[0].score > found.hits[1].score
    assert any(hit and t.lower() == "border" for t, hit in found.hits[1].snippet)
    assert "<mark>" in knowledge.snippet_html(found.hits[1].snippet)
    both = knowledge.search(hub, donor.actor, "mentoring analysts")
    assert [h.evaluation.id for h in both.hits] == [fiu.id]
    phrase = knowledge.search(hub, donor.actor, '"document fraud"')
    assert [h.evaluation.id for h in phrase.hits] == [border.id]
    assert knowledge.search(hub, donor.actor, "border", area="financial_law").total == 1
    assert knowledge.search(hub, donor.actor, "border", recipient="Jordan").total == 1
    assert (
        knowledge.search(hub, donor.actor, "border", limit=1, offset=1).hits[0].evaluation.id
        == fiu.id
    )


def test_chinese_text_is_found_by_words_inside_it(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    knowledge.create_evaluation(hub, donor.actor, BORDER)
    zh = knowledge.create_evaluation(hub, donor.actor, CHINESE)
    long_query = knowledge.search(hub, donor.actor, "文件欺诈")
    assert long_query.method == ("fts5" if hub.db.dialect == "sqlite" else "substring")
    assert [h.evaluation.id for h in long_query.hits] == [zh.id]
    assert ("文件欺诈", True) in long_query.hits[0].snippet
    short = knowledge.search(hub, donor.actor, "边境")  # two characters: below a trigram
    assert short.method == "substring"
    assert [h.evaluation.id for h in short.hits] == [zh.id]
    assert short.hits[0].score == 11  # once in the title (counted ten times), once in the body
    assert knowledge.search(hub, donor.actor, "辅导 课程").total == 1


def test_the_index_follows_updates_and_deletes(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    row = knowledge.create_evaluation(hub, donor.actor, BORDER)
    knowledge.update_evaluation(hub, donor.actor, row.id, {**BORDER, "body": "Kept the radios."})
    assert knowledge.search(hub, donor.actor, "mentoring").total == 0
    assert knowledge.search(hub, donor.actor, "radios").total == 1
    knowledge.delete_evaluation(hub, donor.actor, row.id)
    assert knowledge.search(hub, donor.actor, "radios").total == 0


def test_search_and_reading_follow_organisation_scope(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    admin = factories.member(hub, "admin", org_name=donor.org)
    partner = factories.member(hub, "analyst")
    secretariat = factories.member(hub, "coordinator")
    row = knowledge.create_evaluation(hub, donor.actor, BORDER)
    assert knowledge.search(hub, partner.actor, "border").total == 0
    assert knowledge.list_evaluations(hub, partner.actor).total == 0
    with pytest.raises(Forbidden):
        knowledge.get_evaluation(hub, partner.actor, row.id)
    assert knowledge.search(hub, secretariat.actor, "border").total == 1
    accounts.grant_sharing(hub, admin.actor, partner.org, "coordination", "joint programming")
    assert knowledge.search(hub, partner.actor, "border").total == 1
    assert knowledge.get_evaluation(hub, partner.actor, row.id).title == BORDER["title"]
    with pytest.raises(Forbidden):
        knowledge.update_evaluation(hub, partner.actor, row.id, BORDER)


def test_links_and_errors_name_the_field(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    other = factories.member(hub, "analyst")
    project = co.create_project(
        hub, other.actor,
        {"title": "T", "donor": "D", "recipient": "KE", "areas": "customs", "status": "pipeline"},
    )  # fmt: skip
    mine = co.create_project(
        hub, donor.actor,
        {"title": "T", "donor": "D", "recipient": "KE", "areas": "customs", "status": "pipeline"},
    )  # fmt: skip
    linked = knowledge.create_evaluation(
        hub, donor.actor, {**FIU, "recipient": "", "project_id": mine.id}
    )
    assert (linked.project_id, linked.recipient) == (mine.id, "KE")
    assert knowledge.list_evaluations(hub, donor.actor, project_id=mine.id).total == 1
    for changes, field in (
        ({"project_id": project.id}, "project_id"),
        ({"project_id": "abc"}, "project_id"),
        ({"areas": []}, "areas"),
        ({"kind": "memo"}, "kind"),
        ({"body": ""}, "body"),
    ):
        with pytest.raises(InvalidInput) as err:
            knowledge.create_evaluation(hub, donor.actor, {**FIU, **changes})
        assert err.value.params["field"] == field
    with pytest.raises(InvalidInput) as err:
        knowledge.search(hub, donor.actor, '  "" ')
    assert err.value.params["field"] == "q"


def test_postgresql_search_can_use_the_gin_index(hub: Hub) -> None:
    if hub.db.dialect != "postgresql":
        with hub.db.engine.connect() as conn:
            sql = "SELECT count(*) FROM sqlite_master WHERE name LIKE 'coord_evaluations_fts%'"
            assert conn.execute(text(sql)).scalar() == 8  # table, 4 shadow tables, 3 triggers
        return
    with hub.db.engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        plan = conn.execute(
            text(
                "EXPLAIN SELECT id FROM coord_evaluations WHERE to_tsvector('simple'::regconfig, "
                "coord_evaluations.title || ' ' || coord_evaluations.body) "
                "@@ websearch_to_tsquery('simple'::regconfig, 'border')"
            )
        ).scalars()
        assert "ix_coord_evaluations_fts" in "\n".join(plan)
