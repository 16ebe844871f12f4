"""The web UI in Debian's chromium: login, language switch, audit, user and key administration.

Each main step leaves a full-page screenshot in ``test-artifacts/screenshots/`` for a person
to look at (Chinese pages must show glyphs, not empty boxes).
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from cthub.core import accounts
from cthub.core.errors import InvalidInput
from cthub.core.i18n import gettext
from tests.e2e.conftest import LiveServer
from tests.factories import Member

LOGIN_URL = re.compile(r"/login(\?.*)?$")


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / name), full_page=True)


def _login(page: Page, server: LiveServer, member: Member) -> None:
    page.goto(f"{server.url}/login")
    page.fill("#username", member.username)
    page.fill("#password", member.password)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{server.url}/")


def _path(page: Page) -> str:
    return page.evaluate("location.pathname + location.search")


def test_login_dashboard_language_audit_logout(
    page: Page, live_server: LiveServer, screenshots: Path
) -> None:
    admin = live_server.admin
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(LOGIN_URL)
    assert _path(page) == "/login?next=%2F"  # the target is URL-encoded
    expect(page.locator("h1")).to_have_text("Log in to cthub")
    _shot(page, screenshots, "login.png")

    page.fill("#username", admin.username)
    page.fill("#password", admin.password)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Dashboard")
    expect(page.get_by_test_id("user")).to_have_text(admin.username)
    expect(page.locator(".topbar .org")).to_have_text(admin.org)
    _shot(page, screenshots, "dashboard-en.png")

    with page.expect_navigation():
        page.get_by_test_id("lang").select_option("zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("h1")).to_have_text("仪表板")
    nav = page.locator("nav.sidenav")
    expect(nav).to_contain_text("审计日志")
    expect(page.get_by_test_id("lang")).to_have_value("zh_Hans")
    _shot(page, screenshots, "dashboard-zh.png")

    with page.expect_navigation():
        nav.get_by_role("link", name="审计日志").click()
    expect(page).to_have_url(f"{live_server.url}/audit")
    expect(page.locator("h1")).to_have_text("审计日志")
    table = page.get_by_test_id("audit-table")
    login_row = table.locator("tbody tr", has=page.locator("code", has_text="auth.login"))
    expect(login_row.first).to_contain_text(admin.username)

    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verify-ok")).to_be_visible(timeout=15_000)
    expect(page.get_by_test_id("verify-ok")).to_contain_text("审计链完整")
    _shot(page, screenshots, "audit-zh.png")

    with page.expect_navigation():
        page.get_by_test_id("logout").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    expect(page.locator("#username")).to_be_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "cthub_session"]
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(LOGIN_URL)


def _expected_error(server: LiveServer, username: str) -> str:
    """What the service says about ``username``, rendered in English as the page shows it."""
    _ = gettext("en")
    with pytest.raises(InvalidInput) as caught:
        accounts.create_user(server.hub, server.admin.actor, username, "viewer")
    hint = caught.value.render_hint(_)
    return caught.value.render(_) + (f" {hint}" if hint else "")


def test_users_page_creates_user_and_repeats_server_errors(
    page: Page, live_server: LiveServer, screenshots: Path
) -> None:
    _login(page, live_server, live_server.admin)
    with page.expect_navigation():
        page.locator("nav.sidenav").get_by_role("link", name="Users").click()
    expect(page.locator("h1")).to_have_text("Users")
    panel = page.locator("#users-form")

    panel.locator("input[name=username]").fill("analyst.e2e")
    panel.locator("input[name=display_name]").fill("Analyst E2E")
    panel.locator("select[name=role]").select_option("analyst")
    panel.get_by_role("button", name="Create").click()
    password = page.get_by_test_id("new-password")
    expect(password).to_be_visible()
    assert len(password.inner_text().strip()) >= 12
    expect(page.locator("table.data tbody")).to_contain_text("analyst.e2e")
    expect(page).to_have_url(f"{live_server.url}/admin/users")  # inline: no navigation
    _shot(page, screenshots, "users-en.png")

    for bad in ("x", "bad name!"):
        panel.locator("input[name=username]").fill(bad)
        panel.get_by_role("button", name="Create").click()
        error = page.get_by_test_id("form-error")
        expected = _expected_error(live_server, bad)
        assert expected.startswith(f"User name {bad} is not allowed.")
        expect(error).to_have_text(expected)
        expect(page.get_by_test_id("new-password")).to_have_count(0)
        expect(panel.locator("input[name=username]")).to_have_value(bad)


def test_keys_page_creates_and_revokes_a_key(
    page: Page, live_server: LiveServer, screenshots: Path
) -> None:
    _login(page, live_server, live_server.admin)
    page.goto(f"{live_server.url}/admin/keys")
    expect(page.locator("h1")).to_have_text("API keys")
    panel = page.locator("#keys-form")
    panel.locator("input[name=name]").fill("e2e-screening")
    panel.locator("select[name=role]").select_option("viewer")
    panel.get_by_role("button", name="Create").click()
    shown = page.get_by_test_id("new-key")
    expect(shown).to_be_visible()
    secret = shown.inner_text().strip()
    assert secret.startswith("cth_")
    _shot(page, screenshots, "keys-en.png")

    me = httpx.get(f"{live_server.url}/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200, me.text
    assert me.json()["via"] == "api_key"
    assert me.json()["role"] == "viewer"

    row = page.locator("table.data tbody tr", has_text="e2e-screening")
    with page.expect_navigation():
        row.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(f"{live_server.url}/admin/keys")
    row = page.locator("table.data tbody tr", has_text="e2e-screening")
    expect(row).to_contain_text("revoked")
    expect(page.get_by_test_id("new-key")).to_have_count(0)  # shown once only

    after = httpx.get(f"{live_server.url}/api/me", headers={"Authorization": f"Bearer {secret}"})
    assert after.status_code == 401, after.text


def test_wrong_password_shows_error_and_opens_no_session(
    page: Page, live_server: LiveServer
) -> None:
    page.goto(f"{live_server.url}/login")
    page.fill("#username", live_server.admin.username)
    page.fill("#password", "not the password at all")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.locator("#username")).to_have_value(live_server.admin.username)
    assert not [c for c in page.context.cookies() if c["name"] == "cthub_session"]
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(LOGIN_URL)


def _tab_to(page: Page, element_id: str, limit: int = 15) -> None:
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"Tab never reached #{element_id}")


def test_login_with_keyboard_only(page: Page, live_server: LiveServer) -> None:
    admin = live_server.admin
    page.goto(f"{live_server.url}/login")
    _tab_to(page, "username")
    page.keyboard.type(admin.username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(admin.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_test_id("user")).to_have_text(admin.username)
