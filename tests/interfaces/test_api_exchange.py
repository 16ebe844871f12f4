"""The exchange API for an organisation's own users: anonymous callers get 401, a role without
the right gets 403; partners, audiences, a package from an uploaded bundle, an export that
holds only what the partner may receive, decisions, the disclosure log and its verification,
lawful requests, and the key partners register."""

from __future__ import annotations

import datetime as dt

import orjson
import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.exchange import signing
from tests import factories
from tests.exchange.conftest import stix_bundle

ROUTES = [
    ("GET", "/api/exchange/key"),
    ("GET", "/api/exchange/partners"),
    ("GET", "/api/exchange/packages"),
    ("GET", "/api/exchange/decisions"),
    ("GET", "/api/exchange/log"),
    ("GET", "/api/exchange/requests"),
    ("GET", "/api/exchange/export?partner=x"),
]


@pytest.fixture
def api(client: TestClient, sqlite_hub: Hub) -> dict[str, str]:
    org = factories.org(sqlite_hub, "FIU Alpha")
    factories.org(sqlite_hub, "Platform Beta", kind="platform")
    return {
        "admin": factories.api_key(sqlite_hub, "admin", org),
        "analyst": factories.api_key(sqlite_hub, "analyst", org),
        "viewer": factories.api_key(sqlite_hub, "viewer", org),
        "outsider": factories.api_key(sqlite_hub, "analyst", "Platform Beta"),
    }


def _h(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_routes_need_a_caller(client: TestClient, method: str, path: str) -> None:
    assert client.request(method, path).status_code == 401


def _setup(client: TestClient, api: dict[str, str]) -> None:
    key = signing.generate_key()
    pem = signing.public_key_text(key.verify_key)
    r = client.post(
        "/api/exchange/partners",
        headers=_h(api["admin"]),
        json={"name": "fiu-b", "url": "http://127.0.0.1:9", "public_key": pem},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/exchange/partners",
        headers=_h(api["admin"]),
        json={"name": "beta", "local_org": "Platform Beta"},
    )
    assert r.status_code == 201, r.text
    r = client.post(
        "/api/exchange/audiences",
        headers=_h(api["admin"]),
        json={"name": "all", "members": ["fiu-b", "beta"]},
    )
    assert r.status_code == 201, r.text


def _upload(client: TestClient, key: str, **fields: str) -> dict[str, object]:
    r = client.post(
        "/api/exchange/packages",
        headers=_h(key),
        data=fields,
        files={"file": ("feed.json", stix_bundle(6), "application/json")},
    )
    return {"status": r.status_code, **r.json()}


def test_share_export_and_log_over_http(client: TestClient, api: dict[str, str]) -> None:
    _setup(client, api)
    expires = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    made = _upload(
        client,
        api["analyst"],
        tlp="amber",
        partners="fiu-b",
        purposes="ct-investigation",
        legal_basis="MoU art. 3",
        expires=expires,
    )
    assert made["status"] == 201, made
    assert made["objects"] == 6
    assert "TLP:AMBER" in str(made["rule"])
    listed = client.get("/api/exchange/packages", headers=_h(api["viewer"])).json()
    assert listed["total"] == 1
    r = client.get("/api/exchange/export?partner=fiu-b&format=stix", headers=_h(api["analyst"]))
    assert r.status_code == 200
    assert len(orjson.loads(r.content)["objects"]) == 7  # six objects and the AMBER definition
    r = client.get("/api/exchange/export?partner=beta", headers=_h(api["analyst"]))
    assert r.headers["x-cthub-refused"] == "0"  # AMBER for fiu-b only: beta is not a candidate
    assert [o["type"] for o in orjson.loads(r.content)["objects"]] == []
    log = client.get("/api/exchange/log", headers=_h(api["viewer"])).json()
    assert (log["total"], log["head"]["size"]) == (1, 1)
    assert log["entries"][0]["partner"] == "fiu-b"
    assert client.post("/api/exchange/log/verify", headers=_h(api["analyst"])).json()["ok"]
    decisions = client.get("/api/exchange/decisions", headers=_h(api["viewer"])).json()
    assert decisions["decisions"][0]["allowed"] is True


def test_refusals_name_the_problem(client: TestClient, api: dict[str, str]) -> None:
    _setup(client, api)
    r = _upload(client, api["analyst"], tlp="amber", purposes="ct-investigation")
    assert r["status"] == 400
    assert "legal basis" in str(r["message"])
    r = _upload(client, api["viewer"], tlp="clear", purposes="ct-investigation")
    assert r["status"] == 403
    r = client.post(
        "/api/exchange/partners",
        headers=_h(api["admin"]),
        json={"name": "bad", "url": "http://x", "public_key": "not a key"},
    )
    assert r.status_code == 400
    assert "public key" in r.json()["message"]
    other = client.get("/api/exchange/partners", headers=_h(api["outsider"])).json()
    assert other == []  # another organisation's partners are not visible


def test_lawful_request_round_trip(
    client: TestClient, api: dict[str, str], sqlite_hub: Hub
) -> None:
    _setup(client, api)
    beta_admin = factories.api_key(sqlite_hub, "admin", "Platform Beta")
    r = client.post(
        "/api/exchange/partners",
        headers=_h(beta_admin),
        json={"name": "alpha", "local_org": "FIU Alpha"},
    )
    assert r.status_code == 201
    r = client.post(
        "/api/exchange/requests",
        headers=_h(api["analyst"]),
        json={
            "partner": "beta",
            "legal_basis": "Order 7/2026",
            "accounts": ["@x"],
            "urgency": "emergency",
        },
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    got = client.get("/api/exchange/requests?box=received", headers=_h(api["outsider"])).json()
    assert [x["id"] for x in got] == [rid]
    r = client.post(
        f"/api/exchange/requests/{rid}/respond",
        headers=_h(api["outsider"]),
        json={"decision": "declined", "reason": "account unknown"},
    )
    assert r.json()["state"] == "declined"


def test_the_public_key_partners_register(client: TestClient, api: dict[str, str]) -> None:
    body = client.get("/api/exchange/key", headers=_h(api["viewer"])).json()
    key = signing.load_public_key(body["public_key"].encode(), "answer")
    assert signing.key_id(key) == body["key_id"]
    assert body["taxii_root"] == f"/taxii2/{body['key_id']}/"
