"""IATI import/export through the service on both backends: all or nothing, updates, scope."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import interchange
from cthub.coordination.iati import validate_document
from cthub.core.errors import Conflict, InvalidInput
from cthub.core.hub import Hub
from tests import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "coordination"

PROJECTS = [
    {
        "title": "Training of border guards on document fraud detection",
        "donor": "German Federal Foreign Office", "recipient": "JO",
        "areas": ["immigration"], "forms": ["training"], "status": "implementation",
        "budget": "250000.00", "currency": "EUR", "start_date": "2026-01-15",
        "end_date": "2027-06-30", "description": "Forged passports and visas at land borders.",
    },
    {
        "title": "Drafting a counter-terrorism financing law",
        "donor": "UNODC Terrorism Prevention Branch", "recipient": "KE",
        "areas": ["legislation", "financial_law"], "forms": ["legislative_drafting"],
        "status": "pipeline", "budget": "90000000", "currency": "JPY",
        "start_date": "2027-01-01",
    },
]  # fmt: skip


def _ct_file(hub: Hub, tmp_path: Path) -> Path:
    donor = factories.member(hub, "analyst")
    for data in PROJECTS:
        co.create_project(hub, donor.actor, data)
    path = tmp_path / "ct.xml"
    path.write_bytes(interchange.export_iati(hub, factories.OPERATOR))
    return path


def test_export_is_xsd_valid_and_reimport_updates_by_identifier(hub: Hub, tmp_path: Path) -> None:
    path = _ct_file(hub, tmp_path)
    assert validate_document(path.read_bytes()) == []
    importer = factories.member(hub, "analyst")
    first = interchange.import_iati(hub, importer.actor, path)
    assert (first.created, first.updated, first.invalid) == (2, 0, [])
    again = interchange.import_iati(hub, importer.actor, path)
    assert (again.created, again.updated) == (0, 2)
    mine = co.list_projects(hub, importer.actor, co.Filter(sort="id")).items
    assert [p.recipient for p in mine] == ["JO", "KE"]
    assert mine[1].areas == ("financial_law", "legislation")
    assert (mine[1].budget_minor, mine[1].currency) == (90000000, "JPY")
    assert mine[0].start_date == dt.date(2026, 1, 15)
    assert mine[0].forms == ("training",)
    other = factories.member(hub, "analyst")
    with pytest.raises(Conflict, match="another organisation"):
        interchange.import_iati(hub, other.actor, path)


def test_a_file_with_invalid_activities_is_refused_whole(hub: Hub, tmp_path: Path) -> None:
    path = _ct_file(hub, tmp_path)
    text = path.read_text(encoding="utf-8")
    broken = tmp_path / "broken.xml"
    broken.write_text(text.replace('currency="EUR"', 'currency="EUX"', 1), encoding="utf-8")
    importer = factories.member(hub, "analyst")
    with pytest.raises(InvalidInput, match=r"broken.xml: 1 invalid activities.*line \d+"):
        interchange.import_iati(hub, importer.actor, broken)
    assert co.list_projects(hub, importer.actor).total == 0
    result = interchange.import_iati(hub, importer.actor, broken, skip_invalid=True)
    assert (result.created, len(result.invalid)) == (1, 1)
    assert "EUX" in result.invalid[0].errors[0]


def test_real_spanish_file_is_outside_the_ct_areas(hub: Hub, tmp_path: Path) -> None:
    path = tmp_path / "ES-MAEC-Indonesia-activities-2.01.xml"
    path.write_bytes(gzip.decompress((FIXTURES / f"{path.name}.gz").read_bytes()))
    importer = factories.member(hub, "analyst")
    with pytest.raises(InvalidInput, match="22 invalid activities"):
        interchange.import_iati(hub, importer.actor, path)
    result = interchange.import_iati(hub, importer.actor, path, skip_invalid=True)
    assert result.created == 0
    assert len(result.outside) == 61
    assert all("CTC" in why for _, why in result.outside)


def test_hostile_file_names_the_file(hub: Hub, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;">]><iati-activities version="2.03">&b;</iati-activities>'
    )
    importer = factories.member(hub, "analyst")
    with pytest.raises(InvalidInput, match=r"bomb\.xml"):
        interchange.import_iati(hub, importer.actor, bomb)
    notxml = tmp_path / "notes.xml"
    notxml.write_text("project,budget\nx,1\n")
    with pytest.raises(InvalidInput, match=r"notes\.xml"):
        interchange.import_iati(hub, importer.actor, notxml)


def test_export_of_one_recipient(hub: Hub, tmp_path: Path) -> None:
    _ct_file(hub, tmp_path)
    data = interchange.export_iati(hub, factories.OPERATOR, recipient="Kenya")
    assert data.count(b"<iati-activity ") == 1
    assert b'code="KE"' in data
    with pytest.raises(InvalidInput, match="Unknown country"):
        interchange.export_iati(hub, factories.OPERATOR, recipient="Narnia")
