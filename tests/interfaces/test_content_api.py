"""The content API over HTTP: banks (create, list, upload files and hash lists, remove, export),
matching a file or a hash, review decisions and thumbnails, quarantine alerts and the
transparency report; every route authenticated, roles checked, bad uploads refused with a 400
that names the problem.

The pictures are synthetic photos (``tests.content.synthetic_photos``): gradients, shapes and
grain, so PDQ rates them well, unlike a flat colour.
"""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from cthub.core.db import Database
from cthub.core.hub import Hub
from cthub.interfaces.api import create_app
from tests import factories
from tests.conftest import make_settings
from tests.content.synthetic_photos import edited, photo, photo_bytes

ROUTES = [
    ("post", "/api/content/match"),
    ("get", "/api/content/banks"),
    ("post", "/api/content/banks"),
    ("get", "/api/content/banks/b"),
    ("post", "/api/content/banks/b/files"),
    ("post", "/api/content/banks/b/hashes"),
    ("delete", "/api/content/banks/b/entries/1"),
    ("get", "/api/content/banks/b/export"),
    ("get", "/api/content/review"),
    ("post", "/api/content/review/1/decision"),
    ("get", "/api/content/review/1/thumbnail"),
    ("get", "/api/content/alerts"),
    ("post", "/api/content/alerts/1/resolution"),
    ("get", "/api/content/transparency"),
]


@pytest.fixture
def small_hub(tmp_path: Path, sqlite_template: Path) -> Iterator[Hub]:
    """A SQLite hub that accepts files up to 200 kB and quarantines a hash at 3 matches."""
    shutil.copy(sqlite_template, tmp_path / "cthub.db")
    url = f"sqlite:///{tmp_path / 'cthub.db'}"
    settings = make_settings(tmp_path, url, content_max_bytes=200_000, content_flood_matches=3)
    h = Hub(settings, Database(url))
    yield h
    h.close()


@pytest.fixture
def api(small_hub: Hub) -> Iterator[TestClient]:
    with TestClient(create_app(hub=small_hub)) as c:
        yield c


def bearer(hub: Hub, role: str, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}


