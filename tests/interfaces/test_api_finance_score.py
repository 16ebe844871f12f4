"""``POST /api/finance/score``: authenticated and role-gated, bad bodies answered 400 with the
field named, a transaction scored against the stored history and kept (a repeat refused)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cthub.core import accounts
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.finance import ingest_file
from cthub.finance.realtime.service import reset
from cthub.interfaces.api import create_app, deps
from cthub.interfaces.api.routers.finance_score import ScoreBatchOut, ScoreOut
from tests import factories
from tests.conftest import make_settings

CSV = """tx_id,timestamp,sender,receiver,amount,currency,channel
s1,2026-03-01T09:00:00Z,,DE77,9500.00,EUR,cash
s2,2026-03-02T09:00:00Z,,DE77,9800.00,EUR,cash
"""
URL = "/api/finance/score"


@pytest.fixture(scope="module")
def api(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[TestClient, Hub, str]]:
    """One app over one SQLite hub for the module (no test here changes what another reads)."""
    folder = tmp_path_factory.mktemp("score-api")
    shutil.copy(sqlite_template, folder / "cthub.db")
    url = f"sqlite:///{folder / 'cthub.db'}"
    hub = Hub(make_settings(folder, url), Database(url))
    org = factories.org(hub)
    member = factories.member(hub, "analyst", org)
    (folder / "tx.csv").write_text(CSV, encoding="utf-8")
    ingest_file(hub, member.actor, folder / "tx.csv", "branch")
    with TestClient(create_app(hub=hub)) as client:
        yield client, hub, org
    reset()
    hub.close()


def _bearer(hub: Hub, role: str, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}


def _body(**changes: object) -> dict[str, object]:
    tx: dict[str, object] = {
        "tx_id": "s3", "timestamp": "2026-03-03T09:00:00Z", "sender": "", "receiver": "DE77",
        "amount": "9700.00", "currency": "EUR", "channel": "cash",
    }  # fmt: skip
    tx.update(changes)
    return {"dataset": "branch", "transaction": {k: v for k, v in tx.items() if v is not None}}


def test_an_authenticated_call_scores_and_keeps_the_transaction(
    api: tuple[TestClient, Hub, str],
) -> None:
    client, hub, org = api
    headers = _bearer(hub, "analyst", org)
    resp = client.post(URL, json=_body(), headers=headers)
    assert resp.status_code == 200, resp.text
    out = resp.json()
    assert ScoreOut.model_validate(out).tx_id == "s3"  # the documented response model
    assert out["dataset"] == "branch"
    assert out["tx_id"] == "s3"
    assert out["alert"] is True
    assert out["score"] == 0.4
    assert out["accounts"] == [{"account": "DE77", "score": 0.4, "rules": ["structuring"]}]
    (fired,) = out["fired"]
    assert fired["rule"] == "structuring"
    assert fired["tx_ids"] == ["s1", "s2", "s3"]
    assert fired["detail"]["deposits"] == 3
    again = client.post(URL, json=_body(), headers=headers)
    assert again.status_code == 400
    assert "tx_id" in again.json()["message"]
    quiet = client.post(URL, json=_body(tx_id="o1", receiver="DE99", amount=None,
                                        amount_minor=1250), headers=headers)  # fmt: skip
    assert quiet.status_code == 200, quiet.text
    assert quiet.json()["alert"] is False
    assert quiet.json()["fired"] == []


def test_unauthenticated_and_unauthorised_calls_are_refused(
    api: tuple[TestClient, Hub, str],
) -> None:
    client, hub, org = api
    assert client.post(URL, json=_body()).status_code == 401
    bad_key = {"Authorization": "Bearer cth_nothing_here"}
    assert client.post(URL, json=_body(), headers=bad_key).status_code == 401
    viewer = client.post(URL, json=_body(), headers=_bearer(hub, "viewer", org))
    assert viewer.status_code == 403
    other = client.post(URL, json=_body(), headers=_bearer(hub, "analyst", factories.org(hub)))
    assert other.status_code == 404  # another organisation's dataset is not there


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"transaction": _body()["transaction"]}, "dataset"),
        ({"dataset": "branch"}, "transaction"),
        (_body(tx_id=None), "transaction.tx_id"),
        (_body(amount=97.5), "transaction.amount"),
        (_body(colour="red"), "transaction.colour"),
        (_body(tx_id="x" * 201), "transaction.tx_id"),
        (_body(amount="-5"), "amount"),
        (_body(timestamp="tomorrow"), "timestamp"),
        (_body(currency="XXY"), "currency"),
        (_body(channel="pigeon"), "channel"),
        (_body(receiver_country="DEU"), "receiver_country"),
        (_body(channel="transfer"), "sender"),
    ],
)
def test_bad_bodies_name_the_field(
    api: tuple[TestClient, Hub, str], body: dict[str, object], named: str
) -> None:
    client, hub, org = api
    resp = client.post(URL, json=body, headers=_bearer(hub, "analyst", org))
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "invalid_input"
    assert named in resp.json()["message"]


def test_the_route_is_documented(api: tuple[TestClient, Hub, str]) -> None:
    client, _hub, _org = api
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"][URL]["post"]
    assert "400" in op["responses"]
    assert "422" not in op["responses"]
    schemas = spec["components"]["schemas"]
    assert schemas["TransactionIn"]["properties"]["tx_id"]["maxLength"] == 200
    assert schemas["ScoreBatchIn"]["properties"]["transactions"]["maxItems"] == 500
    assert "ScoreBatchOut" in schemas


def test_the_batch_form_scores_in_order_and_reports_the_refused(
    api: tuple[TestClient, Hub, str],
) -> None:
    client, hub, org = api
    txs = [_body(tx_id=f"b{i}", receiver=f"DB{i}")["transaction"] for i in range(3)]
    txs.insert(1, _body(tx_id="bad", currency="XXY")["transaction"])
    body = {"dataset": "branch", "transactions": txs}
    resp = client.post(URL, json=body, headers=_bearer(hub, "analyst", org))
    assert resp.status_code == 200, resp.text
    out = ScoreBatchOut.model_validate(resp.json())
    assert [r.tx_id for r in out.results] == ["b0", "b1", "b2"]
    (refused,) = out.refused
    assert (refused.index, refused.tx_id, refused.error) == (1, "bad", "invalid_input")
    assert "currency" in refused.message
    float_amount = {
        "dataset": "branch",
        "transactions": [_body(tx_id="f", amount=1.5)["transaction"]],
    }
    resp = client.post(URL, json=float_amount, headers=_bearer(hub, "analyst", org))
    assert resp.status_code == 400
    assert "transactions.0.amount" in resp.json()["message"]


def test_a_key_is_checked_again_within_the_cache_bound(
    api: tuple[TestClient, Hub, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A revoked key keeps working for at most ``KEY_CACHE_S`` seconds on this route."""
    client, hub, org = api
    view, key = accounts.create_key(hub, factories.OPERATOR, "cached", "analyst", org=org)
    headers = {"Authorization": f"Bearer {key}"}
    assert (
        client.post(URL, json=_body(tx_id="k1", receiver="DK1"), headers=headers).status_code == 200
    )
    accounts.revoke_key(hub, factories.OPERATOR, view.id)
    assert (
        client.post(URL, json=_body(tx_id="k2", receiver="DK2"), headers=headers).status_code == 200
    )
    now = deps.time.monotonic()
    monkeypatch.setattr(deps.time, "monotonic", lambda: now + deps.KEY_CACHE_S + 1)
    late = client.post(URL, json=_body(tx_id="k3", receiver="DK3"), headers=headers)
    assert late.status_code == 401


