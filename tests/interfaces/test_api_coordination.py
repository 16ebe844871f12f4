"""The coordination API over HTTP: CRUD with field errors, scope, overlaps, IATI, report."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cthub.coordination.iati import validate_document
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from tests import factories

PROJECT = {
    "title": "Training of customs officers on container screening",
    "description": "Risk profiling and non-intrusive inspection of containers at the port.",
    "donor": "Japan International Cooperation Agency",
    "recipient": "KE",
    "areas": ["customs"],
    "forms": ["training"],
    "status": "implementation",
    "budget": "45000000",
    "currency": "JPY",
    "start_date": "2026-02-01",
    "end_date": "2027-01-31",
}


@pytest.fixture
def api(hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub=hub)) as c:
        yield c


def bearer(hub: Hub, role: str, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}


def test_projects_and_needs_round_trip_with_field_errors(hub: Hub, api: TestClient) -> None:
    donor = bearer(hub, "analyst", factories.org(hub))
    made = api.post("/api/coordination/projects", json=PROJECT, headers=donor)
    assert made.status_code == 201, made.text
    project = made.json()
    assert (project["budget_minor"], project["budget"]) == (45000000, "45000000")
    bad = api.post("/api/coordination/projects", json={**PROJECT, "currency": "XXY"}, headers=donor)
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid_input"
    assert "XXY" in bad.json()["message"]
    need = {"recipient": "Kenya", "area": "customs", "priority": 4, "title": "Port scanners"}
    assert api.post("/api/coordination/needs", json=need, headers=donor).status_code == 201
    listed = api.get("/api/coordination/projects?area=customs", headers=donor).json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == project["id"]
    put = api.put(f"/api/coordination/projects/{project['id']}",
                  json={**PROJECT, "status": "completed"}, headers=donor)  # fmt: skip
    assert put.json()["status"] == "completed"
    gaps = api.get("/api/coordination/gaps", headers=donor).json()
    assert any(g["recipient"] == "KE" and g["area"] == "customs" for g in gaps)


def test_other_organisations_and_anonymous_callers_are_refused(hub: Hub, api: TestClient) -> None:
    donor = bearer(hub, "analyst", factories.org(hub))
    other = bearer(hub, "analyst", factories.org(hub))
    project = api.post("/api/coordination/projects", json=PROJECT, headers=donor).json()
    url = f"/api/coordination/projects/{project['id']}"
    assert api.get(url, headers=other).status_code == 403
    assert api.put(url, json=PROJECT, headers=other).status_code == 403
    assert api.delete(url, headers=other).status_code == 403
    assert api.get(url).status_code == 401
    assert api.get("/api/coordination/projects", headers=other).json()["total"] == 0


def test_overlap_review_iati_and_report(hub: Hub, api: TestClient) -> None:
    org_a, org_b = factories.org(hub), factories.org(hub)
    secretariat = factories.org(hub)
    api.post("/api/coordination/projects", json=PROJECT, headers=bearer(hub, "analyst", org_a))
    twin = {
        **PROJECT,
        "donor": "Korea International Cooperation Agency",
        "title": "Training customs officers in container screening at Mombasa port",
    }
    api.post("/api/coordination/projects", json=twin, headers=bearer(hub, "analyst", org_b))
    coordinator = bearer(hub, "coordinator", secretariat)
    detected = api.post("/api/coordination/overlaps/detect", headers=coordinator).json()
    assert detected["pairs"] == 1
    [pair] = api.get("/api/coordination/overlaps", headers=coordinator).json()
    assert "customs" in pair["reasons"]
    decision = {"decision": "confirmed", "note": "Same port, same year: donors to merge."}
    analyst = bearer(hub, "analyst", org_a)
    url = f"/api/coordination/overlaps/{pair['id']}/decision"
    assert api.post(url, json=decision, headers=analyst).status_code == 403
    assert api.post(url, json=decision, headers=coordinator).status_code == 204
    assert api.get("/api/coordination/overlaps?state=confirmed", headers=coordinator).json()
    exported = api.get("/api/coordination/iati", headers=coordinator)
    assert exported.status_code == 200
    assert validate_document(exported.content) == []
    upload = {"file": ("activities.xml", exported.content, "application/xml")}
    imported = api.post(
        "/api/coordination/iati", files=upload, headers=bearer(hub, "analyst", org_a)
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 2
    report = api.get("/api/coordination/report?period=2026H1&lang=zh_Hans", headers=coordinator)
    assert report.status_code == 200
    assert "提交反恐委员会的半年度报告" in report.text
    refused = api.get("/api/coordination/report?period=2026H1", headers=analyst)
    assert refused.status_code == 403


def test_list_filters_are_independent(hub: Hub, api: TestClient) -> None:
    donor = bearer(hub, "analyst", factories.org(hub))
    for recipient, area in (("KE", "customs"), ("KE", "immigration"), ("JO", "customs")):
        body = {**PROJECT, "recipient": recipient, "areas": [area]}
        assert api.post("/api/coordination/projects", json=body, headers=donor).status_code == 201
    page = api.get("/api/coordination/projects?recipient=KE&area=customs", headers=donor).json()
    assert page["total"] == 1
    assert api.get("/api/coordination/projects?recipient=KE", headers=donor).json()["total"] == 2
    assert api.get("/api/coordination/projects?area=customs", headers=donor).json()["total"] == 2
    ordered = api.get("/api/coordination/projects?sort=recipient", headers=donor).json()["items"]
    assert [p["recipient"] for p in ordered] == ["JO", "KE", "KE"]
