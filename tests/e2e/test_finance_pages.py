"""The finance pages in Debian's chromium: an analyst uploads a transaction file (a synthetic
bank feed with one bad row) and watches its progress bar finish, runs monitoring, changes a
rule parameter (a refusal under the field, then a change that is kept), opens the best alert
and its neighbourhood graph, and opens a case; a reviewer closes it as suspicious and
downloads the goAML STR. Screenshots: ``finance-*.png`` (one page in Chinese too).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyarrow.csv as pacsv
import pytest
from playwright.sync_api import Browser, Page, expect

from cthub.core.hub import Hub
from cthub.finance import synth
from cthub.finance.goaml import validate
from cthub.interfaces.api import create_app
from tests import factories
from tests.conftest import make_settings
from tests.e2e.conftest import ORG_NAME, VIEWPORT, LiveServer, _serve, _wait_healthy, page_errors
from tests.e2e.test_browser import _login

ROWS_TIMEOUT = 60_000
#: the goAML report's amounts are in the FIU's currency (AED in the bundled configuration)
FX_RATES = "EUR=3.97,USD=3.6725,GBP=4.65"


@pytest.fixture
def fiu_server(sqlite_hub: Hub, tmp_path: Path) -> Iterator[LiveServer]:
    """The app as ``live_server`` serves it, with the exchange rates the goAML export needs."""
    imports = tmp_path / "imports"
    imports.mkdir()
    settings = make_settings(tmp_path, sqlite_hub.db.url, finance_fx_rates=FX_RATES,
                             finance_import_dir=imports)  # fmt: skip
    hub = Hub(settings, sqlite_hub.db)
    admin = factories.member(hub, "admin", factories.org(hub, ORG_NAME))
    server, thread, url = _serve(create_app(hub=hub))
    try:
        _wait_healthy(url, thread)
        yield LiveServer(url, hub, admin)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        hub.jobs.stop()


def _feed(folder: Path) -> Path:
    """A synthetic feed as CSV (cthub's stored columns) with one bad row at its end."""
    data = synth.generate(800, 45, 11)
    path = folder / "bank-feed.csv"
    pacsv.write_csv(data.transactions, path)
    rows = data.transactions.num_rows
    with path.open("a", encoding="utf-8") as out:
        out.write('"TXBAD","not a time","DE1","DE2",500,"EUR","","","","","transfer","","",""\n')
    assert rows > 10_000
    return path


def _shot(page: Page, folder: Path, name: str) -> None:
    page.screenshot(path=str(folder / f"finance-{name}.png"), full_page=True)


def _upload_and_monitor(page: Page, server: LiveServer, feed: Path, screenshots: Path) -> None:
    page.goto(f"{server.url}/finance")
    expect(page.locator("h1")).to_have_text("Transactions")
    page.get_by_test_id("file").set_input_files(str(feed))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("error-dataset")).to_have_text(
        "Name the dataset the file goes into."
    )
    page.get_by_test_id("file").set_input_files(str(feed))
    page.get_by_test_id("dataset").fill("bank-feed")
    page.get_by_test_id("on-error").select_option("skip")
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("progress")).to_be_visible()
    job = page.get_by_test_id("ingest-job")
    expect(job).to_have_attribute("data-state", "succeeded", timeout=ROWS_TIMEOUT)
    expect(page.get_by_test_id("progress")).to_have_attribute("aria-valuenow", "100")
    expect(page.get_by_test_id("ingested")).to_contain_text("Bad rows skipped: 1.")
    expect(page.get_by_test_id("bad-rows")).to_contain_text("timestamp")
    expect(page.get_by_test_id("datasets")).to_contain_text("bank-feed")  # refreshed
    _shot(page, screenshots, "upload")
    page.get_by_test_id("run-monitoring").click()
    monitor = page.get_by_test_id("monitor-job")
    expect(monitor).to_have_attribute("data-state", "succeeded", timeout=ROWS_TIMEOUT)
    expect(page.get_by_test_id("monitored")).to_contain_text("Accounts alerted in bank-feed:")
    page.get_by_test_id("show-alerts").click()
    expect(page.locator("h1")).to_have_text("Transaction alerts")
    expect(page.get_by_test_id("alert-row").first).to_be_visible()
    _shot(page, screenshots, "alerts")


def _change_a_rule(page: Page, server: LiveServer, screenshots: Path) -> None:
    page.goto(f"{server.url}/finance/rules")
    card = page.get_by_test_id("rule-structuring")
    window = page.get_by_test_id("param-structuring-window")
    window.fill("7 days")
    page.get_by_test_id("save-structuring").click()
    expect(card.get_by_test_id("error-p_window")).to_contain_text(
        "parameter window must be a duration such as 7d, 24h or PT30M, not '7 days'."
    )
    expect(page.get_by_test_id("param-structuring-window")).to_have_value("7 days")
    card.screenshot(path=str(screenshots / "finance-rule-error.png"))
    page.get_by_test_id("param-structuring-window").fill("10d")
    page.get_by_test_id("save-structuring").click()
    expect(card.get_by_test_id("saved")).to_be_visible()
    expect(card.get_by_test_id("default-structuring-window")).to_contain_text("Shipped: 7d")
    expect(card.get_by_test_id("default-structuring-window")).to_contain_text("changed")
    expect(page.get_by_test_id("rule-index")).to_contain_text("changed from the shipped rule")
    card.scroll_into_view_if_needed()
    _shot(page, screenshots, "rules")
    page.reload()
    expect(page.get_by_test_id("param-structuring-window")).to_have_value("10d")  # stored


