"""The finance API: authentication on every route, roles, a dataset monitored into alerts, a
case opened, commented, decided by a reviewer and exported as a valid goAML STR."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.finance import ingest_file
from cthub.finance.goaml import validate
from cthub.interfaces.api import create_app
from tests import factories
from tests.conftest import make_settings

CSV = """tx_id,timestamp,sender,receiver,amount,currency,channel,sender_type,receiver_country
s1,2026-03-01T09:00:00Z,,DE77,9500.00,AED,cash,,
s2,2026-03-02T09:00:00Z,,DE77,9800.00,AED,cash,,
s3,2026-03-03T09:00:00Z,,DE77,9700.00,AED,cash,,
s4,2026-03-04T09:00:00Z,,DE77,9900.00,AED,cash,,
o1,2026-03-03T10:00:00Z,DE02,DE03,12.00,AED,card,person,
"""


@pytest.fixture
def api(tmp_path: Path, sqlite_hub: Hub) -> Iterator[tuple[TestClient, Hub]]:
    hub = Hub(make_settings(tmp_path, sqlite_hub.db.url), sqlite_hub.db)
    with TestClient(create_app(hub=hub)) as c:
        yield c, hub


def _bearer(hub: Hub, role: str, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}


def test_every_route_needs_authentication(api: tuple[TestClient, Hub]) -> None:
    client, _hub = api
    for method, path in [
        ("get", "/api/finance/datasets"),
        ("post", "/api/finance/datasets/x/monitor"),
        ("get", "/api/finance/alerts"),
        ("get", "/api/finance/alerts/1"),
        ("get", "/api/finance/alerts/1/graph"),
        ("get", "/api/finance/cases"),
        ("post", "/api/finance/cases"),
        ("get", "/api/finance/cases/1"),
        ("post", "/api/finance/cases/1/decision"),
        ("get", "/api/finance/cases/1/goaml"),
    ]:
        assert getattr(client, method)(path).status_code == 401, path


def test_monitor_case_decision_goaml(api: tuple[TestClient, Hub], tmp_path: Path) -> None:
    client, hub = api
    org = factories.org(hub)
    analyst, reviewer = _bearer(hub, "analyst", org), _bearer(hub, "reviewer", org)
    viewer = _bearer(hub, "viewer", org)
    member = factories.member(hub, "analyst", org)
    path = tmp_path / "tx.csv"
    path.write_text(CSV, encoding="utf-8")
    ingest_file(hub, member.actor, path, "branch")
    assert client.post("/api/finance/datasets/branch/monitor", headers=viewer).status_code == 403
    run = client.post("/api/finance/datasets/branch/monitor", headers=analyst)
    assert run.status_code == 200, run.text
    alerts = client.get("/api/finance/alerts", headers=analyst).json()
    best = alerts[0]
    assert best["account"] == "DE77"
    assert "structuring" in best["rules"]
    assert {h["tx_id"] for h in best["hits"]} >= {"s1", "s2", "s3"}
    one = client.get(f"/api/finance/alerts/{best['id']}", headers=viewer).json()
    assert (one["account"], one["dataset"], one["hits"]) == ("DE77", "branch", best["hits"])
    graph = client.get(f"/api/finance/alerts/{best['id']}/graph?hops=1", headers=viewer).json()
    assert [(n["account"], n["hops"]) for n in graph["nodes"]] == [("DE77", 0)]  # cash only
    assert graph["edges"] == []
    assert client.get("/api/finance/alerts/999999", headers=viewer).status_code == 404
    case = client.post(
        "/api/finance/cases",
        headers=analyst,
        json={"alert_ids": [best["id"]], "title": "Cash below threshold"},
    )
    assert case.status_code == 201, case.text
    cid = case.json()["id"]
    listed = client.get("/api/finance/cases?state=open", headers=viewer).json()
    assert [(c["id"], c["alerts"], c["state"]) for c in listed["cases"]] == [(cid, 1, "open")]
    assert client.get("/api/finance/cases?state=suspicious", headers=viewer).json()["total"] == 0
    client.post(f"/api/finance/cases/{cid}/comments", headers=analyst, json={"text": "4 days"})
    refused = client.post(
        f"/api/finance/cases/{cid}/decision",
        headers=analyst,
        json={"decision": "suspicious", "reason": "x"},
    )
    assert refused.status_code == 403
    assert client.get(f"/api/finance/cases/{cid}/goaml", headers=reviewer).status_code == 409
    done = client.post(
        f"/api/finance/cases/{cid}/decision",
        headers=reviewer,
        json={"decision": "suspicious", "reason": "Structuring in cash"},
    )
    assert done.json()["state"] == "suspicious"
    xml = client.get(f"/api/finance/cases/{cid}/goaml", headers=reviewer)
    assert xml.status_code == 200, xml.text
    validate(xml.content)
    other = _bearer(hub, "reviewer", factories.org(hub))
    assert client.get(f"/api/finance/cases/{cid}", headers=other).status_code == 404
