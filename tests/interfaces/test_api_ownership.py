"""The ownership API on the demo structure with the bundled UN list: every route refuses an
anonymous caller (401) and a role without the ownership read right (403); search; an entity by
an id holding ``:`` and ``/`` (plain and percent-encoded); beneficial owners through a cycle;
one entity's exposure under each regime, with its path; the blocked report as JSON and CSV.

One hub and one analyst API key serve the module (``api``); nothing here writes.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from cthub.lists import load as load_list
from cthub.ownership.demo import PARTIES, demo_id, load_demo
from tests import factories
from tests.conftest import make_settings

LAKEVIEW = demo_id("lakeview")
ROUTES = [
    "/api/ownership/entities?q=rift",
    f"/api/ownership/entities/{LAKEVIEW}",
    f"/api/ownership/entities/{LAKEVIEW}/ubo",
    f"/api/ownership/entities/{LAKEVIEW}/exposure?regime=ofac",
    "/api/ownership/blocked?regime=ofac",
    "/api/ownership/blocked?regime=ofac&format=csv",
]


@dataclass(frozen=True)
class Api:
    hub: Hub
    client: TestClient
    analyst: dict[str, str]
    coordinator: dict[str, str]

    def get(self, path: str, status: int = 200, **params: Any) -> Any:
        resp = self.client.get(path, params=params, headers=self.analyst)
        assert resp.status_code == status, (path, resp.text)
        return resp.json() if "json" in resp.headers["content-type"] else resp.text


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Api]:
    folder = tmp_path_factory.mktemp("ownership-api")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    load_list(hub, factories.OPERATOR, "un")
    load_demo(hub, factories.OPERATOR)
    org = factories.org(hub, "Ownership Desk")
    keys = {role: {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}
            for role in ("analyst", "coordinator")}  # fmt: skip
    with TestClient(create_app(hub=hub)) as client:
        yield Api(hub, client, keys["analyst"], keys["coordinator"])
    hub.close()


def test_every_route_needs_authentication_and_the_read_right(api: Api) -> None:
    documented = {p for p in api.client.get("/api/openapi.json").json()["paths"]
                  if p.startswith("/api/ownership")}  # fmt: skip
    assert documented == {
        "/api/ownership/entities",
        "/api/ownership/entities/{entity_id}",
        "/api/ownership/entities/{entity_id}/ubo",
        "/api/ownership/entities/{entity_id}/exposure",
        "/api/ownership/blocked",
    }
    for path in ROUTES:
        anonymous = api.client.get(path)
        assert anonymous.status_code == 401, path
        assert anonymous.json()["error"] == "unauthenticated"
        assert anonymous.headers["www-authenticate"] == "Bearer"
        refused = api.client.get(path, headers=api.coordinator)
        assert refused.status_code == 403, (path, refused.text)
        assert set(refused.json()) == {"error", "message", "hint"}


def test_search(api: Api) -> None:
    found = api.get("/api/ownership/entities", q="rift")
    assert [e["name"] for e in found] == ["Great Rift Holdings Ltd", "Rift Valley Logistics Ltd"]
    assert found[0]["identifiers"] == ["registration:PVT-2016-004417"]
    assert [e["id"] for e in api.get("/api/ownership/entities", q="PVT-2016-004417")] == [
        demo_id("great-rift")
    ]
    people = api.get("/api/ownership/entities", q="a", kind="person", limit=2)
    assert len(people) == 2
    assert {e["kind"] for e in people} == {"person"}
    assert api.get("/api/ownership/entities", 400)["error"] == "invalid_input"  # no q
    assert api.get("/api/ownership/entities", 400, q="   ")["error"] == "invalid_input"
    assert api.get("/api/ownership/entities", 400, q="a", limit=0)["error"] == "invalid_input"


@pytest.mark.parametrize("path", [LAKEVIEW, "ftm%3Ademo%2Flakeview"], ids=["plain", "encoded"])
def test_entity_by_an_id_with_colon_and_slash(api: Api, path: str) -> None:
    e = api.get(f"/api/ownership/entities/{path}")
    assert e["id"] == LAKEVIEW
    assert e["name"] == "Lakeview Minerals SARL"
    assert e["identifiers"] == ["registration:CD/GOM/RCCM/19-B-00231"]
    owners = {o["owner"]: o for o in e["owners"]}
    assert set(owners) == {demo_id("machanga"), demo_id("congomet"), demo_id("esther")}
    assert owners[demo_id("machanga")]["share_min"] == pytest.approx(0.25)
    assert owners[demo_id("machanga")]["share"] == "25"
    assert e["holdings"] == []


def test_unknown_entity(api: Api) -> None:
    body = api.get("/api/ownership/entities/ftm:demo/nobody", 404)
    assert body["error"] == "not_found"
    assert "ftm:demo/nobody" in body["message"]
    assert api.get("/api/ownership/entities/ftm:demo/nobody/ubo", 404)["error"] == "not_found"
    assert (
        api.get("/api/ownership/entities/ftm:demo/nobody/exposure", 404, regime="eu")["error"]
        == "not_found"
    )


def test_ubo_through_a_cycle(api: Api) -> None:
    report = api.get(f"/api/ownership/entities/{demo_id('mwanza')}/ubo")
    assert report["in_cycle"] is True
    owners = {o["owner_id"]: o for o in report["owners"]}
    assert set(owners) == {demo_id("grace"), demo_id("daniel")}
    grace = owners[demo_id("grace")]
    assert grace["ownership"] == pytest.approx([0.6 * 0.6 / (1 - 0.3 * 0.4)] * 2)
    assert grace["status"] == "ubo"
    (chain,) = grace["chains"]["ownership"]
    assert [e["asset_id"] for e in chain["edges"]] == [demo_id("equator"), demo_id("mwanza")]
    higher = api.get(f"/api/ownership/entities/{demo_id('mwanza')}/ubo", threshold=0.45)
    assert {o["owner_id"] for o in higher["owners"]} == {demo_id("grace")}  # control still
    assert api.get(f"/api/ownership/entities/{demo_id('mwanza')}/ubo", 400, threshold=0)


@pytest.mark.parametrize(
    ("key", "regime", "status", "reason", "edges"),
    [
        ("lakeview", "ofac", "blocked", "ownership", 2),
        ("lakeview", "eu", "not_blocked", None, 0),
        ("lake-albert", "ofac", "blocked", "ownership", 3),
        ("kisangani", "uk", "blocked", "control", 1),
        ("kisangani", "ofac", "not_blocked", None, 0),
        ("goma-freight", "ofac", "possibly_blocked", "ownership", 1),
        ("machanga", "eu", "blocked", "listed", 0),
    ],
)
def test_exposure(
    api: Api, key: str, regime: str, status: str, reason: str | None, edges: int
) -> None:
    body = api.get(f"/api/ownership/entities/{demo_id(key)}/exposure", regime=regime)
    assert (body["status"], body["reason"], len(body["path"])) == (status, reason, edges)
    assert body["regime"] == regime
    if status == "blocked" and reason == "ownership":
        assert body["path"][0]["owner_id"] == demo_id("machanga")
        assert body["owners_share"].endswith("%")
        assert " -[ownership " in body["path_text"]
    if reason == "listed":
        assert (body["list"], body["list_ref"], body["owners_share"]) == ("un", "CDe.007", "listed")


def test_exposure_needs_a_known_regime(api: Api) -> None:
    path = f"/api/ownership/entities/{LAKEVIEW}/exposure"
    assert api.get(path, 400)["error"] == "invalid_input"
    assert api.get(path, 400, regime="mars")["error"] == "invalid_input"


def test_blocked_report_json_and_csv(api: Api) -> None:
    body = api.get("/api/ownership/blocked", regime="eu")
    assert body["regime"] == "eu"
    assert body["seeds"] == 2
    assert {r["entity_id"]: r["status"] for r in body["rows"]} == {
        demo_id("machanga"): "blocked",
        demo_id("congomet"): "blocked",
        demo_id("ituri-gold"): "blocked",
        demo_id("kisangani"): "blocked",
    }
    resp = api.client.get(
        "/api/ownership/blocked", params={"regime": "ofac", "format": "csv"}, headers=api.analyst
    )
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.text.splitlines()[0] == "entity_id,name,status,owners_share,path"
    rows = {r["entity_id"]: r for r in csv.DictReader(io.StringIO(resp.text))}
    assert len(rows) == 8
    lakeview = rows[LAKEVIEW]
    assert (lakeview["status"], lakeview["owners_share"]) == ("blocked", "50%")
    assert lakeview["path"] == (
        "ftm:demo/machanga -[ownership 25%]-> ftm:demo/lakeview; "
        "ftm:demo/congomet -[ownership 25%]-> ftm:demo/lakeview"
    )
    assert rows[demo_id("goma-freight")]["status"] == "possibly_blocked"
    assert api.get("/api/ownership/blocked", 400, regime="ofac", format="xml")
    assert api.get("/api/ownership/blocked", 400)["error"] == "invalid_input"


def test_the_demo_loads_once(api: Api) -> None:
    assert load_demo(api.hub, factories.OPERATOR) == {"entities": 0, "edges": 0}
    found = api.get("/api/ownership/entities", q="Ltd", limit=100)
    assert len(found) == sum(1 for p in PARTIES if "Ltd" in p[2])  # each stored once
