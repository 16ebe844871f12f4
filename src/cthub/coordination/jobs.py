"""Coordination job kinds, listed under the ``cthub.jobs`` entry-point group.

``coordination-overlaps`` runs ``analysis.detect`` as the person who started it (so it scores
the register that person sees) and keeps the detection summary as the job's result.
``coordination-report`` runs ``reporting.generate`` and writes the rendered report to
``<data_dir>/reports/<job id>.<html|pdf>``. A report holds the register as its author sees it,
so only the author's organisation (or the operator) follows its progress or downloads it:
jobs are never shared, whatever the sharing rules say of the register.
Progress messages are msgids; pages translate them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cthub.coordination import analysis, report, reporting
from cthub.core import jobs
from cthub.core.errors import Forbidden, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.i18n import N_
from cthub.core.jobs import JobContext, JobView
from cthub.core.policy import Actor
from cthub.core.tables import Job

OVERLAPS = "coordination-overlaps"
REPORT = "coordination-report"
FOLDER = "reports"
MEDIA = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}
_HEX = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True)
class ReportFile:
    path: Path
    filename: str
    media_type: str


def folder(hub: Hub) -> Path:
    path = hub.settings.data_dir / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


@jobs.job(OVERLAPS, action="coordination.read")
def overlaps_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """Score every project pair of the starter's register and store the flagged pairs."""
    ctx.progress(0, 1, N_("Scoring project pairs"))
    result = analysis.detect(hub, ctx.actor)
    ctx.progress(1, 1, N_("Detection finished"))
    return dataclasses.asdict(result)


@jobs.job(REPORT, action="coordination.report")
def report_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """Render the report for the job's period, format and language, and keep the file."""
    period, fmt, lang = (str(ctx.params.get(k, "")) for k in ("period", "format", "lang"))
    ctx.progress(0, 1, N_("Building the report"))
    body = reporting.generate(hub, ctx.actor, period, fmt, lang)
    target = folder(hub) / f"{ctx.job_id}.{fmt}"
    partial = target.with_suffix(".part")
    try:
        partial.write_bytes(body)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    ctx.progress(1, 1, N_("Report ready"))
    name = f"ctc-report-{period}-{lang}.{fmt}"
    return {"period": period, "format": fmt, "lang": lang, "bytes": len(body), "filename": name}


def start_overlaps(hub: Hub, actor: Actor) -> JobView:
    """Start overlap detection; returns at once (the page polls the job)."""
    return jobs.submit(hub, actor, OVERLAPS)


def start_report(hub: Hub, actor: Actor, period: str, fmt: str, lang: str) -> JobView:
    """Start rendering the report; a malformed period is refused before any job exists."""
    period = period.strip().upper()
    report.parse_period(period)
    return jobs.submit(hub, actor, REPORT, {"period": period, "format": fmt, "lang": lang})


def _own(u: Unit, job_id: str, kind: str) -> Job:
    row = u.s.get(Job, job_id) if _HEX.match(job_id) else None
    if row is None or row.kind != kind:
        raise NotFound("No job {id}.", id=job_id)
    if not u.actor.is_system and row.org_id != u.actor.org_id:
        raise Forbidden(
            "This {kind} belongs to another organisation.",
            hint="Data is shared between organisations only under an explicit sharing rule.",
            kind="job",
        )
    return row


def status(hub: Hub, actor: Actor, job_id: str, kind: str) -> JobView:
    """A coordination job's state, live progress and result (its organisation only)."""
    with hub.unit(actor, "jobs.read") as u:
        row = _own(u, job_id, kind)
        u.audit("job", job_id)
        return JobView.of(row, hub)


def report_file(hub: Hub, actor: Actor, job_id: str) -> ReportFile:
    """The file of a finished report job, for the person who generated it (or the operator).

    A report holds the register as its author sees it (for a coordinator, every
    organisation's), so another member of the same organisation may not read more through it.
    """
    with hub.unit(actor, "jobs.read") as u:
        row = _own(u, job_id, REPORT)
        author = (row.actor or {}).get("name")
        if not actor.is_system and author != actor.name:
            raise Forbidden(
                "A report is downloaded only by the person who generated it.",
                hint="Generate the report yourself; it then covers the data you may see.",
            )
        result = row.result or {}
        fmt = str(result.get("format", ""))
        path = folder(hub) / f"{job_id}.{fmt}"
        if row.state != "succeeded" or fmt not in MEDIA or not path.is_file():
            raise NotFound("The report of job {id} is not ready.", id=job_id)
        u.audit("job", job_id, details={"download": REPORT})
        return ReportFile(path, str(result.get("filename") or path.name), MEDIA[fmt])


__all__ = [
    "OVERLAPS",
    "REPORT",
    "ReportFile",
    "overlaps_job",
    "report_file",
    "report_job",
    "start_overlaps",
    "start_report",
    "status",
]
