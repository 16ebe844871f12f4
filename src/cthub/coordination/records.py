"""Plain records the analytics work on: projects and needs, detached from the database.

Overlap detection, gap analysis, the priority score, donor concentration and the recommender
are pure functions over these records, so they run the same on a register loaded from
SQLite or PostgreSQL, on a generated register in a benchmark, and in tests without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ProjectRecord:
    """One assistance project. ``recipient`` is an ISO 3166-1 alpha-2 code or an IATI region code.

    ``budget_minor`` is the budget in minor units of ``currency`` (integer, never float).
    ``areas`` and ``forms`` use the keys of ``taxonomy``. ``start``/``end`` may be unknown.
    """

    id: int
    title: str
    donor: str
    recipient: str
    areas: tuple[str, ...]
    status: str
    description: str = ""
    implementer: str = ""
    forms: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    budget_minor: int | None = None
    currency: str | None = None
    need_ids: tuple[int, ...] = ()
    iati_identifier: str | None = None


@dataclass(frozen=True)
class NeedRecord:
    """One capacity-building need of a recipient in one area, priority 1 (low) to 5 (high)."""

    id: int
    recipient: str
    area: str
    priority: int
    title: str = ""
    description: str = ""
    status: str = "open"
    source: str = "cted_assessment"
    identified_on: dt.date | None = None


@dataclass(frozen=True)
class Register:
    """A whole register: what the analytics and the report are computed from."""

    projects: tuple[ProjectRecord, ...] = ()
    needs: tuple[NeedRecord, ...] = ()
    #: Planted overlap pairs (generated registers only): (smaller id, larger id).
    planted_overlaps: frozenset[tuple[int, int]] = field(default_factory=frozenset)


__all__ = ["NeedRecord", "ProjectRecord", "Register"]
