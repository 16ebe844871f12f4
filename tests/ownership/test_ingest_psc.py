"""UK Companies House PSC snapshot records: kinds, natures of control as share bands, UK
corporate PSCs joined by company number, the snapshot's JSON Lines form, and bad records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cthub.ownership.ingest import parse_file
from cthub.ownership.ingest.codelists import psc_natures
from cthub.ownership.ingest.psc import company_number
from cthub.ownership.ingest.records import Batch, EdgeRec

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ownership" / "uk-psc"
TOTALS = {
    "data": {
        "kind": "totals#persons-of-significant-control-snapshot",
        "persons_of_significant_control_count": 1,
    }
}


def _record(company: str = "01234567", **data: Any) -> dict[str, Any]:
    base = {
        "etag": "e" * 40,
        "kind": "individual-person-with-significant-control",
        "links": {"self": f"/company/{company}/persons-with-significant-control/individual/x1"},
        "name": "Mr Test Person",
        "natures_of_control": ["ownership-of-shares-50-to-75-percent"],
        "notified_on": "2020-02-03",
        "date_of_birth": {"month": 5, "year": 1970},
        "nationality": "British",
    }
    return {"company_number": company, "data": {**base, **data}, "ContentDate": "2024-12-19"}


def _lines(tmp_path: Path, records: list[Any]) -> Batch:
    path = tmp_path / "snapshot.txt"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
    return parse_file(path)


def _band(e: EdgeRec) -> tuple[Any, ...]:
    return (e.interest, e.share_min, e.share_max, e.min_inclusive, e.max_inclusive)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_snapshot_record_parses(path: Path) -> None:
    batch = parse_file(path)
    assert batch.format == "uk-psc"
    assert batch.read == 2  # the record and the snapshot totals
    assert len(batch.statements) == 1
    assert batch.edges
    assert batch.problems == []
    assert all(e.asset.startswith("gb-coh:") for e in batch.edges)


def test_uk_corporate_psc_is_joined_by_company_number() -> None:
    batch = parse_file(FIXTURES / "psc-data-2.json")
    owner = batch.entities["gb-coh:00686734"]
    assert (owner.name, owner.kind, owner.stub) == ("Robert Hitchins Limited", "company", False)
    company = batch.entities["gb-coh:07434180"]
    assert company.stub
    assert company.jurisdiction == "GB"
    assert {_band(e) for e in batch.edges} == {
        ("ownership", 0.75, 1.0, True, True),
        ("voting", 0.75, 1.0, True, True),
    }


def test_bands_and_kinds() -> None:
    band = parse_file(FIXTURES / "psc-data-14.json")
    assert {_band(e) for e in band.edges} == {
        ("ownership", 0.25, 0.5, False, True),
        ("voting", 0.25, 0.5, False, True),
    }
    board = parse_file(FIXTURES / "psc-data-12.json")
    assert ("control", None, None, True, True) in {_band(e) for e in board.edges}
    overseas = parse_file(FIXTURES / "psc-data-6.json")
    government = next(x for x in overseas.entities.values() if not x.stub)
    assert (government.kind, government.jurisdiction) == ("company", "CZ")
    assert overseas.entities["gb-coh:OE031044"].jurisdiction is None
    assert {(e.share_min, e.min_inclusive, e.direct) for e in overseas.edges} == {
        (0.25, False, "unknown"),
        (0.25, False, "indirect"),
    }
    hidden = parse_file(FIXTURES / "psc-data-7.json")
    person = next(x for x in hidden.entities.values() if not x.stub)
    assert (person.kind, person.subtype, person.name) == ("person", "super-secure", "")
    assert [(e.interest, e.share_min) for e in hidden.edges] == [("control", None)]


def test_nature_table_covers_the_fixtures_and_the_statutory_bands() -> None:
    natures = psc_natures()
    assert len(natures) == 86
    for path in FIXTURES.glob("*.json"):
        for record in json.loads(path.read_text()):
            for code in record["data"].get("natures_of_control", []):
                assert code in natures, code
    mid = natures["voting-rights-50-to-75-percent-limited-liability-partnership"]
    assert (mid.low, mid.high, mid.low_inclusive, mid.high_inclusive) == (50, 75, False, False)
    top = natures[
        "right-to-share-surplus-assets-75-to-100-percent-as-trust-limited-liability-partnership"
    ]
    assert (top.interest, top.low_inclusive, top.via) == ("ownership", True, "as-trust")


def test_snapshot_lines_individual_ceased_and_updates(tmp_path: Path) -> None:
    older = _record()
    newer = _record(etag="f" * 40, natures_of_control=["voting-rights-75-to-100-percent"])
    newer["ContentDate"] = "2025-01-01"
    ceased = _record(
        "SC123456",
        etag="a" * 40,
        ceased_on="2023-03-01",
        links={"self": "/company/SC123456/persons-with-significant-control/x2"},
    )
    batch = _lines(tmp_path, [older, newer, ceased, TOTALS])
    person = batch.entities["psc:01234567/x1"]
    assert (person.kind, person.name, person.jurisdiction) == ("person", "Mr Test Person", "GB")
    assert person.details["birth_date"] == "1970-05"
    current = [e for e in batch.edges if e.status == "current"]
    assert [(e.interest, e.share_min) for e in current] == [("voting", 0.75)]
    [gone] = [e for e in batch.edges if e.status == "closed"]
    assert (gone.asset, str(gone.end_date)) == ("gb-coh:SC123456", "2023-03-01")
    assert [st.superseded_by for st in batch.statements].count("psc:" + "f" * 40) == 1


def test_bad_records(tmp_path: Path) -> None:
    records = [
        _record("ABC", etag="9" * 40),
        {"company_number": "01234567", "data": "nope"},
        _record(
            kind="alien-person-with-significant-control",
            etag="b" * 40,
            links={"self": "/company/01234567/persons-with-significant-control/x5"},
        ),
        _record(
            etag="c" * 40,
            natures_of_control=["owns-everything"],
            links={"self": "/company/01234567/persons-with-significant-control/x3"},
        ),
        _record(
            etag="d" * 40,
            natures_of_control=[],
            links={"self": "/company/01234567/persons-with-significant-control/x4"},
        ),
        {
            "company_number": "01234567",
            "data": {"kind": "persons-with-significant-control-statement"},
        },
        _record(etag="e" * 40),
        _record(etag="e" * 40),
    ]
    batch = _lines(tmp_path, records)
    got = {(p.record, p.code, p.severity) for p in batch.problems}
    assert ("line 1", "schema", "error") in got
    assert ("line 2", "schema", "error") in got
    assert ("b" * 40, "unknown_code", "error") in got
    assert ("c" * 40, "unknown_code", "warning") in got
    assert ("d" * 40, "no_interests", "warning") in got
    assert ("e" * 40, "duplicate_id", "warning") in got
    assert {e.interest for e in batch.edges if e.statement_id == "psc:" + "c" * 40} == {"control"}


def test_company_numbers() -> None:
    assert company_number("686734") == "00686734"
    assert company_number("sc123456") == "SC123456"
    assert company_number(686734) == "00686734"
    assert company_number("1234567890") is None
    assert company_number(None) is None
    assert company_number(True) is None
