"""Travel pages in chromium at 1366x768: flights, a manifest, a passenger with a decision, the
rule builder with a refused sensitive rule, the review queue, retention, and one page in Chinese.

The data is ``build_world`` of the page tests (a flight today with PNRs and hits, an old masked
one), stored through ``cthub.travel.store``. The server is the conftest's, with the travel
pages mounted as the page tests mount them. Each page is saved as
``test-artifacts/screenshots/travel-*.png`` for the developer to look at.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cthub.core.hub import Hub
from tests import factories
from tests.e2e.conftest import LiveServer, _serve, _wait_healthy, page_errors
from tests.e2e.test_browser import _login
from tests.interfaces.test_web_travel import build_world, travel_app

ORG = "Passenger Information Unit"


@pytest.fixture
def travel_server(sqlite_hub: Hub) -> Iterator[LiveServer]:
    """The app with the travel pages on a loopback port, one unit and its administrator."""
    admin = factories.member(sqlite_hub, "admin", factories.org(sqlite_hub, ORG))
    server, thread, url = _serve(travel_app(sqlite_hub))
    try:
        _wait_healthy(url, thread)
        yield LiveServer(url, sqlite_hub, admin)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _settled(page: Page, action: Callable[[], object]) -> None:
    """Do ``action`` and wait until HTMX has swapped and processed what came back (a row
    changed before HTMX processes it would lose its ``change`` event)."""
    page.evaluate(
        "() => { if (window.__settled === undefined) { window.__settled = 0;"
        " document.body.addEventListener('htmx:afterSettle', () => window.__settled++); } }"
    )
    before = page.evaluate("() => window.__settled")
    action()
    page.wait_for_function(f"() => window.__settled > {before}")


def _shot(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"travel-{name}.png"), full_page=True)


def test_travel_pages(page: Page, travel_server: LiveServer, screenshots: Path) -> None:
    server, hub = travel_server, travel_server.hub
    org_id = server.admin.actor.org_id
    assert org_id is not None
    world = build_world(hub, org_id)
    errors = page_errors(page)
    _login(page, server, server.admin)

    page.click("nav.sidenav >> text=Flights")
    expect(page.locator("[data-testid=flight-row]")).to_have_count(1)
    page.click("[data-testid=check-now]")  # HTMX: the table comes back with the result
    expect(page.locator("[data-testid=check-result]")).to_contain_text("Checked 1 flights")
    _shot(page, screenshots, "flights")

    page.click("[data-testid=flight-row] >> text=XY123")
    expect(page.locator("[data-testid=person]")).to_have_count(7)  # 4 on the manifest, 3 in PNRs
    _shot(page, screenshots, "manifest")
    page.click("[data-testid=role-crew]")
    expect(page.locator("[data-testid=person]")).to_have_count(1)

    page.goto(f"{server.url}/travel/passengers/{world.people['DOE/JOHN']}")
    expect(page.locator("[data-testid=graph] circle").first).to_be_visible()
    hit = page.locator("[data-testid=hit][data-state=open]").first
    hit.locator("[data-testid=confirm]").click()  # no reason: refused beside the field
    expect(hit.locator("[data-testid=error-reason]")).to_have_text(
        "Give the reason for the decision."
    )
    hit = page.locator("[data-testid=hit][data-state=open]").first
    hit.locator("[data-testid=reason]").fill("Booking pattern explained by the carrier")
    hit.locator("[data-testid=dismiss]").click()
    expect(page.locator("[data-testid=hit][data-state=dismissed]").first).to_contain_text(
        f"Dismissed by {server.admin.username}"
    )
    _shot(page, screenshots, "passenger")

    page.goto(f"{server.url}/travel/rules/new")
    page.fill("[data-testid=rule-name]", "cash-remarks")
    page.fill("[data-testid=rule-description]", "Cash payment with a remark of concern.")
    field = page.locator("[data-testid=conditions-row] [data-testid=cond-field]")
    _settled(page, lambda: field.first.select_option("paid_cash"))
    _settled(page, lambda: page.click("[data-testid=add-conditions]"))
    _settled(page, lambda: field.nth(1).select_option("remarks"))  # redrawn for its type
    second = page.locator("[data-testid=conditions-row]").nth(1)
    expect(second.locator("[data-testid=cond-op] option")).to_have_count(6)
    second.locator("[data-testid=cond-op]").select_option("contains")
    second.locator("[data-testid=cond-value]").fill("halal")
    page.click("[data-testid=save-rule]")
    second = page.locator("[data-testid=conditions-row]").nth(1)
    expect(second.locator("[data-testid=error-condition]")).to_contain_text(
        "Condition 2: the value halal of remarks reveals religion"
    )
    _shot(page, screenshots, "rule-form")
    _settled(page, lambda: field.nth(1).select_option("one_way"))
    with page.expect_navigation():
        page.click("[data-testid=save-rule]")
    expect(page.locator("[data-testid=saved]")).to_have_text("Saved as version 1.")
    page.click("[data-testid=test-rule]")
    expect(page.locator("[data-testid=rule-test-result]")).to_contain_text("stored passengers")
    _shot(page, screenshots, "rule")
    page.click("nav.sidenav >> text=Risk rules")
    expect(page.locator("[data-testid=rules]")).to_contain_text("cash-remarks")
    _shot(page, screenshots, "rules")

    page.click("nav.sidenav >> text=Passenger hits")
    expect(page.locator("[data-testid=queue-row]").first).to_be_visible()
    _shot(page, screenshots, "review")

    page.goto(f"{server.url}/travel/passengers/{world.masked_id}")
    page.fill("[data-testid=unmask-reason]", "Case 2026/17: co-traveller of a confirmed hit")
    page.click("[data-testid=ask-unmask]")
    expect(page.locator("[data-testid=unmask-asked]")).to_be_visible()
    page.click("nav.sidenav >> text=Retention")
    request = page.locator("[data-testid=pending-request]").first
    request.locator("[data-testid=note]").fill("Approved")
    request.locator("[data-testid=approve]").click()  # one's own request: refused, shown
    expect(page.locator("[data-testid=unmask-panel] [data-testid=form-error]")).to_contain_text(
        "someone other than who asked"
    )
    _shot(page, screenshots, "retention")

    with page.expect_navigation():
        page.select_option("[data-testid=lang]", "zh_Hans")
    page.goto(f"{server.url}/travel/passengers/{world.people['DOE/JANE']}")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    _shot(page, screenshots, "passenger-zh")
    page.goto(f"{server.url}/travel")
    _shot(page, screenshots, "flights-zh")

    assert errors == []