def test_the_fast_path_keeps_the_apps_error_shapes(
    api: tuple[TestClient, Hub, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app serves the route ahead of FastAPI's middleware (``App.__call__``): an
    oversized or non-JSON body, a fault and other methods still get the app's answers."""
    from cthub.interfaces.api.routers import finance_score

    client, hub, org = api
    headers = {**_bearer(hub, "analyst", org), "Content-Type": "application/json"}
    monkeypatch.setattr(finance_score, "MAX_BODY", 1000)
    big = client.post(URL, content=b" " * 1001, headers=headers)
    assert big.status_code == 400
    assert big.json()["message"].startswith("request: larger than")
    assert client.post(URL, content=b"{nope", headers=headers).json()["message"] == (
        "request: not JSON."
    )
    assert client.get(URL, headers=headers).status_code == 405  # the router answers the rest
    anonymous = client.post(URL, json=_body(tx_id="anon"))
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == "Bearer"

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a fault")

    monkeypatch.setattr(finance_score, "submit_on_loop", broken)
    fault = TestClient(client.app, raise_server_exceptions=False).post(
        URL, json=_body(tx_id="fault"), headers=headers
    )
    assert fault.status_code == 500
    assert fault.json() == {"error": "internal", "message": "Internal error.", "hint": None}
