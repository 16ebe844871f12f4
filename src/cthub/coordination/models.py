"""Tables of the coordination register: needs, projects, overlap reviews, meetings, knowledge,
training centres, treaty status and report snapshots.

Needs, projects, meetings and evaluations belong to the organisation that recorded them and are
edited only there; the ``coordinator`` role (the action group's secretariat) reads everything.
Areas of a project are rows of ``coord_project_areas`` so that blocking by (recipient, area) is
an indexed query. Money is an integer in minor units of an ISO 4217 currency, never a float.
Instruments and treaty status are global reference data, like sanctions lists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cthub.core.db import Base, UTCDateTime, utcnow


class Need(Base):
    __tablename__ = "coord_needs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(3), index=True)
    area: Mapped[str] = mapped_column(String(40), index=True)
    priority: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(40))
    identified_on: Mapped[dt.date] = mapped_column(Date)
    confidentiality: Mapped[str] = mapped_column(String(20), default="TLP:GREEN")
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Project(Base):
    __tablename__ = "coord_projects"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    iati_identifier: Mapped[str | None] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    donor: Mapped[str] = mapped_column(String(300), index=True)
    donor_ref: Mapped[str | None] = mapped_column(String(100))
    implementer: Mapped[str] = mapped_column(String(300), default="")
    implementer_ref: Mapped[str | None] = mapped_column(String(100))
    recipient: Mapped[str] = mapped_column(String(3), index=True)
    forms: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), index=True)
    budget_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    area_rows: Mapped[list[ProjectArea]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ProjectArea.area"
    )
    need_rows: Mapped[list[ProjectNeed]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(row.area for row in self.area_rows)

    @property
    def need_ids(self) -> tuple[int, ...]:
        return tuple(sorted(row.need_id for row in self.need_rows))


class ProjectArea(Base):
    __tablename__ = "coord_project_areas"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("coord_projects.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class ProjectNeed(Base):
    __tablename__ = "coord_project_needs"
    project_id: Mapped[int] = mapped_column(
        ForeignKey("coord_projects.id", ondelete="CASCADE"), primary_key=True
    )
    need_id: Mapped[int] = mapped_column(
        ForeignKey("coord_needs.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OverlapReview(Base):
    """A flagged pair and the coordinator's decision; kept when the pair is flagged again."""

    __tablename__ = "coord_overlap_reviews"
    __table_args__ = (UniqueConstraint("project_a", "project_b"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_a: Mapped[int] = mapped_column(ForeignKey("coord_projects.id", ondelete="CASCADE"))
    project_b: Mapped[int] = mapped_column(ForeignKey("coord_projects.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text, default="")
    #: The reasons as msgids with parameters, so each reader sees them in their language.
    reasons_data: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), default="flagged", index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    flagged_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PriorityAdjustment(Base):
    """The coordinator's manual adjustment of one recipient's priority score, with its reason."""

    __tablename__ = "coord_priority_adjustments"
    recipient: Mapped[str] = mapped_column(String(3), primary_key=True)
    adjustment: Mapped[float] = mapped_column(Float, default=0.0)
    reason: Mapped[str] = mapped_column(Text, default="")
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class PrioritySetting(Base):
    """Editable weights of the priority score (one row per component)."""

    __tablename__ = "coord_priority_weights"
    component: Mapped[str] = mapped_column(String(40), primary_key=True)
    weight: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportSnapshot(Base):
    """What a generated semiannual report said, so the next one reports the changes."""

    __tablename__ = "coord_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str] = mapped_column(String(6), index=True)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    generated_by: Mapped[str] = mapped_column(String(120))
    generated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Meeting(Base):
    __tablename__ = "coord_meetings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(3), index=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ActionItem(Base):
    __tablename__ = "coord_action_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("coord_meetings.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class Evaluation(Base):
    """A project evaluation or a lesson learned, tagged by area and searchable."""

    __tablename__ = "coord_evaluations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("coord_projects.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="evaluation")
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    recipient: Mapped[str | None] = mapped_column(String(3))
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TrainingCentre(Base):
    __tablename__ = "coord_training_centres"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    country: Mapped[str] = mapped_column(String(2))
    city: Mapped[str] = mapped_column(String(120), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    curricula: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class CentreProject(Base):
    __tablename__ = "coord_centre_projects"
    centre_id: Mapped[int] = mapped_column(
        ForeignKey("coord_training_centres.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("coord_projects.id", ondelete="CASCADE"), primary_key=True
    )


class Instrument(Base):
    """One of the universal counter-terrorism instruments (conventions and protocols)."""

    __tablename__ = "coord_instruments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    short_name: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(Text)
    adopted_year: Mapped[int] = mapped_column(Integer)
    in_force_year: Mapped[int | None] = mapped_column(Integer)
    depositary: Mapped[str] = mapped_column(String(200), default="")
    domain: Mapped[str] = mapped_column(String(120), default="")
    area: Mapped[str] = mapped_column(String(40))


class TreatyStatus(Base):
    """Where one state stands on one instrument: signature and ratification/accession dates."""

    __tablename__ = "coord_treaty_status"
    __table_args__ = (UniqueConstraint("state", "instrument_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    state: Mapped[str] = mapped_column(String(2), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("coord_instruments.id"), index=True)
    signed_on: Mapped[dt.date | None] = mapped_column(Date)
    consent_on: Mapped[dt.date | None] = mapped_column(Date)
    consent_kind: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(300), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


__all__ = [
    "ActionItem",
    "CentreProject",
    "Evaluation",
    "Instrument",
    "Meeting",
    "Need",
    "OverlapReview",
    "PriorityAdjustment",
    "PrioritySetting",
    "Project",
    "ProjectArea",
    "ProjectNeed",
    "ReportSnapshot",
    "TrainingCentre",
    "TreatyStatus",
]
