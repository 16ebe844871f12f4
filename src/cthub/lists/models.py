"""Tables of sanctions lists: a list, its versions (one load each) and the entries of a version.

A list is global reference data (no organisation owns it). Every load adds a new version; only
the service flips ``active``, in the same transaction that writes the entries, so exactly one
version per list is active and a failed load never leaves a half-written version behind.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from cthub.core.db import Base, UTCDateTime, utcnow


class SanctionList(Base):
    __tablename__ = "sanction_lists"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")


class ListVersion(Base):
    __tablename__ = "list_versions"
    __table_args__ = (UniqueConstraint("list_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("sanction_lists.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    loaded_by: Mapped[str] = mapped_column(String(120), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    sha256: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=False)


class ListEntry(Base):
    __tablename__ = "list_entries"
    __table_args__ = (UniqueConstraint("version_id", "ref"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("list_versions.id", ondelete="CASCADE"), index=True
    )
    ref: Mapped[str] = mapped_column(String(120))
    schema: Mapped[str] = mapped_column(String(60))
    caption: Mapped[str] = mapped_column(String(300))
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))


__all__ = ["ListEntry", "ListVersion", "SanctionList"]
