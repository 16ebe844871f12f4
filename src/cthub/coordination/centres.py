"""Regional training centres: where counter-terrorism courses are taught, and what they teach.

Centres are global reference data, like the instruments: they belong to no organisation, every
coordination reader sees them (``coordination.read``), and admin, coordinator and analyst
staff maintain them (``coordination.write``). A centre's curriculum is a list of courses
``{title, area, audience, duration_days}``. A centre is linked to the assistance projects that
use it; linking needs read access to the project, and a centre lists only the linked projects
the reader may see, so the links reveal nothing of another organisation's register.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import String, cast, delete, func, select

from cthub.coordination import taxonomy, validation
from cthub.coordination.models import CentreProject, Project, TrainingCentre
from cthub.coordination.service import Page, paged
from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.model.countries import country_code
from cthub.core.policy import Actor

MAX_COURSES = 200


@dataclass(frozen=True)
class Course:
    title: str
    area: str
    audience: str
    duration_days: int


@dataclass(frozen=True)
class CentreView:
    id: int
    name: str
    country: str
    city: str
    url: str
    areas: tuple[str, ...]
    curricula: tuple[Course, ...]
    project_ids: tuple[int, ...]


def _courses(raw: list[dict[str, Any]] | None) -> tuple[Course, ...]:
    return tuple(
        Course(str(c["title"]), str(c["area"]), str(c.get("audience", "")), int(c["duration_days"]))
        for c in raw or []
    )


def _view(u: Unit, centre: TrainingCentre) -> CentreView:
    stmt = select(CentreProject.project_id).join(Project, Project.id == CentreProject.project_id)
    stmt = stmt.where(CentreProject.centre_id == centre.id).order_by(CentreProject.project_id)
    orgs = u.visible_orgs("coordination.read")
    if orgs is not None:
        stmt = stmt.where(Project.org_id.in_(orgs))
    return CentreView(
        centre.id, centre.name, centre.country, centre.city, centre.url,
        tuple(centre.areas or ()), _courses(centre.curricula), tuple(u.s.scalars(stmt)),
    )  # fmt: skip


# -- validation --------------------------------------------------------------------------------


def _country(value: Any) -> str:
    raw = str(value or "").strip()
    code = country_code(raw) if raw else None
    if code is None:
        raise InvalidInput(
            "Unknown country {value!r} in {field}.",
            hint="Use an ISO 3166-1 alpha-2 code (e.g. JO) or the English name.",
            field="country",
            value=raw,
        )
    return code


def _url(data: Mapping[str, Any]) -> str:
    url = validation.text(data, "url", required=False, limit=500)
    if url and not url.lower().startswith(("https://", "http://")):
        raise InvalidInput(
            "The address {value!r} in {field} must start with https:// or http://.",
            field="url",
            value=url,
        )
    return url


def _duration(value: Any, field: str) -> int:
    raw = str(value if value is not None else "").strip()
    days = int(raw) if raw.isdecimal() else 0
    if not 1 <= days <= 365:
        raise InvalidInput(
            "The duration in {field} must be a whole number of days from 1 to 365, not {value!r}.",
            field=field,
            value=raw,
        )
    return days


def _course(item: Any, n: int) -> dict[str, Any]:
    """One course; fields are named ``curricula[n].title`` etc. (n from 1) in errors."""
    at = f"curricula[{n}]"
    if not isinstance(item, Mapping):
        raise InvalidInput("The field {field} must be a course with a title.", field=at)
    title, audience = f"{at}.title", f"{at}.audience"
    return {
        "title": validation.text({title: item.get("title")}, title, limit=300),
        "area": validation.choice(item.get("area"), f"{at}.area", taxonomy.AREA_KEYS),
        "audience": validation.text({audience: item.get("audience")}, audience, required=False),
        "duration_days": _duration(item.get("duration_days"), f"{at}.duration_days"),
    }


def _curricula(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else []
        except json.JSONDecodeError:
            value = None
    if not isinstance(value, list | tuple) or len(value) > MAX_COURSES:
        raise InvalidInput(
            "The field {field} must be a list of at most {limit} courses.",
            field="curricula",
            limit=MAX_COURSES,
        )
    return [_course(item, n) for n, item in enumerate(value, start=1)]


def _values(data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": validation.text(data, "name", limit=300),
        "country": _country(data.get("country")),
        "city": validation.text(data, "city", required=False, limit=120),
        "url": _url(data),
        "areas": list(validation.choices(data.get("areas"), "areas", taxonomy.AREA_KEYS)),
        "curricula": _curricula(data.get("curricula") or []),
    }


def _unique_name(u: Unit, name: str, centre_id: int | None) -> None:
    stmt = select(TrainingCentre.id).where(func.lower(TrainingCentre.name) == name.lower())
    other = u.s.scalar(stmt)
    if other is not None and other != centre_id:
        raise Conflict(
            "A training centre named {name} already exists.",
            hint="Edit that centre, or give this one another name.",
            name=name,
            field="name",
        )


# -- service -----------------------------------------------------------------------------------


def create_centre(hub: Hub, actor: Actor, data: Mapping[str, Any]) -> CentreView:
    values = _values(data)
    with hub.unit(actor, "coordination.write") as u:
        _unique_name(u, values["name"], None)
        centre = TrainingCentre(**values)
        u.s.add(centre)
        u.s.flush()
        u.audit("training_centre", centre.id, details={"name": centre.name})
        return _view(u, centre)


def update_centre(hub: Hub, actor: Actor, centre_id: int, data: Mapping[str, Any]) -> CentreView:
    """Replace a centre's fields, curriculum included; its project links stay."""
    values = _values(data)
    with hub.unit(actor, "coordination.write") as u:
        centre = _centre(u, centre_id)
        _unique_name(u, values["name"], centre.id)
        for key, value in values.items():
            setattr(centre, key, value)
        u.audit("training_centre", centre.id)
        return _view(u, centre)


