"""The one extension point for list formats: ``ListSource``, its registry and entry builder.

A source turns one input (a file, or a directory for multi-file formats such as the OFAC CSV
set) into ``ParsedEntry`` records: the source's own reference, a schema of the shared entity
model and the model's cleaned ``{property: [values]}``. Sources parse everything or raise
``InvalidInput`` naming the file and the line, element or field; they never write.

Built-in and plugin sources register the same way, through the ``cthub.list_sources``
entry-point group; ``registry`` rejects a second source under a name already taken.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.model import Entity, Model
from cthub.core.plugins import Registry

ENTRY_POINT_GROUP = "cthub.list_sources"
_BUILTINS = (
    "cthub.lists.sources.un:UNSource",
    "cthub.lists.sources.ofac:OFACSource",
    "cthub.lists.sources.plaincsv:PlainCSVSource",
    "cthub.lists.sources.ofac_xml:OFACXMLSource",
    "cthub.lists.sources.eu:EUSource",
    "cthub.lists.sources.uk:UKSource",
    "cthub.lists.sources.ftm:FtMSource",
)


@dataclass(frozen=True)
class ParsedEntry:
    """One listed person, organisation or vessel, as the source describes it."""

    ref: str
    schema: str
    properties: dict[str, list[str]]


class ListSource(ABC):
    """A list format. ``name`` is stable: it names the list loaded from this source."""

    name: ClassVar[str]
    title: ClassVar[str]
    #: ``file`` or ``directory``: what ``parse`` takes.
    input_kind: ClassVar[str] = "file"

    @abstractmethod
    def parse(self, path: Path) -> Iterator[ParsedEntry]:
        """Every entry of ``path``; raises ``InvalidInput`` on anything it cannot read."""

    @abstractmethod
    def examples(self) -> list[Path]:
        """Small valid sample inputs, for the contract tests run over every source."""

    def default_path(self) -> Path | None:
        """The input bundled with cthub, used when ``load`` is given no path."""
        return None


def _no_source(name: str, names: str) -> NotFound:
    return NotFound(
        "No list source named {name}.", hint="Use one of: {names}.", name=name, names=names
    )


class SourceRegistry(Registry[ListSource]):
    """Sources by name. A second class under a taken name raises ``ValueError``."""

    def __init__(self) -> None:
        super().__init__(ENTRY_POINT_GROUP, _BUILTINS, _no_source, kind="list source")


registry = SourceRegistry()


class EntryBuilder:
    """Collects values for one entry through the model's property types.

    A value the type rejects (an unknown country spelling, a malformed date) is kept as a
    ``notes`` line instead of failing the whole list: a sanctions list is screened as
    published, and one odd field must not block it.
    """

    def __init__(self, ref: str, schema: str, model: Model | None = None) -> None:
        self.ref = ref
        self.entity = Entity((model or Model.default()).get(schema))

    def add(self, prop: str, value: str | None) -> None:
        if value is None or not value.strip():
            return
        try:
            self.entity.add(prop, value)
        except InvalidInput:
            self.entity.add("notes", f"{prop}: {value.strip()}")

    def build(self, where: str) -> ParsedEntry:
        if not self.entity.get("name"):
            raise InvalidInput(
                "{where}: entry {ref} has no name.",
                hint="Every listed entry needs a name; correct the source file.",
                where=where,
                ref=self.ref,
            )
        return ParsedEntry(self.ref, self.entity.schema.name, self.entity.properties)


__all__ = ["EntryBuilder", "ListSource", "ParsedEntry", "SourceRegistry", "registry"]
