"""Tables of the ownership capability: loads, statements, entities, identifiers, edges, problems.

Ownership registers are reference data, as sanctions lists are: no organisation owns a row, and
``ownership.read`` / ``ownership.load`` are role gates. One load is one file, written in one
transaction with its problems, so a failed file leaves nothing behind.

``ownership_statements`` remembers every statement id seen (and what replaced it), so that a
re-sent or out-of-order statement is recognised in a later load. ``ownership_edges`` holds one
row per interest in the edge contract of ``edges_table``: shares as fractions with inclusive or
exclusive bounds; ``status`` is ``current``, ``replaced`` (a later statement of the same record,
or 0.2 ``replacesStatements``) or ``closed`` (BODS 0.4 ``recordStatus: closed``, a ceased PSC);
``summary`` marks an indirect interest whose chain is stored too.

``ownership_alerts`` holds one exposure alert per regime and entity while the entity is blocked
or possibly blocked (state ``open``, ``confirmed`` or ``dismissed``); when it no longer is, the
alert is ``closed`` with the reason, and its decision (who, when, why) stays on the row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow


class OwnershipLoad(Base):
    __tablename__ = "ownership_loads"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text, default="")
    format: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[str] = mapped_column(String(200), default="")
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    records: Mapped[int] = mapped_column(Integer, default=0)
    statements: Mapped[int] = mapped_column(Integer, default=0)
    entities: Mapped[int] = mapped_column(Integer, default=0)
    edges: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OwnershipStatement(Base):
    __tablename__ = "ownership_statements"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[str | None] = mapped_column(String(200), index=True)
    statement_date: Mapped[str | None] = mapped_column(String(32))
    digest: Mapped[str] = mapped_column(String(64), default="")
    replaced_by: Mapped[str | None] = mapped_column(String(200))
    load_id: Mapped[int] = mapped_column(ForeignKey("ownership_loads.id"), index=True)


class OwnershipEntity(Base):
    __tablename__ = "ownership_entities"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    subtype: Mapped[str] = mapped_column(String(60), default="")
    name: Mapped[str] = mapped_column(String(500), default="")
    jurisdiction: Mapped[str | None] = mapped_column(String(6))
    placeholder: Mapped[bool] = mapped_column(Boolean, default=False)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    replaced_by: Mapped[str | None] = mapped_column(String(200))
    statement_id: Mapped[str | None] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    load_id: Mapped[int] = mapped_column(ForeignKey("ownership_loads.id"), index=True)


class OwnershipIdentifier(Base):
    __tablename__ = "ownership_identifiers"
    entity_id: Mapped[str] = mapped_column(
        ForeignKey("ownership_entities.id", ondelete="CASCADE"), primary_key=True
    )
    scheme: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)
    #: letters and digits, upper case: what identifier links compare
    norm: Mapped[str] = mapped_column(String(200), index=True)


class OwnershipEdge(Base):
    __tablename__ = "ownership_edges"
    edge_id: Mapped[str] = mapped_column(String(220), primary_key=True)
    owner: Mapped[str] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    asset: Mapped[str] = mapped_column(ForeignKey("ownership_entities.id"), index=True)
    interest: Mapped[str] = mapped_column(String(10))
    interest_type: Mapped[str] = mapped_column(String(120), default="")
    share_min: Mapped[float | None] = mapped_column(Float)
    share_max: Mapped[float | None] = mapped_column(Float)
    min_inclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    max_inclusive: Mapped[bool] = mapped_column(Boolean, default=True)
    joint_group: Mapped[str | None] = mapped_column(String(200))
    direct: Mapped[str | None] = mapped_column(String(10))
    beneficial: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    statement_id: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(10), default="current", index=True)
    source: Mapped[str] = mapped_column(String(300), default="")
    load_id: Mapped[int] = mapped_column(ForeignKey("ownership_loads.id"), index=True)


class OwnershipProblem(Base):
    """What was wrong with one record of one load (the first ``MAX_STORED`` of a load)."""

    __tablename__ = "ownership_problems"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    load_id: Mapped[int] = mapped_column(ForeignKey("ownership_loads.id"), index=True)
    record: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(200), default="")
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)


ALERT_STATES = ("open", "confirmed", "dismissed", "closed")
LIVE_STATES = ("open", "confirmed", "dismissed")
ALERT_DECISIONS = ("confirmed", "dismissed")


class OwnershipAlert(Base):
    """An entity a sanctions regime blocks (or possibly blocks) through ownership or control.

    ``seeds``: the listings the explanation starts from, ``[{"list", "ref", "entity_id"}]``;
    ``reason``: why the alert was last opened, updated or closed; ``decision``/``decided_by``/
    ``decided_at``/``decision_reason``: the human decision, kept when the alert closes.
    """

    __tablename__ = "ownership_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    regime: Mapped[str] = mapped_column(String(10), index=True)
    entity_id: Mapped[str] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(20))
    owners_share: Mapped[str] = mapped_column(String(60), default="")
    path: Mapped[str] = mapped_column(Text, default="")
    seeds: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision: Mapped[str | None] = mapped_column(String(12))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    decision_reason: Mapped[str | None] = mapped_column(Text)


__all__ = [
    "ALERT_DECISIONS",
    "ALERT_STATES",
    "LIVE_STATES",
    "OwnershipAlert",
    "OwnershipEdge",
    "OwnershipEntity",
    "OwnershipIdentifier",
    "OwnershipLoad",
    "OwnershipProblem",
    "OwnershipStatement",
]
