"""Entity: one person, organisation, vessel, document or address, as schema-checked values.

Every value goes through its property type's ``clean`` on the way in, so an entity only ever
holds canonical strings: ``"Iraq"`` is stored as ``"IQ"``, and a second spelling of the same
identifier is recognised by ``compare_key`` and not stored twice. The JSON form
``{"id", "schema", "properties": {prop: [values]}}`` is the one shape every capability, list
source and exchange format reads and writes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import uuid4

from cthub.core.errors import Conflict, InvalidInput
from cthub.core.model.schema import Model, Property, Schema
from cthub.core.model.types import registry

_MULTI = (list, tuple, set, frozenset)
_PERSON_PARTS = ("firstName", "middleName", "lastName")


class Entity:
    """A schema plus property values. ``id`` defaults to a random ``uuid4().hex``.

    ``properties`` maps property names to a value or a list of values, as ``add`` takes them.
    Abstract schemata (``Thing``, ``LegalEntity``) cannot be instantiated: a record must say
    what it is, or screening cannot pick the right properties to compare.
    """

    def __init__(
        self,
        schema: Schema,
        id: str | None = None,
        properties: Mapping[str, object] | None = None,
    ) -> None:
        if schema.abstract:
            raise InvalidInput(
                "Schema {schema} is abstract; entities need a concrete schema.",
                "Use a schema that extends {schema}, such as Person or Vessel.",
                schema=schema.name,
            )
        self.schema = schema
        self.id = uuid4().hex if id is None else registry.get("entity").clean(id, "id")
        self._values: dict[str, list[str]] = {}
        for name, value in (properties or {}).items():
            self.add(name, value)

    def add(self, prop: str, value: object) -> None:
        """Clean ``value`` (or each item of a list) by type and store it unless already present.

        ``None`` and blank strings are skipped: sources leave fields empty, and absence is not
        an error. ``InvalidInput`` names the property and value for unknown properties, values
        the type rejects, and a second distinct value for a single-valued property.
        """
        prop_ = self.schema.get(prop)
        for item in _items(value):
            raw = item.id if isinstance(item, Entity) else item
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            self._store(prop_, prop_.type.clean(raw, prop))

    def set(self, prop: str, value: object) -> None:
        """Replace all values of ``prop`` with ``value`` (cleaned as by ``add``)."""
        self.schema.get(prop)
        previous = self._values.pop(prop, None)
        try:
            self.add(prop, value)
        except InvalidInput:
            if previous is not None:
                self._values[prop] = previous
            raise

    def _store(self, prop: Property, value: str) -> None:
        values = self._values.setdefault(prop.name, [])
        if any(_same(prop, seen, value) for seen in values):
            return
        if values and not prop.multiple:
            raise InvalidInput(
                "Property {prop} takes one value; {schema} {id} already has {existing}, "
                "so {value} cannot be added.",
                "Use set() to replace the value.",
                prop=prop.name,
                schema=self.schema.name,
                id=self.id,
                existing=values[0],
                value=value,
            )
        values.append(value)

    def get(self, prop: str) -> list[str]:
        """The cleaned values of ``prop`` (a copy), in the order they were added."""
        self.schema.get(prop)
        return list(self._values.get(prop, ()))

    def first(self, prop: str) -> str | None:
        """The first value of ``prop``, or ``None`` when it has none."""
        values = self.get(prop)
        return values[0] if values else None

    @property
    def properties(self) -> dict[str, list[str]]:
        """Every property with at least one value, in schema order (a copy)."""
        return {
            name: list(self._values[name])
            for name in self.schema.properties
            if self._values.get(name)
        }

    @property
    def names(self) -> list[str]:
        """All names to screen: name, alias, previousName, then (for people) the name parts
        joined as "first middle last"; duplicates by the name type's compare key removed."""
        names: list[str] = []
        for prop in ("name", "alias", "previousName"):
            if prop in self.schema:
                names.extend(self.get(prop))
        if all(part in self.schema for part in _PERSON_PARTS):
            parts = [self.first(part) for part in _PERSON_PARTS]
            joined = " ".join(part for part in parts if part)
            if joined:
                names.append(joined)
        name_type = registry.get("name")
        unique: dict[str, str] = {}
        for name in names:
            unique.setdefault(name_type.compare_key(name), name)
        return list(unique.values())

    @property
    def caption(self) -> str:
        """A label for display: the first value of the schema's caption properties, else the
        first name, else the schema label."""
        for prop in self.schema.caption:
            value = self.first(prop)
            if value is not None:
                return value
        names = self.names
        return names[0] if names else self.schema.label

    def missing_required(self) -> list[str]:
        """Required properties (``required`` in the schema YAML) that have no value yet."""
        return [prop for prop in self.schema.required if not self._values.get(prop)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form: ``{"id", "schema", "properties": {prop: [values]}}``."""
        return {"id": self.id, "schema": self.schema.name, "properties": self.properties}

    @classmethod
    def from_dict(cls, model: Model, data: Mapping[str, Any]) -> Entity:
        """Rebuild an entity from ``to_dict`` output, re-cleaning every value."""
        if not isinstance(data, Mapping):
            raise InvalidInput(
                "Entity data must be a JSON object, not {kind}.", kind=type(data).__name__
            )
        schema, entity_id, properties = data.get("schema"), data.get("id"), data.get("properties")
        if not isinstance(schema, str):
            raise InvalidInput("Entity data: schema must be a schema name.")
        if entity_id is not None and not isinstance(entity_id, str):
            raise InvalidInput("Entity data: id must be a string.")
        if not isinstance(properties, Mapping | None):
            raise InvalidInput("Entity data: properties must map property names to lists.")
        return cls(model.get(schema), entity_id, properties)

    def merge(self, other: Entity) -> Entity:
        """A new entity with the values of both; neither input changes.

        The ids must be equal (it is the same record from two sources). The result takes the
        more specific schema when one extends the other (``Organization`` + ``Company`` gives
        ``Company``). Two different values for a single-valued property raise ``Conflict``.
        """
        if other.id != self.id:
            raise InvalidInput(
                "Cannot merge entities {id} and {other}: the ids differ.",
                id=self.id,
                other=other.id,
            )
        schema = _common_schema(self.schema, other.schema, self.id)
        merged = Entity(schema, self.id)
        for source in (self, other):
            for name, values in source.properties.items():
                prop, held = schema.get(name), merged._values.get(name)
                if held and not prop.multiple and not _same(prop, held[0], values[0]):
                    raise Conflict(
                        "Cannot merge entity {id}: {prop} is {left} in one record and {right} "
                        "in the other.",
                        "Correct the wrong source, or keep the records apart.",
                        id=self.id,
                        prop=name,
                        left=held[0],
                        right=values[0],
                    )
                for value in values:
                    merged._store(prop, value)
        return merged

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Entity) and self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable: equal entities may change

    def __repr__(self) -> str:
        return f"<Entity {self.schema.name} {self.id} {self.caption!r}>"


def _items(value: object) -> list[object]:
    return list(value) if isinstance(value, _MULTI) else [value]


def _same(prop: Property, left: str, right: str) -> bool:
    return prop.type.compare_key(left) == prop.type.compare_key(right)


def _common_schema(left: Schema, right: Schema, entity_id: str) -> Schema:
    if left.is_a(right):
        return left
    if right.is_a(left):
        return right
    raise InvalidInput(
        "Cannot merge entity {id}: schemata {left} and {right} are unrelated.",
        id=entity_id,
        left=left.name,
        right=right.name,
    )


__all__ = ["Entity"]
