"""The figures of the semiannual report to the CTC, computed from a register for one half-year.

``build_report(register, "2026H2")`` selects the **existing** assistance (projects in
implementation or completed whose dates meet the period; an unknown start or end counts as
open) and the **planned** assistance (pipeline projects not ended before the period), sums
them by donor, recipient and area (counts, and budgets per currency in integer minor units:
amounts in different currencies are never added), and gathers the top gaps, the flagged
overlaps and donor concentration. A project in several areas counts, with its full budget, in
each of its areas. ``ReportData.snapshot()`` is what the next report diffs against: the
status of every project and the ids of every need, so "changes since the last report" is exact.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cthub.coordination import concentration, gaps, overlaps
from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.coordination.taxonomy import AREA_KEYS
from cthub.core.errors import InvalidInput

SNAPSHOT_VERSION = 1
TOP_GAPS = 15
_PERIOD = re.compile(r"([12]\d{3})H([12])")


@dataclass(frozen=True)
class Breakdown:
    """Existing and planned assistance of one donor, recipient or area (``key``)."""

    key: str
    existing: int = 0
    planned: int = 0
    existing_budget: dict[str, int] = field(default_factory=dict)
    planned_budget: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class StatusChange:
    """A project whose status differs from the previous report's snapshot."""

    project: int
    old: str
    new: str


@dataclass(frozen=True)
class Changes:
    """What changed since the previous report (ids refer to ``ReportData.projects``/``needs``)."""

    previous_period: str | None
    new_projects: tuple[int, ...] = ()
    status_changes: tuple[StatusChange, ...] = ()
    completed: tuple[int, ...] = ()
    cancelled: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    new_needs: tuple[int, ...] = ()


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows; rendering only translates and lays it out."""

    period: str
    start: dt.date
    end: dt.date
    generated_at: dt.datetime
    projects: Mapping[int, ProjectRecord]
    needs: Mapping[int, NeedRecord]
    existing: tuple[int, ...]
    planned: tuple[int, ...]
    by_donor: tuple[Breakdown, ...]
    by_recipient: tuple[Breakdown, ...]
    by_area: tuple[Breakdown, ...]
    total: Breakdown
    changes: Changes | None
    gaps: tuple[gaps.GapCell, ...]
    heatmap: tuple[list[str], list[str], list[list[float | None]]]
    overlaps: list[overlaps.Overlap]
    concentration: dict[str, dict[str, concentration.Concentration]]

    def snapshot(self) -> dict[str, Any]:
        """JSON-serialisable state for the next report: statuses, need ids and the totals."""
        return {
            "version": SNAPSHOT_VERSION,
            "period": self.period,
            "generated_at": self.generated_at.isoformat(),
            "projects": {str(pid): p.status for pid, p in sorted(self.projects.items())},
            "needs": sorted(self.needs),
            "totals": {
                "existing": self.total.existing,
                "planned": self.total.planned,
                "existing_budget": dict(sorted(self.total.existing_budget.items())),
                "planned_budget": dict(sorted(self.total.planned_budget.items())),
            },
        }


def parse_period(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a half-year: ``YYYYH1`` is January to June, ``YYYYH2`` July to
    December; anything else is ``InvalidInput`` naming the period and the expected form."""
    match = _PERIOD.fullmatch(period) if isinstance(period, str) else None
    if match is None:
        raise InvalidInput(
            "Invalid reporting period {period!r}: expected YYYYH1 or YYYYH2.",
            hint="H1 is 1 January to 30 June, H2 is 1 July to 31 December; for example 2026H2.",
            field="period",
            period=period,
        )
    year, half = int(match[1]), int(match[2])
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def is_existing(project: ProjectRecord, start: dt.date, end: dt.date) -> bool:
    """In implementation or completed, with dates that meet [start, end] (unknown = open)."""
    return project.status in ("implementation", "completed") and _meets(project, start, end)


def is_planned(project: ProjectRecord, start: dt.date) -> bool:
    """In the pipeline and not planned to have ended before the period starts."""
    return project.status == "pipeline" and (project.end is None or project.end >= start)


def _meets(project: ProjectRecord, start: dt.date, end: dt.date) -> bool:
    return (project.start is None or project.start <= end) and (
        project.end is None or project.end >= start
    )


