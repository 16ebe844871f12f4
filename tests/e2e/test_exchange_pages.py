"""The exchange pages in Debian's chromium: an analyst fills the package form (a refusal under
its field first, then a package under TLP:AMBER for two partners), opens the package's page
with its rule in words, exports for a partner and sees the refusals, checks the disclosure log;
an administrator sees partners, a pending onward request and lawful requests. Every page is
screenshot in English and Chinese: ``exchange-*.png`` and ``exchange-*-zh.png``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from cthub.exchange import lawful, onward, packages, partners
from tests import factories
from tests.e2e.conftest import LiveServer, page_errors
from tests.e2e.test_browser import _login
from tests.exchange.conftest import build_world, stix_bundle

PAGES = {
    "packages": "/exchange",
    "incoming": "/exchange/incoming",
    "partners": "/exchange/partners",
    "requests": "/exchange/requests?box=sent",
    "onward": "/exchange/onward",
    "log": "/exchange/log",
}


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"exchange-{name}.png"), full_page=True)


def _demo(server: LiveServer) -> tuple[factories.Member, factories.Member]:
    """A small world with packages, an onward request and lawful requests."""
    hub = server.hub
    w = build_world(hub)
    spec = packages.ReleaseSpec(tlp="green", purposes=("ct-investigation",), legal_basis="MoU 4")
    packages.create(hub, w.analyst.actor, stix_bundle(8), "feed.json", spec,
                    title="Indicators of the collection network")  # fmt: skip
    red = packages.ReleaseSpec(tlp="red", partners=("fiu-b",), purposes=("ct-investigation",),
                               legal_basis="Art. 7 of the Egmont MoU")  # fmt: skip
    packages.create(hub, w.analyst.actor, stix_bundle(4, seed=2), "red.json", red,
                    title="Sources (named partners only)")  # fmt: skip
    shared = packages.ReleaseSpec(
        tlp="amber", partners=("border",), purposes=("border-screening",), legal_basis="Decree 12"
    )
    made = packages.create(hub, w.analyst.actor, stix_bundle(5, seed=3), "b.json", shared,
                           title="Travellers to watch")  # fmt: skip
    border_admin = factories.member(hub, "admin", w.local_org)
    partners.add_partner(hub, border_admin.actor, "origin-fiu", local_org=w.origin)
    onward.request_onward(hub, w.local_user.actor, made.id, "origin-fiu", "border-screening",
                          "Our liaison officer at the airport needs it")  # fmt: skip
    lawful.send(hub, w.analyst.actor, "border", legal_basis="Warrant 17/2026",
                scope=lawful.Scope(accounts=("DE77",), description="Entry records, March"),
                urgency="urgent", reference="W-17")  # fmt: skip
    return w.analyst, w.admin


def _fill_package_form(page: Page, server: LiveServer, folder: Path, tmp: Path) -> None:
    page.goto(f"{server.url}/exchange")
    expect(page.locator("h1")).to_have_text("Exchange")
    page.get_by_test_id("new-package").locator("summary").click()
    feed = tmp / "wallets.json"
    feed.write_bytes(stix_bundle(6, seed=9))
    page.get_by_test_id("file").set_input_files(str(feed))
    page.get_by_test_id("title").fill("Wallets used for collection")
    page.get_by_test_id("tlp-select").select_option("TLP:AMBER")
    page.get_by_test_id("partners").select_option(["fiu-b", "fiu-c"])
    page.get_by_test_id("legal-basis").fill("Egmont principles, MoU 2026/4")
    page.get_by_test_id("create-package").click()
    expect(page.get_by_test_id("error-purposes")).to_have_text(
        "A package needs at least one purpose."
    )
    expect(page.get_by_test_id("title")).to_have_value("Wallets used for collection")
    page.get_by_test_id("new-package").screenshot(path=str(folder / "exchange-form-error.png"))
    page.get_by_test_id("file").set_input_files(str(feed))
    page.get_by_test_id("purpose-financial-intelligence").check()
    later = (dt.date.today() + dt.timedelta(days=90)).isoformat()
    page.get_by_test_id("expires").fill(later)
    page.get_by_test_id("create-package").click()
    expect(page).to_have_url(re.compile(r"/exchange/packages/[0-9a-f-]{36}$"))
    expect(page.get_by_test_id("rule-words")).to_contain_text("Partners named: fiu-b, fiu-c.")
    expect(page.get_by_test_id("objects")).to_have_text("6")
    _shot(page, folder, "package")


def _export(page: Page, server: LiveServer, folder: Path) -> None:
    page.goto(f"{server.url}/exchange/partners")
    row = page.locator('[data-testid=partner-row][data-name="fiu-b"]')
    row.get_by_test_id("export").click()
    expect(page.get_by_test_id("export-result")).to_contain_text("Export for fiu-b")
    expect(page.get_by_test_id("export-refused")).to_contain_text("Sources")
    with page.expect_download() as info:
        page.get_by_test_id("export-download").click()
    assert info.value.suggested_filename.startswith("export-fiu-b")
    _shot(page, folder, "export")
    page.goto(f"{server.url}/exchange/log")
    page.get_by_test_id("verify").click()
    expect(page.get_by_test_id("verified")).to_contain_text("Verified:")


def _every_page(page: Page, server: LiveServer, folder: Path, suffix: str) -> None:
    for name, path in PAGES.items():
        page.goto(f"{server.url}{path}")
        expect(page.get_by_test_id("exchange-tabs")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1366, (name, suffix, width)  # no sideways scrolling at 1366x768
        _shot(page, folder, name + suffix)


def test_exchange_pages(page: Page, live_server: LiveServer, screenshots: Path,
                        tmp_path: Path) -> None:  # fmt: skip
    analyst, admin = _demo(live_server)
    errors = page_errors(page)
    _login(page, live_server, analyst)
    _fill_package_form(page, live_server, screenshots, tmp_path)
    _export(page, live_server, screenshots)
    assert errors == []
    page.context.clear_cookies()
    _login(page, live_server, admin)
    page.goto(f"{live_server.url}/exchange/onward")
    expect(page.get_by_test_id("pending-row")).to_contain_text("liaison officer")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(".skip")).to_be_focused()
    _every_page(page, live_server, screenshots, "")
    request_link = page.get_by_test_id("request-row")
    page.goto(f"{live_server.url}/exchange/requests?box=sent")
    request_link = page.get_by_test_id("request-row").locator("a").first
    request_link.click()
    expect(page.get_by_test_id("history")).to_contain_text("Sent")
    _shot(page, screenshots, "request")
    with page.expect_navigation():
        page.select_option("[data-testid=lang]", "zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    _shot(page, screenshots, "request-zh")
    _every_page(page, live_server, screenshots, "-zh")
    assert errors == []
