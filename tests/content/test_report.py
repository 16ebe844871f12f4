"""The transparency report: counts by month, label, action and decision state, scoped to the
organisations the actor sees, bounded by month, audited, and printed as CSV and as a PDF in
English and Chinese.

Matches are made through the service with exact hashes (MD5 lines of a hash list), so the
report reads what matching really records; their months are then set in the database, since a
test cannot wait for the calendar.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from cthub.content import create_bank, decide, import_list, match_hashes
from cthub.content import report as transparency
from cthub.content.models import ContentMatch
from cthub.core.errors import Forbidden, InvalidInput
from cthub.core.hub import Hub
from cthub.core.tables import AuditEvent
from tests import factories


def _md5(n: int) -> str:
    return hashlib.md5(f"file {n}".encode()).hexdigest()  # noqa: S324 - a test fixture


def _matches(hub: Hub, member: factories.Member, bank: str, n: int, label: str) -> list[int]:
    """``n`` review items of ``member``'s organisation in ``bank`` under ``label``."""
    lines = "".join(f"md5 {_md5(i)} {label}\n" for i in range(n))
    import_list(hub, member.actor, bank, lines.encode(), f"{bank}.txt")
    ids = []
    for i in range(n):
        result = match_hashes(hub, member.actor, [("md5", _md5(i))], banks=[bank])
        ids += [m.review_id for m in result.matches if m.review_id]
    return ids


def _month(hub: Hub, ids: list[int], when: dt.datetime) -> None:
    with hub.db.session() as s:
        s.execute(update(ContentMatch).where(ContentMatch.id.in_(ids)).values(created_at=when))


@pytest.fixture
def world(hub: Hub) -> tuple[Hub, factories.Member, factories.Member]:
    """Jan 2026: 3 propaganda (2 confirmed, 1 rejected); Mar 2026: 2 attack footage, removed
    automatically and open. Another organisation has 4 matches the first one never sees."""
    analyst = factories.member(hub, "analyst")
    other = factories.member(hub, "analyst")
    create_bank(hub, analyst.actor, "prop", label="propaganda")
    create_bank(hub, analyst.actor, "attack", label="attack-footage", action="remove")
    create_bank(hub, other.actor, "theirs", label="propaganda")
    january = _matches(hub, analyst, "prop", 3, "propaganda")
    _month(hub, january, dt.datetime(2026, 1, 20, 23, 30, tzinfo=dt.UTC))
    for item, decision in zip(january, ("confirmed", "confirmed", "rejected"), strict=True):
        decide(hub, analyst.actor, item, decision, "checked by hand")
    march = _matches(hub, analyst, "attack", 2, "attack-footage")
    _month(hub, march, dt.datetime(2026, 3, 1, 0, 0, tzinfo=dt.UTC))
    _matches(hub, other, "theirs", 4, "propaganda")
    return hub, analyst, other


def test_counts_by_month_label_action_and_state(world: tuple) -> None:
    hub, analyst, _other = world
    data = transparency.build(hub, analyst.actor)
    assert [(r.month, r.label, r.action, r.state, r.count) for r in data.rows] == [
        ("2026-01", "propaganda", "review", "confirmed", 2),
        ("2026-01", "propaganda", "review", "rejected", 1),
        ("2026-03", "attack-footage", "remove", "open", 2),
    ]
    assert data.total == 5
    assert data.by_state() == {"open": 2, "confirmed": 2, "rejected": 1}
    assert data.by_action() == {"review": 3, "remove": 2}
    assert [m for m, _ in data.months()] == ["2026-01", "2026-03"]
    assert data.labels()[0] == ("propaganda", {"open": 0, "confirmed": 2, "rejected": 1})
    assert data.organisations == (analyst.org,)


def test_another_organisation_sees_only_its_own(world: tuple) -> None:
    hub, _analyst, other = world
    data = transparency.build(hub, other.actor)
    assert data.total == 4
    assert {r.label for r in data.rows} == {"propaganda"}
    assert data.by_state()["open"] == 4
    assert data.organisations == (other.org,)


def test_months_bound_the_report_and_are_checked(world: tuple) -> None:
    hub, analyst, _other = world
    assert transparency.build(hub, analyst.actor, since="2026-02").total == 2
    assert transparency.build(hub, analyst.actor, until="2026-01").total == 3
    assert transparency.build(hub, analyst.actor, "2026-01", "2026-01").total == 3
    assert transparency.build(hub, analyst.actor, "2025-01", "2025-12").rows == ()
    with pytest.raises(InvalidInput) as bad:
        transparency.build(hub, analyst.actor, since="2026-13")
    assert "2026-13" in bad.value.render()
    assert bad.value.params["field"] == "since"
    with pytest.raises(InvalidInput, match="after it ends"):
        transparency.build(hub, analyst.actor, since="2026-03", until="2026-01")


def test_csv_lists_every_group(world: tuple) -> None:
    hub, analyst, _other = world
    assert transparency.export_csv(hub, analyst.actor).splitlines() == [
        "month,label,action,state,count",
        "2026-01,propaganda,review,confirmed,2",
        "2026-01,propaganda,review,rejected,1",
        "2026-03,attack-footage,remove,open,2",
    ]


def test_each_report_is_audited_and_roles_are_checked(world: tuple) -> None:
    hub, analyst, _other = world
    viewer = factories.member(hub, "viewer", analyst.org)
    assert transparency.build(hub, viewer.actor).total == 5  # staff read the report
    transparency.export_csv(hub, analyst.actor, since="2026-01")
    coordinator = factories.member(hub, "coordinator", analyst.org)
    with pytest.raises(Forbidden):
        transparency.build(hub, coordinator.actor)
    with hub.db.session() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "content.report")).all()
    done = [e.details for e in events if e.outcome == "ok"]
    assert [d["format"] for d in done] == ["json", "csv"]
    assert done[1]["since"] == "2026-01"
    assert done[1]["matches"] == 5
    assert [e.outcome for e in events][-1] == "denied"


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def _fonts(body: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(body))
    names: set[str] = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_pdf_in_both_languages(world: tuple, lang: str) -> None:
    hub, analyst, _other = world
    body = transparency.export_pdf(hub, analyst.actor, lang)
    assert body.startswith(b"%PDF")
    text = _pdf_text(body)
    assert "2026-01" in text
    assert "2026-03" in text
    assert "attack-footage" in text
    if lang == "zh_Hans":
        assert "已确认" in text  # "Confirmed", from the catalogue
        assert any("CJK" in f for f in _fonts(body)), _fonts(body)
    else:
        assert "Transparency report" in text
        assert "Confirmed" in text


def test_an_empty_report_still_prints(hub: Hub) -> None:
    analyst = factories.member(hub, "analyst")
    data = transparency.build(hub, analyst.actor)
    assert data.total == 0
    assert transparency.to_csv(data) == "month,label,action,state,count\n"
    assert "No match was recorded" in _pdf_text(transparency.render_pdf(data, "en"))
    with pytest.raises(InvalidInput):
        transparency.render_html(data, "fr")