def _open_the_best_alert(page: Page, server: LiveServer, screenshots: Path) -> str:
    page.goto(f"{server.url}/finance/alerts")
    page.get_by_test_id("alert-link").first.click()
    expect(page.get_by_test_id("fired-rule").first).to_be_visible()
    graph = page.get_by_test_id("graph")
    expect(graph).to_be_visible()
    nodes = graph.get_by_test_id("graph-node")
    assert nodes.count() >= 3
    assert graph.locator("line").count() >= 2
    info = page.get_by_test_id("graph-info")
    before = info.inner_text()
    nodes.nth(1).locator("circle").hover()
    expect(info).not_to_have_text(before)
    expect(graph).to_have_class(re.compile(r"\bfocused\b"))
    _shot(page, screenshots, "alert")
    page.mouse.move(0, 0)
    expect(info).to_have_text(before)
    page.get_by_test_id("open-case").click()
    expect(page).to_have_url(re.compile(r"/finance/cases/\d+$"))
    expect(page.get_by_test_id("case-state").first).to_have_text("Open")
    return page.url


def _register_a_server_file(page: Page, server: LiveServer, feed: Path, shots: Path) -> None:
    """A file already on the server (the organisation's import folder) ingested by name."""
    from sqlalchemy import select

    from cthub.core.tables import Organisation

    with server.hub.db.session(readonly=True) as s:
        org_id = s.scalars(select(Organisation.id).where(Organisation.name == ORG_NAME)).one()
    folder = server.hub.settings.finance_import_dir
    assert folder is not None
    (folder / f"org-{org_id}").mkdir()
    (folder / f"org-{org_id}" / "nightly.csv").write_bytes(feed.read_bytes())
    page.goto(f"{server.url}/finance")
    page.get_by_test_id("server-file").select_option("nightly.csv")
    page.get_by_test_id("dataset").fill("nightly")
    page.get_by_test_id("on-error").select_option("skip")
    page.get_by_test_id("upload").click()
    job = page.get_by_test_id("ingest-job")
    expect(job).to_have_attribute("data-state", "succeeded", timeout=ROWS_TIMEOUT)
    expect(job).to_contain_text("nightly.csv")
    expect(page.get_by_test_id("datasets")).to_contain_text("nightly")
    _shot(page, shots, "register")
    assert (folder / f"org-{org_id}" / "nightly.csv").exists()  # left where it lies


def test_finance_pages(
    page: Page, browser: Browser, fiu_server: LiveServer, screenshots: Path, tmp_path: Path
) -> None:
    live_server = fiu_server
    hub = live_server.hub
    analyst = factories.member(hub, "analyst", live_server.admin.org)
    reviewer = factories.member(hub, "reviewer", live_server.admin.org)
    errors = page_errors(page)
    _login(page, live_server, analyst)
    _upload_and_monitor(page, live_server, _feed(tmp_path), screenshots)
    _change_a_rule(page, live_server, screenshots)
    case_url = _open_the_best_alert(page, live_server, screenshots)
    _register_a_server_file(page, live_server, _feed(tmp_path), screenshots)
    assert errors == []

    context = browser.new_context(viewport=VIEWPORT, locale="en-US")  # type: ignore[arg-type]
    try:
        second = context.new_page()
        second.set_default_timeout(10_000)
        _login(second, live_server, reviewer)
        second.goto(case_url)
        second.get_by_test_id("close-suspicious").click()
        expect(second.get_by_test_id("error-reason")).to_have_text("A decision needs a reason.")
        second.get_by_test_id("reason").fill("Funds moved on at once, in cash, abroad.")
        second.get_by_test_id("close-suspicious").click()
        expect(second.get_by_test_id("decided-by")).to_have_text(reviewer.username)
        expect(second.get_by_test_id("case-state").first).to_have_text("Suspicious")
        with second.expect_download() as info:
            second.get_by_test_id("goaml").click()
        saved = tmp_path / "str.xml"
        info.value.save_as(saved)
        validate(saved.read_bytes())
        _shot(second, screenshots, "case")
        alert = second.locator("[data-testid=case-alerts] a").first.get_attribute("href")
        second.goto(f"{live_server.url}/finance/cases")
        expect(second.get_by_test_id("case-row").first).to_contain_text("Suspicious")
        _shot(second, screenshots, "cases")
        second.goto(f"{live_server.url}{alert}")
        with second.expect_navigation():
            second.select_option("[data-testid=lang]", "zh_Hans")
        expect(second.locator("html")).to_have_attribute("lang", "zh-Hans")
        expect(second.get_by_test_id("graph")).to_be_visible()
        _shot(second, screenshots, "alert-zh")
    finally:
        context.close()
