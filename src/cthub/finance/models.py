"""Tables of the finance capability: transaction datasets and their Parquet partitions, alerts
from monitoring runs, and the cases that decide about them.

The transactions themselves are not in the database: each ingest writes one Parquet partition
under ``<data_dir>/finance/<dataset id>/`` and one ``finance_partitions`` row. Only partitions
with a row are read, so a file left behind by a failed ingest is never part of a dataset.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow


class FinanceDataset(Base):
    """A named set of transactions of one organisation (a bank's feed, an FIU's reports)."""

    __tablename__ = "finance_datasets"
    __table_args__ = (UniqueConstraint("org_id", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinancePartition(Base):
    """One ingested file of a dataset: where its Parquet lies, how many rows, what was skipped."""

    __tablename__ = "finance_partitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("finance_datasets.id"), index=True)
    file: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(300), default="")
    rows: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    ingested_by: Mapped[str] = mapped_column(String(200), default="")
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinanceAlert(Base):
    """One account the rules flagged in one monitoring run, with what fired on which
    transactions (``hits``), until a case decides about it."""

    __tablename__ = "finance_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("finance_datasets.id"), index=True)
    account: Mapped[str] = mapped_column(String(200), index=True)
    score: Mapped[float] = mapped_column(Float)
    rules: Mapped[str] = mapped_column(String(500))
    first_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    tx_count: Mapped[int] = mapped_column(Integer)
    hits: Mapped[list[Any]] = mapped_column(JSON, default=list)
    network: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(12), default="open", index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("finance_cases.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinanceCase(Base):
    """Alerts grouped for one decision: assigned, commented, closed as suspicious or not."""

    __tablename__ = "finance_cases"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)
    assignee: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class FinanceCaseComment(Base):
    __tablename__ = "finance_case_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("finance_cases.id"), index=True)
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FinanceRuleSetting(Base):
    """An organisation's change to one shipped rule: switched on or off, parameters changed.

    A rule with no row runs as the library ships it; ``params`` holds only the parameters
    that differ, so a later release's new defaults still reach the others."""

    __tablename__ = "finance_rule_settings"
    __table_args__ = (UniqueConstraint("org_id", "rule"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[str] = mapped_column(String(200), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


CASE_STATES = ("open", "suspicious", "not_suspicious")

__all__ = [
    "CASE_STATES",
    "FinanceAlert",
    "FinanceCase",
    "FinanceCaseComment",
    "FinanceDataset",
    "FinancePartition",
    "FinanceRuleSetting",
]
