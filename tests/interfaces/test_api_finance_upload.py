"""Uploading a transaction file over HTTP: the file is streamed to a temporary file under a
size limit, checked at once (format, columns after the mapping, dataset name, on_error), then
ingested by a ``finance-ingest`` job whose progress and result (rows, skipped rows, the first
bad rows with line and column) come from the jobs endpoint. The upload is gone afterwards."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from cthub.core.hub import Hub
from cthub.finance import jobs as finance_jobs
from cthub.interfaces.api import create_app
from cthub.interfaces.api.routers import finance as finance_router
from tests import factories
from tests.conftest import make_settings

GOOD = """tx_id,timestamp,sender,receiver,amount,currency
t1,2026-03-01T09:00:00Z,A1,B1,100.00,EUR
t2,2026-03-01T10:00:00Z,A1,B2,250.50,EUR
t3,2026-03-02T10:00:00Z,B2,A1,12.00,EUR
"""
BAD = GOOD + "t4,yesterday,A1,B1,10.00,EUR\nt5,2026-03-02T11:00:00Z,A1,B1,-3,EUR\n"


@pytest.fixture
def api(tmp_path: Path, sqlite_hub: Hub) -> Iterator[tuple[TestClient, Hub]]:
    hub = Hub(make_settings(tmp_path, sqlite_hub.db.url), sqlite_hub.db)
    with TestClient(create_app(hub=hub)) as c:
        yield c, hub


@pytest.fixture
def org(api: tuple[TestClient, Hub]) -> str:
    return factories.org(api[1])


def _bearer(hub: Hub, role: str, org: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {factories.api_key(hub, role, org)}"}


def _upload(
    client: TestClient,
    headers: dict[str, str],
    body: bytes | str,
    *,
    name: str = "tx.csv",
    dataset: str = "feed",
    **fields: str,
) -> Any:
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        f"/api/finance/datasets/{dataset}/files",
        headers=headers,
        files={"file": (name, data, "application/octet-stream")},
        data=fields,
    )


def _finished(client: TestClient, headers: dict[str, str], job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while True:
        job = client.get(f"/api/jobs/{job_id}", headers=headers)
        assert job.status_code == 200, job.text
        body: dict[str, Any] = job.json()
        if body["state"] not in ("queued", "running"):
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.05)


def _uploads_left(hub: Hub) -> list[Path]:
    return [p for p in (hub.settings.data_dir / finance_jobs.FOLDER).rglob("*") if p.is_file()]


def test_upload_needs_authentication_and_the_ingest_role(
    api: tuple[TestClient, Hub], org: str
) -> None:
    client, hub = api
    assert _upload(client, {}, GOOD).status_code == 401
    refused = _upload(client, _bearer(hub, "viewer", org), GOOD)
    assert refused.status_code == 403, refused.text
    assert not _uploads_left(hub)


def test_upload_runs_as_a_job_and_reports_bad_rows(api: tuple[TestClient, Hub], org: str) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    started = _upload(client, analyst, BAD, on_error="skip")
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["kind"] == "finance-ingest"
    assert body["state"] in ("queued", "running", "succeeded")
    done = _finished(client, analyst, body["id"])
    assert done["state"] == "succeeded", done
    assert done["percent"] == 100
    result = done["result"]
    assert (result["dataset"], result["rows"], result["skipped"]) == ("feed", 3, 2)
    assert result["errors"] == [
        [5, "timestamp", "not a date and time (ISO 8601, e.g. 2026-03-01T14:05:00Z)"],
        [6, "amount", "not positive"],
    ]
    listed = client.get("/api/finance/datasets", headers=analyst).json()
    assert [(d["name"], d["partitions"], d["rows"]) for d in listed] == [("feed", 1, 3)]
    assert not _uploads_left(hub)  # the upload is deleted when the job ends


def test_abort_fails_the_job_naming_the_first_bad_row(
    api: tuple[TestClient, Hub], org: str
) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    started = _upload(client, analyst, BAD)  # on_error defaults to abort
    assert started.status_code == 202, started.text
    done = _finished(client, analyst, started.json()["id"])
    assert done["state"] == "failed"
    assert "tx.csv: 2 of 5 rows are bad; the first is line 5, column timestamp" in done["error"]
    assert client.get("/api/finance/datasets", headers=analyst).json() == []
    assert not _uploads_left(hub)


def test_mapping_and_parquet(api: tuple[TestClient, Hub], org: str) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    renamed = GOOD.replace("timestamp,sender", "booked_at,payer", 1)
    mapping = json.dumps({"timestamp": "booked_at", "sender": "payer"})
    first = _upload(client, analyst, renamed, mapping=mapping)
    assert first.status_code == 202, first.text
    assert _finished(client, analyst, first.json()["id"])["result"]["rows"] == 3
    table = pa.table({
        "tx_id": ["p1"], "timestamp": ["2026-03-05T08:00:00Z"], "sender": ["C1"],
        "receiver": ["C2"], "amount": ["5.00"], "currency": ["USD"],
    })  # fmt: skip
    buf = io.BytesIO()
    pq.write_table(table, buf)
    second = _upload(client, analyst, buf.getvalue(), name="more.parquet")
    assert second.status_code == 202, second.text
    assert _finished(client, analyst, second.json()["id"])["state"] == "succeeded"
    listed = client.get("/api/finance/datasets", headers=analyst).json()
    assert [(d["partitions"], d["rows"]) for d in listed] == [(2, 4)]


@pytest.mark.parametrize(
    ("fields", "name", "body", "message"),
    [
        ({}, "tx.xlsx", GOOD, "tx.xlsx: the format is not known from the name."),
        ({}, "tx.csv", "id,when\n1,2\n", "tx.csv has no column tx_id, timestamp, sender"),
        ({"on_error": "ignore"}, "tx.csv", GOOD, "on_error must be abort or skip, not ignore."),
        ({"mapping": "[1, 2]"}, "tx.csv", GOOD, "The column mapping must be a JSON object"),
        ({"mapping": '{"when": "ts"}'}, "tx.csv", GOOD, "the mapping names unknown columns: when"),
        ({}, "tx.csv", "", "tx.csv is empty."),
    ],
)
def test_refused_before_any_job(
    api: tuple[TestClient, Hub],
    org: str,
    fields: dict[str, str],
    name: str,
    body: str,
    message: str,
) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    resp = _upload(client, analyst, body, name=name, **fields)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error"] == "invalid_input"
    assert message in resp.json()["message"]
    assert client.get("/api/jobs", headers=analyst).json() == []
    assert not _uploads_left(hub)


def test_bad_dataset_name_and_missing_file(api: tuple[TestClient, Hub], org: str) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    named = _upload(client, analyst, GOOD, dataset="-bad")
    assert named.status_code == 400
    assert named.json()["message"] == "Dataset name -bad is not allowed."
    none = client.post("/api/finance/datasets/feed/files", headers=analyst, data={"x": "1"})
    assert none.status_code == 400
    assert none.json()["message"] == "Choose a transaction file to upload."


def test_size_limit(api: tuple[TestClient, Hub], org: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    monkeypatch.setattr(finance_router, "MAX_UPLOAD_BYTES", 100)
    resp = _upload(client, analyst, GOOD)
    assert resp.status_code == 400
    body = resp.json()
    assert body["message"] == "tx.csv is larger than 100 bytes."
    assert "cthub finance ingest" in body["hint"]
    declared = _upload(client, analyst, GOOD * 2000)  # refused from Content-Length, unread
    assert declared.json()["message"] == "The transaction file is larger than 100 bytes."


def test_another_organisation_cannot_follow_the_job(api: tuple[TestClient, Hub], org: str) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    job_id = _upload(client, analyst, GOOD).json()["id"]
    _finished(client, analyst, job_id)
    other = _bearer(hub, "analyst", factories.org(hub))
    assert client.get(f"/api/jobs/{job_id}", headers=other).status_code in (403, 404)


def test_a_dataset_is_monitored_as_a_job(api: tuple[TestClient, Hub], org: str) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    _finished(client, analyst, _upload(client, analyst, GOOD).json()["id"])
    viewer = _bearer(hub, "viewer", org)
    assert client.post("/api/finance/datasets/feed/monitor-jobs", headers=viewer).status_code == 403
    wrong = client.post("/api/finance/datasets/feed/monitor-jobs?engine=oracle", headers=analyst)
    assert wrong.status_code == 400  # invalid_input, as every bad parameter
    started = client.post("/api/finance/datasets/feed/monitor-jobs", headers=analyst)
    assert started.status_code == 202, started.text
    assert started.json()["kind"] == "finance-monitor"
    done = _finished(client, analyst, started.json()["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["dataset"] == "feed"
    assert done["result"]["alerts"] == len(
        client.get("/api/finance/alerts", headers=analyst).json()
    )


def test_an_upload_names_its_decimal_mark(api: tuple[TestClient, Hub], org: str) -> None:
    client, hub = api
    analyst = _bearer(hub, "analyst", org)
    european = (
        "tx_id;timestamp;sender;receiver;amount;currency\n"
        "e1;2026-03-01T09:00:00Z;A1;B1;1.234,50;EUR\n"
    )
    refused = _finished(client, analyst, _upload(client, analyst, european).json()["id"])
    assert refused["state"] == "failed"
    assert "decimal comma (1.234,50)" in json.dumps(refused)
    done = _finished(client, analyst, _upload(client, analyst, european, decimal=",").json()["id"])
    assert done["state"] == "succeeded", done
    assert done["result"]["rows"] == 1
    wrong = _upload(client, analyst, european, decimal=";")
    assert wrong.status_code == 400
    assert "decimal mark must be" in wrong.json()["message"]


@pytest.fixture
def served(tmp_path: Path, sqlite_hub: Hub) -> Iterator[tuple[TestClient, Hub, Path]]:
    """An API whose node lets analysts register files of ``tmp_path/imports``."""
    imports = tmp_path / "imports"
    imports.mkdir()
    hub = Hub(make_settings(tmp_path, sqlite_hub.db.url, finance_import_dir=imports),
              sqlite_hub.db)  # fmt: skip
    with TestClient(create_app(hub=hub)) as c:
        yield c, hub, imports


def _org_id(hub: Hub, name: str) -> int:
    from sqlalchemy import select

    from cthub.core.tables import Organisation

    with hub.db.session(readonly=True) as s:
        return int(s.scalars(select(Organisation.id).where(Organisation.name == name)).one())


def test_a_server_file_is_registered_by_name_read_in_place(
    served: tuple[TestClient, Hub, Path], api: tuple[TestClient, Hub]
) -> None:
    client, hub, imports = served
    org, other = factories.org(hub), factories.org(hub)
    analyst = _bearer(hub, "analyst", org)
    mine = imports / f"org-{_org_id(hub, org)}"
    mine.mkdir()
    (mine / "nightly.csv").write_text(GOOD)
    theirs = imports / f"org-{_org_id(hub, other)}"
    theirs.mkdir()
    (theirs / "secret.csv").write_text(GOOD)
    (imports / "outside.csv").write_text(GOOD)
    listed = client.get("/api/finance/import-files", headers=analyst).json()
    assert [f["name"] for f in listed] == ["nightly.csv"]
    body = {"file": "nightly.csv", "on_error": "skip"}
    viewer = _bearer(hub, "viewer", org)
    refused = client.post("/api/finance/datasets/feed/register", headers=viewer, json=body)
    assert refused.status_code == 403
    started = client.post("/api/finance/datasets/feed/register", headers=analyst, json=body)
    assert started.status_code == 202, started.text
    done = _finished(client, analyst, started.json()["id"])
    assert done["state"] == "succeeded", done
    assert (done["result"]["rows"], done["result"]["file"]) == (3, "nightly.csv")
    assert (mine / "nightly.csv").read_text() == GOOD  # read where it lies, left there
    for name in ("secret.csv", "../outside.csv", f"../org-{_org_id(hub, other)}/secret.csv",
                 "missing.csv", ".hidden"):  # fmt: skip
        wrong = client.post("/api/finance/datasets/feed/register", headers=analyst,
                            json={"file": name})  # fmt: skip
        assert wrong.status_code == 400, name
        assert "No transaction file named" in wrong.json()["message"], name
    off_client, off_hub = api  # a node without an import folder
    off = _bearer(off_hub, "analyst", factories.org(off_hub))
    resp = off_client.post("/api/finance/datasets/feed/register", headers=off, json=body)
    assert resp.status_code == 400
    assert resp.json()["message"] == "Registering server files is off on this node."
    assert off_client.get("/api/finance/import-files", headers=off).json() == []
