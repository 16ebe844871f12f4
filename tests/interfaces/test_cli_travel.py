"""`cthub travel` from a fresh process: ingest, documents load, check (CSV contract), rules,
retention. A synthetic day with listed UN individuals planted as passports write them must
come back as watchlist hits (a recall floor, not a hard-coded answer), every row explained."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from cthub.lists import bundled_path, registry
from cthub.travel import synthetic

CLI = str(Path(sys.executable).with_name("cthub"))
COLUMNS = ["flight", "passenger_ref", "name", "check", "list", "list_ref", "score", "explanation"]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "travel"


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
    }
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, synthetic.Day]:
    path = tmp_path_factory.mktemp("travel")
    people = [
        p
        for e in registry.get("un").parse(bundled_path())
        if (p := synthetic.listed_from_properties("un", e.ref, e.schema, e.properties))
        and p.documents
    ]
    planted = random.Random(5).sample(people, 20)
    generated = synthetic.generate_day(dt.date(2026, 11, 30), 360, planted, seed=5, with_pnr=False)
    for i, msg in enumerate(generated.messages):
        (path / f"flight{i}.edi").write_text(synthetic.paxlst(msg, i + 1), encoding="utf-8")
    stolen = generated.messages[0].passengers[3].documents[0]
    (path / "docs.csv").write_text(
        "document_number,issuing_country,document_type,status,reported_on\n"
        f"{stolen.number},{stolen.issuing_country},P,stolen,2026-10-01\n",
        encoding="utf-8",
    )
    assert _run(path, "lists", "load", "un").returncode == 0
    return path, generated


def test_ingest_prints_counts_and_warnings(day: tuple[Path, synthetic.Day]) -> None:
    path, generated = day
    files = sorted(str(p) for p in path.glob("flight*.edi"))
    done = _run(path, "travel", "ingest", *files, str(FIXTURES / "paxlst" / "Test3.txt"))
    assert done.returncode == 0, done.stderr
    assert f"{generated.passengers + 260} passengers" in done.stdout.splitlines()[-1]
    assert "warning:" in done.stdout
    assert "segment" in done.stdout
    bad = path / "junk.edi"
    bad.write_bytes(b"\x00\x01\x02 binary junk \xff" * 50)
    failed = _run(path, "travel", "ingest", str(bad))
    assert failed.returncode == 2
    assert "junk.edi" in failed.stderr


def test_check_csv_contract_and_recall(day: tuple[Path, synthetic.Day]) -> None:
    path, generated = day
    assert _run(path, "travel", "documents", "load", str(path / "docs.csv")).returncode == 0
    done = _run(path, "travel", "check", "--all", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert list(rows[0]) == COLUMNS
    assert {r["check"] for r in rows} <= {"watchlist", "document", "rule", "mrz"}
    assert all(r["explanation"] and 0.0 <= float(r["score"]) <= 1.0 for r in rows)
    found = {
        r["passenger_ref"]
        for r in rows
        if r["check"] == "watchlist"
        and f"{r['list']}:{r['list_ref']}" == generated.truth.get(r["passenger_ref"])
    }
    recall = len(found) / len(generated.truth)
    assert recall >= 0.8, (recall, sorted(set(generated.truth) - found))
    innocent = {r["passenger_ref"] for r in rows if r["check"] == "watchlist"} - set(
        generated.truth
    )
    assert len(innocent) <= 0.05 * generated.passengers
    documents = [r for r in rows if r["check"] == "document"]
    assert any(r["list"] == "documents" for r in documents)


def test_rules_and_retention(day: tuple[Path, synthetic.Day]) -> None:
    path, _ = day
    listed = _run(path, "travel", "rules", "list", "--format", "csv")
    assert listed.returncode == 0, listed.stderr
    names = [r["name"] for r in csv.DictReader(io.StringIO(listed.stdout))]
    assert len(names) >= 8
    tested = _run(path, "travel", "rules", "test", names[0])
    assert tested.returncode == 0
    assert f"rule {names[0]}" in tested.stdout
    sensitive = path / "bad.yaml"
    sensitive.write_text(
        "name: meal-rule\ndescription: one-way travellers asking for a halal meal\nweight: 0.5\n"
        "conditions:\n  - field: payment_types\n    op: contains_any\n"
        "    value: [MOML]\n  - field: one_way\n    op: is_true\n",
        encoding="utf-8",
    )
    refused = _run(path, "travel", "rules", "add", str(sensitive))
    assert refused.returncode == 2
    assert "MOML" in refused.stderr + refused.stdout
    early = _run(path, "travel", "retention", "run", "--now", "2027-01-01")
    assert early.returncode == 0
    assert '"masked_passengers": 0' in early.stdout
    late = _run(path, "travel", "retention", "run", "--now", "2027-06-30")
    assert late.returncode == 0
    assert '"masked_passengers": 0' not in late.stdout
    bad = _run(path, "travel", "retention", "run", "--now", "2027-02-30")
    assert bad.returncode == 2
    assert "2027-02-30" in bad.stderr
