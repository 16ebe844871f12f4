"""Security properties of the app, on both backends (``backend_client`` / ``hub``).

- Every route refuses an anonymous caller, except an explicit allow-list that is itself
  asserted to work anonymously (so widening or narrowing it is a visible change).
- Organisations are isolated: data crosses only under a sharing rule, and only for reading.
- Admin powers stop at the organisation; revoked keys and disabled users lose access at once.
- Session cookies need the CSRF token for unsafe methods; failed logins are throttled.
- Secrets are stored hashed; the audit log detects edits, deletions and reordering.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from cthub.core import accounts, audit
from cthub.core.hub import Hub
from cthub.core.tables import ApiKey, AuditEvent, User, WebSession
from cthub.interfaces.api.deps import SESSION_COOKIE
from tests import factories
from tests.factories import Member

ERROR_KEYS = {"error", "message", "hint"}
DOCS = {"/api/openapi.json", "/api/docs", "/docs/oauth2-redirect"}
# (method, path) pairs that answer an anonymous caller; each is exercised below.
PUBLIC = {
    ("GET", "/healthz"),
    ("POST", "/api/auth/login"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("POST", "/lang"),
} | {(method, path) for path in DOCS for method in ("GET", "HEAD")}


# --------------------------------------------------------------------------- helpers


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def routes(app: FastAPI) -> Iterator[tuple[str, str | None, set[str]]]:
    """(kind, path, methods) of every route, included routers flattened."""
    try:  # FastAPI >= 0.16x keeps included routers nested
        from fastapi.routing import iter_route_contexts

        flat: Any = list(iter_route_contexts(app.routes))
    except ImportError:  # pragma: no cover - older FastAPI lists routes flat
        flat = app.routes
    for route in flat:
        original = getattr(route, "original_route", route)
        yield type(original).__name__, route.path, set(route.methods or ())


def fill(path: str) -> str:
    """A concrete URL for a route path: every parameter becomes ``1``."""
    return re.sub(r"\{[^}]+\}", "1", path)


def assert_error(resp: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert resp.status_code == status, (resp.request.method, resp.request.url, resp.text)
    body: dict[str, Any] = resp.json()
    # a refused node signature also says which check failed (a stable ``reason`` code)
    extra = {"reason"} if body.get("error") == "signature_refused" else set()
    assert set(body) == ERROR_KEYS | extra, body
    if code:
        assert body["error"] == code, body
    return body


def new_client(app: FastAPI) -> TestClient:
    """Another browser on the same app (own cookie jar); the app's lifespan already runs."""
    return TestClient(app)


def audit_events(hub: Hub, action: str) -> list[AuditEvent]:
    with hub.db.session(readonly=True) as s:
        return list(s.scalars(audit.query(audit.AuditFilter(action=action))))


def verify(hub: Hub) -> audit.Verification:
    with hub.db.session(readonly=True) as s:
        return audit.verify(s)


# --------------------------------------------------------------------------- anonymous access


def test_every_route_refuses_anonymous_callers(backend_client: TestClient) -> None:
    app: FastAPI = backend_client.app  # type: ignore[assignment]
    seen: set[tuple[str, str]] = set()
    for kind, path, methods in routes(app):
        assert path is not None
        if kind == "Mount":
            assert path == "/static", f"unexpected mount {path}: is it public on purpose?"
            continue
        assert methods, f"route {path} has no methods"
        for method in sorted(methods):
            seen.add((method, path))
            if (method, path) in PUBLIC:
                continue
            url = fill(path)
            resp = backend_client.request(method, url, follow_redirects=False)
            where = f"{method} {path}"
            if path.startswith(("/api/exchange/node/", "/taxii2")):
                # partner nodes sign every request (Ed25519); no key, no answer
                assert resp.status_code == 401, (where, resp.status_code, resp.text[:200])
                refused = resp.json()
                assert refused.get("error_code", refused.get("error")) == "signature_refused"
            elif path.startswith("/api/") or path == "/healthz":
                body = assert_error(resp, 401, "unauthenticated")
                assert body["message"], where
                assert resp.headers.get("www-authenticate") == "Bearer", where
            elif method in ("GET", "HEAD"):
                assert resp.status_code == 303, (where, resp.status_code, resp.text[:200])
                assert resp.headers["location"].startswith("/login"), where
            else:
                assert resp.status_code in (401, 403), (where, resp.status_code, resp.text)
    # The walk really covered the app: API, pages, and the public entries.
    assert seen >= PUBLIC
    for expected in [
        ("GET", "/api/me"),
        ("PUT", "/api/entities/{entity_id}"),
        ("GET", "/"),
        ("POST", "/logout"),
        ("POST", "/admin/keys/{key_id}/revoke"),
    ]:
        assert expected in seen, expected