def build_report(
    register: Register,
    period: str,
    *,
    previous: dict[str, Any] | None = None,
    generated_at: dt.datetime | None = None,
) -> ReportData:
    """The report for ``period`` (``YYYYH1``/``YYYYH2``, else ``InvalidInput``).

    ``previous`` is the ``snapshot()`` of the last report; without it there are no changes to
    list. ``generated_at`` defaults to now (UTC).
    """
    start, end = parse_period(period)
    existing = [p for p in register.projects if is_existing(p, start, end)]
    planned = [p for p in register.projects if is_planned(p, start)]
    cells = gaps.compute_gaps(register)
    return ReportData(
        period=period,
        start=start,
        end=end,
        generated_at=generated_at or dt.datetime.now(dt.UTC),
        projects={p.id: p for p in register.projects},
        needs={n.id: n for n in register.needs},
        existing=tuple(p.id for p in existing),
        planned=tuple(p.id for p in planned),
        by_donor=breakdown(existing, planned, lambda p: (p.donor,)),
        by_recipient=breakdown(existing, planned, lambda p: (p.recipient,)),
        by_area=breakdown(existing, planned, lambda p: p.areas, order=AREA_KEYS),
        total=breakdown(existing, planned, lambda p: ("total",), order=("total",))[0],
        changes=diff(previous, register) if previous is not None else None,
        gaps=tuple([c for c in cells if c.need_weight and c.gap > 0][:TOP_GAPS]),
        heatmap=gap_matrix(cells),
        overlaps=overlaps.detect_overlaps([*existing, *planned]),
        concentration={
            by: concentration.concentration([*existing, *planned], by)
            for by in ("recipient", "area")
        },
    )


def gap_matrix(
    cells: list[gaps.GapCell],
) -> tuple[list[str], list[str], list[list[float | None]]]:
    """``gaps.heatmap`` with ``None`` where a recipient has no open need in an area (a blank
    cell, not a covered one), and without recipients that have no open need at all."""
    recipients, areas, matrix = gaps.heatmap(cells)
    need = {(c.recipient, c.area): c.need_weight for c in cells}
    masked = [
        [gap if need.get((r, a)) else None for a, gap in zip(areas, row, strict=True)]
        for r, row in zip(recipients, matrix, strict=True)
    ]
    keep = [i for i, row in enumerate(masked) if any(v is not None for v in row)]
    return [recipients[i] for i in keep], areas, [masked[i] for i in keep]


def breakdown(
    existing: Iterable[ProjectRecord],
    planned: Iterable[ProjectRecord],
    keys: Callable[[ProjectRecord], Iterable[str]],
    *,
    order: Iterable[str] = (),
) -> tuple[Breakdown, ...]:
    """Counts and per-currency budgets by ``keys(project)`` (one row per key it yields).

    Rows come in ``order`` first (keys with nothing are kept, with zeros), then the other keys
    sorted; projects without a budget are counted but add no money.
    """
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"existing": 0, "planned": 0})
    money: dict[str, dict[str, dict[str, int]]] = defaultdict(
        lambda: {"existing": {}, "planned": {}}
    )
    for kind, projects in (("existing", existing), ("planned", planned)):
        for project in projects:
            for key in keys(project):
                counts[key][kind] += 1
                if project.budget_minor is not None and project.currency:
                    bucket = money[key][kind]
                    bucket[project.currency] = (
                        bucket.get(project.currency, 0) + project.budget_minor
                    )
    ordered = list(order)
    return tuple(
        Breakdown(
            key,
            counts[key]["existing"],
            counts[key]["planned"],
            money[key]["existing"],
            money[key]["planned"],
        )
        for key in [*ordered, *sorted(set(counts) - set(ordered))]
    )


def diff(previous: Mapping[str, Any], register: Register) -> Changes:
    """What changed in ``register`` since the snapshot ``previous`` (see ``snapshot()``)."""
    before: dict[int, str] = {int(k): str(v) for k, v in dict(previous.get("projects", {})).items()}
    now = {p.id: p.status for p in register.projects}
    moved = tuple(
        StatusChange(pid, before[pid], status)
        for pid, status in sorted(now.items())
        if pid in before and before[pid] != status
    )
    old_needs = {int(n) for n in previous.get("needs", [])}
    return Changes(
        previous_period=previous.get("period"),
        new_projects=tuple(sorted(set(now) - set(before))),
        status_changes=moved,
        completed=tuple(c.project for c in moved if c.new == "completed"),
        cancelled=tuple(c.project for c in moved if c.new == "cancelled"),
        removed=tuple(sorted(set(before) - set(now))),
        new_needs=tuple(sorted(n.id for n in register.needs if n.id not in old_needs)),
    )


__all__ = [
    "SNAPSHOT_VERSION",
    "Breakdown",
    "Changes",
    "ReportData",
    "StatusChange",
    "breakdown",
    "build_report",
    "diff",
    "is_existing",
    "is_planned",
    "parse_period",
]
