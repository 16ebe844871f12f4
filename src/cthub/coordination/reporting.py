"""The semiannual report to the CTC as a service: build from the register, render, remember.

``generate`` builds the report for a half-year from the register the actor may see, diffs it
against the snapshot of the latest earlier report, renders HTML or PDF in English or Chinese,
and stores the new snapshot (one per period: regenerating a period replaces it), so the next
period's report lists what changed. ``preview`` renders HTML without storing anything.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from sqlalchemy import Select, select

from cthub.coordination import report
from cthub.coordination.models import OverlapReview, ReportSnapshot
from cthub.coordination.service import register_in
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import LANGUAGES
from cthub.core.policy import Actor

FORMATS = ("html", "pdf")


@dataclass(frozen=True)
class ReportInfo:
    period: str
    generated_by: str
    generated_at: str


def _check(fmt: str, lang: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput("Unknown report format {value!r}.", hint="Use html or pdf.",
                           field="format", value=fmt)  # fmt: skip
    if lang not in LANGUAGES:
        raise InvalidInput("Unknown language {value!r}.", hint="Use en or zh_Hans.",
                           field="lang", value=lang)  # fmt: skip


def _scope(u: Unit) -> str:
    """The register a report covers: ``all`` or the organisations it reads, e.g. ``3,7``."""
    orgs = u.visible_orgs()
    return "all" if orgs is None else ",".join(str(o) for o in sorted(orgs))


def _mine(u: Unit, stmt: Select[ReportSnapshot]) -> list[ReportSnapshot]:
    """The snapshots of reports over the same register as the actor's (never another org's)."""
    scope = _scope(u)
    return [r for r in u.s.scalars(stmt) if r.snapshot.get("scope") == scope]


def _previous(u: Unit, period: str) -> dict[str, object] | None:
    rows = _mine(
        u,
        select(ReportSnapshot)
        .where(ReportSnapshot.period < period)
        .order_by(ReportSnapshot.period.desc(), ReportSnapshot.id.desc()),
    )
    return dict(rows[0].snapshot) if rows else None


def _dismissed(u: Unit) -> set[tuple[int, int]]:
    rows = u.s.execute(
        select(OverlapReview.project_a, OverlapReview.project_b).where(
            OverlapReview.state == "dismissed"
        )
    )
    return {(a, b) for a, b in rows}


def _build(u: Unit, period: str) -> report.ReportData:
    register = register_in(u)
    data = report.build_report(register, period, previous=_previous(u, period))
    dismissed = _dismissed(u)
    if dismissed:
        kept = [o for o in data.overlaps if (o.project_a, o.project_b) not in dismissed]
        data = dataclasses.replace(data, overlaps=kept)
    return data


def generate(hub: Hub, actor: Actor, period: str, fmt: str, lang: str) -> bytes:
    """Render the report for ``period`` and store its snapshot for the next one."""
    _check(fmt, lang)
    with hub.unit(actor, "coordination.report") as u:
        data = _build(u, period)
        body = (
            report.render_pdf(data, lang)
            if fmt == "pdf"
            else report.render_html(data, lang).encode("utf-8")
        )
        for old in _mine(u, select(ReportSnapshot).where(ReportSnapshot.period == period)):
            u.s.delete(old)
        snapshot = {**data.snapshot(), "scope": _scope(u)}
        u.s.add(ReportSnapshot(period=period, snapshot=snapshot, generated_by=actor.name))
        u.audit("report", period, details={"format": fmt, "lang": lang, "bytes": len(body)})
        return body


def preview(hub: Hub, actor: Actor, period: str, lang: str) -> str:
    """The report as HTML, for the report builder's preview; nothing is stored."""
    _check("html", lang)
    with hub.unit(actor, "coordination.report") as u:
        html = report.render_html(_build(u, period), lang)
        u.audit("report", period, details={"preview": True, "lang": lang})
        return html


def history(hub: Hub, actor: Actor) -> list[ReportInfo]:
    with hub.unit(actor, "coordination.report") as u:
        rows = _mine(u, select(ReportSnapshot).order_by(ReportSnapshot.period.desc()))
        infos = [ReportInfo(r.period, r.generated_by, r.generated_at.isoformat()) for r in rows]
        u.audit("report", details={"listed": len(infos)})
        return infos


__all__ = ["FORMATS", "ReportInfo", "generate", "history", "preview"]
