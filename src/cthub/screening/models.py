"""Tables of screening review: subjects under watch, the alerts their hits raise, decisions.

A watched subject belongs to one organisation and carries that organisation's own id
(``external_id``). An alert records the list entry's ``content_hash`` at the time it was raised,
so a false-positive decision suppresses exactly that content: when a new list version changes the
entry, the hash differs and a new alert opens. Decisions are kept as history, never overwritten.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow

ALERT_STATES = ("open", "true_match", "false_positive", "closed")
DECISIONS = ("true_match", "false_positive")


class WatchedSubject(Base):
    __tablename__ = "watched_subjects"
    __table_args__ = (UniqueConstraint("org_id", "external_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(500))
    type: Mapped[str | None] = mapped_column(String(20))
    birth_date: Mapped[str | None] = mapped_column(String(10))
    nationality: Mapped[str | None] = mapped_column(String(2))
    gender: Mapped[str | None] = mapped_column(String(20))
    id_number: Mapped[str | None] = mapped_column(String(100))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Alert(Base):
    __tablename__ = "alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("watched_subjects.id"), index=True)
    query_id: Mapped[str] = mapped_column(String(200))
    list_name: Mapped[str] = mapped_column(String(60))
    list_ref: Mapped[str] = mapped_column(String(120))
    entry_hash: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    matched_name: Mapped[str] = mapped_column(String(500))
    entity_name: Mapped[str] = mapped_column(String(300))
    explanation: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    closed_reason: Mapped[str | None] = mapped_column(Text)
    reopens_alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Decision(Base):
    __tablename__ = "decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = ["ALERT_STATES", "DECISIONS", "Alert", "Decision", "WatchedSubject"]