def jpeg(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _error(resp: object) -> str:
    body = resp.json()  # type: ignore[attr-defined]
    assert set(body) == {"error", "message", "hint"}, body
    return str(body["message"])


def test_every_route_needs_authentication(api: TestClient) -> None:
    for method, path in ROUTES:
        resp = getattr(api, method)(path)
        assert resp.status_code == 401, (method, path, resp.status_code)
        assert resp.json()["error"] == "unauthenticated"


def test_banks_create_upload_list_remove_and_export(small_hub: Hub, api: TestClient) -> None:
    agency = factories.org(small_hub)
    analyst = bearer(small_hub, "analyst", agency)
    viewer = bearer(small_hub, "viewer", agency)
    stranger = bearer(small_hub, "admin", factories.org(small_hub))
    body = {"name": "gifct-prop", "label": "propaganda", "tlp": "TLP:AMBER"}
    assert api.post("/api/content/banks", json=body, headers=viewer).status_code == 403
    made = api.post("/api/content/banks", json=body, headers=analyst)
    assert made.status_code == 201, made.text
    assert made.json()["threshold"] == 31
    again = api.post("/api/content/banks", json=body, headers=analyst)
    assert again.status_code == 409
    bad = api.post("/api/content/banks", json={"name": "bad name!"}, headers=analyst)
    assert bad.status_code == 400
    assert "bad name!" in _error(bad)

    files = [("files", ("a.jpg", photo_bytes(1), "image/jpeg")),
             ("files", ("b.png", photo_bytes(2, "PNG"), "image/png"))]  # fmt: skip
    up = api.post("/api/content/banks/gifct-prop/files", files=files, headers=analyst)
    assert up.status_code == 200, up.text
    assert up.json()["added"] == 6  # md5, sha256 and pdq of each photo
    assert up.json()["errors"] == []
    listing = "md5 " + "a" * 32 + " propaganda\npdq nothex\n" + "sha256 " + "b" * 64 + "\n"
    hashes = api.post(
        "/api/content/banks/gifct-prop/hashes",
        files={"file": ("list.txt", listing.encode(), "text/plain")},
        headers=analyst,
    )
    assert hashes.status_code == 200, hashes.text
    assert hashes.json()["added"] == 2
    assert [e["where"] for e in hashes.json()["errors"]] == ["list.txt:2"]

    banks = api.get("/api/content/banks", headers=viewer).json()
    assert [(b["name"], b["active"]) for b in banks] == [("gifct-prop", 8)]
    assert api.get("/api/content/banks", headers=stranger).json() == []  # TLP:AMBER stays home
    assert api.get("/api/content/banks/gifct-prop", headers=stranger).status_code == 404
    page = api.get("/api/content/banks/gifct-prop?limit=3&offset=0", headers=viewer).json()
    assert page["total"] == 8
    assert len(page["entries"]) == 3
    entry = page["entries"][0]["id"]
    path = f"/api/content/banks/gifct-prop/entries/{entry}"
    assert api.delete(path, headers=viewer).status_code == 403
    assert api.delete(path + "?reason=duplicate", headers=analyst).status_code == 204
    removed = api.get("/api/content/banks/gifct-prop?status=removed", headers=viewer).json()
    assert [e["id"] for e in removed["entries"]] == [entry]

    export = api.get("/api/content/banks/gifct-prop/export", headers=viewer)
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    lines = export.text.splitlines()
    assert lines[0] == "signal_type,hash,label,status"
    assert len(lines) == 9
    assert sum(1 for line in lines if line.endswith(",removed")) == 1
    assert api.get("/api/content/banks/nope/export", headers=viewer).status_code == 404


def _bank(hub: Hub, api: TestClient, headers: dict[str, str], name: str, **extra: object) -> None:
    body = {"name": name, "label": "propaganda", **extra}
    assert api.post("/api/content/banks", json=body, headers=headers).status_code == 201


def test_match_a_file_or_a_hash(small_hub: Hub, api: TestClient) -> None:
    agency = factories.org(small_hub)
    analyst = bearer(small_hub, "analyst", agency)
    viewer = bearer(small_hub, "viewer", agency)
    _bank(small_hub, api, analyst, "prop", tlp="TLP:GREEN")
    original = jpeg(photo(7))
    files = {"files": ("orig.jpg", original, "image/jpeg")}
    assert api.post("/api/content/banks/prop/files", files=files, headers=analyst).is_success

    copy = jpeg(edited(photo(7)))
    found = api.post("/api/content/match", files={"file": ("repost.jpg", copy)}, headers=analyst)
    assert found.status_code == 200, found.text
    out = found.json()
    assert out["file"] == "repost.jpg"
    (m,) = out["matches"]  # an edited copy: no exact hash, the PDQ hash is near
    assert (m["bank"], m["signal"], m["label"]) == ("prop", "pdq", "propaganda")
    assert 0 < m["distance"] <= 31
    assert m["review_id"] is not None
    assert "PDQ distance" in m["explanation"]
    assert out["suppressed_by"] == []

    md5 = hashlib.md5(original).hexdigest()  # noqa: S324 - the bank's own exact hash
    by_json = api.post("/api/content/match", json={"signal": "md5", "hash": md5}, headers=analyst)
    assert [x["signal"] for x in by_json.json()["matches"]] == ["md5"]
    by_form = api.post("/api/content/match", data={"signal": "MD5", "hash": md5.upper()},
                       headers=analyst)  # fmt: skip
    assert by_form.status_code == 200, by_form.text
    assert by_form.json()["matches"][0]["entry_id"] == by_json.json()["matches"][0]["entry_id"]
    other = api.post("/api/content/match", files={"file": ("x.jpg", jpeg(photo(8)))},
                     headers=analyst)  # fmt: skip
    assert other.json()["matches"] == []

    flat = io.BytesIO()
    Image.new("RGB", (96, 96), (120, 130, 140)).save(flat, "PNG")
    low = api.post("/api/content/match", files={"file": ("flat.png", flat.getvalue())},
                   headers=analyst)  # fmt: skip
    assert any("below 50" in n for n in low.json()["notes"])

    _bank(small_hub, api, analyst, "benign", negative=True)
    benign = {"files": ("news.jpg", copy, "image/jpeg")}
    assert api.post("/api/content/banks/benign/files", files=benign, headers=analyst).is_success
    again = api.post("/api/content/match", files={"file": ("news.jpg", copy)}, headers=analyst)
    assert again.json()["matches"] == []
    assert again.json()["suppressed_by"] == ["benign"]

    denied = api.post("/api/content/match", json={"signal": "md5", "hash": md5}, headers=viewer)
    assert denied.status_code == 403


def test_bad_uploads_are_refused_naming_the_problem(small_hub: Hub, api: TestClient) -> None:
    agency = factories.org(small_hub)
    analyst = bearer(small_hub, "analyst", agency)
    _bank(small_hub, api, analyst, "prop")

    def match(**kwargs: object) -> tuple[int, str]:
        kwargs.setdefault("headers", analyst)
        resp = api.post("/api/content/match", **kwargs)  # type: ignore[arg-type]
        return resp.status_code, _error(resp) if resp.status_code >= 400 else ""

    assert match(files={"file": ("empty.jpg", b"")}) == (400, "empty.jpg is empty.")
    status, message = match(files={"file": ("huge.jpg", b"x" * 300_000)})
    assert status == 400
    assert "larger than 200000 bytes" in message
    status, message = match(files={"other": ("a.txt", b"abc")})
    assert (status, message) == (400, "Send a file, or a signal and a hash.")
    status, message = match(content=b"hello", headers={**analyst, "Content-Type": "text/plain"})
    assert status == 400
    assert "multipart/form-data" in message
    as_json = {**analyst, "Content-Type": "application/json"}
    status, message = match(content=b"{not json", headers=as_json)
    assert status == 400
    assert "JSON body" in message
    status, message = match(json={"signal": "sha1", "hash": "ab"})
    assert (status, message) == (400, "Unknown signal sha1.")
    status, message = match(json={"signal": "pdq", "hash": "xyz"})
    assert status == 400
    assert "not 64 hexadecimal" in message

    binary = api.post(
        "/api/content/banks/prop/hashes",
        files={"file": ("photo.jpg", photo_bytes(3), "image/jpeg")},
        headers=analyst,
    )
    assert binary.status_code == 400
    assert "photo.jpg" in _error(binary)
    empty = api.post("/api/content/banks/prop/files", files={"files": ("e.jpg", b"")},
                     headers=analyst)  # fmt: skip
    assert empty.status_code == 400
    assert _error(empty) == "e.jpg is empty."
    nothing = api.post("/api/content/banks/prop/files", data={"label": "x"}, headers=analyst)
    assert nothing.status_code == 400


def test_review_decisions_thumbnails_and_quarantine(small_hub: Hub, api: TestClient) -> None:
    agency = factories.org(small_hub)
    analyst = bearer(small_hub, "analyst", agency)
    admin = bearer(small_hub, "admin", agency)
    viewer = bearer(small_hub, "viewer", agency)
    _bank(small_hub, api, analyst, "prop")
    _bank(small_hub, api, analyst, "benign", negative=True)
    files = {"files": ("o.jpg", jpeg(photo(11)), "image/jpeg")}
    assert api.post("/api/content/banks/prop/files", files=files, headers=analyst).is_success
    copy = jpeg(edited(photo(11)))
    api.post("/api/content/match", files={"file": ("c.jpg", copy)}, headers=analyst)

    queue = api.get("/api/content/review", headers=viewer).json()
    assert queue["total"] == 1
    (item,) = queue["items"]
    assert item["has_thumbnail"]
    assert item["content_ref"] == "c.jpg"  # the upload's name, not its temporary copy
    assert item["state"] == "open"
    thumb = api.get(f"/api/content/review/{item['id']}/thumbnail", headers=analyst)
    assert thumb.headers["content-type"] == "image/jpeg"
    assert thumb.content[:3] == b"\xff\xd8\xff"
    assert api.get(f"/api/content/review/{item['id']}/thumbnail", headers=viewer).status_code == 403

    decision = f"/api/content/review/{item['id']}/decision"
    body = {"decision": "rejected", "reason": "a news photo", "negative_bank": "benign"}
    assert api.post(decision, json=body, headers=viewer).status_code == 403
    no_reason = api.post(decision, json={"decision": "rejected", "reason": " "}, headers=analyst)
    assert no_reason.status_code == 400
    assert _error(no_reason) == "A decision needs a reason."
    done = api.post(decision, json=body, headers=analyst)
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "rejected"
    assert api.post(decision, json=body, headers=analyst).status_code == 409
    benign = api.get("/api/content/banks/benign", headers=viewer).json()
    assert benign["bank"]["active"] == 3  # pdq, md5 and sha256 of the rejected file

    exact = jpeg(photo(12))
    files = {"files": ("flood.jpg", exact, "image/jpeg")}
    assert api.post("/api/content/banks/prop/files", files=files, headers=analyst).is_success
    md5 = hashlib.md5(exact).hexdigest()  # noqa: S324
    for _ in range(3):  # the third match within the window quarantines the hash
        api.post("/api/content/match", json={"signal": "md5", "hash": md5}, headers=analyst)
    (alert,) = api.get("/api/content/alerts", headers=viewer).json()
    assert (alert["signal"], alert["hash"], alert["matches"]) == ("md5", md5, 3)
    resolution = f"/api/content/alerts/{alert['id']}/resolution"
    assert api.post(resolution, json={"resolution": "release"}, headers=analyst).status_code == 403
    assert api.post(resolution, json={"resolution": "release"}, headers=admin).status_code == 204
    assert api.get("/api/content/alerts", headers=viewer).json() == []


def test_transparency_report_as_json_csv_and_pdf(small_hub: Hub, api: TestClient) -> None:
    agency = factories.org(small_hub)
    analyst = bearer(small_hub, "analyst", agency)
    _bank(small_hub, api, analyst, "prop")
    exact = jpeg(photo(21))
    files = {"files": ("a.jpg", exact, "image/jpeg")}
    assert api.post("/api/content/banks/prop/files", files=files, headers=analyst).is_success
    md5 = hashlib.md5(exact).hexdigest()  # noqa: S324
    api.post("/api/content/match", json={"signal": "md5", "hash": md5}, headers=analyst)

    data = api.get("/api/content/transparency", headers=analyst).json()
    assert data["total"] == 1
    assert data["by_state"] == {"open": 1, "confirmed": 0, "rejected": 0}
    assert data["rows"][0]["label"] == "propaganda"
    assert data["organisations"] == [agency]
    csv_resp = api.get("/api/content/transparency?format=csv", headers=analyst)
    assert csv_resp.headers["content-type"].startswith("text/csv")
    lines = csv_resp.text.splitlines()
    assert lines[0] == "month,label,action,state,count"
    assert lines[1].endswith(",propaganda,review,open,1")
    pdf = api.get("/api/content/transparency?format=pdf&lang=zh_Hans", headers=analyst)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    bad = api.get("/api/content/transparency?since=2026-13", headers=analyst)
    assert bad.status_code == 400
    assert "2026-13" in _error(bad)
    partner = bearer(small_hub, "partner", agency)
    assert api.get("/api/content/transparency", headers=partner).status_code == 403


def test_openapi_documents_the_content_routes(api: TestClient) -> None:
    paths = api.get("/api/openapi.json").json()["paths"]
    match = paths["/api/content/match"]["post"]["requestBody"]["content"]
    assert set(match) == {"multipart/form-data", "application/x-www-form-urlencoded",
                          "application/json"}  # fmt: skip
    assert "text/csv" in paths["/api/content/transparency"]["get"]["responses"]["200"]["content"]
