"""Screening pages in chromium: screen a name with explanations, decide an alert, see lists."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from cthub.lists import load
from cthub.screening import rescreen, watch
from tests import factories
from tests.e2e.conftest import LiveServer
from tests.e2e.test_browser import _login


def test_screen_decide_and_lists(page: Page, live_server: LiveServer, screenshots: Path) -> None:
    hub = live_server.hub
    load(hub, factories.OPERATOR, "un")
    reviewer = factories.member(hub, "reviewer", live_server.admin.org)
    org_id = reviewer.actor.org_id
    watch(
        hub,
        factories.OPERATOR,
        [{"id": "C-1", "name": "Badege Eric", "type": "person"}],
        org_id=org_id,
    )
    assert rescreen(hub, factories.OPERATOR, org_id=org_id).created >= 1
    _login(page, live_server, reviewer)

    page.click("nav.sidenav >> text=Screen a name")
    page.fill("[data-testid=name]", "Eric Badege")
    with page.expect_navigation():
        page.click("form.inline-form button.primary")
    hits = page.locator("[data-testid=hits] tbody tr")
    expect(hits.first).to_contain_text("CDi.001")
    expect(hits.first.locator("mark").first).to_be_visible()  # matched words highlighted
    hits.first.locator("summary").click()
    expect(hits.first.locator("table.features")).to_contain_text("name")
    page.screenshot(path=str(screenshots / "screening-en.png"), full_page=True)

    page.click('nav.sidenav >> text="Alerts"')  # exact: finance has "Transaction alerts"
    row = page.locator("[data-testid=alerts] tbody tr").first
    expect(row).to_contain_text("CDi.001")
    row.locator("button").click()  # no reason: the server's message is shown inline
    expect(page.locator("[data-testid=form-error]")).to_have_text(
        "A decision needs a reason. Say why the alert is a true match or a false positive."
    )
    page.goto(f"{live_server.url}/screening/alerts")
    row = page.locator("[data-testid=alerts] tbody tr").first
    row.locator("select").select_option("false_positive")
    row.locator("input[name=reason]").fill("Different person: customer born 1991 in Lyon")
    row.locator("button").click()
    expect(page.locator("[data-testid=alerts] tbody tr").first).to_contain_text(reviewer.username)
    page.screenshot(path=str(screenshots / "alerts-en.png"), full_page=True)

    page.click("nav.sidenav >> text=Sanctions lists")
    expect(page.locator("[data-testid=lists]")).to_contain_text("1003")
    page.screenshot(path=str(screenshots / "lists-en.png"), full_page=True)
