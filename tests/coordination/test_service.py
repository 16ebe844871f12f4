"""Needs and projects on both backends: validation by field, organisation scope, coordinator."""

from __future__ import annotations

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.core import auditlog
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from tests import factories

NEED = {
    "recipient": "Jordan",
    "area": "immigration",
    "priority": "4",
    "title": "Document examination capacity at Queen Alia airport",
    "source": "cted_assessment",
    "identified_on": "2026-03-02",
}
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


def test_need_and_project_round_trip(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    need = co.create_need(hub, donor.actor, NEED)
    assert (need.recipient, need.priority, need.confidentiality) == ("JO", 4, "TLP:GREEN")
    project = co.create_project(hub, donor.actor, {**PROJECT, "need_ids": [need.id]})
    assert project.areas == ("immigration", "law_enforcement")
    assert (project.budget_minor, project.currency, project.budget) == (
        125000050, "EUR", "1250000.50",
    )  # fmt: skip
    assert project.need_ids == (need.id,)
    changed = co.update_project(hub, donor.actor, project.id, {**PROJECT, "status": "completed"})
    assert changed.status == "completed"
    assert changed.need_ids == ()
    page = co.list_projects(hub, donor.actor, co.Filter(area="law_enforcement"))
    assert [p.id for p in page.items] == [project.id]
    assert page.total == 1
    register = co.load_register(hub, donor.actor)
    assert register.projects[0].budget_minor == 125000050
    assert register.needs[0].area == "immigration"
    events = auditlog.list_events(hub, factories.OPERATOR, limit=200).events
    assert {"coordination.write", "coordination.read"} <= {e.action for e in events}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("recipient", "Atlantis", "Unknown country"),
        ("area", "cyber", "Unknown value"),
        ("priority", "9", "Priority must be"),
        ("identified_on", "02/03/2026", "Invalid date"),
    ],
)
def test_need_errors_name_the_field(hub: Hub, field: str, value: str, words: str) -> None:
    donor = factories.member(hub, "analyst")
    with pytest.raises(InvalidInput, match=words) as err:
        co.create_need(hub, donor.actor, {**NEED, field: value})
    assert err.value.params["field"] == field


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"budget": "-5"}, "budget", "must not be negative"),
        ({"currency": "XYZ"}, "currency", "Unknown currency"),
        ({"budget": "10.001", "currency": "EUR"}, "budget", "more decimals"),
        ({"end_date": "2025-01-01"}, "end_date", "before the start date"),
        ({"areas": ""}, "areas", "at least one"),
        ({"need_ids": [999]}, "need_ids", "does not exist"),
    ],
)
def test_project_errors_name_the_field(
    hub: Hub, changes: dict[str, object], field: str, words: str
) -> None:
    donor = factories.member(hub, "analyst")
    with pytest.raises(InvalidInput, match=words) as err:
        co.create_project(hub, donor.actor, {**PROJECT, **changes})
    assert err.value.params["field"] == field
    assert co.list_projects(hub, donor.actor).total == 0


def test_editing_is_organisation_scoped_and_the_coordinator_sees_all(hub: Hub) -> None:
    donor_a = factories.member(hub, "analyst")
    donor_b = factories.member(hub, "analyst")
    secretariat = factories.member(hub, "coordinator")
    project = co.create_project(hub, donor_a.actor, PROJECT)
    co.create_project(hub, donor_b.actor, {**PROJECT, "donor": "Global Affairs Canada"})
    with pytest.raises(Forbidden):
        co.update_project(hub, donor_b.actor, project.id, PROJECT)
    with pytest.raises(Forbidden):
        co.get_project(hub, donor_b.actor, project.id)
    assert co.list_projects(hub, donor_b.actor).total == 1
    assert co.list_projects(hub, secretariat.actor).total == 2
    assert co.get_project(hub, secretariat.actor, project.id).donor == PROJECT["donor"]
    with pytest.raises(Forbidden):
        co.update_project(hub, secretariat.actor, project.id, PROJECT)
    viewer = factories.member(hub, "viewer", org_name=donor_a.org)
    with pytest.raises(Forbidden):
        co.create_need(hub, viewer.actor, NEED)
    co.delete_project(hub, donor_a.actor, project.id)
    with pytest.raises(NotFound):
        co.get_project(hub, donor_a.actor, project.id)


def test_listing_sorts_and_rejects_unknown_sort_keys(hub: Hub) -> None:
    donor = factories.member(hub, "analyst")
    for priority in (2, 5, 3):
        co.create_need(hub, donor.actor, {**NEED, "priority": priority})
    page = co.list_needs(hub, donor.actor, co.Filter(sort="-priority"), limit=2)
    assert [n.priority for n in page.items] == [5, 3]
    assert page.total == 3
    with pytest.raises(InvalidInput, match="Cannot sort"):
        co.list_needs(hub, donor.actor, co.Filter(sort="password"))


def test_red_and_amber_strict_needs_stay_inside_their_organisation(hub: Hub) -> None:
    from cthub.core import accounts

    owner = factories.member(hub, "analyst")
    partner = factories.member(hub, "analyst")
    secretariat = factories.member(hub, "coordinator")
    admin = factories.member(hub, "admin", org_name=owner.org)
    accounts.grant_sharing(hub, admin.actor, partner.org, "coordination", "joint programming")
    labels = ("TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED")
    needs = {
        lab: co.create_need(hub, owner.actor, {**NEED, "confidentiality": lab}) for lab in labels
    }
    shared = {n.confidentiality for n in co.list_needs(hub, partner.actor).items}
    assert shared == {"TLP:GREEN", "TLP:AMBER"}
    assert {n.area for n in co.load_register(hub, partner.actor).needs} == {"immigration"}
    assert len(co.load_register(hub, partner.actor).needs) == 2
    with pytest.raises(Forbidden, match="TLP:RED"):
        co.get_need(hub, partner.actor, needs["TLP:RED"].id)
    assert co.get_need(hub, partner.actor, needs["TLP:AMBER"].id).id == needs["TLP:AMBER"].id
    assert co.list_needs(hub, owner.actor).total == 4
    assert co.list_needs(hub, secretariat.actor).total == 4
