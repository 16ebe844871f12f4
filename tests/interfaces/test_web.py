"""Web pages through the test client: login form, redirects, CSRF, roles and CSV export."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from tests import factories


def _login_form(client: TestClient, m: factories.Member, next_: str = "/") -> str:
    page = client.get(f"/login?next={next_}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token is not None
    resp = client.post(
        "/login",
        data={
            "username": m.username,
            "password": m.password,
            "csrf_token": token.group(1),
            "next": next_,
        },
        follow_redirects=False,
    )
    return resp.headers.get("location", "")


def _csrf(client: TestClient) -> str:
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


def test_redirect_to_login_keeps_the_query(client: TestClient) -> None:
    resp = client.get("/audit?actor=a b&outcome=denied", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=%2Faudit%3Factor%3Da%2520b%26outcome%3Ddenied"


def test_login_never_redirects_off_site(client: TestClient, sqlite_hub: Hub) -> None:
    m = factories.member(sqlite_hub, "viewer")
    assert _login_form(client, m, "//evil.example/") == "/"


def test_login_form_needs_its_token(client: TestClient, sqlite_hub: Hub) -> None:
    m = factories.member(sqlite_hub, "viewer")
    resp = client.post(
        "/login", data={"username": m.username, "password": m.password, "csrf_token": "forged"}
    )
    assert resp.status_code == 401
    assert "security token" in resp.text
    assert "cthub_session" not in client.cookies


def test_admin_pages_render_and_forms_need_csrf(client: TestClient, sqlite_hub: Hub) -> None:
    admin = factories.member(sqlite_hub, "admin")
    assert _login_form(client, admin) == "/"
    for path, text in (
        ("/", "Dashboard"),
        ("/admin/users", admin.username),
        ("/admin/keys", "Create an API key"),
        ("/audit", "auth.login"),
        ("/jobs", "Jobs"),
    ):
        page = client.get(path)
        assert page.status_code == 200, path
        assert text in page.text, path
    forged = client.post("/admin/users", data={"username": "x.y", "role": "viewer"})
    assert forged.status_code == 403
    made = client.post(
        "/admin/users", data={"username": "x.y", "role": "viewer", "csrf_token": _csrf(client)}
    )
    assert made.status_code == 200
    assert "User x.y created" in made.text


def test_viewer_cannot_open_admin_pages(client: TestClient, sqlite_hub: Hub) -> None:
    viewer = factories.member(sqlite_hub, "viewer")
    _login_form(client, viewer)
    page = client.get("/admin/users")
    assert page.status_code == 403
    assert "Not allowed" in page.text  # an HTML page with the layout, not JSON
    assert "Your role (viewer) may not perform users.list." in page.text
    nav = client.get("/").text
    assert "/admin/users" not in nav  # the navigation hides what the role cannot use


def test_audit_csv_export(client: TestClient, sqlite_hub: Hub) -> None:
    admin = factories.member(sqlite_hub, "admin")
    _login_form(client, admin)
    resp = client.get("/audit.csv?action=auth.")
    assert resp.headers["content-type"].startswith("text/csv")
    lines = resp.text.strip().splitlines()
    assert lines[0] == "seq,at,actor,action,outcome,resource_type,resource_id,hash"
    assert all(",auth." in line for line in lines[1:])
    assert len(lines) >= 2


def test_language_switch_is_remembered(client: TestClient, sqlite_hub: Hub) -> None:
    m = factories.member(sqlite_hub, "analyst")
    _login_form(client, m)
    client.post("/lang", data={"lang": "zh_Hans", "next": "/", "csrf_token": _csrf(client)})
    assert "仪表板" in client.get("/").text
    client.cookies.delete("cthub_lang")
    assert "仪表板" in client.get("/").text  # stored on the user, not only in the cookie
