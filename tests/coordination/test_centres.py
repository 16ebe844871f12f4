"""Regional training centres on both backends: reference data, curricula, project links."""

from __future__ import annotations

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import centres
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from tests import factories

CENTRE = {
    "name": "Jakarta Centre for Law Enforcement Cooperation",
    "country": "Indonesia",
    "city": "Semarang",
    "url": "https://www.jclec.org",
    "areas": "law_enforcement,financial_law",
    "curricula": [
        {"title": "Counter-terrorist financing investigations", "area": "financial_law",
         "audience": "FIU analysts", "duration_days": "5"},
        {"title": "Crime scene management after bombings", "area": "law_enforcement",
         "duration_days": 10},
    ],
}  # fmt: skip
PROJECT = {"title": "T", "donor": "D", "recipient": "ID", "areas": "customs", "status": "pipeline"}


def test_centre_round_trip_and_listing(hub: Hub) -> None:
    staff = factories.member(hub, "analyst")
    centre = centres.create_centre(hub, staff.actor, CENTRE)
    assert (centre.country, centre.areas) == ("ID", ("law_enforcement", "financial_law"))
    assert centre.curricula[0] == centres.Course(
        "Counter-terrorist financing investigations", "financial_law", "FIU analysts", 5
    )
    assert centre.curricula[1].audience == ""
    centres.create_centre(
        hub, staff.actor, {"name": "IPSTC", "country": "KE", "areas": ["law_enforcement"]}
    )
    updated = centres.update_centre(hub, staff.actor, centre.id, {**CENTRE, "curricula": []})
    assert updated.curricula == ()
    assert updated.name == CENTRE["name"]
    reader = factories.member(hub, "viewer")  # another organisation: reference data is shared
    assert centres.get_centre(hub, reader.actor, centre.id).city == "Semarang"
    assert [c.name for c in centres.list_centres(hub, reader.actor).items] == [
        "IPSTC", CENTRE["name"],
    ]  # fmt: skip
    assert centres.list_centres(hub, reader.actor, country="Kenya").total == 1
    assert centres.list_centres(hub, reader.actor, area="financial_law").total == 1
    with pytest.raises(Forbidden):
        centres.create_centre(hub, reader.actor, {**CENTRE, "name": "Other"})
    with pytest.raises(NotFound):
        centres.get_centre(hub, reader.actor, 999)


BAD_CENTRES = [
    ({"country": "Atlantis"}, "country"),
    ({"url": "ftp://jclec.org"}, "url"),
    ({"areas": "cyber"}, "areas"),
    (
        {"curricula": [{"title": "x", "area": "customs", "duration_days": 0}]},
        "curricula[1].duration_days",
    ),
    (
        {"curricula": [CENTRE["curricula"][0], {"area": "customs", "duration_days": 1}]},
        "curricula[2].title",
    ),
    ({"curricula": [{"title": "x", "area": "cyber", "duration_days": 3}]}, "curricula[1].area"),
    ({"curricula": "not json"}, "curricula"),
    ({"curricula": ["a string"]}, "curricula[1]"),
]


def test_centre_errors_name_the_field(hub: Hub) -> None:
    for changes, field in BAD_CENTRES:
        with pytest.raises(InvalidInput) as err:
            centres.create_centre(hub, factories.OPERATOR, {**CENTRE, **changes})
        assert err.value.params["field"] == field
    assert centres.list_centres(hub, factories.OPERATOR).total == 0


def test_names_are_unique_regardless_of_case(hub: Hub) -> None:
    centres.create_centre(hub, factories.OPERATOR, CENTRE)
    with pytest.raises(Conflict):
        centres.create_centre(hub, factories.OPERATOR, {**CENTRE, "name": CENTRE["name"].upper()})


def test_project_links_respect_organisation_scope(hub: Hub) -> None:
    donor_a = factories.member(hub, "analyst")
    donor_b = factories.member(hub, "analyst")
    secretariat = factories.member(hub, "coordinator")
    centre = centres.create_centre(hub, donor_a.actor, CENTRE)
    project_a = co.create_project(hub, donor_a.actor, PROJECT)
    project_b = co.create_project(hub, donor_b.actor, PROJECT)
    assert centres.link_project(hub, donor_a.actor, centre.id, project_a.id).project_ids == (
        project_a.id,
    )
    assert centres.link_project(hub, donor_a.actor, centre.id, project_a.id).project_ids == (
        project_a.id,
    )
    with pytest.raises(Forbidden):
        centres.link_project(hub, donor_a.actor, centre.id, project_b.id)
    linked = centres.link_project(hub, secretariat.actor, centre.id, project_b.id)
    assert linked.project_ids == (project_a.id, project_b.id)
    assert centres.get_centre(hub, donor_b.actor, centre.id).project_ids == (project_b.id,)
    after = centres.unlink_project(hub, donor_a.actor, centre.id, project_a.id)
    assert after.project_ids == ()  # project_b stays linked but is not donor_a's to see
    assert centres.get_centre(hub, secretariat.actor, centre.id).project_ids == (project_b.id,)
    with pytest.raises(NotFound):
        centres.link_project(hub, donor_a.actor, centre.id, 999)
