"""The needs register and the assistance projects: create, change, list, delete, load.

Each function takes the ``actor`` and runs in one ``hub.unit``: the role gate from
``policy.ACTIONS``, the organisation gate (records are changed only inside the organisation
that recorded them; the coordinator reads every organisation's), and one audit event that
commits with the work. ``load_register`` gives the analytics the plain records they work on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, delete, func, or_, select

from cthub.coordination import validation
from cthub.coordination.models import Need, Project, ProjectArea, ProjectNeed
from cthub.coordination.records import NeedRecord, ProjectRecord, Register
from cthub.core.db import utcnow
from cthub.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor

T = TypeVar("T")
S = TypeVar("S", bound="Select[*tuple[Any, ...]]")
PAGE_MAX = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True)
class NeedView:
    id: int
    org_id: int
    recipient: str
    area: str
    priority: int
    title: str
    description: str
    source: str
    identified_on: dt.date
    confidentiality: str
    status: str
    created_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class ProjectView:
    id: int
    org_id: int
    iati_identifier: str | None
    title: str
    description: str
    donor: str
    implementer: str
    recipient: str
    areas: tuple[str, ...]
    forms: tuple[str, ...]
    status: str
    budget_minor: int | None
    currency: str | None
    budget: str
    start_date: dt.date | None
    end_date: dt.date | None
    contacts: list[dict[str, Any]]
    results: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    need_ids: tuple[int, ...]
    created_by: str
    updated_at: dt.datetime


@dataclass(frozen=True)
class Filter:
    recipient: str | None = None
    area: str | None = None
    status: str | None = None
    donor: str | None = None
    q: str | None = None
    sort: str = "-id"

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # PostgreSQL text holds no NUL: never send one
            value = getattr(self, f.name)
            if isinstance(value, str) and "\x00" in value:
                object.__setattr__(self, f.name, value.replace("\x00", ""))


def need_view(n: Need) -> NeedView:
    return NeedView(
        n.id, n.org_id, n.recipient, n.area, n.priority, n.title, n.description, n.source,
        n.identified_on, n.confidentiality, n.status, n.created_by, n.updated_at,
    )  # fmt: skip


def project_view(p: Project) -> ProjectView:
    return ProjectView(
        p.id, p.org_id, p.iati_identifier, p.title, p.description, p.donor, p.implementer,
        p.recipient, p.areas, tuple(p.forms or ()), p.status, p.budget_minor, p.currency,
        validation.format_money(p.budget_minor, p.currency), p.start_date, p.end_date,
        list(p.contacts or []), list(p.results or []), list(p.documents or []), p.need_ids,
        p.created_by, p.updated_at,
    )  # fmt: skip


#: TLP 2.0 labels of needs that stay inside the recording organisation: a sharing rule does not
#: reach them (RED is for named recipients, AMBER+STRICT for the recipient organisation only).
#: The recording organisation and the coordinator, to whom needs are reported, still see them.
OWN_ORG_ONLY = ("TLP:RED", "TLP:AMBER+STRICT")


def scoped(u: Unit, stmt: S, org_col: Any) -> S:
    orgs = u.visible_orgs()
    if orgs is None:
        return stmt
    stmt = stmt.where(org_col.in_(orgs))
    if org_col is Need.org_id:
        stmt = stmt.where(
            or_(Need.org_id == u.actor.org_id, Need.confidentiality.not_in(OWN_ORG_ONLY))
        )
    return stmt


def _sorted(stmt: S, model: Any, sort: str, allowed: tuple[str, ...]) -> S:
    key = sort.lstrip("-")
    if key not in allowed:
        raise InvalidInput(
            "Cannot sort by {field}.", hint="Sort by one of: {allowed}.", field=key,
            allowed=", ".join(allowed),
        )  # fmt: skip
    column = getattr(model, key)
    return stmt.order_by(column.desc() if sort.startswith("-") else column.asc(), model.id)


def paged(u: Unit, stmt: Any, limit: int, offset: int) -> tuple[list[Any], int]:
    total = u.s.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    limit = max(1, min(limit, PAGE_MAX))
    return list(u.s.scalars(stmt.limit(limit).offset(max(0, offset)))), total


# -- needs -------------------------------------------------------------------------------------

NEED_SORTS = ("id", "recipient", "area", "priority", "identified_on", "status", "title")


def create_need(hub: Hub, actor: Actor, data: Mapping[str, Any]) -> NeedView:
    values = validation.need_data(data)
    with hub.unit(actor, "coordination.write") as u:
        org_id = writer_org(u, data)
        need = Need(org_id=org_id, created_by=actor.name, **values.__dict__)
        u.s.add(need)
        u.s.flush()
        u.audit("need", need.id, org_id=org_id, details={"recipient": need.recipient})
        return need_view(need)


def update_need(hub: Hub, actor: Actor, need_id: int, data: Mapping[str, Any]) -> NeedView:
    values = validation.need_data(data)
    with hub.unit(actor, "coordination.write") as u:
        need = get_owned(u, Need, need_id, "need")
        for key, value in values.__dict__.items():
            setattr(need, key, value)
        need.updated_at = utcnow()
        u.audit("need", need.id, org_id=need.org_id)
        return need_view(need)


def delete_need(hub: Hub, actor: Actor, need_id: int) -> None:
    with hub.unit(actor, "coordination.write") as u:
        need = get_owned(u, Need, need_id, "need")
        u.s.execute(delete(ProjectNeed).where(ProjectNeed.need_id == need.id))
        u.s.delete(need)
        u.audit("need", need_id, org_id=need.org_id, details={"deleted": True})


def get_need(hub: Hub, actor: Actor, need_id: int) -> NeedView:
    with hub.unit(actor, "coordination.read") as u:
        need = get_owned(u, Need, need_id, "need")
        u.audit("need", need.id, org_id=need.org_id)
        return need_view(need)


def list_needs(
    hub: Hub, actor: Actor, flt: Filter | None = None, limit: int = 50, offset: int = 0
) -> Page[NeedView]:
    flt = flt or Filter(sort="-priority")
    with hub.unit(actor, "coordination.read") as u:
        stmt = scoped(u, select(Need), Need.org_id)
        if flt.recipient:
            stmt = stmt.where(Need.recipient == flt.recipient.upper())
        if flt.area:
            stmt = stmt.where(Need.area == flt.area)
        if flt.status:
            stmt = stmt.where(Need.status == flt.status)
        if flt.q:
            stmt = stmt.where(Need.title.ilike(f"%{flt.q}%"))
        rows, total = paged(u, _sorted(stmt, Need, flt.sort, NEED_SORTS), limit, offset)
        u.audit("need", details={"listed": len(rows)})
        return Page([need_view(n) for n in rows], total, limit, offset)


# -- projects ----------------------------------------------------------------------------------

PROJECT_SORTS = ("id", "title", "donor", "recipient", "status", "start_date", "end_date")


def create_project(hub: Hub, actor: Actor, data: Mapping[str, Any]) -> ProjectView:
    values = validation.project_data(data)
    with hub.unit(actor, "coordination.write") as u:
        project = Project(org_id=writer_org(u, data), created_by=actor.name)
        _apply(u, project, values)
        u.audit("project", project.id, org_id=project.org_id, details={"title": project.title})
        return project_view(project)


def update_project(hub: Hub, actor: Actor, project_id: int, data: Mapping[str, Any]) -> ProjectView:
    values = validation.project_data(data)
    with hub.unit(actor, "coordination.write") as u:
        project = get_owned(u, Project, project_id, "project")
        kept = {  # identifiers a form does not show are kept unless the caller sends them
            key: getattr(project, key)
            for key in ("iati_identifier", "donor_ref", "implementer_ref")
            if key not in data
        }
        _apply(u, project, dataclasses.replace(values, **kept))
        u.audit("project", project.id, org_id=project.org_id)
        return project_view(project)


def delete_project(hub: Hub, actor: Actor, project_id: int) -> None:
    with hub.unit(actor, "coordination.write") as u:
        project = get_owned(u, Project, project_id, "project")
        u.s.delete(project)
        u.audit("project", project_id, org_id=project.org_id, details={"deleted": True})


def get_project(hub: Hub, actor: Actor, project_id: int) -> ProjectView:
    with hub.unit(actor, "coordination.read") as u:
        project = get_owned(u, Project, project_id, "project")
        u.audit("project", project.id, org_id=project.org_id)
        return project_view(project)


def list_projects(
    hub: Hub, actor: Actor, flt: Filter | None = None, limit: int = 50, offset: int = 0
) -> Page[ProjectView]:
    flt = flt or Filter()
    with hub.unit(actor, "coordination.read") as u:
        stmt = scoped(u, select(Project), Project.org_id)
        if flt.recipient:
            stmt = stmt.where(Project.recipient == flt.recipient.upper())
        if flt.area:
            stmt = stmt.where(
                Project.id.in_(select(ProjectArea.project_id).where(ProjectArea.area == flt.area))
            )
        if flt.status:
            stmt = stmt.where(Project.status == flt.status)
        if flt.donor:
            stmt = stmt.where(Project.donor == flt.donor)
        if flt.q:
            stmt = stmt.where(Project.title.ilike(f"%{flt.q}%"))
        rows, total = paged(u, _sorted(stmt, Project, flt.sort, PROJECT_SORTS), limit, offset)
        u.audit("project", details={"listed": len(rows)})
        return Page([project_view(p) for p in rows], total, limit, offset)


def apply_project(u: Unit, project: Project, values: validation.ProjectData) -> None:
    """Write validated values into ``project`` (new or existing) inside the caller's unit."""
    _apply(u, project, values)


