"""Content pages in chromium at 1366x768: a bank created (after a refused name, shown beside the
field), photos added, a hash list imported as a job with its progress bar, a file matched with
its explanation, the review queue with a blurred thumbnail revealed on request and a decision,
the quarantine released by an administrator, and the transparency report with its chart and
downloads, in English and in Chinese.

The server is the conftest's ``live_server`` (one organisation and its administrator). The
pictures are synthetic photos (``tests.content.synthetic_photos``). Each page is saved as
``test-artifacts/screenshots/content-*.png`` for the developer to look at.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from cthub.content import create_bank, match_hashes
from tests.content.synthetic_photos import edited, photo, save
from tests.e2e.conftest import LiveServer, page_errors
from tests.e2e.test_browser import _login


def _shot(page: Page, screenshots: Path, name: str) -> None:
    page.screenshot(path=str(screenshots / f"content-{name}.png"), full_page=True)


def _hash_list(path: Path, count: int) -> Path:
    lines = ["signal_type,hash,label"]
    lines += [f"md5,{hashlib.md5(str(n).encode()).hexdigest()},propaganda" for n in range(count)]  # noqa: S324
    lines.insert(5, "md5,not-a-hash,propaganda")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _banks(page: Page, server: LiveServer, screenshots: Path, tmp_path: Path) -> None:
    page.click("nav.sidenav >> text=Hash banks")
    expect(page.get_by_test_id("bank-row")).to_have_count(1)  # the negative bank
    page.get_by_test_id("bank-name").fill("bad name!")
    page.get_by_test_id("create-bank").click()
    expect(page.get_by_test_id("error-name")).to_have_text("Bank name bad name! is not allowed.")
    _shot(page, screenshots, "banks-error")
    page.get_by_test_id("bank-name").fill("gifct-propaganda")
    page.get_by_test_id("bank-label").fill("propaganda")
    page.get_by_test_id("bank-tlp").select_option("TLP:GREEN")
    page.get_by_test_id("bank-description").fill("Shared hashes of propaganda photos.")
    with page.expect_navigation():
        page.get_by_test_id("create-bank").click()
    expect(page.locator("h1")).to_contain_text("gifct-propaganda")

    photos = [save(photo(seed), tmp_path / f"photo-{seed}.jpg") for seed in (1, 2)]
    page.get_by_test_id("add-files").set_input_files([str(p) for p in photos])
    page.get_by_test_id("add").click()
    expect(page.get_by_test_id("added")).to_contain_text(
        "6 hashes added to gifct-propaganda, 0 already there."
    )
    page.get_by_test_id("import-file").set_input_files(str(_hash_list(tmp_path / "list.csv", 400)))
    page.get_by_test_id("import").click()
    expect(page.get_by_test_id("progress")).to_be_visible()
    job = page.get_by_test_id("import-job")
    expect(job).to_have_attribute("data-state", "succeeded", timeout=30_000)
    expect(page.get_by_test_id("imported")).to_contain_text("400 hashes added")
    expect(page.get_by_test_id("import-skipped")).to_contain_text("list.csv:6")
    _shot(page, screenshots, "bank-import")
    page.get_by_test_id("show-entries").click()
    expect(page.get_by_test_id("bank-counts")).to_have_text("406 active, 0 quarantined, 0 removed")
    expect(page.get_by_test_id("entry-row")).to_have_count(50)
    _shot(page, screenshots, "bank")
    page.click("nav.sidenav >> text=Hash banks")
    expect(page.get_by_test_id("bank-active")).to_have_text(["0", "406"])  # by name
    _shot(page, screenshots, "banks")


def _match(page: Page, screenshots: Path, tmp_path: Path) -> None:
    copy = tmp_path / "repost.jpg"
    edited(photo(1)).save(copy, "JPEG", quality=85)
    page.click("nav.sidenav >> text=Match a file")
    page.get_by_test_id("match-file").set_input_files(str(copy))
    page.get_by_test_id("match").click()
    expect(page.get_by_test_id("match-row")).to_have_count(1)
    expect(page.get_by_test_id("match-explanation")).to_contain_text("PDQ distance")
    _shot(page, screenshots, "match")
    flat = tmp_path / "flat.png"
    Image.new("RGB", (200, 150), (90, 120, 160)).save(flat)
    page.get_by_test_id("match-file").set_input_files(str(flat))
    page.get_by_test_id("match").click()
    expect(page.get_by_test_id("match-note")).to_contain_text("below 50")
    expect(page.get_by_test_id("no-match")).to_be_visible()


def _review(page: Page, screenshots: Path) -> None:
    page.click("nav.sidenav >> text=Content review")
    item = page.get_by_test_id("review-item").first
    img = item.get_by_test_id("thumb-img")
    expect(img).to_be_visible()
    expect(item).to_contain_text("File: repost.jpg")
    page.wait_for_function("() => document.querySelector('[data-testid=thumb-img]').complete")
    assert "blur" in img.evaluate("el => getComputedStyle(el).filter")
    _shot(page, screenshots, "review")
    item.get_by_test_id("thumb").click()
    expect(item.get_by_test_id("thumb")).to_have_attribute("aria-pressed", "true")
    assert img.evaluate("el => getComputedStyle(el).filter") == "none"
    _shot(page, screenshots, "review-revealed")
    item.get_by_test_id("confirm").click()  # no reason: refused beside the field
    item = page.get_by_test_id("review-item").first
    expect(item.get_by_test_id("error-reason")).to_have_text("A decision needs a reason.")
    item.get_by_test_id("reason").fill("A news agency's photo of the same scene")
    item.get_by_test_id("negative-bank").select_option("benign-news")
    item.get_by_test_id("reject").click()
    decided = page.locator("[data-testid=review-item][data-state=rejected]")
    expect(decided).to_contain_text("Rejected by")
    _shot(page, screenshots, "review-decided")


def _quarantine(page: Page, server: LiveServer, screenshots: Path) -> None:
    flood = hashlib.md5(b"0").hexdigest()  # noqa: S324 - a hash of the imported list
    limit = server.hub.settings.content_flood_matches
    for _ in range(limit):
        match_hashes(server.hub, server.admin.actor, [("md5", flood)], record=True)
    page.click("nav.sidenav >> text=Hash banks")
    page.get_by_test_id("open-alerts").locator("a").click()
    row = page.get_by_test_id("alert-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(str(limit))
    _shot(page, screenshots, "alerts")
    with page.expect_navigation():
        row.get_by_test_id("release").click()
    expect(page.get_by_test_id("alert-row")).to_contain_text("Released")


def _report(page: Page, screenshots: Path, tmp_path: Path) -> None:
    page.click("nav.sidenav >> text=Transparency report")
    expect(page.get_by_test_id("months-chart")).to_have_attribute("data-rendered", "true")
    expect(page.get_by_test_id("count-rejected")).to_have_text("1")
    _shot(page, screenshots, "transparency")
    with page.expect_download() as info:
        page.get_by_test_id("download-csv").click()
    saved = tmp_path / "t.csv"
    info.value.save_as(saved)
    assert saved.read_text(encoding="utf-8").startswith("month,label,action,state,count\n")
    with page.expect_download() as info:
        page.get_by_test_id("download-pdf-zh").click()
    pdf = tmp_path / "t.pdf"
    info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")


def test_content_pages(
    page: Page, live_server: LiveServer, screenshots: Path, tmp_path: Path
) -> None:
    server = live_server
    create_bank(server.hub, server.admin.actor, "benign-news", negative=True,
                description="Known news photos.")  # fmt: skip
    errors = page_errors(page)
    _login(page, server, server.admin)
    _banks(page, server, screenshots, tmp_path)
    _match(page, screenshots, tmp_path)
    _review(page, screenshots)
    _quarantine(page, server, screenshots)
    _report(page, screenshots, tmp_path)

    with page.expect_navigation():
        page.select_option("[data-testid=lang]", "zh_Hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_test_id("months-chart")).to_have_attribute("data-rendered", "true")
    _shot(page, screenshots, "transparency-zh")
    page.goto(f"{server.url}/content/review?state=rejected")
    _shot(page, screenshots, "review-zh")
    assert errors == []