def test_login_redirect_keeps_the_requested_page(backend_client: TestClient) -> None:
    resp = backend_client.get("/audit", follow_redirects=False)
    assert resp.status_code == 303
    location = urlsplit(resp.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query) == {"next": ["/audit"]}


@pytest.mark.parametrize(
    "headers",
    [
        {"Authorization": "Bearer cth_0123456789ab_not-a-real-key"},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Authorization": "cth_0123456789ab_not-a-real-key"},
        {"Cookie": f"{SESSION_COOKIE}=forged-session-token"},
    ],
    ids=["unknown-key", "empty-bearer", "basic", "no-scheme", "forged-cookie"],
)
def test_bogus_credentials_are_unauthenticated(
    backend_client: TestClient, headers: dict[str, str]
) -> None:
    assert_error(backend_client.get("/api/me", headers=headers), 401, "unauthenticated")
    assert_error(backend_client.get("/api/entities", headers=headers), 401, "unauthenticated")


def test_public_routes_work_anonymously(backend_client: TestClient, hub: Hub) -> None:
    """The allow-list, asserted: a change to what is public must show up here."""
    c = backend_client
    health = c.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"

    # Documentation is public on purpose: it describes the API, it holds no data.
    spec = c.get("/api/openapi.json")
    assert spec.status_code == 200
    assert "/api/entities" in spec.json()["paths"]
    for path in DOCS - {"/api/openapi.json"}:
        page = c.get(path)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert c.head(path).status_code == 200, path

    static = sorted(
        p.name for p in (files("cthub.interfaces.web") / "static").iterdir() if p.is_file()
    )
    assert static, "no static files to check"
    assert c.get(f"/static/{static[0]}").status_code == 200

    page = c.get("/login")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")

    lang = c.post("/lang", data={"lang": "zh_Hans", "next": "/login"}, follow_redirects=False)
    assert lang.status_code == 303
    assert lang.headers["location"] == "/login"
    assert "cthub_lang=zh_Hans" in lang.headers["set-cookie"]

    m = factories.member(hub, "analyst")
    api = new_client(c.app).post(
        "/api/auth/login", json={"username": m.username, "password": m.password}
    )
    assert api.status_code == 200
    assert api.json()["csrf_token"]

    browser = new_client(c.app)
    browser.get("/login")
    form = browser.post(
        "/login",
        follow_redirects=False,
        data={
            "username": m.username,
            "password": m.password,
            "next": "/",
            "csrf_token": browser.cookies["cthub_login_csrf"],
        },
    )
    assert form.status_code == 303
    assert form.headers["location"] == "/"
    assert browser.get("/api/me").json()["name"] == m.username


