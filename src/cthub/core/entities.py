"""Service functions over stored entities of the shared model (persons, organisations, ...).

An entity belongs to the organisation that created it; others read it only under a sharing
rule for ``entity``. Properties are cleaned by the model's property types before storage, so
what is stored is always valid for its schema.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from cthub.core.db import utcnow
from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.model import Entity, Model
from cthub.core.policy import Actor
from cthub.core.tables import EntityRecord


@dataclass(frozen=True)
class EntityView:
    id: str
    schema: str
    caption: str
    org_id: int
    properties: dict[str, list[str]]


def _view(row: EntityRecord) -> EntityView:
    return EntityView(row.id, row.schema, row.caption, row.org_id, dict(row.properties))


def build(schema: str, properties: dict[str, list[str]], model: Model | None = None) -> Entity:
    """Validate and clean a schema name and raw property values into an ``Entity``."""
    model = model or Model.default()
    if schema not in model:
        raise InvalidInput(
            "Unknown schema {schema}.",
            hint="Use one of: {names}.",
            schema=schema,
            names=", ".join(s.name for s in model if not s.abstract),
        )
    sch = model.get(schema)
    if sch.abstract:
        raise InvalidInput(
            "Schema {schema} is abstract.",
            hint="Use a concrete schema such as Person or Organization.",
            schema=schema,
        )
    entity = Entity(sch)
    for prop, values in properties.items():
        entity.add(prop, values)
    missing = entity.missing_required()
    if missing:
        raise InvalidInput("Missing required properties: {props}.", props=", ".join(missing))
    return entity


def create(hub: Hub, actor: Actor, schema: str, properties: dict[str, list[str]]) -> EntityView:
    entity = build(schema, properties)
    with hub.unit(actor, "entities.write") as u:
        if actor.org_id is None:
            raise InvalidInput("Entities belong to an organisation; create them as its user.")
        row = EntityRecord(
            id=entity.id,
            schema=entity.schema.name,
            org_id=actor.org_id,
            caption=entity.caption[:300],
            properties=entity.properties,
            created_by=actor.name,
        )
        u.s.add(row)
        u.s.flush()
        u.audit("entity", row.id, details={"schema": row.schema})
        return _view(row)


def get(hub: Hub, actor: Actor, entity_id: str) -> EntityView:
    with hub.unit(actor, "entities.read") as u:
        row = u.s.get(EntityRecord, entity_id)
        if row is None:
            raise NotFound("No entity {id}.", id=entity_id)
        u.require(row)
        u.audit("entity", row.id, org_id=row.org_id)
        return _view(row)


def search(
    hub: Hub,
    actor: Actor,
    *,
    schema: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EntityView], int]:
    """Entities visible to the actor (own organisation plus shared), newest first."""
    with hub.unit(actor, "entities.read") as u:
        stmt = select(EntityRecord)
        orgs = u.visible_orgs()
        if orgs is not None:
            stmt = stmt.where(EntityRecord.org_id.in_(orgs))
        if schema:
            stmt = stmt.where(EntityRecord.schema == schema)
        if text:
            stmt = stmt.where(func.lower(EntityRecord.caption).contains(text.lower()))
        total = u.s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = u.s.scalars(
            stmt.order_by(EntityRecord.created_at.desc())
            .limit(max(1, min(limit, 1000)))
            .offset(max(0, offset))
        )
        views = [_view(r) for r in rows]
        u.audit("entity", details={"returned": len(views), "schema": schema})
        return views, total


def update(hub: Hub, actor: Actor, entity_id: str, properties: dict[str, list[str]]) -> EntityView:
    with hub.unit(actor, "entities.write") as u:
        row = u.s.get(EntityRecord, entity_id)
        if row is None:
            raise NotFound("No entity {id}.", id=entity_id)
        u.require(row)
        entity = build(row.schema, properties)
        row.properties, row.caption, row.updated_at = (
            entity.properties,
            entity.caption[:300],
            utcnow(),
        )
        u.audit("entity", row.id, org_id=row.org_id)
        return _view(row)


__all__ = ["EntityView", "build", "create", "get", "search", "update"]
