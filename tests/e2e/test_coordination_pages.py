"""Coordination pages in chromium at 1366x768: every page, one in Chinese, a form, a decision.

Pages are opened by URL: the side-navigation entries come from the ``cthub.web`` entry point.
The register is a small generated one loaded through the services (as the page tests do); the
coordinator of the secretariat drives the pages. Each page is saved as
``test-artifacts/screenshots/coordination-*.png`` for the developer to look at.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from cthub.coordination import meetings, service
from tests import factories
from tests.e2e.conftest import LiveServer, page_errors
from tests.e2e.test_browser import _login
from tests.interfaces.test_web_coordination import SECRETARIAT, load_register


def _shot(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"coordination-{name}.png"), full_page=True)


def _charts_drawn(page: Page) -> None:
    expect(page.locator("#gap-heatmap")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#world-map")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#gap-heatmap svg").first).to_be_visible()
    expect(page.locator("#world-map svg path").first).to_be_attached()


def test_coordination_pages(page: Page, live_server: LiveServer, screenshots: Path) -> None:
    hub = live_server.hub
    world = load_register(hub)
    coordinator = factories.member(hub, "coordinator", SECRETARIAT)
    errors = page_errors(page)
    _login(page, live_server, coordinator)

    page.goto(f"{live_server.url}/coordination")
    _charts_drawn(page)
    expect(page.locator("[data-testid=top-gaps] tbody tr").first).to_be_visible()
    _shot(page, screenshots, "dashboard")

    page.goto(f"{live_server.url}/coordination/needs")
    expect(page.locator("[data-testid=needs] tbody tr")).not_to_have_count(0)
    _shot(page, screenshots, "needs")
    page.click("[data-testid=new-need]")
    page.fill("[data-testid=recipient]", "Atlantis")
    page.select_option("[data-testid=area]", "customs")
    page.fill("[data-testid=title]", "Container screening at the port of Aqaba")
    page.click("[data-testid=save]")  # HTMX: the form comes back with the field's error
    expect(page.locator("[data-testid=error-recipient]")).to_have_text(
        "Unknown country or region 'Atlantis' in recipient."
    )
    expect(page.locator("#f-recipient")).to_have_attribute("aria-invalid", "true")
    _shot(page, screenshots, "need-form-error")
    page.fill("[data-testid=recipient]", "JO")
    with page.expect_navigation():
        page.click("[data-testid=save]")
    expect(page.locator("h1")).to_have_text("Container screening at the port of Aqaba")
    expect(page.locator("[data-testid=suggestions]")).to_be_visible()
    _shot(page, screenshots, "need")

    page.goto(f"{live_server.url}/coordination/projects")
    expect(page.locator("[data-testid=projects] tbody tr")).not_to_have_count(0)
    _shot(page, screenshots, "projects")
    own = world.projects[world.donors[0]][0]
    page.goto(f"{live_server.url}/coordination/projects/{own}")
    _shot(page, screenshots, "project")
    page.goto(f"{live_server.url}/coordination/projects/new")
    page.fill("[data-testid=recipient]", "JO")
    page.locator("[data-testid=recipient]").dispatch_event("change")  # the needs to link
    expect(page.locator("#need-options")).to_contain_text("Container screening")
    _shot(page, screenshots, "project-form")

    page.goto(f"{live_server.url}/coordination/overlaps")
    first = page.locator("[data-testid=overlap]").first
    expect(first).to_have_attribute("data-state", "flagged")
    _shot(page, screenshots, "overlaps")
    first.locator("[data-testid=confirm]").click()  # no note: refused beside the field
    expect(first.locator("[data-testid=error-note]")).to_have_text(
        "Give the reason for the decision."
    )
    first.locator("[data-testid=note]").fill("Same customs course twice; donors to merge")
    first.locator("[data-testid=confirm]").click()
    decided = page.locator("[data-testid=overlap][data-state=confirmed]").first
    expect(decided.locator("[data-testid=decision]")).to_contain_text("donors to merge")

    recipient = service.get_project(hub, factories.OPERATOR, own).recipient
    meeting = meetings.create_meeting(hub, factories.OPERATOR, {
        "org_id": world.orgs[SECRETARIAT], "recipient": recipient, "location": "Vienna",
        "title": "Donor coordination on border security", "held_on": "2026-05-12",
        "minutes": "Donors agreed to align their customs training calendars."})  # fmt: skip
    meetings.add_action_item(hub, factories.OPERATOR, meeting.id, {
        "description": "Share the 2027 training calendar", "owner": "German Federal Foreign Office",
        "due_on": "2026-06-30"})  # fmt: skip
    page.goto(f"{live_server.url}/coordination/countries/{recipient}")
    expect(page.locator("[data-testid=treaty-status]")).to_be_visible()
    expect(page.locator("[data-testid=actions]")).to_contain_text(
        "Share the 2027 training calendar"
    )
    _shot(page, screenshots, "country")

    page.goto(f"{live_server.url}/coordination/priorities")
    expect(page.locator("[data-testid=priorities] tbody tr")).not_to_have_count(0)
    _shot(page, screenshots, "priorities")

    with page.expect_navigation():
        page.select_option("[data-testid=lang]", "zh_Hans")
    page.goto(f"{live_server.url}/coordination")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    _charts_drawn(page)
    _shot(page, screenshots, "dashboard-zh")
    page.goto(f"{live_server.url}/coordination/report")
    page.fill("[data-testid=period]", "2026H1")
    with page.expect_navigation():
        page.click("[data-testid=preview]")
    frame = page.frame_locator("[data-testid=report-preview]")
    expect(frame.locator("h1").first).to_be_visible()
    # the viewport only: a full-page capture lays the sandboxed frame out anew, too narrow
    page.screenshot(path=str(screenshots / "coordination-report-zh.png"))

    assert errors == []