def test_login_form_refuses_a_missing_login_token(backend_client: TestClient, hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    resp = backend_client.post(
        "/login", follow_redirects=False, data={"username": m.username, "password": m.password}
    )
    assert resp.status_code == 401
    assert SESSION_COOKIE not in backend_client.cookies


@pytest.mark.parametrize("key_id", [2**31, 2**63, -(2**63) - 1])
def test_ids_beyond_the_column_range_are_client_errors(
    backend_client: TestClient, two_orgs: dict[str, Any], key_id: int
) -> None:
    """Found by the fuzzer: an id too large for the column must be a 404, not a 500."""
    client = TestClient(backend_client.app, raise_server_exceptions=False)
    resp = client.post(f"/api/keys/{key_id}/revoke", headers=bearer(two_orgs["a_admin_key"]))
    assert resp.status_code in (400, 404), resp.text
    assert set(resp.json()) == ERROR_KEYS


# --------------------------------------------------------------------------- organisations


@pytest.fixture
def two_orgs(hub: Hub) -> dict[str, Any]:
    a, b = factories.org(hub, "Agency A"), factories.org(hub, "Agency B")
    return {
        "a": a,
        "b": b,
        "a_analyst": factories.member(hub, "analyst", a),
        "a_admin": factories.member(hub, "admin", a),
        "a_viewer": factories.member(hub, "viewer", a),
        "b_admin": factories.member(hub, "admin", b),
        "b_analyst": factories.member(hub, "analyst", b),
        "a_admin_key": factories.api_key(hub, "admin", a),
        "b_admin_key": factories.api_key(hub, "admin", b),
    }


def logged_in(app: FastAPI, m: Member) -> tuple[TestClient, dict[str, str]]:
    client = new_client(app)
    token = factories.login(client, m)
    return client, {"X-CSRF-Token": token}


def test_entities_cross_organisations_only_under_sharing_and_read_only(
    backend_client: TestClient, two_orgs: dict[str, Any]
) -> None:
    app: FastAPI = backend_client.app  # type: ignore[assignment]
    b_headers = bearer(two_orgs["b_admin_key"])
    made = backend_client.post(
        "/api/entities",
        headers=b_headers,
        json={"schema": "Person", "properties": {"name": ["Bea B"]}},
    )
    assert made.status_code == 201, made.text
    b_entity = made.json()["id"]

    a, a_csrf = logged_in(app, two_orgs["a_analyst"])
    own = a.post(
        "/api/entities",
        headers=a_csrf,
        json={"schema": "Person", "properties": {"name": ["Alf A"]}},
    )
    assert own.status_code == 201, own.text

    body = assert_error(a.get(f"/api/entities/{b_entity}"), 403, "forbidden")
    assert "another organisation" in body["message"]
    listed = a.get("/api/entities")
    assert listed.status_code == 200
    ids = {e["id"] for e in listed.json()}
    assert own.json()["id"] in ids
    assert b_entity not in ids
    assert listed.headers["x-total-count"] == str(len(ids))
    assert b_entity not in {e["id"] for e in a.get("/api/entities?q=bea").json()}

    grant = backend_client.post(
        "/api/sharing",
        headers=b_headers,
        json={"grantee": two_orgs["a"], "resource_kind": "entity", "purpose": "joint case 42"},
    )
    assert grant.status_code == 201, grant.text

    seen = a.get(f"/api/entities/{b_entity}")
    assert seen.status_code == 200, seen.text
    assert seen.json()["properties"]["name"] == ["Bea B"]
    assert b_entity in {e["id"] for e in a.get("/api/entities").json()}

    put = a.put(
        f"/api/entities/{b_entity}",
        headers=a_csrf,
        json={"schema": "Person", "properties": {"name": ["Hijacked"]}},
    )
    body = assert_error(put, 403, "forbidden")
    assert "another organisation" in body["message"]
    after = backend_client.get(f"/api/entities/{b_entity}", headers=b_headers)
    assert after.json()["properties"]["name"] == ["Bea B"]


def test_admin_powers_stop_at_the_organisation(
    backend_client: TestClient, two_orgs: dict[str, Any]
) -> None:
    c = backend_client
    a_admin, b_admin = bearer(two_orgs["a_admin_key"]), bearer(two_orgs["b_admin_key"])

    users = c.get("/api/users", headers=a_admin)
    assert users.status_code == 200
    names = {u["username"] for u in users.json()}
    assert two_orgs["a_analyst"].username in names
    assert not names & {two_orgs["b_admin"].username, two_orgs["b_analyst"].username}
    assert {u["org"] for u in users.json()} == {two_orgs["a"]}

    b_key = c.post("/api/keys", headers=b_admin, json={"name": "b-feed", "role": "analyst"})
    assert b_key.status_code == 201, b_key.text
    b_key_id, b_secret = b_key.json()["key"]["id"], b_key.json()["secret"]
    assert b_key_id not in {k["id"] for k in c.get("/api/keys", headers=a_admin).json()}
    assert_error(c.post(f"/api/keys/{b_key_id}/revoke", headers=a_admin), 403, "forbidden")
    assert c.get("/api/me", headers=bearer(b_secret)).status_code == 200

    disable = c.post(f"/api/users/{two_orgs['b_analyst'].username}/disable", headers=a_admin)
    assert_error(disable, 403, "forbidden")
    orgs = c.get("/api/orgs", headers=a_admin).json()
    assert [o["name"] for o in orgs] == [two_orgs["a"]]


def test_a_viewer_cannot_create_users(
    backend_client: TestClient, two_orgs: dict[str, Any], hub: Hub
) -> None:
    viewer, csrf = logged_in(backend_client.app, two_orgs["a_viewer"])  # type: ignore[arg-type]
    resp = viewer.post("/api/users", headers=csrf, json={"username": "sneaky", "role": "admin"})
    assert_error(resp, 403, "forbidden")
    assert "sneaky" not in {u.username for u in accounts.list_users(hub, factories.OPERATOR)}
    denied = [e for e in audit_events(hub, "users.create") if e.outcome == "denied"]
    assert denied, "a refused call is audited"
    assert denied[0].actor == two_orgs["a_viewer"].username


def test_a_revoked_key_is_refused(backend_client: TestClient, two_orgs: dict[str, Any]) -> None:
    c = backend_client
    admin = bearer(two_orgs["a_admin_key"])
    made = c.post("/api/keys", headers=admin, json={"name": "ci", "role": "analyst"})
    assert made.status_code == 201, made.text
    key_id, secret = made.json()["key"]["id"], made.json()["secret"]
    assert c.get("/api/entities", headers=bearer(secret)).status_code == 200

    revoked = c.post(f"/api/keys/{key_id}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert_error(c.get("/api/entities", headers=bearer(secret)), 401, "unauthenticated")
    assert_error(c.get("/api/me", headers=bearer(secret)), 401, "unauthenticated")


def test_a_disabled_users_session_stops_working(
    backend_client: TestClient, two_orgs: dict[str, Any]
) -> None:
    app: FastAPI = backend_client.app  # type: ignore[assignment]
    m = two_orgs["a_analyst"]
    session, _ = logged_in(app, m)
    assert session.get("/api/me").status_code == 200

    admin = bearer(two_orgs["a_admin_key"])
    off = backend_client.post(f"/api/users/{m.username}/disable", headers=admin)
    assert off.status_code == 204, off.text
    assert_error(session.get("/api/me"), 401, "unauthenticated")
    page = session.get("/", follow_redirects=False)
    assert page.status_code == 303
    again = new_client(app).post(
        "/api/auth/login", json={"username": m.username, "password": m.password}
    )
    assert_error(again, 401, "unauthenticated")


# --------------------------------------------------------------------------- sessions


def test_session_writes_need_the_csrf_token(backend_client: TestClient, hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    token = factories.login(backend_client, m)
    body = {"schema": "Person", "properties": {"name": ["Carl C"]}}

    for headers in ({}, {"X-CSRF-Token": "not-the-token"}, {"X-CSRF-Token": ""}):
        resp = backend_client.post("/api/entities", json=body, headers=headers)
        assert_error(resp, 403, "forbidden")
    form = backend_client.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False)
    assert form.status_code == 403
    assert backend_client.get("/api/entities").headers["x-total-count"] == "0"

    ok = backend_client.post("/api/entities", json=body, headers={"X-CSRF-Token": token})
    assert ok.status_code == 201, ok.text
    # Safe methods need no token; the token is the session's own.
    assert backend_client.get("/api/me").json()["csrf_token"] == token


def test_failed_logins_are_throttled_and_audited(backend_client: TestClient, hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    wrong = {"username": m.username, "password": "definitely not it"}
    for _ in range(hub.settings.login_max_failures):
        assert_error(backend_client.post("/api/auth/login", json=wrong), 401, "unauthenticated")
    right = {"username": m.username, "password": m.password}
    throttled = backend_client.post("/api/auth/login", json=right)
    body = assert_error(throttled, 429, "rate_limited")
    assert body["hint"]
    assert SESSION_COOKIE not in backend_client.cookies

    events = [e for e in audit_events(hub, "auth.login") if e.actor == m.username]
    outcomes = [e.outcome for e in events]
    assert outcomes.count("failed") == hub.settings.login_max_failures
    assert outcomes.count("throttled") == 1
    assert "ok" not in outcomes
    # Another user is not locked out by the first one's failures.
    other = factories.member(hub, "analyst")
    assert (
        new_client(backend_client.app)
        .post(  # type: ignore[arg-type]
            "/api/auth/login", json={"username": other.username, "password": other.password}
        )
        .status_code
        == 200
    )


# --------------------------------------------------------------------------- secrets at rest


def row_values(session: Session, table: str, where: str, **params: Any) -> list[str]:
    row = session.execute(text(f"SELECT * FROM {table} WHERE {where}"), params).mappings().one()
    return [str(v) for v in row.values()]


def test_passwords_are_argon2id_hashes(hub: Hub) -> None:
    m = factories.member(hub, "analyst")
    with hub.db.session(readonly=True) as s:
        stored = s.scalars(select(User.password_hash).where(User.username == m.username)).one()
        values = row_values(s, "users", "username = :u", u=m.username)
    assert stored.startswith("$argon2id$")
    assert not any(m.password in v for v in values)


def test_api_keys_and_sessions_are_stored_as_digests(backend_client: TestClient, hub: Hub) -> None:
    org = factories.org(hub)
    key = factories.api_key(hub, "analyst", org)
    secret_part = key.split("_", 2)[2]
    with hub.db.session(readonly=True) as s:
        row = s.scalars(select(ApiKey).where(ApiKey.prefix == key.split("_")[1])).one()
        values = row_values(s, "api_keys", "id = :i", i=row.id)
    assert row.digest == hashlib.sha256(key.encode()).hexdigest()
    assert not any(key in v or secret_part in v for v in values)

    m = factories.member(hub, "analyst", org)
    factories.login(backend_client, m)
    token = backend_client.cookies[SESSION_COOKIE]
    with hub.db.session(readonly=True) as s:
        ws = s.scalars(select(WebSession)).one()
        values = row_values(s, "web_sessions", "digest = :d", d=ws.digest)
    assert ws.digest == hashlib.sha256(token.encode()).hexdigest()
    assert not any(token in v for v in values)


# --------------------------------------------------------------------------- audit chain


def tamper(hub: Hub, *statements: Any) -> None:
    """Run statements as a database superuser would: with the append-only trigger off."""
    engine: Engine = hub.db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        else:
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        for statement in statements:
            conn.execute(statement)
        if engine.dialect.name == "sqlite":
            for verb in ("UPDATE", "DELETE"):
                conn.execute(
                    text(
                        f"CREATE TRIGGER audit_events_no_{verb.lower()} BEFORE {verb} ON "
                        "audit_events BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END"
                    )
                )
        else:
            conn.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))


@pytest.fixture
def chain(hub: Hub) -> list[AuditEvent]:
    """A few audited calls; returns the events in order (at least six)."""
    org = factories.org(hub)
    for role in ("admin", "analyst", "reviewer", "viewer"):
        factories.member(hub, role, org)
    factories.api_key(hub, "analyst", org)
    with hub.db.session(readonly=True) as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert len(events) >= 6
    assert verify(hub).ok
    return events


EVENTS = AuditEvent.__table__


def test_an_edited_event_is_named(hub: Hub, chain: list[AuditEvent]) -> None:
    victim = chain[2]
    tamper(
        hub,
        update(EVENTS)
        .where(EVENTS.c.seq == victim.seq)
        .values(details={**victim.details, "role": "admin", "edited": True}),
    )
    result = verify(hub)
    assert not result.ok
    assert result.first_bad_seq == victim.seq
    assert result.checked == victim.seq - 1


def test_a_deleted_event_is_named(hub: Hub, chain: list[AuditEvent]) -> None:
    victim = chain[3]
    tamper(hub, delete(EVENTS).where(EVENTS.c.seq == victim.seq))
    result = verify(hub)
    assert not result.ok
    assert result.first_bad_seq == victim.seq, result
    assert str(victim.seq) in (result.reason or "")


def test_a_deleted_last_event_is_named(hub: Hub, chain: list[AuditEvent]) -> None:
    victim = chain[-1]
    tamper(hub, delete(EVENTS).where(EVENTS.c.seq == victim.seq))
    result = verify(hub)
    assert not result.ok
    assert result.first_bad_seq == victim.seq, result


def test_swapped_events_are_named(hub: Hub, chain: list[AuditEvent]) -> None:
    first, second = chain[1], chain[4]
    assert (first.actor, first.details) != (second.actor, second.details)
    tamper(
        hub,
        update(EVENTS)
        .where(EVENTS.c.seq == first.seq)
        .values(actor=second.actor, details=second.details),
        update(EVENTS)
        .where(EVENTS.c.seq == second.seq)
        .values(actor=first.actor, details=first.details),
    )
    result = verify(hub)
    assert not result.ok
    assert result.first_bad_seq == first.seq


def test_the_append_only_trigger_refuses_changes(hub: Hub, chain: list[AuditEvent]) -> None:
    victim = chain[2]
    for statement in (
        update(EVENTS).where(EVENTS.c.seq == victim.seq).values(actor="mallory"),
        delete(EVENTS).where(EVENTS.c.seq == victim.seq),
        delete(EVENTS),
    ):
        with pytest.raises(DBAPIError, match="append-only"), hub.db.engine.begin() as conn:
            conn.execute(statement)
    result = verify(hub)
    assert result.ok, result
    assert result.checked == len(chain)
