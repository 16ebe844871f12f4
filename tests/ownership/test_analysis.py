"""Ownership analysis over the store: seeds linked to list entries by identifier and by name,
the regimes' answers with paths from the listing, and UBOs of one entity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.lists import load as load_list
from cthub.ownership import load_file
from cthub.ownership.analysis import exposure, listed_seeds, ubo
from tests import factories

# OFAC FAQ 401, example 2 and the 25%/25% negative case, with an EU/UK difference:
# listed A (by company number) and listed B (by name) each own 25% of X: OFAC aggregates
# (X blocked at 50%), the EU needs more than 50% (not blocked); X owns 50% of Y: OFAC counts
# a blocked entity's holding in full (Y blocked); Z is 25% A and 25% of an unlisted person.
ENTITIES = [
    ("co-a", "Company", {"name": ["Alpha Holdings Ltd"], "registrationNumber": ["77123456"]}),
    ("co-b", "Company", {"name": ["Northern Star Trading LLC"]}),
    ("co-x", "Company", {"name": ["Xylo Logistics"]}),
    ("co-y", "Company", {"name": ["Yonder Freight"]}),
    ("co-z", "Company", {"name": ["Zephyr Partners"]}),
    ("pe-p", "Person", {"name": ["Paula Unlisted"]}),
]
OWNERSHIP = [("co-a", "co-x", "25"), ("co-b", "co-x", "25"), ("co-x", "co-y", "50"),
             ("co-a", "co-z", "25"), ("pe-p", "co-z", "25"), ("pe-p", "co-y", "30")]  # fmt: skip
LIST = """name,aliases,type,birth_date,nationality,id_number,ref
Alpha Holdings Limited,,organization,,,77123456,T-1
Northern Star Trading LLC,,organization,,,,T-2
"""


@pytest.fixture
def store(hub: Hub, tmp_path: Path) -> Hub:
    lines = [{"id": i, "schema": s, "properties": p} for i, s, p in ENTITIES]
    lines += [{"id": f"own-{n}", "schema": "Ownership",
               "properties": {"owner": [o], "asset": [a], "percentage": [share]}}
              for n, (o, a, share) in enumerate(OWNERSHIP)]  # fmt: skip
    path = tmp_path / "own.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    load_file(hub, factories.OPERATOR, path)
    listing = tmp_path / "list.csv"
    listing.write_text(LIST, encoding="utf-8")
    load_list(hub, factories.OPERATOR, "plain-csv", listing, rescreen=False)
    return hub


def test_seeds_by_identifier_and_name(store: Hub) -> None:
    seeds = {(r["entity_id"], r["list_ref"], r["via"])
             for r in listed_seeds(store, factories.OPERATOR).to_pylist()}  # fmt: skip
    assert ("ftm:co-a", "T-1", "identifier") in seeds or ("co-a", "T-1", "identifier") in seeds
    assert any(ref == "T-2" and via == "name" for _, ref, via in seeds)
    assert len({e for e, _, _ in seeds}) == 2
    none = listed_seeds(store, factories.OPERATOR, name_threshold=None).to_pylist()
    assert [r["list_ref"] for r in none] == ["T-1"]


def test_regimes_differ_as_the_guidance_says(store: Hub) -> None:
    def status(regime: str) -> dict[str, str]:
        rows = exposure(store, factories.OPERATOR, regime).report().to_pylist()
        return {r["entity_id"].split(":")[-1]: r["status"] for r in rows}

    ofac = status("ofac")
    assert ofac.get("co-x") == "blocked"  # 25% + 25% aggregated
    assert ofac.get("co-y") == "blocked"  # X's 50% counted in full
    assert "co-z" not in ofac  # 25% listed + 25% unlisted
    eu = status("eu")
    assert "co-x" not in eu  # exactly 50% is not more than 50%
    report = exposure(store, factories.OPERATOR, "ofac").report().to_pylist()
    (x,) = [r for r in report if r["entity_id"].endswith("co-x")]
    assert "25%" in x["path"]
    with pytest.raises(InvalidInput):
        exposure(store, factories.OPERATOR, "mars")


def test_ubo_of_one_entity(store: Hub) -> None:
    ids = {r["entity_id"].split(":")[-1]: r["entity_id"]
           for r in exposure(store, factories.OPERATOR, "ofac").report().to_pylist()}  # fmt: skip
    report = ubo(store, factories.OPERATOR, ids["co-y"], threshold=0.25)
    owners = {o["owner_id"].split(":")[-1]: o for o in report["owners"]}  # type: ignore[attr-defined]
    assert owners["pe-p"]["status"] == "ubo"  # 30% directly
    with pytest.raises(NotFound):
        ubo(store, factories.OPERATOR, "nobody")
    with pytest.raises(InvalidInput):
        ubo(store, factories.OPERATOR, ids["co-y"], threshold=0)
