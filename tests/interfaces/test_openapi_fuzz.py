"""Property-based fuzzing of the HTTP API against its own OpenAPI schema (schemathesis).

One SQLite hub and app per module: an organisation, an admin API key that drives the fuzzer, a
spare key for it to revoke and a user for it to disable. Every documented operation is fuzzed
with positive and negative data; each response must be no server error, carry a documented
status code and content type, and match the documented schema. ``/api/auth/logout`` is fuzzed
too: with an API key it closes no session, so it cannot end the run.

A second pass sends the same operations with no credentials: everything but ``/healthz`` and
``/api/auth/login`` must answer 401 with the error body ``{"error", "message", "hint"}``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from cthub.core import accounts
from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.core.jobs import JobRunner
from cthub.interfaces.api import create_app
from tests import factories
from tests.conftest import make_settings

PUBLIC = {("GET", "/healthz"), ("POST", "/api/auth/login")}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
FUZZ = settings(
    max_examples=15,
    derandomize=True,  # reproducible in CI; widen max_examples locally to explore
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
PHASES = {"coverage": {"enabled": False}, "stateful": {"enabled": False}}


class Fuzzed:
    """The module's hub, its admin key, and the ids the fuzzer must not revoke."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.app = create_app(hub=hub)
        name = factories.org(hub, "Fuzz Agency")
        factories.member(hub, "admin", name, username="fuzz-admin")
        factories.member(hub, "analyst", name, username="fuzz-analyst")
        self.key = factories.api_key(hub, "admin", name)
        spare = factories.api_key(hub, "analyst", name)
        ids = {k.prefix: k.id for k in accounts.list_keys(hub, factories.OPERATOR)}
        self.key_id = ids[self.key[4:].split("_", 1)[0]]
        self.spare_id = ids[spare[4:].split("_", 1)[0]]

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Fuzzed]:
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, tmp / "cthub.db")
    url = f"sqlite:///{tmp / 'cthub.db'}"
    hub = Hub(make_settings(tmp, url), Database(url))
    yield Fuzzed(hub)
    hub.close()


class _NoJobs(JobRunner):
    def enqueue(self, job_id: str) -> None:
        raise AssertionError("the schema-only app runs no jobs")


def _load_schema(mode: str) -> schemathesis.BaseSchema:
    """The schema as the app serves it, loaded at collection so each operation is one test.

    That app's hub touches no database (serving ``/api/openapi.json`` reads none, and its job
    runner is a stub); requests go to the module's real app through ``app=`` at call time.
    ``schemathesis.pytest.from_fixture`` would avoid this, but it breaks on pytest 9.
    """
    hub = Hub(
        make_settings(Path(tempfile.gettempdir()), "sqlite://"),
        Database("sqlite://"),
        runner=_NoJobs(),
    )
    config = schemathesis.Config.from_dict(
        {"generation": {"mode": mode, "database": "none"}, "phases": PHASES}
    )
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(hub=hub), config=config)


schema = _load_schema("all")
# Requests without credentials carry well-formed data: a body that is not JSON at all is
# refused (400) by FastAPI before any dependency runs, so authentication comes second there.
anonymous = _load_schema("positive").exclude(path="/healthz").exclude(path="/api/auth/login")


@schema.parametrize()
@FUZZ
def test_api_conforms_to_its_schema(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    # Revoking the fuzzer's own key would turn the rest of the run into 401s.
    params = case.path_parameters or {}
    if str(params.get("key_id")) == str(fuzzed.key_id):
        params["key_id"] = fuzzed.spare_id
    case.call_and_validate(headers=fuzzed.headers, checks=CHECKS, app=fuzzed.app)


@anonymous.parametrize()
@settings(FUZZ, max_examples=5)
def test_api_requires_authentication(case: schemathesis.Case, fuzzed: Fuzzed) -> None:
    if case.headers:
        case.headers.pop("Authorization", None)
        case.headers.pop("Cookie", None)
    response = case.call(app=fuzzed.app)
    assert response.status_code == 401, (case.method, case.formatted_path, response.text)
    body = response.json()
    assert set(body) == {"error", "message", "hint"}, body
    assert body["error"] == "unauthenticated"
    assert "Bearer" in str(response.headers.get("www-authenticate"))


def test_fuzzed_schema_is_the_served_one(fuzzed: Fuzzed) -> None:
    assert schema.raw_schema == fuzzed.app.openapi()
    documented = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    assert documented >= PUBLIC | {("POST", "/api/auth/logout")}


# Regressions for what the fuzzer found, pinned so they fail deterministically.


def _documented(path: str, method: str) -> set[str]:
    return set(schema.raw_schema["paths"][path][method]["responses"])


def test_invalid_login_input_answers_a_documented_status(fuzzed: Fuzzed) -> None:
    with TestClient(fuzzed.app) as client:
        resp = client.post("/api/auth/login", json={"username": "", "password": "x"})
    assert set(resp.json()) == {"error", "message", "hint"}
    assert str(resp.status_code) in _documented("/api/auth/login", "post"), resp.status_code


def test_a_body_that_is_not_utf8_gets_the_error_shape(fuzzed: Fuzzed) -> None:
    headers = {**fuzzed.headers, "Content-Type": "application/json"}
    with TestClient(fuzzed.app) as client:
        resp = client.put("/api/entities/x", content=b"\xff", headers=headers)
    assert resp.status_code == 400
    assert set(resp.json()) == {"error", "message", "hint"}, resp.json()
