"""Batch screening in chromium: a refused file's error inline, then an upload, its progress bar,
its summary and the download link."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from cthub.lists import load
from tests import factories
from tests.e2e.conftest import LiveServer
from tests.e2e.test_browser import _login

LISTED = ["Eric Badege", "BADEGE Eric", "Mohammed Omar", "Joseph Kony", "Ayman al-Zawahiri"]


def _names(count: int) -> str:
    first = ["Anna", "Li", "Pedro", "Fatima", "Olga", "Kwame", "Sofia", "Hiroshi", "Amina"]
    last = ["Meyer", "Chen", "Silva", "Haddad", "Ivanova", "Mensah", "Rossi", "Sato", "Diallo"]
    rows = ["id,name,birth_date,nationality"]
    for n in range(count):
        name = LISTED[n % len(LISTED)] if n % 10 == 0 else f"{first[n % 9]} {last[n * 7 % 9]}"
        rows.append(f"p{n},{name},{'19xx' if n == 7 else ''},")
    return "\n".join(rows) + "\n"


def test_upload_progress_and_download(
    page: Page, live_server: LiveServer, screenshots: Path, tmp_path: Path
) -> None:
    load(live_server.hub, factories.OPERATOR, "un")
    analyst = factories.member(live_server.hub, "analyst", live_server.admin.org)
    _login(page, live_server, analyst)
    page.goto(f"{live_server.url}/screening/batch")
    expect(page.locator("h1")).to_have_text("Batch screening")

    bad = tmp_path / "people.csv"
    bad.write_text("identifier,full_name\n1,X\n", encoding="utf-8")
    page.get_by_test_id("file").set_input_files(str(bad))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("form-error")).to_contain_text(
        "people.csv line 1: column id, name is missing (found: identifier, full_name)."
    )
    page.screenshot(path=str(screenshots / "screening-batch-error.png"), full_page=True)

    good = tmp_path / "customers.csv"
    good.write_text(_names(400), encoding="utf-8")
    page.get_by_test_id("file").set_input_files(str(good))
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("form-error")).to_have_count(0)
    expect(page.get_by_test_id("progress")).to_be_visible()
    job = page.get_by_test_id("batch-job")
    expect(job).to_have_attribute("data-state", "succeeded", timeout=60_000)
    expect(page.get_by_test_id("summary")).to_contain_text("400")
    expect(page.get_by_test_id("skipped")).to_contain_text(
        "customers.csv line 9: birth_date 19xx is not YYYY or YYYY-MM-DD."
    )
    expect(page.get_by_test_id("batches")).to_contain_text("customers.csv")  # table refreshed
    link = page.get_by_test_id("download")
    expect(link).to_be_visible()
    with page.expect_download() as info:
        link.click()
    saved = tmp_path / "result.csv"
    info.value.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "query_id,score,list,list_ref,matched_name,entity_name,explanation"
    assert any(",CDi.001," in line for line in lines[1:])
    page.screenshot(path=str(screenshots / "screening-batch.png"), full_page=True)
