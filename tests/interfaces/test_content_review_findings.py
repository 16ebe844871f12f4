"""Interface findings of a fresh-eyes review of the content capability.

- The bank upload routes (``/api/content/banks/{name}/files`` and ``/hashes``) declared their
  uploads as FastAPI ``File`` parameters, so the whole multipart body was parsed (and spooled
  to disk) before the caller was authenticated and before any size check: an anonymous
  client could make the server store any amount of data. They must refuse first.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette import formparsers

from cthub.core.hub import Hub
from tests import factories
from tests.interfaces.test_content_api import api, bearer, small_hub  # noqa: F401

UPLOAD_ROUTES = ("/api/content/banks/b/files", "/api/content/banks/b/hashes")


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records each multipart body the server parses."""
    calls: list[str] = []
    original = formparsers.MultiPartParser.parse

    async def parse(self: Any) -> Any:
        calls.append("parsed")
        return await original(self)

    monkeypatch.setattr(formparsers.MultiPartParser, "parse", parse)
    return calls


def test_bank_uploads_are_not_parsed_for_an_anonymous_caller(
    api: TestClient,  # noqa: F811
    parsed: list[str],
) -> None:
    for path in UPLOAD_ROUTES:
        field = "files" if path.endswith("files") else "file"
        resp = api.post(path, files={field: ("a.txt", b"md5 " + b"a" * 32)})
        assert resp.status_code == 401, (path, resp.text)
    assert parsed == []


def test_bank_uploads_over_the_declared_limit_are_refused_unread(
    small_hub: Hub,  # noqa: F811
    api: TestClient,  # noqa: F811
    parsed: list[str],
) -> None:
    analyst = bearer(small_hub, "analyst", factories.org(small_hub))
    made = api.post("/api/content/banks", json={"name": "b"}, headers=analyst)
    assert made.status_code == 201, made.text
    big = b"x" * 400_000  # the hub accepts 200,000 bytes a file, 100 files an upload
    many = {**analyst, "Content-Length": str(200_000 * 100 + 2**17)}
    for path, headers in zip(UPLOAD_ROUTES, (many, analyst), strict=True):
        field = "files" if path.endswith("files") else "file"
        resp = api.post(path, files={field: ("big.txt", big)}, headers=headers)
        assert resp.status_code == 400, (path, resp.text)
        assert "larger than" in resp.json()["message"]
    assert parsed == []


def test_bank_uploads_still_work(small_hub: Hub, api: TestClient) -> None:  # noqa: F811
    analyst = bearer(small_hub, "analyst", factories.org(small_hub))
    assert api.post("/api/content/banks", json={"name": "b"}, headers=analyst).status_code == 201
    listing = b"md5 " + b"a" * 32 + b" propaganda\npdq nothex\n"
    resp = api.post("/api/content/banks/b/hashes", files={"file": ("l.txt", listing)},
                    data={"label": "x"}, headers=analyst)  # fmt: skip
    assert resp.status_code == 200, resp.text
    assert resp.json()["added"] == 1
    assert [e["where"] for e in resp.json()["errors"]] == ["l.txt:2"]
    resp = api.post("/api/content/banks/b/files", files={"files": ("e.jpg", b"")},
                    headers=analyst)  # fmt: skip
    assert resp.status_code == 400
