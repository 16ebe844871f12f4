"""The ownership pages in Debian's chromium, on the demo structure and the bundled UN list: an
analyst searches, opens Lake Albert Shipping (blocked under OFAC through a chain of 50%
holdings from listed Machanga Ltd), sees the path marked in the graph and told in words,
switches to the EU rule (HTMX: not blocked, nothing marked; the URL follows), to UBO mode on
Mwanza Textiles (a cycle) and reads the blocked list. Screenshots: ``ownership-*.png`` (the
entity page in Chinese too).
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from cthub.lists import load as load_list
from cthub.ownership.demo import demo_id, load_demo
from tests import factories
from tests.e2e.conftest import LiveServer, page_errors
from tests.e2e.test_browser import _login


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"ownership-{name}.png"), full_page=True)


def _entity_url(server: LiveServer, key: str, mode: str = "") -> str:
    return f"{server.url}/ownership/entities/{demo_id(key)}" + (f"?mode={mode}" if mode else "")


def _search(page: Page, server: LiveServer, screenshots: Path) -> None:
    page.goto(f"{server.url}/ownership")
    expect(page.locator("h1")).to_have_text("Ownership")
    page.get_by_test_id("q").fill("rift")
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("result")).to_have_count(2)
    _shot(page, screenshots, "search")
    page.get_by_test_id("q").fill("PVT-2018-118203")  # Rift Valley Logistics' number
    page.get_by_test_id("search").click()
    expect(page.get_by_test_id("result")).to_have_count(1)
    page.get_by_test_id("party-link").first.click()
    expect(page.get_by_test_id("entity-name")).to_contain_text("Rift Valley Logistics Ltd")
    expect(page).to_have_url(re.compile(r"/ownership/entities/ftm:demo/rift-logistics$"))


def _blocked_path(page: Page, server: LiveServer, screenshots: Path) -> None:
    page.goto(_entity_url(server, "lake-albert"))
    view = page.get_by_test_id("ownership-view")
    expect(view).to_have_attribute("data-state", "blocked")
    expect(page.get_by_test_id("status-line")).to_contain_text("Blocked under OFAC")
    graph = page.get_by_test_id("graph")
    marked = graph.locator("[data-testid=graph-edge][data-marked=true]")
    expect(marked).to_have_count(3)  # Machanga -> Great Rift -> Rift Valley -> Lake Albert
    expect(marked.first.locator("path")).to_have_css("stroke", "rgb(185, 28, 28)")
    words = page.get_by_test_id("path-words")
    expect(words.locator("li").first).to_have_text(
        "Listed Machanga Ltd (UN CDe.007) owns 50% of Great Rift Holdings Ltd"
    )
    expect(graph.locator(".node.st-listed")).to_have_count(1)
    info = page.get_by_test_id("graph-info")
    before = info.inner_text()
    graph.locator(".node.st-listed rect").hover()
    expect(info).to_contain_text("on UN CDe.007")
    expect(graph).to_have_class(re.compile(r"\bfocused\b"))
    page.mouse.move(0, 0)
    expect(info).to_have_text(before)
    _shot(page, screenshots, "entity-ofac")


def _switch(page: Page, server: LiveServer, screenshots: Path) -> None:
    page.get_by_test_id("mode-eu").click()
    view = page.get_by_test_id("ownership-view")
    expect(view).to_have_attribute("data-mode", "eu")
    expect(view).to_have_attribute("data-state", "not_blocked")
    expect(page.get_by_test_id("mode-eu")).to_have_attribute("aria-current", "true")
    expect(page.get_by_test_id("graph").locator("[data-marked=true]")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"\?mode=eu$"))
    expect(page.get_by_test_id("mode-eu")).to_be_focused()  # the switch keeps the focus
    _shot(page, screenshots, "entity-eu")
    # the swapped graph is interactive too (graph.js wires the new drawing)
    graph = page.get_by_test_id("graph")
    graph.locator(".node.st-listed rect").hover()
    expect(graph).to_have_class(re.compile(r"\bfocused\b"))
    page.mouse.move(0, 0)
    page.goto(_entity_url(server, "ituri-gold"))
    for mode, state in (("eu", "blocked"), ("uk", "not_blocked"), ("ofac", "blocked")):
        page.get_by_test_id(f"mode-{mode}").click()
        expect(page.get_by_test_id("ownership-view")).to_have_attribute("data-mode", mode)
        expect(page.get_by_test_id("ownership-view")).to_have_attribute("data-state", state)
    expect(page.get_by_test_id("graph").locator("[data-marked=true]")).to_have_count(2)


def _ubo(page: Page, server: LiveServer, screenshots: Path) -> None:
    page.goto(_entity_url(server, "mwanza"))
    page.get_by_test_id("mode-ubo").click()
    view = page.get_by_test_id("ownership-view")
    expect(view).to_have_attribute("data-mode", "ubo")
    expect(view).to_have_attribute("data-state", "ubo")
    expect(page.get_by_test_id("status-line")).to_contain_text("ownership cycle")
    expect(page.get_by_test_id("ubo-row")).to_have_count(2)
    expect(page.get_by_test_id("ubo-owners")).to_contain_text("Grace Nyota")
    marked = page.get_by_test_id("graph").locator("[data-marked=true]")
    assert marked.count() >= 3
    _shot(page, screenshots, "entity-ubo")


def _blocked_list(page: Page, server: LiveServer, screenshots: Path) -> None:
    page.goto(f"{server.url}/ownership/blocked")
    rows = page.get_by_test_id("blocked-row")
    expect(rows).to_have_count(8)
    expect(page.get_by_test_id("blocked")).to_contain_text("Listed Congomet Trading House")
    _shot(page, screenshots, "blocked")
    page.get_by_test_id("regime-uk").click()
    expect(rows).to_have_count(3)
    page.locator("[data-entity='ftm:demo/kisangani'] [data-testid=entity-link]").click()
    expect(page.get_by_test_id("ownership-view")).to_have_attribute("data-state", "blocked")
    expect(page.get_by_test_id("path-words")).to_contain_text("controls Kisangani Trading Co")


def test_ownership_pages(page: Page, live_server: LiveServer, screenshots: Path) -> None:
    hub = live_server.hub
    load_list(hub, factories.OPERATOR, "un")
    load_demo(hub, factories.OPERATOR)
    analyst = factories.member(hub, "analyst", live_server.admin.org)
    errors = page_errors(page)
    _login(page, live_server, analyst)
    _search(page, live_server, screenshots)
    _blocked_path(page, live_server, screenshots)
    _switch(page, live_server, screenshots)
    _ubo(page, live_server, screenshots)
    _blocked_list(page, live_server, screenshots)
    page.goto(_entity_url(live_server, "lakeview"))
    with page.expect_navigation():
        page.select_option("[data-testid=lang]", "zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_test_id("graph")).to_be_visible()
    _shot(page, screenshots, "entity-zh")
    assert errors == []
