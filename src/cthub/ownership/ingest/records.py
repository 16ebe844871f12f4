"""What every format parser produces: statements, entities, edges and per-record problems.

A parser turns one file into a ``Batch`` without touching the database. Ids are already in the
store's namespace (``bods:<id>``, ``gb-coh:<number>``, ``psc:<company>/<psc id>``,
``ftm:<id>``), so the store only has to resolve references that the file itself does not
define, and to apply what a statement replaces.

Severity: an ``error`` means the record (a statement, or one interest of it) was *not*
imported; a ``warning`` means it was imported as read, with something worth knowing (a schema
deviation, a placeholder party, a cycle).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]
Kind = Literal["person", "company", "arrangement", "unknown"]
Interest = Literal["ownership", "voting", "control"]
#: Entity kinds of the edge contract (``edges_table`` / ``entity``).
KINDS: tuple[str, ...] = ("person", "company", "arrangement", "unknown")
INTERESTS: tuple[str, ...] = ("ownership", "voting", "control")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one record: where (file, statement id or line, field) and what."""

    file: str
    record: str
    field: str
    code: str
    message: str
    severity: Severity = "error"

    def render(self) -> str:
        where = f"{self.file} {self.record}" + (f" {self.field}" if self.field else "")
        return f"{where}: {self.severity} [{self.code}] {self.message}"


@dataclass
class StatementRec:
    """One statement (or PSC / FtM record) as read: what it is and what it replaces."""

    id: str
    kind: str  # entity | person | relationship
    digest: str
    record_id: str | None = None
    date: str | None = None  # ISO date or date-time, for ordering updates of one record
    status: str = "new"  # new | updated | closed
    replaces: tuple[str, ...] = ()
    superseded_by: str | None = None  # a later statement of the same record in this file


@dataclass
class EntityRec:
    id: str
    kind: str
    statement_id: str
    name: str = ""
    subtype: str = ""
    jurisdiction: str | None = None
    identifiers: list[tuple[str, str]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)
    closed: bool = False
    #: Known only as a reference (a PSC's company, an FtM id): stored when absent, never
    #: overwriting what another statement said about it.
    stub: bool = False


@dataclass
class EdgeRec:
    """One interest of one relationship; shares are fractions 0..1 (``None`` = unknown)."""

    edge_id: str
    owner: str
    asset: str
    interest: str
    interest_type: str
    statement_id: str
    share_min: float | None = None
    share_max: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    joint_group: str | None = None
    direct: str | None = None  # direct | indirect | unknown
    beneficial: bool | None = None
    summary: bool = False  # an indirect interest whose chain is given by component records
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    source: str = ""
    status: str = "current"  # current | replaced | closed


@dataclass
class Batch:
    """Everything one file held, ready for the store; ``read`` counts records seen."""

    file: str
    format: str
    read: int = 0
    statements: list[StatementRec] = field(default_factory=list)
    entities: dict[str, EntityRec] = field(default_factory=dict)
    edges: list[EdgeRec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unspecified: int = 0  # relationships whose interested party is declared unknown / none
    sha256: str = ""  # of the file's bytes

    def problem(
        self, record: str, fld: str, code: str, message: str, severity: Severity = "error"
    ) -> None:
        self.problems.append(Problem(self.file, record, fld, code, message, severity))

    def warn(self, record: str, fld: str, code: str, message: str) -> None:
        self.problem(record, fld, code, message, "warning")

    def add_entity(self, entity: EntityRec) -> None:
        """Keep ``entity``, unless it is a stub of one already described in this file."""
        held = self.entities.get(entity.id)
        if held is None or not entity.stub or held.stub:
            self.entities[entity.id] = entity


def shown(statement_id: str) -> str:
    """A stored statement id as the file wrote it (without the ``bods:`` / ``psc:`` prefix)."""
    return statement_id.partition(":")[2] or statement_id


__all__ = [
    "INTERESTS",
    "KINDS",
    "Batch",
    "EdgeRec",
    "EntityRec",
    "Interest",
    "Kind",
    "Problem",
    "Severity",
    "StatementRec",
    "shown",
]
