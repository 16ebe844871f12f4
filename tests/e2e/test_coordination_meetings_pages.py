"""Meetings, knowledge and training centres in chromium at 1366x768, and the coordination jobs.

The coordinator of the secretariat records a meeting (an error first, beside its field), writes
its minutes, adds an action item and marks it done, reads the briefing pack, searches the
knowledge base in English and in Chinese, opens the training centres, and runs overlap
detection and a report download as jobs whose progress the page polls. Each page is saved as
``test-artifacts/screenshots/coordination-{meetings,knowledge,centres}*.png``.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

import cthub.coordination.jobs  # noqa: F401 - registers the coordination job kinds
from cthub.coordination import centres, knowledge, service
from cthub.core.hub import Hub
from tests import factories
from tests.e2e.conftest import LiveServer, page_errors
from tests.e2e.test_browser import _login
from tests.interfaces.test_web_coordination import SECRETARIAT, World, load_register


def _shot(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"coordination-{name}.png"), full_page=True)


def _seed(hub: Hub, world: World) -> None:
    org = world.orgs[SECRETARIAT]
    knowledge.create_evaluation(hub, factories.OPERATOR, {
        "org_id": org, "kind": "evaluation", "title": "Container screening evaluation",
        "body": "Customs officers learned risk profiling of sea containers at Aqaba; the "
                "mentoring after the course mattered more than the course itself.",
        "areas": ["customs"], "recipient": "JO", "published_on": "2026-03-15"})  # fmt: skip
    knowledge.create_evaluation(hub, factories.OPERATOR, {
        "org_id": org, "kind": "lesson", "title": "海关培训经验",
        "body": "边境海关培训提高了集装箱风险分析能力。后续辅导比课程本身更重要。",
        "areas": ["customs"], "recipient": "JO", "published_on": "2026-04-02"})  # fmt: skip
    centres.create_centre(hub, factories.OPERATOR, {
        "name": "Regional Counter-Terrorism Training Centre", "country": "JO", "city": "Amman",
        "url": "https://example.org", "areas": ["customs", "law_enforcement"], "curricula": [
            {"title": "Port container screening", "area": "customs", "audience": "Customs",
             "duration_days": 5},
            {"title": "Investigating terrorist financing", "area": "law_enforcement",
             "audience": "Police", "duration_days": 10}]})  # fmt: skip


def _record_meeting(page: Page, url: str, recipient: str, screenshots: Path) -> None:
    page.goto(f"{url}/coordination/meetings")
    page.click("[data-testid=new-meeting]")
    page.fill("[data-testid=recipient]", "Atlantis")
    page.fill("[data-testid=title]", "Donor round table on border security")
    page.fill("[data-testid=held_on]", "2026-05-12")
    page.fill("[data-testid=location]", "Amman")
    page.fill("[data-testid=participants]", "Jordan Customs\nEU delegation\nUNODC")
    page.click("[data-testid=save]")
    expect(page.locator("[data-testid=error-recipient]")).to_have_text(
        "Unknown country or region 'Atlantis' in recipient."
    )
    _shot(page, screenshots, "meetings-form-error")
    page.fill("[data-testid=recipient]", recipient)
    with page.expect_navigation():
        page.click("[data-testid=save]")
    expect(page.locator("h1")).to_have_text("Donor round table on border security")


def _minutes_and_actions(page: Page, screenshots: Path) -> None:
    page.fill("[data-testid=minutes-text]", "Donors agreed to align their training calendars.")
    page.click("[data-testid=save-minutes]")
    expect(page.locator("[data-testid=minutes-saved]")).to_be_visible()
    page.fill("[data-testid=action-description]", "Share the 2027 training calendar")
    page.fill("[data-testid=action-owner]", "EU delegation")
    page.fill("[data-testid=action-due]", "2026-01-01")  # before the meeting: refused
    page.click("[data-testid=add-action]")
    expect(page.locator("[data-testid=error-due_on]")).to_have_text(
        "The due date 2026-01-01 is before the meeting on 2026-05-12."
    )
    page.fill("[data-testid=action-due]", "2026-06-30")
    page.click("[data-testid=add-action]")
    row = page.locator("[data-testid=action-item]").first
    expect(row).to_have_attribute("data-state", "open")
    row.locator("[data-testid=mark-done]").click()
    expect(page.locator("[data-testid=action-item]").first).to_have_attribute("data-state", "done")
    _shot(page, screenshots, "meetings-meeting")


def _knowledge(page: Page, url: str, screenshots: Path) -> None:
    page.goto(f"{url}/coordination/knowledge")
    page.fill("[data-testid=q]", "containers")
    with page.expect_navigation():
        page.click("[data-testid=search]")
    expect(page.locator("[data-testid=hit]").first).to_contain_text("Container screening")
    expect(page.locator("[data-testid=snippet] mark").first).to_have_text("containers")
    _shot(page, screenshots, "knowledge")
    page.click("[data-testid=new-evaluation]")
    page.fill("[data-testid=title]", "Border mentoring lessons")
    page.fill("[data-testid=body]", "Mentoring after the course made the difference.")
    page.click("[data-testid=save]")  # no area chosen: refused beside the areas
    expect(page.locator("[data-testid=error-areas]")).to_have_text(
        "Choose at least one assistance area."
    )
    _shot(page, screenshots, "knowledge-form-error")


def _jobs(page: Page, url: str, screenshots: Path) -> None:
    page.goto(f"{url}/coordination/overlaps")
    page.click("[data-testid=detect]")
    expect(page.locator("[data-testid=detected]")).to_be_visible(timeout=30_000)
    _shot(page, screenshots, "overlaps-job")
    page.goto(f"{url}/coordination/report?period=2026H1&lang=en")
    page.click("[data-testid=download-html]")
    link = page.locator("[data-testid=report-file]")
    expect(link).to_have_text("Download ctc-report-2026H1-en.html", timeout=30_000)
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "ctc-report-2026H1-en.html"


def test_meetings_knowledge_and_centres(
    page: Page, live_server: LiveServer, screenshots: Path
) -> None:
    hub, url = live_server.hub, live_server.url
    world = load_register(hub)
    _seed(hub, world)
    coordinator = factories.member(hub, "coordinator", SECRETARIAT)
    errors = page_errors(page)
    _login(page, live_server, coordinator)

    own = world.projects[world.donors[0]][0]
    recipient = service.get_project(hub, factories.OPERATOR, own).recipient
    _record_meeting(page, url, recipient, screenshots)
    _minutes_and_actions(page, screenshots)
    page.goto(f"{url}/coordination/meetings")
    expect(page.locator("[data-testid=meetings] tbody tr").first).to_contain_text("Amman")
    expect(page.locator("[data-testid=meetings] tbody tr").first).to_contain_text("0 / 1")
    _shot(page, screenshots, "meetings")
    page.goto(f"{url}/coordination/meetings/briefing?recipient={recipient}")
    expect(page.locator("[data-testid=briefing-meeting]")).to_contain_text("Share the 2027")
    _shot(page, screenshots, "meetings-briefing")

    _knowledge(page, url, screenshots)
    page.goto(f"{url}/coordination/centres")
    expect(page.locator("[data-testid=centres] tbody tr").first).to_contain_text("Amman")
    _shot(page, screenshots, "centres")
    page.locator("[data-testid=centres] tbody a").first.click()
    expect(page.locator("[data-testid=curriculum]")).to_contain_text("Port container screening")
    page.fill("[data-testid=link-project]", str(own))
    page.click("[data-testid=link]")  # HTMX: the projects panel comes back in place
    expect(page.locator("[data-testid=linked-project]")).to_contain_text(f"#{own}")
    _shot(page, screenshots, "centres-centre")
    page.click("[data-testid=edit]")
    expect(page.locator("[data-testid=course]")).to_have_count(3)  # two courses, one blank
    page.click("[data-testid=add-course]")
    expect(page.locator("[data-testid=course]")).to_have_count(4)
    page.locator("[data-testid=course-duration_days]").nth(1).fill("0")
    page.click("[data-testid=save]")
    expect(page.locator("[data-testid='error-curricula[2].duration_days']")).to_contain_text(
        "must be a whole number of days from 1 to 365"
    )
    _shot(page, screenshots, "centres-form")
    _jobs(page, url, screenshots)

    with page.expect_navigation():
        page.select_option("[data-testid=lang]", "zh_Hans")
    page.goto(f"{url}/coordination/knowledge?q=海关培训")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator("[data-testid=snippet] mark").first).to_have_text("海关培训")
    _shot(page, screenshots, "knowledge-zh")
    assert errors == []
