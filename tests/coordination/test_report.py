"""The CTC report: period rules, figures against independent sums, the diff against the previous
snapshot, self-contained HTML and a PDF in both languages.

One generated register (seed 0, the demo size) serves every test; the report is built once per
module and each language is rendered once, so the file stays fast.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from typing import Any

import pytest
from pypdf import PdfReader

from cthub.coordination import report, report_format
from cthub.coordination.generator import generate_register
from cthub.coordination.records import ProjectRecord, Register
from cthub.core.errors import InvalidInput
from cthub.core.i18n import gettext

PERIOD = "2026H1"
START, END = dt.date(2026, 1, 1), dt.date(2026, 6, 30)
WHEN = dt.datetime(2026, 7, 2, 9, 0, tzinfo=dt.UTC)
ZH_TITLE = "提交反恐委员会的半年度报告"


@pytest.fixture(scope="module")
def register() -> Register:
    return generate_register(0)


@pytest.fixture(scope="module")
def data(register: Register) -> report.ReportData:
    return report.build_report(register, PERIOD, generated_at=WHEN)


@pytest.fixture(scope="module")
def html(data: report.ReportData) -> dict[str, str]:
    return {lang: report.render_html(data, lang) for lang in ("en", "zh_Hans")}


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [("2026H1", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
     ("2026H2", dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
     ("1999H2", dt.date(1999, 7, 1), dt.date(1999, 12, 31))],
)  # fmt: skip
def test_period_bounds(period: str, start: dt.date, end: dt.date) -> None:
    assert report.parse_period(period) == (start, end)


@pytest.mark.parametrize("period", ["2026", "2026H3", "2026h1", "26H1", "", " 2026H1", "2026-H1",
                                    "2026H0", "0999H1", "2026H12"])  # fmt: skip
def test_bad_period_is_invalid_input_naming_it_and_the_form(
    period: str, register: Register
) -> None:
    with pytest.raises(InvalidInput) as caught:
        report.build_report(register, period)
    assert repr(period) in str(caught.value)
    assert "YYYYH1 or YYYYH2" in str(caught.value)
    assert caught.value.params["field"] == "period"


def _independent(register: Register) -> tuple[list[ProjectRecord], list[ProjectRecord]]:
    existing, planned = [], []
    for p in register.projects:
        started = p.start is None or p.start <= END
        not_over = p.end is None or p.end >= START
        if p.status in {"implementation", "completed"} and started and not_over:
            existing.append(p)
        elif p.status == "pipeline" and not_over:
            planned.append(p)
    return existing, planned


def _sums(projects: list[ProjectRecord], keys: Any) -> dict[str, tuple[int, dict[str, int]]]:
    count: Counter[str] = Counter()
    money: dict[str, Counter[str]] = defaultdict(Counter)
    for p in projects:
        for key in keys(p):
            count[key] += 1
            if p.budget_minor is not None and p.currency:
                money[key][p.currency] += p.budget_minor
    return {k: (count[k], dict(money[k])) for k in count}


@pytest.mark.parametrize("by", ["donor", "recipient", "area"])
def test_figures_equal_independent_sums(by: str, register: Register,
                                        data: report.ReportData) -> None:  # fmt: skip
    existing, planned = _independent(register)
    keys = {"donor": lambda p: (p.donor,), "recipient": lambda p: (p.recipient,),
            "area": lambda p: p.areas}[by]  # fmt: skip
    want_e, want_p = _sums(existing, keys), _sums(planned, keys)
    rows = {r.key: r for r in getattr(data, f"by_{by}")}
    for key in set(want_e) | set(want_p):
        assert (rows[key].existing, rows[key].existing_budget) == want_e.get(key, (0, {}))
        assert (rows[key].planned, rows[key].planned_budget) == want_p.get(key, (0, {}))
    assert all(r.existing or r.planned for r in rows.values()) or by == "area"
    assert set(data.existing) == {p.id for p in existing}
    assert set(data.planned) == {p.id for p in planned}
    total = _sums(existing, lambda p: ("all",))["all"]
    assert (data.total.existing, data.total.existing_budget) == total
    assert all(isinstance(v, int) for v in data.total.existing_budget.values())


def test_money_keeps_minor_digits_and_never_uses_float() -> None:
    assert report_format.money(123456789, "USD", "en") == "USD 1,234,567.89"
    assert report_format.money(123456789, "JPY", "en") == "JPY 123,456,789"
    assert report_format.money(1234567, "IQD", "zh_Hans") == "IQD 1,234.567"
    assert report_format.money(5, "EUR", "en") == "EUR 0.05"


def test_country_names_in_both_languages() -> None:
    assert report_format.country_name("KE", "en") == "Kenya"
    assert report_format.country_name("KE", "zh_Hans") == "肯尼亚"
    assert report_format.country_name("XK", "zh_Hans") == "科索沃"  # not in UNTERM: Babel
    assert report_format.country_name("298", "en") != "298"  # IATI region: Africa, regional
    assert report_format.country_name("QQ", "en") == "QQ"


def _changed(register: Register) -> tuple[Register, dict[str, set[int]]]:
    """The register as it was at the last report: some projects and needs not yet there, some
    projects with an earlier status."""
    ids = sorted(p.id for p in register.projects)
    added = set(ids[::40])
    older = {"completed": "implementation", "cancelled": "pipeline", "implementation": "pipeline"}
    moved = {p.id for p in register.projects if p.id % 17 == 0 and p.id not in added
             and p.status in older}  # fmt: skip
    for status in ("completed", "cancelled"):  # at least one of each, whatever the generator
        moved |= {next(p.id for p in register.projects
                       if p.status == status and p.id not in added)}  # fmt: skip
    before = tuple(
        dataclasses.replace(p, status=older[p.status]) if p.id in moved else p
        for p in register.projects
        if p.id not in added
    )
    gone = ProjectRecord(id=99_999, title="Withdrawn", donor="D", recipient="KE",
                         areas=("customs",), status="pipeline")  # fmt: skip
    new_needs = {n.id for n in register.needs[::25]}
    past = Register(projects=(*before, gone), needs=tuple(n for n in register.needs
                                                          if n.id not in new_needs))  # fmt: skip
    status = {p.id: p.status for p in register.projects}
    return past, {
        "new": added, "moved": moved, "needs": new_needs, "removed": {99_999},
        "completed": {i for i in moved if status[i] == "completed"},
        "cancelled": {i for i in moved if status[i] == "cancelled"},
    }  # fmt: skip


def test_diff_lists_exactly_the_changed_projects_and_needs(register: Register) -> None:
    past, want = _changed(register)
    snapshot = report.build_report(past, "2025H2", generated_at=WHEN).snapshot()
    snapshot = json.loads(json.dumps(snapshot))  # it is stored as JSON
    changes = report.build_report(register, PERIOD, previous=snapshot).changes
    assert changes is not None
    assert changes.previous_period == "2025H2"
    assert set(changes.new_projects) == want["new"]
    assert {c.project for c in changes.status_changes} == want["moved"]
    assert set(changes.completed) == want["completed"]
    assert set(changes.cancelled) == want["cancelled"]
    assert set(changes.removed) == want["removed"]
    assert set(changes.new_needs) == want["needs"]
    assert want["completed"]
    assert want["cancelled"]
    page = report.render_html(report.build_report(register, PERIOD, previous=snapshot), "en")
    assert {int(i) for i in re.findall(r'class="new-project" data-id="(\d+)"', page)} == want["new"]
    shown = {int(i) for i in re.findall(r'class="status-change" data-id="(\d+)"', page)}
    assert shown == want["moved"]


def test_no_previous_report_means_no_changes(data: report.ReportData,
                                             register: Register) -> None:  # fmt: skip
    assert data.changes is None
    same = report.build_report(register, PERIOD, previous=data.snapshot()).changes
    assert same is not None
    assert (same.new_projects, same.status_changes, same.removed, same.new_needs) == ((),) * 4


def test_snapshot_is_json_and_complete(data: report.ReportData, register: Register) -> None:
    snap = json.loads(json.dumps(data.snapshot()))
    assert snap["period"] == PERIOD
    assert len(snap["projects"]) == len(register.projects)
    assert snap["needs"] == sorted(n.id for n in register.needs)


EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?\s*(?:https?:)?//""", re.IGNORECASE
)


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_html_is_self_contained_with_every_chart(lang: str, html: dict[str, str],
                                                 data: report.ReportData) -> None:  # fmt: skip
    page = html[lang]
    assert not EXTERNAL.search(page)
    assert "<script" not in page
    for chart in ("chart-donor", "chart-recipient", "chart-heatmap", "chart-map"):
        assert f'id="{chart}"' in page
    assert page.count('class="overlap"') == len(data.overlaps)
    assert gettext(lang)(report.TITLE) in page
    assert f'lang="{"zh-Hans" if lang == "zh_Hans" else "en"}"' in page


def test_chinese_html_uses_chinese_names(html: dict[str, str]) -> None:
    assert "肯尼亚" in html["zh_Hans"] or "巴基斯坦" in html["zh_Hans"]
    assert "Pakistan" in html["en"]


def test_unknown_language_is_refused(data: report.ReportData) -> None:
    with pytest.raises(InvalidInput):
        report.render_html(data, "fr")


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_pdf_in_both_languages(lang: str, data: report.ReportData) -> None:
    pdf = report.render_pdf(data, lang)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    first = reader.pages[0].extract_text()
    text = "".join(page.extract_text() for page in reader.pages[:4])
    if lang == "zh_Hans":
        assert ZH_TITLE in first.replace("\n", "")
    else:
        assert "Semiannual report" in first
    pages = len(reader.pages)
    assert re.search(rf"\b2\D+{pages}\b", reader.pages[1].extract_text()), "page numbers"
    assert data.period in text
