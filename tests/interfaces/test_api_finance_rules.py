"""The rules API: authentication, roles, a change checked and echoed, a bad value refused
naming the parameter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from tests import factories
from tests.conftest import make_settings


@pytest.fixture
def api(tmp_path: Path, sqlite_hub: Hub) -> Iterator[tuple[TestClient, Hub]]:
    hub = Hub(make_settings(tmp_path, sqlite_hub.db.url), sqlite_hub.db)
    with TestClient(create_app(hub=hub)) as c:
        yield c, hub


def test_rules_api(api: tuple[TestClient, Hub]) -> None:
    client, hub = api
    assert client.get("/api/finance/rules").status_code == 401
    assert client.patch("/api/finance/rules/structuring", json={}).status_code == 401
    org = factories.org(hub)
    analyst = {"Authorization": f"Bearer {factories.api_key(hub, 'analyst', org)}"}
    viewer = {"Authorization": f"Bearer {factories.api_key(hub, 'viewer', org)}"}
    listed = client.get("/api/finance/rules", headers=viewer)
    assert listed.status_code == 200
    assert "structuring" in {r["name"] for r in listed.json()}
    change = {"enabled": False, "params": {"window": "3d"}}
    assert client.patch("/api/finance/rules/structuring", headers=viewer,
                        json=change).status_code == 403  # fmt: skip
    done = client.patch("/api/finance/rules/structuring", headers=analyst, json=change)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["enabled"] is False
    assert {p["name"]: p["value"] for p in body["params"]}["window"] == "3d"
    bad = client.patch("/api/finance/rules/structuring", headers=analyst,
                       json={"params": {"window": "soon"}})  # fmt: skip
    assert bad.status_code == 400
    assert "window" in bad.text
    assert client.patch("/api/finance/rules/nothing", headers=analyst, json={}).status_code == 404