def get_centre(hub: Hub, actor: Actor, centre_id: int) -> CentreView:
    with hub.unit(actor, "coordination.read") as u:
        centre = _centre(u, centre_id)
        u.audit("training_centre", centre.id)
        return _view(u, centre)


def list_centres(
    hub: Hub, actor: Actor, *, country: str | None = None, area: str | None = None,
    limit: int = 50, offset: int = 0,
) -> Page[CentreView]:  # fmt: skip
    """Centres by name, optionally of one country or teaching one area."""
    with hub.unit(actor, "coordination.read") as u:
        stmt = select(TrainingCentre)
        if country:
            stmt = stmt.where(TrainingCentre.country == _country(country))
        if area:
            key = validation.choice(area, "area", taxonomy.AREA_KEYS)
            stmt = stmt.where(cast(TrainingCentre.areas, String).like(f'%"{key}"%'))
        rows, total = paged(u, stmt.order_by(TrainingCentre.name, TrainingCentre.id), limit, offset)
        u.audit("training_centre", details={"listed": len(rows)})
        return Page([_view(u, c) for c in rows], total, limit, offset)


def link_project(hub: Hub, actor: Actor, centre_id: int, project_id: int) -> CentreView:
    """Record that a project uses the centre (repeating it changes nothing)."""
    with hub.unit(actor, "coordination.write") as u:
        centre = _centre(u, centre_id)
        project = _project(u, project_id)
        if u.s.get(CentreProject, (centre.id, project.id)) is None:
            u.s.add(CentreProject(centre_id=centre.id, project_id=project.id))
            u.s.flush()
        u.audit("training_centre", centre.id, details={"linked": project.id})
        return _view(u, centre)


def unlink_project(hub: Hub, actor: Actor, centre_id: int, project_id: int) -> CentreView:
    with hub.unit(actor, "coordination.write") as u:
        centre = _centre(u, centre_id)
        project = _project(u, project_id)
        u.s.execute(
            delete(CentreProject).where(
                CentreProject.centre_id == centre.id, CentreProject.project_id == project.id
            )
        )
        u.audit("training_centre", centre.id, details={"unlinked": project.id})
        return _view(u, centre)


def _centre(u: Unit, centre_id: int) -> TrainingCentre:
    centre = u.s.get(TrainingCentre, centre_id)
    if centre is None:
        raise NotFound("No {kind} with id {id}.", kind="training centre", id=centre_id)
    return centre


def _project(u: Unit, project_id: int) -> Project:
    """A project the actor may read (linking is a statement about it, not a change to it)."""
    project = u.s.get(Project, project_id)
    if project is None:
        raise NotFound("No {kind} with id {id}.", kind="project", id=project_id)
    u.require(project, action="coordination.read")
    return project


__all__ = [
    "CentreView",
    "Course",
    "create_centre",
    "get_centre",
    "link_project",
    "list_centres",
    "unlink_project",
    "update_centre",
]
