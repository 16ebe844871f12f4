"""Schemas and properties, loaded from YAML, with inheritance.

The model is data: each ``schema/*.yml`` file in this package declares schemata (``Person``,
``Vessel``, ...) and their properties, each property naming a type from ``types.registry``.
Capabilities extend the model by passing their own directories to ``Model``, so an ``Account``
schema lives next to the finance code that needs it while still being a ``Thing``. Every
mistake in a schema file is a ``ConfigError`` naming the file and the key, found at load time
rather than when the first record of a kind arrives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from cthub.core.errors import ConfigError, InvalidInput
from cthub.core.model.types import PropertyType, registry


class PropertySpec(BaseModel):
    """A property as written in YAML. ``matchable`` defaults to the type's own default."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    label: str
    type: str
    multiple: bool = True
    matchable: bool | None = None
    range: str | None = None
    description: str | None = None


class SchemaSpec(BaseModel):
    """A schema as written in YAML; unknown keys are refused so typos cannot pass silently."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    label: str
    plural: str | None = None
    description: str | None = None
    extends: list[str] = []
    abstract: bool = False
    caption: list[str] = []
    required: list[str] = []
    properties: dict[str, PropertySpec] = {}


@dataclass(frozen=True)
class Property:
    """A resolved property. ``schema`` is the name of the schema that declares it;
    ``range`` is the schema an ``entity`` property must point at."""

    name: str
    label: str
    type: PropertyType
    schema: str
    multiple: bool
    matchable: bool
    range: str | None = None
    description: str | None = None


class Schema:
    """A resolved schema: its own properties plus everything inherited from ``parents``."""

    def __init__(
        self, name: str, spec: SchemaSpec, parents: tuple[Schema, ...], source: str
    ) -> None:
        self.name = name
        self.label = spec.label
        self.plural = spec.plural or f"{spec.label}s"
        self.description = spec.description
        self.abstract = spec.abstract
        self.parents = parents
        self.source = source
        self._ancestors: frozenset[str] = frozenset({name}).union(*(p._ancestors for p in parents))
        inherited_caption = next((p.caption for p in parents if p.caption), ())
        self.caption: tuple[str, ...] = tuple(spec.caption) or inherited_caption
        required = [r for p in parents for r in p.required] + spec.required
        self.required: tuple[str, ...] = tuple(dict.fromkeys(required))
        self.properties: Mapping[str, Property] = {}

    def is_a(self, other: str | Schema) -> bool:
        """True when this schema is ``other`` or inherits from it, directly or not."""
        return (other if isinstance(other, str) else other.name) in self._ancestors

    @property
    def ancestors(self) -> frozenset[str]:
        """Names of this schema and all schemata it inherits from."""
        return self._ancestors

    @property
    def matchable_properties(self) -> dict[str, Property]:
        """Properties that name screening compares: names, dates, countries, identifiers."""
        return {name: prop for name, prop in self.properties.items() if prop.matchable}

    def get(self, name: str) -> Property:
        """The property ``name``; ``InvalidInput`` if this schema has none by that name."""
        try:
            return self.properties[name]
        except KeyError:
            raise InvalidInput(
                "Schema {schema} has no property {prop}.",
                "Known properties: {known}.",
                schema=self.name,
                prop=name,
                known=", ".join(self.properties),
            ) from None

    def __contains__(self, name: object) -> bool:
        return name in self.properties

    def __repr__(self) -> str:
        return f"<Schema {self.name}>"


@dataclass(frozen=True)
class _Source:
    spec: SchemaSpec
    file: str


def _fail(file: str, key: str, problem: str, hint: str | None = None) -> ConfigError:
    return ConfigError(
        "Schema file {file}: {key}: {problem}", hint, file=file, key=key, problem=problem
    )


def _read_file(file: Traversable) -> dict[str, SchemaSpec]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise _fail(str(file), "(file)", f"not valid YAML ({exc}).") from None
    if not isinstance(data, dict):
        raise _fail(str(file), "(file)", "expected a mapping of schema names to schemata.")
    specs: dict[str, SchemaSpec] = {}
    for name, body in data.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise _fail(str(file), str(name), "a schema name must be an identifier.")
        try:
            specs[name] = SchemaSpec.model_validate(body)
        except ValidationError as exc:
            error = exc.errors()[0]
            key = ".".join([name, *(str(part) for part in error["loc"])])
            raise _fail(str(file), key, f"{error['msg']}.") from None
    return specs


def _read_directories(directories: Iterable[Traversable]) -> dict[str, _Source]:
    sources: dict[str, _Source] = {}
    for directory in directories:
        if not directory.is_dir():
            raise _fail(str(directory), "(directory)", "not a directory of schema files.")
        files = sorted(
            (f for f in directory.iterdir() if f.name.endswith((".yml", ".yaml"))),
            key=lambda f: f.name,
        )
        for file in files:
            for name, spec in _read_file(file).items():
                if name in sources:
                    raise _fail(str(file), name, f"schema already defined in {sources[name].file}.")
                sources[name] = _Source(spec, str(file))
    return sources


def _resolve_property(schema: Schema, name: str, spec: PropertySpec, file: str) -> Property:
    key = f"{schema.name}.properties.{name}"
    if spec.type not in registry:
        known = ", ".join(registry.names())
        raise _fail(file, f"{key}.type", f"unknown property type {spec.type}.", f"Known: {known}.")
    if spec.range is not None and spec.type != "entity":
        raise _fail(file, f"{key}.range", "only properties of type entity take a range.")
    prop_type = registry.get(spec.type)
    matchable = prop_type.matchable if spec.matchable is None else spec.matchable
    return Property(
        name=name,
        label=spec.label,
        type=prop_type,
        schema=schema.name,
        multiple=spec.multiple,
        matchable=matchable,
        range=spec.range,
        description=spec.description,
    )


def _merge_properties(schema: Schema, spec: SchemaSpec, file: str) -> dict[str, Property]:
    """Inherited properties, then own ones; a name may be redeclared only with the same type."""
    merged: dict[str, Property] = {}
    for parent in schema.parents:
        for name, prop in parent.properties.items():
            seen = merged.get(name)
            if seen is not None and seen.type is not prop.type:
                raise _fail(
                    file,
                    f"{schema.name}.extends",
                    f"parents disagree on the type of {name} "
                    f"({seen.schema}: {seen.type.name}, {prop.schema}: {prop.type.name}).",
                )
            merged.setdefault(name, prop)
    for name, prop_spec in spec.properties.items():
        prop = _resolve_property(schema, name, prop_spec, file)
        seen = merged.get(name)
        if seen is not None and seen.type is not prop.type:
            raise _fail(
                file,
                f"{schema.name}.properties.{name}.type",
                f"{prop.type.name} clashes with {seen.schema}.{name} of type {seen.type.name}.",
            )
        merged[name] = prop
    for key in ("caption", "required"):
        for name in getattr(schema, key):
            if name not in merged:
                raise _fail(file, f"{schema.name}.{key}", f"no property named {name}.")
    return merged


class Model:
    """All schemata: the built-in ones in this package plus those in ``extra_dirs``.

    ``Model.default()`` is the built-in model, loaded once. Capabilities that add schemata
    build their own ``Model(extra_dirs=[...])`` at start-up and pass it where it is needed.
    """

    def __init__(self, extra_dirs: Iterable[Path | Traversable] = ()) -> None:
        builtin = resources.files(__name__.rpartition(".")[0]).joinpath("schema")
        self._sources = _read_directories([builtin, *extra_dirs])
        self._schemata: dict[str, Schema] = {}
        for name in self._sources:
            self._build(name, ())
        for schema in self._schemata.values():
            self._check_ranges(schema)

    @classmethod
    def default(cls) -> Model:
        """The built-in model (no extensions), cached for the life of the process."""
        return _default_model()

    def _build(self, name: str, chain: tuple[str, ...]) -> Schema:
        if name in self._schemata:
            return self._schemata[name]
        source = self._sources[name]
        parents = []
        for parent in source.spec.extends:
            if parent in chain or parent == name:
                cycle = " -> ".join([*chain, name, parent])
                raise _fail(source.file, f"{name}.extends", f"inheritance cycle {cycle}.")
            if parent not in self._sources:
                raise _fail(source.file, f"{name}.extends", f"unknown parent schema {parent}.")
            parents.append(self._build(parent, (*chain, name)))
        schema = Schema(name, source.spec, tuple(parents), source.file)
        schema.properties = _merge_properties(schema, source.spec, source.file)
        self._schemata[name] = schema
        return schema

    def _check_ranges(self, schema: Schema) -> None:
        for name, prop in schema.properties.items():
            if prop.range is not None and prop.range not in self._schemata:
                file = self._sources[prop.schema].file
                key = f"{prop.schema}.properties.{name}.range"
                raise _fail(file, key, f"unknown schema {prop.range}.")

    def get(self, name: str) -> Schema:
        """The schema ``name``; ``InvalidInput`` (listing known ones) when there is none."""
        try:
            return self._schemata[name]
        except KeyError:
            raise InvalidInput(
                "Unknown schema {schema}.",
                "Known schemata: {known}.",
                schema=name,
                known=", ".join(sorted(self._schemata)),
            ) from None

    @property
    def schemata(self) -> Mapping[str, Schema]:
        return dict(self._schemata)

    def __contains__(self, name: object) -> bool:
        return name in self._schemata

    def __iter__(self) -> Iterator[Schema]:
        return iter(list(self._schemata.values()))


@cache
def _default_model() -> Model:
    return Model()


__all__ = ["Model", "Property", "PropertySpec", "Schema", "SchemaSpec"]
