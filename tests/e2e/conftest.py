"""Browser test fixtures.

Strategy:
- ``live_server`` runs the real app (``create_app(hub=...)``) under uvicorn on a loopback socket
  in a background thread, backed by the root ``sqlite_hub`` fixture (a fresh SQLite file per
  test) and seeded with one organisation and its admin. It is function scoped: a server starts
  in well under a second, and each test gets its own data.
- ``browser`` launches Debian's chromium once per session (never a downloaded browser);
  ``page`` is a fresh context per test at 1366x768.
- A missing ``/usr/bin/chromium`` fails the tests with a clear message: they are never skipped.
- Screenshots go to ``test-artifacts/screenshots/`` under the repository root (git-ignored).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from tests import factories

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1366, "height": 768}
ORG_NAME = "Financial Intelligence Unit"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives chromium: mark it ``e2e``."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@dataclass(frozen=True)
class LiveServer:
    url: str
    hub: Hub
    admin: factories.Member


def _serve(app: object) -> tuple[uvicorn.Server, threading.Thread, str]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app=app, log_level="warning", lifespan="on")  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    return server, thread, f"http://127.0.0.1:{port}"


def _wait_healthy(url: str, thread: threading.Thread, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not thread.is_alive():
            pytest.fail("uvicorn stopped before answering /healthz")
        try:
            if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail(f"{url}/healthz did not answer within {timeout:.0f} s")


@pytest.fixture
def live_server(sqlite_hub: Hub) -> Iterator[LiveServer]:
    """The app on a free loopback port, with one organisation and its admin."""
    admin = factories.member(sqlite_hub, "admin", factories.org(sqlite_hub, ORG_NAME))
    server, thread, url = _serve(create_app(hub=sqlite_hub))
    try:
        _wait_healthy(url, thread)
        yield LiveServer(url, sqlite_hub, admin)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: browser tests need Debian's chromium "
            "(`apt-get install chromium fonts-noto-cjk`, which `make test` does). "
            "Never run `playwright install`.",
            pytrace=False,
        )
    with sync_playwright() as pw:
        launched = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-US")  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def page_errors(page: Page) -> list[str]:
    """Script errors and failed requests of ``page``, collected as they happen. A request a
    navigation aborts (what the old page was still loading, a favicon) is not a failure."""
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "requestfailed",
        lambda req: (
            None if req.failure == "net::ERR_ABORTED" else errors.append(f"failed: {req.url}")
        ),
    )
    return errors
