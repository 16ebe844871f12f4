"""Tables of the finance capability: transaction datasets and their Parquet partitions.

The transactions themselves are not in the database: each ingest writes one Parquet partition
under ``<data_dir>/finance/<dataset id>/`` and one ``finance_partitions`` row. Only partitions
with a row are read, so a file left behind by a failed ingest is never part of a dataset.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
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


__all__ = ["FinanceDataset", "FinancePartition"]
