"""`cthub coordination` from a fresh process: the IATI, overlaps, gaps and report contracts.

A generated register (not the demo one) goes out as an IATI file, comes in through
`import-iati`, and `overlaps --format csv` must find its planted pairs (a recall floor, not a
hard-coded answer).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cthub.coordination.generator import generate_register
from cthub.coordination.iati import IatiActivity, Org, export_activities, validate_document
from cthub.coordination.records import ProjectRecord, Register

CLI = str(Path(sys.executable).with_name("cthub"))


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CTHUB_")},
        "CTHUB_DATA_DIR": str(cwd),
        "CTHUB_MODE": "demo",
    }
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def _activity(p: ProjectRecord) -> IatiActivity:
    return IatiActivity(
        iati_identifier=p.iati_identifier or f"XI-TEST-{p.id}", title=p.title, status=p.status,
        titles={"en": p.title}, description=p.description, donor=Org(p.donor),
        reporting_org=Org(p.donor), recipient=p.recipient, areas=p.areas, forms=p.forms,
        start=p.start, end=p.end, budget_minor=p.budget_minor, currency=p.currency,
    )  # fmt: skip


@pytest.fixture(scope="module")
def register() -> Register:
    return generate_register(seed=4242, recipients=12, donors=6, projects=160, needs=60)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory, register: Register) -> Path:
    path = tmp_path_factory.mktemp("coordination")
    data = export_activities(
        [_activity(p) for p in register.projects],
        reporting_org=("XI-TEST", "Test donors"),
        generated_at=dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
    )
    assert validate_document(data) == []
    (path / "activities.xml").write_bytes(data)
    done = _run(path, "coordination", "import-iati", "activities.xml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"activities.xml: {len(register.projects)} created, 0 updated")
    return path


def test_overlaps_csv_contract_finds_the_planted_pairs(workdir: Path, register: Register) -> None:
    done = _run(workdir, "coordination", "overlaps", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "project_a,project_b,score,reasons"
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert all(0.0 <= float(r["score"]) <= 1.0 and r["reasons"] for r in rows)
    ident = {p.id: p.iati_identifier or f"XI-TEST-{p.id}" for p in register.projects}
    found = {frozenset((r["project_a"], r["project_b"])) for r in rows}
    planted = {frozenset((ident[a], ident[b])) for a, b in register.planted_overlaps}
    assert planted
    recall = len(found & planted) / len(planted)
    precision = len(found & planted) / max(1, len(found))
    assert recall >= 0.8, (recall, precision)
    assert precision >= 0.7, (recall, precision)


def test_gaps_and_export(workdir: Path) -> None:
    gaps = _run(workdir, "coordination", "gaps", "--format", "csv")
    assert gaps.returncode == 0, gaps.stderr
    header = "recipient,area,need,committed,delivered,gap,explanation"
    assert gaps.stdout.splitlines()[0] == header
    out = _run(workdir, "coordination", "export-iati", "--output", "-", "--recipient", "JO")
    assert out.returncode == 0, out.stderr
    assert validate_document(out.stdout.encode("utf-8")) == []


def test_report_in_chinese_and_a_bad_period(workdir: Path) -> None:
    done = _run(workdir, "coordination", "report", "--period", "2026H2", "--format", "html",
                "--lang", "zh", "--output", "report.html")  # fmt: skip
    assert done.returncode == 0, done.stderr
    html = (workdir / "report.html").read_text(encoding="utf-8")
    assert "提交反恐委员会的半年度报告" in html
    bad = _run(workdir, "coordination", "report", "--period", "2026H3", "--output", "x.pdf")
    assert bad.returncode == 2
    assert "2026H3" in bad.stderr


def test_a_bad_file_exits_2_and_names_it(workdir: Path) -> None:
    (workdir / "broken.xml").write_text("<iati-activities version='2.03'><iati-activity>")
    done = _run(workdir, "coordination", "import-iati", "broken.xml")
    assert done.returncode == 2
    assert "broken.xml" in done.stderr
