"""The treaty tracker on both backends: instruments, transactional CSV import, status, peers."""

from __future__ import annotations

from pathlib import Path

import pytest

import cthub.coordination.models  # noqa: F401
from cthub import coordination as co
from cthub.coordination import treaties
from cthub.core.errors import Forbidden, InvalidInput
from cthub.core.hub import Hub
from tests import factories

OP = factories.OPERATOR
HEADER = "state,instrument,signed_on,consent_on,consent_kind,source\n"
GOOD = "JO,Hague 1970,1970-12-16,1971-06-01,ratification,UNTC"


def _csv(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


def _status_rows(state: str, parties: range) -> list[dict[str, str]]:
    return [
        {
            "state": state,
            "instrument": str(i),
            "consent_on": "2020-01-01",
            "consent_kind": "accession",
        }
        for i in parties
    ]


def test_instruments_load_once_with_their_areas(hub: Hub) -> None:
    assert treaties.load_instruments(hub, OP) == 19
    assert treaties.load_instruments(hub, OP) == 19
    status = treaties.country_status(hub, OP, "JO")
    assert (status.total, status.parties, status.has_data) == (19, 0, False)
    areas = {i.short_name: i.area for i in status.instruments}
    assert areas["Hague 1970"] == "transport_security"
    assert areas["Terrorist Financing 1999"] == "financial_law"
    assert areas["Plastic Explosives 1991"] == "arms_export_control"
    assert areas["Nuclear Terrorism 2005"] == "legislation"
    assert set(areas.values()) <= set(co.AREA_KEYS)


def test_import_sets_status_and_links_not_joined_instruments_to_legislation_needs(
    hub: Hub, tmp_path: Path
) -> None:
    text = _csv(GOOD, "Jordan,12,,2003-08-28,accession,", "jo,Nuclear Terrorism 2005,2005-09-16,,,")
    summary = treaties.import_status_csv(hub, OP, text, source="UN Treaty Collection, 2026-01")
    assert (summary.rows, summary.created, summary.updated, summary.states) == (3, 3, 0, ("JO",))
    donor = factories.member(hub, "analyst")
    need = co.create_need(
        hub, donor.actor,
        {"recipient": "JO", "area": "legislation", "priority": 5, "title": "CT law review"},
    )  # fmt: skip
    status = treaties.country_status(hub, donor.actor, "JO")
    by_name = {i.short_name: i for i in status.instruments}
    assert (status.parties, status.signatories, status.has_data) == (2, 1, True)
    hague = by_name["Hague 1970"]
    assert (hague.status, hague.consent_kind, hague.source) == ("party", "ratification", "UNTC")
    assert by_name["Terrorist Financing 1999"].source == "UN Treaty Collection, 2026-01"
    assert by_name["Nuclear Terrorism 2005"].status == "signatory"
    assert len(status.not_joined) == 17
    assert status.legislation_need_ids == (need.id,)
    assert all(i.legislation_need for i in status.not_joined)
    assert not hague.legislation_need
    outsider = factories.member(hub, "viewer")  # another organisation: the need is not theirs
    assert treaties.country_status(hub, outsider.actor, "JO").legislation_need_ids == ()
    path = tmp_path / "status.csv"
    path.write_text(_csv("JO,Hague 1970,1970-12-16,1972-01-01,ratification,"), encoding="utf-8")
    again = treaties.import_status_csv(hub, OP, path, source="correction")
    assert (again.created, again.updated) == (0, 1)
    assert treaties.treaty_shortfall(hub, OP) == {"JO": pytest.approx(17 / 19)}


BAD_ROWS = [
    (("Atlantis,1,,2001-01-01,accession,",), "unknown state", 2, "state"),
    ((GOOD, "JO,Warsaw 1929,,2001-01-01,accession,"), "unknown instrument", 3, "instrument"),
    (("JO,2,16/12/1970,,,",), "invalid date", 2, "signed_on"),
    (("JO,2,1971-01-01,1970-12-20,ratification,",), "before the signature", 2, "consent_on"),
    (("JO,2,,1971-06-01,,",), "say how the state consented", 2, "consent_kind"),
    (("JO,2,,,accession,",), "has no date", 2, "consent_on"),
    (("JO,2,,1971-06-01,adoption,",), "unknown value", 2, "consent_kind"),
    (("JO,17,2001-01-01,,,",), "before the instrument was adopted", 2, "signed_on"),
    ((GOOD, "Jordan,2,,1975-01-01,accession,"), "already appear on line 2", 3, "instrument"),
    ((",2,,1975-01-01,accession,",), "state is required", 2, "state"),
    ((GOOD, "JO,3,,,,,extra"), "more values than the header", 3, None),
]
BAD_HEADERS = [
    ("state,treaty,signed_on,consent_on,consent_kind,source", "unknown columns", "treaty"),
    ("state,instrument,signed_on,consent_on,source", "lacks the columns", "consent_kind"),
]


def test_a_bad_row_aborts_the_import_naming_line_and_field(hub: Hub) -> None:
    """One test over every case: each import fails whole, so the database stays empty."""
    for lines, words, line, field in BAD_ROWS:
        with pytest.raises(InvalidInput, match=words) as err:
            treaties.import_status_csv(hub, OP, _csv(*lines), source="test")
        assert (err.value.params["line"], err.value.params.get("field")) == (line, field), words
    assert treaties.treaty_shortfall(hub, OP) == {}  # good lines before a bad one: not stored
    for header, words, columns in BAD_HEADERS:
        with pytest.raises(InvalidInput, match=words) as err:
            treaties.import_status_csv(hub, OP, header + "\nJO,2,,,,\n", source="test")
        assert err.value.params["columns"] == columns


def test_consent_before_signature_is_allowed_for_an_accession(hub: Hub) -> None:
    text = _csv("JO,2,1999-01-01,1998-01-01,accession,", "JO,3,,1980-01-01,SUCCESSION,")
    assert treaties.import_status_csv(hub, OP, text, source="test").rows == 2
    with pytest.raises(InvalidInput, match="comes from"):
        treaties.import_status_csv(hub, OP, text, source=" ")


def test_only_admin_and_coordinator_write_and_everyone_reads(hub: Hub) -> None:
    analyst = factories.member(hub, "analyst")
    with pytest.raises(Forbidden):
        treaties.import_status_csv(hub, analyst.actor, _csv(GOOD), source="test")
    coordinator = factories.member(hub, "coordinator")
    treaties.import_status_csv(hub, coordinator.actor, _csv(GOOD), source="test")
    partner = factories.member(hub, "partner")
    assert treaties.country_status(hub, partner.actor, "JO").parties == 1


def test_peers_default_to_the_region_and_gaps_count_peer_parties(hub: Hub) -> None:
    rows = [
        *_status_rows("JO", range(1, 3)),
        *_status_rows("LB", range(1, 6)),
        *_status_rows("SY", range(1, 2)),
        *_status_rows("KE", range(1, 20)),
    ]
    assert treaties.import_status_rows(hub, OP, rows, source="test").rows == 27
    cmp = treaties.peer_comparison(hub, OP, "JO")
    assert (cmp.basis, cmp.region) == ("region", "Western Asia")
    assert [(r.state, r.parties) for r in cmp.rows] == [("JO", 2), ("LB", 5), ("SY", 1)]
    assert (cmp.rank, cmp.peer_average, len(cmp.instruments)) == (2, 3.0, 19)
    assert [(g.instrument_id, g.peers_party, g.peers) for g in cmp.gaps[:3]] == [
        (3, 1, 2), (4, 1, 2), (5, 1, 2),
    ]  # fmt: skip
    explicit = treaties.peer_comparison(hub, OP, "JO", peers=["Kenya", "FR"])
    assert explicit.basis == "explicit"
    assert explicit.rank == 2
    assert [(r.state, r.has_data) for r in explicit.rows] == [
        ("JO", True), ("KE", True), ("FR", False),
    ]  # fmt: skip
    assert treaties.peer_comparison(hub, OP, "KE").basis == "all"  # no East African data
    with pytest.raises(InvalidInput) as err:
        treaties.peer_comparison(hub, OP, "JO", peers=["Atlantis"])
    assert err.value.params["field"] == "peers"


def test_demo_rows_are_synthetic_deterministic_and_importable(hub: Hub) -> None:
    rows = treaties.demo_status_rows(["JO", "KE"], seed=3)
    assert rows == treaties.demo_status_rows(["KE", "JO", "JO"], seed=3)
    assert [r for r in rows if r["state"] == "JO"] == treaties.demo_status_rows(["JO"], seed=3)
    assert rows != treaties.demo_status_rows(["JO", "KE"], seed=4)
    assert all("SYNTHETIC" in r["source"] for r in rows)
    summary = treaties.import_status_csv(hub, OP, treaties.status_csv(rows), source="demo")
    assert summary.rows == len(rows)
    assert summary.states == ("JO", "KE")
    bad = [*rows[:2], {**rows[2], "consent_kind": "treaty"}]
    with pytest.raises(InvalidInput) as err:
        treaties.import_status_rows(hub, OP, bad, source="demo")
    assert err.value.params["line"] == 4
