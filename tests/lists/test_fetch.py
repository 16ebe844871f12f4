"""fetch: download from a local HTTP server (no other network), size cap, unreachable URL."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from cthub.core.errors import InvalidInput, Unavailable
from cthub.core.hub import Hub
from cthub.lists import fetch, show
from tests.factories import OPERATOR
from tests.lists.conftest import FIXTURES


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    handler = functools.partial(_Quiet, directory=str(FIXTURES))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_fetch_downloads_and_loads(hub: Hub, server: str) -> None:
    view = fetch(hub, OPERATOR, "un", f"{server}/un-subset.xml")
    assert (view.version, view.entry_count) == (1, 20)
    assert view.source == f"{server}/un-subset.xml"
    assert show(hub, OPERATOR)[0].active_version == 1


def test_fetch_limits(sqlite_hub: Hub, server: str, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="larger than 1000 bytes"):
        fetch(sqlite_hub, OPERATOR, "un", f"{server}/un-subset.xml", max_bytes=1000)
    with pytest.raises(Unavailable, match="cannot be downloaded"):
        fetch(sqlite_hub, OPERATOR, "un", f"{server}/missing.xml")
    with pytest.raises(InvalidInput, match="not an http or https URL"):
        fetch(sqlite_hub, OPERATOR, "un", f"file://{tmp_path}/x.xml")
    assert show(sqlite_hub, OPERATOR) == []


@pytest.mark.parametrize(
    ("source", "fixture"),
    [("eu", "eu-sample.xml"), ("uk", "uk-conlist.csv"), ("ofac-xml", "ofac-sdn-sample.xml")],
)
def test_fetch_every_published_format(
    sqlite_hub: Hub, server: str, source: str, fixture: str
) -> None:
    from cthub.lists.fetch import DEFAULT_URLS

    assert DEFAULT_URLS[source].startswith("https://")
    view = fetch(sqlite_hub, OPERATOR, source, f"{server}/{fixture}")
    assert view.list_name == source
    assert view.entry_count > 0
