"""The batch screening page through the test client: upload, job, CSV download, refusals."""

from __future__ import annotations

import csv
import io
import re
import time

import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.interfaces.web import screening_batch_pages
from cthub.lists import load
from cthub.screening import build_matcher, parse_query, screen
from cthub.screening.batch import OUTPUT, hit_row
from tests import factories

ROWS = (
    "id,name,birth_date,nationality\n"
    "c1,Eric Badege,1971,\n"
    "c2,Zzyzx Qwerty,,\n"
    "c3,Someone,19xx,\n"
    "c4,BADEGE Eric,,CD\n"
)


@pytest.fixture
def analyst(client: TestClient, sqlite_hub: Hub) -> tuple[factories.Member, dict[str, str]]:
    load(sqlite_hub, factories.OPERATOR, "un")
    member = factories.member(sqlite_hub, "analyst")
    token = factories.login(client, member)
    return member, {"X-CSRF-Token": token, "HX-Request": "true"}


def _upload(
    client: TestClient, headers: dict[str, str], body: bytes, name: str = "names.csv"
) -> str:
    resp = client.post(
        "/screening/batch",
        headers=headers,
        files={"file": (name, body, "text/csv")},
        data={"threshold": "0.7", "top": "3"},
    )
    assert resp.status_code == 200, resp.text
    return str(resp.text)


def _finished(client: TestClient, job_id: str) -> str:
    deadline = time.monotonic() + 30
    while True:
        page = client.get(f"/screening/batch/{job_id}/progress")
        assert page.status_code == 200, page.text
        state = re.search(r'data-state="(\w+)"', page.text)
        assert state is not None
        if state.group(1) not in ("queued", "running"):
            return str(page.text)
        assert time.monotonic() < deadline, page.text
        time.sleep(0.1)


def test_upload_job_and_csv_download(
    client: TestClient, sqlite_hub: Hub, analyst: tuple[factories.Member, dict[str, str]]
) -> None:
    member, headers = analyst
    started = _upload(client, headers, ROWS.encode())
    assert 'data-testid="progress"' in started
    found = re.search(r'id="batch-([0-9a-f]{32})"', started)
    assert found is not None
    job_id = found.group(1)
    done = _finished(client, job_id)
    assert 'data-state="succeeded"' in done
    assert "names.csv line 4: birth_date 19xx is not YYYY or YYYY-MM-DD." in done
    assert f"/screening/batch/{job_id}/result.csv" in done

    resp = client.get(f"/screening/batch/{job_id}/result.csv")
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    got = list(csv.reader(io.StringIO(resp.text)))
    assert tuple(got[0]) == OUTPUT
    scr = build_matcher(sqlite_hub, factories.OPERATOR)
    records = list(csv.DictReader(io.StringIO(ROWS)))
    queries = [parse_query(r, "x") for r in records if r["id"] != "c3"]
    expected = [
        hit_row(q, h, scr.captions)
        for q, h in screen(sqlite_hub, member.actor, scr, queries, 0.7, 3)
    ]
    assert got[1:] == expected
    assert {row[0] for row in got[1:]} == {"c1", "c4"}
    assert "CDi.001" in {row[3] for row in got[1:]}
    listing = client.get("/screening/batch").text
    assert "names.csv" in listing
    assert f"/screening/batch/{job_id}/result.csv" in listing


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"identifier,full_name\n1,X\n", "names.csv line 1: column id, name is missing"),
        (b"id,name\n1,Eric Badege\n2,Ren\xe9\n", "names.csv line 3: the text is not UTF-8."),
        (b"id,name\n1,Eric Badege\n2,\n", "names.csv line 3: the name is empty."),
        (b"id,name\n", "names.csv has no rows to screen."),
    ],
)
def test_bad_files_are_refused_inline(
    client: TestClient,
    analyst: tuple[factories.Member, dict[str, str]],
    body: bytes,
    message: str,
) -> None:
    answer = _upload(client, analyst[1], body)
    assert 'data-testid="form-error"' in answer
    assert message in answer
    assert "batch-job" not in answer


def test_size_limit(
    client: TestClient,
    analyst: tuple[factories.Member, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(screening_batch_pages, "MAX_UPLOAD_MB", 1)
    body = b"id,name\n" + b"1,Eric Badege\n" * 80_000  # about 1.1 MB
    answer = _upload(client, analyst[1], body)
    assert "The file is larger than 1 MB." in answer
    page = client.post(
        "/screening/batch",
        headers={"X-CSRF-Token": analyst[1]["X-CSRF-Token"]},  # no HTMX: the whole page
        files={"file": ("big.csv", body, "text/csv")},
    )
    assert page.status_code == 400
    assert "The file is larger than 1 MB." in page.text
    assert "<h1>Batch screening</h1>" in page.text


def test_other_organisation_cannot_see_or_download(
    client: TestClient, sqlite_hub: Hub, analyst: tuple[factories.Member, dict[str, str]]
) -> None:
    started = _upload(client, analyst[1], ROWS.encode())
    found = re.search(r'id="batch-([0-9a-f]{32})"', started)
    assert found is not None
    _finished(client, found.group(1))
    outsider = factories.member(sqlite_hub, "admin")  # an admin, but of another organisation
    factories.login(client, outsider)
    for path in ("result.csv", "progress"):
        resp = client.get(f"/screening/batch/{found.group(1)}/{path}")
        assert resp.status_code == 403, path
        assert "belongs to another organisation" in resp.text
    assert "names.csv" not in client.get("/screening/batch").text


def test_a_role_that_may_not_screen_is_refused_and_nothing_is_kept(
    client: TestClient, sqlite_hub: Hub
) -> None:
    partner = factories.member(sqlite_hub, "partner")
    token = factories.login(client, partner)
    answer = _upload(client, {"X-CSRF-Token": token, "HX-Request": "true"}, ROWS.encode())
    assert "Your role (partner) may not perform screening.screen." in answer
    folder = sqlite_hub.settings.data_dir / "screening-batch"
    assert not folder.exists() or not any(folder.iterdir())


def test_anonymous_is_sent_to_login(client: TestClient) -> None:
    resp = client.get("/screening/batch", follow_redirects=False)
    assert resp.status_code == 303
    assert resp.headers["location"] == "/login?next=%2Fscreening%2Fbatch"
    download = client.get("/screening/batch/" + "0" * 32 + "/result.csv", follow_redirects=False)
    assert download.status_code == 303
