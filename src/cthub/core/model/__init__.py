"""The shared entity model: schemata as YAML data, a registry of property types, entities.

Capabilities exchange ``Entity`` objects (or their ``to_dict`` JSON form) and look schemata up
in a ``Model``: ``Model.default()`` for the built-in schemata, or ``Model(extra_dirs=[...])``
when a capability adds its own YAML. New property types register with ``registry``.
"""

from cthub.core.model.countries import Country, countries, country_code
from cthub.core.model.entity import Entity
from cthub.core.model.schema import Model, Property, Schema
from cthub.core.model.types import PropertyType, TypeRegistry, registry

__all__ = [
    "Country",
    "Entity",
    "Model",
    "Property",
    "PropertyType",
    "Schema",
    "TypeRegistry",
    "countries",
    "country_code",
    "registry",
]