def _apply(u: Unit, project: Project, values: validation.ProjectData) -> None:
    plain = dict(values.__dict__)
    areas, need_ids = plain.pop("areas"), plain.pop("need_ids")
    plain["forms"] = list(plain["forms"])
    for key, value in plain.items():
        setattr(project, key, value)
    project.updated_at = utcnow()
    if project.id is None:
        u.s.add(project)
    _check_needs(u, need_ids)
    project.area_rows = [ProjectArea(area=a) for a in areas]
    project.need_rows = [ProjectNeed(need_id=n) for n in need_ids]
    u.s.flush()


def _check_needs(u: Unit, need_ids: tuple[int, ...]) -> None:
    if not need_ids:
        return
    stmt = scoped(u, select(Need.id).where(Need.id.in_(need_ids)), Need.org_id)
    found = set(u.s.scalars(stmt))
    missing = [n for n in need_ids if n not in found]
    if missing:
        raise InvalidInput(
            "Linked need {value} does not exist or is not visible to you.",
            field="need_ids",
            value=missing[0],
        )


def writer_org(u: Unit, data: Mapping[str, Any]) -> int:
    """New records belong to the actor's organisation; the operator must name one."""
    if u.actor.org_id is not None:
        return u.actor.org_id
    org = data.get("org_id")
    if org is None:
        raise InvalidInput(
            "Records need an owning organisation.", hint="Pass org_id (the operator has none)."
        )
    return int(org)


