"""IATI 2.03 exchange of the register: import activity files, export XSD-valid ones.

Import is all or nothing: the file is parsed and validated first (``cthub.coordination.iati``);
if any activity is invalid the whole file is refused, naming the first activities and their
lines, unless ``skip_invalid`` is set, in which case each skipped activity is reported. Then
every activity is written in one transaction: an activity whose ``iati-identifier`` is already
in the register updates that project (only the organisation that recorded it may), the others
are created. Activities with no CTC area among their sectors, or with no recipient, are outside
the register and listed as such, never silently dropped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cthub.coordination import validation
from cthub.coordination.iati import IatiActivity, Org, export_activities, parse_activities
from cthub.coordination.models import Project
from cthub.coordination.service import apply_project, project_by_iati
from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.core.tables import Organisation

NODE_REF = "XI-CTHUB"
NODE_NAME = "cthub coordination register"


@dataclass(frozen=True)
class SkippedActivity:
    identifier: str
    line: int
    errors: list[str]


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    invalid: list[SkippedActivity] = field(default_factory=list)
    #: (iati-identifier, why it is not part of the register)
    outside: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _refuse_invalid(name: str, invalid: list[SkippedActivity]) -> InvalidInput:
    first = "; ".join(
        f"{a.identifier or '?'} (line {a.line}): {a.errors[0] if a.errors else ''}"
        for a in invalid[:3]
    )
    return InvalidInput(
        "{file}: {count} invalid activities, nothing was imported. First: {first}",
        hint="Correct them, or pass --skip-invalid to import the valid ones and list the rest.",
        file=name, count=len(invalid), first=first,
    )  # fmt: skip


def _values(act: IatiActivity) -> dict[str, Any]:
    return {
        "iati_identifier": act.iati_identifier, "title": act.title[:500] or act.iati_identifier,
        "description": act.description, "donor": act.donor.name or act.reporting_org.name,
        "donor_ref": act.donor.ref or None, "recipient": act.recipient,
        "implementer": act.implementer.name if act.implementer else "",
        "implementer_ref": act.implementer.ref if act.implementer else None,
        "areas": list(act.areas), "forms": list(act.forms), "status": act.status,
        "budget_minor": act.budget_minor, "currency": act.currency, "start_date": act.start,
        "end_date": act.end, "contacts": [dict(c) for c in act.contacts],
        "results": [dict(r) for r in act.results], "documents": [dict(d) for d in act.documents],
    }  # fmt: skip


def _owner(u: Unit, act: IatiActivity) -> int:
    """The actor's organisation; for the operator, the reporting organisation (created once)."""
    if u.actor.org_id is not None:
        return u.actor.org_id
    name = (act.reporting_org.name or act.donor.name or act.reporting_org.ref or "IATI")[:200]
    org = u.s.scalar(select(Organisation).where(Organisation.name == name))
    if org is None:
        org = Organisation(name=name, kind="government")
        u.s.add(org)
        u.s.flush()
    return org.id


def _write(u: Unit, act: IatiActivity, source: str) -> bool:
    """Create or update the project of ``act``; True when it was created."""
    try:
        values = validation.project_data(_values(act))
    except InvalidInput as exc:
        raise InvalidInput(
            "{file}: activity {id} (line {line}): {error}",
            file=source, id=act.iati_identifier, line=act.line, error=exc.render(),
        ) from None  # fmt: skip
    project = project_by_iati(u, act.iati_identifier)
    created = project is None
    if project is None:
        project = Project(org_id=_owner(u, act), created_by=u.actor.name)
    apply_project(u, project, values)
    return created


def import_iati(hub: Hub, actor: Actor, path: Path, *, skip_invalid: bool = False) -> ImportResult:
    """Import an IATI activity file in one transaction (see the module docstring)."""
    parsed = parse_activities(path, source_name=path.name)
    invalid = [SkippedActivity(a.identifier, a.line, list(a.errors)) for a in parsed.invalid]
    if invalid and not skip_invalid:
        raise _refuse_invalid(path.name, invalid)
    outside: list[tuple[str, str]] = []
    created = updated = 0
    with hub.unit(actor, "coordination.import") as u:
        for act in parsed.activities:
            if not act.areas:
                outside.append((act.iati_identifier, "no CTC assistance area among its sectors"))
            elif act.recipient is None:
                outside.append((act.iati_identifier, "no recipient country or region"))
            elif _write(u, act, path.name):
                created += 1
            else:
                updated += 1
        u.audit("iati_import", path.name, details={
            "created": created, "updated": updated, "invalid": len(invalid),
            "outside": len(outside), "version": parsed.version,
        })  # fmt: skip
    return ImportResult(created, updated, invalid, outside, list(parsed.warnings))


def _activity(p: Project) -> IatiActivity:
    identifier = p.iati_identifier or f"{NODE_REF}-{p.org_id}-{p.id}"
    return IatiActivity(
        iati_identifier=identifier, title=p.title, status=p.status, titles={"en": p.title},
        description=p.description, reporting_org=Org(NODE_NAME, NODE_REF),
        donor=Org(p.donor, p.donor_ref or ""),
        implementer=Org(p.implementer, p.implementer_ref or "") if p.implementer else None,
        recipient=p.recipient, areas=p.areas, forms=tuple(p.forms or ()), start=p.start_date,
        end=p.end_date, budget_minor=p.budget_minor, currency=p.currency,
        contacts=tuple(p.contacts or ()), results=tuple(p.results or ()),  # type: ignore[arg-type]
        documents=tuple(p.documents or ()),  # type: ignore[arg-type]
    )  # fmt: skip


def export_iati(hub: Hub, actor: Actor, *, recipient: str | None = None) -> bytes:
    """The visible projects (optionally one recipient's) as an IATI 2.03 activity file."""
    code = validation.recipient(recipient) if recipient else None
    with hub.unit(actor, "coordination.import") as u:
        stmt = select(Project).order_by(Project.id)
        orgs = u.visible_orgs("coordination.read")
        if orgs is not None:
            stmt = stmt.where(Project.org_id.in_(orgs))
        if code:
            stmt = stmt.where(Project.recipient == code)
        activities = [_activity(p) for p in u.s.scalars(stmt)]
        data = export_activities(
            activities, reporting_org=(NODE_REF, NODE_NAME), generated_at=dt.datetime.now(dt.UTC)
        )
        u.audit("iati_export", code, details={"activities": len(activities)})
        return data


__all__ = ["ImportResult", "SkippedActivity", "export_iati", "import_iati"]
