"""Findings of the review of the coordination capability, each pinned by a test."""

from __future__ import annotations

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import centres, knowledge, reporting, treaties
from cthub.core import accounts
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from tests import factories

PROJECT = {
    "title": "Training of border guards on document fraud detection",
    "donor": "German Federal Foreign Office",
    "recipient": "JO",
    "areas": "immigration,law_enforcement",
    "forms": ["training"],
    "status": "implementation",
    "budget": "1250000.50",
    "currency": "eur",
    "start_date": "2026-01-15",
    "end_date": "2027-06-30",
}


def test_report_changes_compare_with_a_snapshot_of_the_same_register(hub: Hub) -> None:
    """An admin's report never diffs against (or replaces) the coordinator's all-org snapshot."""
    donor_a = factories.member(hub, "analyst")
    admin_a = factories.member(hub, "admin", org_name=donor_a.org)
    donor_b = factories.member(hub, "analyst")
    secretariat = factories.member(hub, "coordinator")
    mine = co.create_project(hub, donor_a.actor, PROJECT)
    theirs = co.create_project(hub, donor_b.actor, {**PROJECT, "donor": "Global Affairs Canada"})
    reporting.generate(hub, secretariat.actor, "2026H1", "html", "en")
    with hub.unit(admin_a.actor, "coordination.report") as u:
        data = reporting._build(u, "2026H2")
    assert data.changes is None  # org A has no report of its own yet
    reporting.generate(hub, admin_a.actor, "2026H1", "html", "en")
    with hub.unit(admin_a.actor, "coordination.report") as u:
        changes = reporting._build(u, "2026H2").changes
    assert changes is not None
    assert theirs.id not in changes.removed
    assert mine.id not in changes.new_projects
    with hub.unit(secretariat.actor, "coordination.report") as u:
        kept = reporting._build(u, "2026H2").changes
    assert kept is not None  # the admin's regeneration did not replace the coordinator's
    assert not kept.new_projects
    assert [r.generated_by for r in reporting.history(hub, admin_a.actor)] == [admin_a.actor.name]


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"budget": "1" * 40}, "budget"),
     ({"budget_minor": 2**63, "currency": "EUR"}, "budget"),
     ({"need_ids": "99999999999999999999"}, "need_ids")],
)  # fmt: skip
def test_numbers_beyond_bigint_are_invalid_input_not_a_database_error(
    hub: Hub, extra: dict[str, object], field: str
) -> None:
    donor = factories.member(hub, "analyst")
    with pytest.raises(InvalidInput) as caught:
        co.create_project(hub, donor.actor, {**PROJECT, **extra})
    assert caught.value.params["field"] == field


def test_a_unicode_digit_course_duration_is_invalid_input(hub: Hub) -> None:
    analyst = factories.member(hub, "analyst")
    course = {"title": "Port container screening", "area": "customs", "duration_days": "\u00b2"}
    with pytest.raises(InvalidInput) as caught:
        centres.create_centre(hub, analyst.actor, {
            "name": "Regional Centre", "country": "JO", "city": "Amman", "areas": ["customs"],
            "curricula": [course],
        })  # fmt: skip
    assert "whole number of days" in caught.value.render()


def test_a_nul_character_is_never_a_database_error(hub: Hub) -> None:
    """PostgreSQL text cannot hold NUL and FTS5 reads it as the end of the query."""
    analyst = factories.member(hub, "analyst")
    project = co.create_project(hub, analyst.actor, {**PROJECT, "title": "Border\x00 training"})
    assert project.title == "Border training"
    knowledge.create_evaluation(hub, analyst.actor, {
        "kind": "lesson", "title": "Border training lessons", "body": "Mentoring works",
        "areas": ["customs"],
    })  # fmt: skip
    assert knowledge.search(hub, analyst.actor, "\x00border").total == 1


def test_a_nul_character_in_a_list_filter_is_not_a_database_error(hub: Hub) -> None:
    analyst = factories.member(hub, "analyst")
    co.create_project(hub, analyst.actor, PROJECT)
    for flt in (co.Filter(q="bor\x00der"), co.Filter(donor="German Federal\x00 Foreign Office"),
                co.Filter(status="implementation\x00")):  # fmt: skip
        assert co.list_projects(hub, analyst.actor, flt).total == 1
    assert co.list_needs(hub, analyst.actor, co.Filter(q="\x00")).total == 0


def test_a_red_legislation_need_is_not_revealed_on_the_country_page(hub: Hub) -> None:
    """The treaty panel's "legislation need" ids obey TLP like every other read of needs."""
    owner = factories.member(hub, "analyst")
    partner = factories.member(hub, "analyst")
    admin = factories.member(hub, "admin", org_name=owner.org)
    accounts.grant_sharing(hub, admin.actor, partner.org, "coordination", "joint programming")
    need = {"recipient": "JO", "area": "legislation", "priority": "3", "title": "CT law review"}
    red = co.create_need(hub, owner.actor, {**need, "confidentiality": "TLP:RED"})
    treaties.load_instruments(hub, factories.OPERATOR)
    assert treaties.country_status(hub, owner.actor, "JO").legislation_need_ids == (red.id,)
    assert treaties.country_status(hub, partner.actor, "JO").legislation_need_ids == ()
    amber = co.create_need(hub, owner.actor, {**need, "confidentiality": "TLP:AMBER"})
    assert treaties.country_status(hub, partner.actor, "JO").legislation_need_ids == (amber.id,)
