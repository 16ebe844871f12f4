"""The HTTP API with httpx: login, users, keys, entities, audit and jobs."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from tests import factories


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_health_needs_no_auth(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/api/openapi.json").json()
    assert "/api/users" in spec["paths"]
    assert "/api/audit" in spec["paths"]
    assert client.get("/api/docs").status_code == 200


def test_login_me_logout(client: TestClient, sqlite_hub: Hub) -> None:
    m = factories.member(sqlite_hub, "analyst")
    csrf = factories.login(client, m)
    me = client.get("/api/me").json()
    assert me["name"] == m.username
    assert me["role"] == "analyst"
    assert me["csrf_token"] == csrf
    assert client.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert client.get("/api/me").status_code == 401


def test_wrong_password_is_401_with_error_shape(client: TestClient, sqlite_hub: Hub) -> None:
    m = factories.member(sqlite_hub, "analyst")
    resp = client.post("/api/auth/login", json={"username": m.username, "password": "nope"})
    assert resp.status_code == 401
    assert resp.json() == {
        "error": "unauthenticated",
        "message": "Unknown user name or wrong password.",
        "hint": "Check both, or ask an administrator.",
    }


def test_errors_follow_accept_language(client: TestClient) -> None:
    resp = client.get("/api/me", headers={"Accept-Language": "zh-CN"})
    assert resp.status_code == 401
    assert resp.json()["message"] == "需要身份验证。"


def test_admin_manages_users_and_keys(client: TestClient, sqlite_hub: Hub) -> None:
    admin = factories.member(sqlite_hub, "admin")
    key = factories.api_key(sqlite_hub, "admin", admin.org)
    h = _bearer(key)
    created = client.post(
        "/api/users", json={"username": "new.analyst", "role": "analyst"}, headers=h
    )
    assert created.status_code == 201
    body = created.json()
    assert body["user"]["org"] == admin.org
    assert len(body["password"]) >= 12
    bad = client.post("/api/users", json={"username": "bad name!", "role": "analyst"}, headers=h)
    assert bad.status_code == 400
    assert bad.json()["message"] == "User name bad name! is not allowed."
    dup = client.post("/api/users", json={"username": "new.analyst", "role": "viewer"}, headers=h)
    assert dup.status_code == 409
    names = {u["username"] for u in client.get("/api/users", headers=h).json()}
    assert names == {admin.username, "new.analyst"}
    new_key = client.post("/api/keys", json={"name": "screening", "role": "viewer"}, headers=h)
    assert new_key.status_code == 201
    secret = new_key.json()["secret"]
    assert client.get("/api/me", headers=_bearer(secret)).json()["role"] == "viewer"
    key_id = new_key.json()["key"]["id"]
    assert client.post(f"/api/keys/{key_id}/revoke", headers=h).json()["revoked_at"]
    assert client.get("/api/me", headers=_bearer(secret)).status_code == 401


def test_entities_roundtrip_and_validation(client: TestClient, sqlite_hub: Hub) -> None:
    analyst = factories.member(sqlite_hub, "analyst")
    h = _bearer(factories.api_key(sqlite_hub, "analyst", analyst.org))
    resp = client.post(
        "/api/entities",
        headers=h,
        json={
            "schema": "Person",
            "properties": {
                "name": ["Hamza  Example"],
                "nationality": ["Iraq"],
                "birthDate": ["1978-02"],
            },
        },
    )
    assert resp.status_code == 201, resp.text
    ent = resp.json()
    assert ent["properties"]["nationality"] == ["IQ"]
    assert ent["caption"] == "Hamza Example"
    assert client.get(f"/api/entities/{ent['id']}", headers=h).json()["id"] == ent["id"]
    listing = client.get("/api/entities?schema=Person", headers=h)
    assert listing.headers["X-Total-Count"] == "1"
    bad = client.post(
        "/api/entities",
        headers=h,
        json={"schema": "Person", "properties": {"name": ["X"], "birthDate": ["2023-02-30"]}},
    )
    assert bad.status_code == 400
    assert "birthDate" in bad.json()["message"]
    assert client.post("/api/entities", headers=h, json={"schema": "Thing"}).status_code == 400


def test_audit_listing_and_verify_job(client: TestClient, sqlite_hub: Hub) -> None:
    admin = factories.member(sqlite_hub, "admin")
    h = _bearer(factories.api_key(sqlite_hub, "admin", admin.org))
    page = client.get("/api/audit?action=users.&limit=5", headers=h).json()
    assert page["total"] >= 1
    assert all(e["action"].startswith("users.") for e in page["events"])
    job = client.post("/api/audit/verify", headers=h)
    assert job.status_code == 202
    job_id = job.json()["id"]
    deadline = time.monotonic() + 10
    while (state := client.get(f"/api/jobs/{job_id}", headers=h).json())["state"] != "succeeded":
        assert state["state"] in ("queued", "running"), state
        assert time.monotonic() < deadline, state
        time.sleep(0.05)
    assert state["result"]["ok"] is True
    assert state["percent"] == 100
    assert any(j["id"] == job_id for j in client.get("/api/jobs", headers=h).json())


def test_validation_errors_use_the_error_shape(client: TestClient, sqlite_hub: Hub) -> None:
    admin = factories.member(sqlite_hub, "admin")
    h = _bearer(factories.api_key(sqlite_hub, "admin", admin.org))
    resp = client.get("/api/audit?limit=0", headers=h)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_input"
    assert "limit" in resp.json()["message"]
