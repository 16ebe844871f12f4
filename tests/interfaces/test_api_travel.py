"""The travel API over HTTP: upload carrier files, read flights and passengers, check,
answer at check-in (JSON and CUSRES), review, rules, retention, unmask; all authenticated."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from cthub.lists import load
from tests import factories

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"
LIST = (
    "name,aliases,type,birth_date,nationality,id_number,ref\n"
    "Fatima Silva,,person,1955-08-30,IE,,W-1\n"
)


@pytest.fixture
def api(sqlite_hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub=sqlite_hub)) as c:
        yield c


def bearer(hub: Hub, role: str, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}


def test_every_route_needs_authentication(api: TestClient) -> None:
    for method, path in [
        ("get", "/api/travel/flights"),
        ("get", "/api/travel/flights/1"),
        ("get", "/api/travel/passengers/1"),
        ("post", "/api/travel/files"),
        ("post", "/api/travel/check"),
        ("post", "/api/travel/checkin"),
        ("get", "/api/travel/hits"),
        ("get", "/api/travel/rules"),
        ("post", "/api/travel/retention/run"),
    ]:
        assert getattr(api, method)(path).status_code == 401, path


def test_upload_check_review_and_export(sqlite_hub: Hub, api: TestClient, tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text(LIST, encoding="utf-8")
    load(sqlite_hub, factories.OPERATOR, "plain-csv", tmp_path / "w.csv", list_name="watch")
    agency = factories.org(sqlite_hub, kind="border")
    analyst = bearer(sqlite_hub, "analyst", agency)
    admin = bearer(sqlite_hub, "admin", agency)
    other = bearer(sqlite_hub, "admin", factories.org(sqlite_hub))
    data = (FIXTURES / "synthetic" / "XY0123-IST-AMM-180pax-PAXLST-D05B.edi").read_bytes()
    up = api.post("/api/travel/files?name=xy0123.edi", content=data, headers=analyst)
    assert up.status_code == 200, up.text
    assert up.json()["passengers"] == 180
    junk = api.post("/api/travel/files?name=junk.bin", content=b"\x00\xff" * 100, headers=analyst)
    assert junk.status_code == 400
    assert "junk.bin" in junk.json()["message"]
    huge = api.post(
        "/api/travel/files?name=huge.edi",
        content=b"x" * 16,
        headers={**analyst, "Content-Length": str(200 * 1024 * 1024)},
    )
    assert huge.status_code == 400
    assert "huge.edi" in huge.json()["message"]
    flights = api.get("/api/travel/flights", headers=analyst).json()
    assert [f["flight"] for f in flights] == ["XY123/2026-03-14"]
    assert api.get("/api/travel/flights", headers=other).json() == []  # another agency's data
    fid = flights[0]["id"]
    assert api.get(f"/api/travel/flights/{fid}", headers=other).status_code == 404
    manifest = api.get(f"/api/travel/flights/{fid}", headers=analyst).json()
    assert len(manifest["passengers"]) == 180
    checked = api.post("/api/travel/check", json={"flight_ids": [fid]}, headers=analyst)
    assert checked.status_code == 200, checked.text
    run = checked.json()
    watch = [r for r in run["rows"] if r["check"] == "watchlist"]
    assert watch
    assert all(r["list"] == "watch" for r in watch)
    assert all("birth date" in r["explanation"] or "name" in r["explanation"] for r in watch)
    hit = watch[0]
    detail = api.get(f"/api/travel/passengers/{hit['passenger_id']}", headers=analyst).json()
    assert detail["hits"][0]["explanation"]
    assert (
        any(c["link"] == "seat" or c["link"] == "pnr" for c in detail["co_travellers"])
        or detail["co_travellers"] == []
    )
    refused = api.post(
        f"/api/travel/hits/{hit['hit_id']}/export", json={"partner": "PIU-2"}, headers=admin
    )
    assert refused.status_code == 409
    no_basis = api.post(
        f"/api/travel/hits/{hit['hit_id']}/decision",
        json={"decision": "confirmed", "reason": "same birth date"},
        headers=analyst,
    )
    assert no_basis.status_code == 400
    ok = api.post(
        f"/api/travel/hits/{hit['hit_id']}/decision",
        json={"decision": "confirmed", "reason": "same birth date", "legal_basis": "case 12"},
        headers=analyst,
    )
    assert ok.status_code == 200
    assert ok.json()["decided_by"].startswith("key:")
    case = api.post(
        f"/api/travel/hits/{hit['hit_id']}/export", json={"partner": "PIU-2"}, headers=admin
    )
    assert case.status_code == 200
    assert case.json()["decision"]["legal_basis"] == "case 12"
    queue = api.get("/api/travel/hits?state=confirmed", headers=analyst).json()
    assert queue["total"] == 1


def test_checkin_json_and_edifact(sqlite_hub: Hub, api: TestClient, tmp_path: Path) -> None:
    (tmp_path / "w.csv").write_text(LIST, encoding="utf-8")
    load(sqlite_hub, factories.OPERATOR, "plain-csv", tmp_path / "w.csv", list_name="watch")
    agency = factories.org(sqlite_hub, kind="border")
    officer = bearer(sqlite_hub, "reviewer", agency)
    body = {
        "carrier": "XY",
        "number": "0123",
        "origin": "IST",
        "destination": "AMM",
        "departure": "2026-03-14T22:35:00",
        "passengers": [
            {
                "ref": "1",
                "surname": "SILVA",
                "given": "FATIMA",
                "birth_date": "1955-08-30",
                "nationality": "IRL",
            },
            {"ref": "2", "surname": "NOVAK", "given": "JANA", "birth_date": "1991-01-01"},
        ],
    }
    answer = api.post("/api/travel/checkin", json=body, headers=officer)
    assert answer.status_code == 200, answer.text
    directives = {a["passenger_ref"]: a["directive"] for a in answer.json()["answers"]}
    assert directives == {"1": "contact-authority", "2": "board"}
    viewer = bearer(sqlite_hub, "viewer", agency)
    assert api.post("/api/travel/checkin", json=body, headers=viewer).status_code == 403
    iapi = (FIXTURES / "paxlst" / "apisMessage.txt").read_bytes()
    cusres = api.post("/api/travel/checkin/edifact", content=iapi, headers=officer)
    assert cusres.status_code == 200, cusres.text
    assert "CUSRES:D:05B:UN:IATA" in cusres.text
    assert "ERC+0Z" in cusres.text


def test_rules_api_refuses_sensitive_criteria(sqlite_hub: Hub, api: TestClient) -> None:
    analyst = bearer(sqlite_hub, "analyst", factories.org(sqlite_hub, kind="border"))
    rules = api.get("/api/travel/rules", headers=analyst).json()
    assert len(rules) >= 8
    assert all(r["version"] >= 1 for r in rules)
    bad = {
        "name": "religion-rule",
        "description": "travellers by religion",
        "weight": 0.5,
        "conditions": [
            {"field": "religion", "op": "=", "value": "X"},
            {"field": "one_way", "op": "is_true"},
        ],
    }
    refused = api.post("/api/travel/rules", json={"definition": bad}, headers=analyst)
    assert refused.status_code == 400
    assert "religion" in refused.json()["message"]
    good = {**rules[0]["definition"], "weight": 0.9}
    saved = api.post(
        "/api/travel/rules", json={"definition": good, "note": "raised"}, headers=analyst
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == rules[0]["version"] + 1