def get_owned(u: Unit, model: type[T], record_id: int, kind: str) -> T:
    record = u.s.get(model, record_id)
    if record is None:
        raise NotFound("No {kind} with id {id}.", kind=kind, id=record_id)
    u.require(record)  # type: ignore[arg-type]
    if isinstance(record, Need) and not _may_see_need(u, record):
        raise Forbidden(
            "This need is marked {label} and stays inside the organisation that recorded it.",
            label=record.confidentiality,
        )
    return record


def _may_see_need(u: Unit, need: Need) -> bool:
    if u.visible_orgs() is None or need.org_id == u.actor.org_id:
        return True
    return need.confidentiality not in OWN_ORG_ONLY


# -- the whole register, for analytics -------------------------------------------------------


def _project_record(p: Project) -> ProjectRecord:
    return ProjectRecord(
        id=p.id, title=p.title, donor=p.donor, recipient=p.recipient, areas=p.areas,
        status=p.status, description=p.description, implementer=p.implementer,
        forms=tuple(p.forms or ()), start=p.start_date, end=p.end_date,
        budget_minor=p.budget_minor, currency=p.currency, need_ids=p.need_ids,
        iati_identifier=p.iati_identifier,
    )  # fmt: skip


def _need_record(n: Need) -> NeedRecord:
    return NeedRecord(
        id=n.id, recipient=n.recipient, area=n.area, priority=n.priority, title=n.title,
        description=n.description, status=n.status, source=n.source,
        identified_on=n.identified_on,
    )  # fmt: skip


def register_in(u: Unit, recipient: str | None = None) -> Register:
    """The visible register inside an open unit (optionally one recipient's part of it)."""
    projects = scoped(u, select(Project).order_by(Project.id), Project.org_id)
    needs = scoped(u, select(Need).order_by(Need.id), Need.org_id)
    if recipient:
        projects = projects.where(Project.recipient == recipient)
        needs = needs.where(Need.recipient == recipient)
    return Register(
        projects=tuple(_project_record(p) for p in u.s.scalars(projects)),
        needs=tuple(_need_record(n) for n in u.s.scalars(needs)),
    )


def load_register(hub: Hub, actor: Actor, recipient: str | None = None) -> Register:
    with hub.unit(actor, "coordination.read") as u:
        register = register_in(u, recipient)
        u.audit("register", details={"projects": len(register.projects)})
        return register


def project_by_iati(u: Unit, identifier: str) -> Project | None:
    project = u.s.scalar(select(Project).where(Project.iati_identifier == identifier))
    if project is not None and u.actor.org_id not in (None, project.org_id):
        raise Conflict(
            "The IATI activity {id} is recorded by another organisation.",
            hint="Only the organisation that recorded it may update it.",
            id=identifier,
        )
    return project


__all__ = [
    "OWN_ORG_ONLY",
    "Filter",
    "NeedView",
    "Page",
    "ProjectView",
    "apply_project",
    "create_need",
    "create_project",
    "delete_need",
    "delete_project",
    "get_need",
    "get_owned",
    "get_project",
    "list_needs",
    "list_projects",
    "load_register",
    "need_view",
    "paged",
    "project_by_iati",
    "project_view",
    "register_in",
    "scoped",
    "update_need",
    "update_project",
    "writer_org",
]
