"""Ownership file formats: each parses one file into a ``Batch`` without touching the database.

``parse_file`` reads the file (size limit first, see ``reading``), detects its format from the
first records unless one is named, and runs that format's parser. Formats are an ABC with a
registry that refuses duplicate names, as list sources are; the built-ins are BODS 0.2/0.3
(``bods-0.2``), BODS 0.4 (``bods-0.4``), the Companies House PSC snapshot (``uk-psc``) and
FollowTheMoney entities (``ftm``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

from cthub.core.errors import Conflict, InvalidInput, NotFound
from cthub.ownership.ingest import bods02, bods04, ftm, psc
from cthub.ownership.ingest.reading import MAX_BYTES, Document, read_document
from cthub.ownership.ingest.records import Batch, EdgeRec, EntityRec, Problem, StatementRec

_SNIFFED = 20


class OwnershipFormat(ABC):
    """One input format: a stable ``name``, a record test and a parser."""

    name: ClassVar[str]
    title: ClassVar[str]

    @abstractmethod
    def sniff(self, record: dict[str, Any]) -> bool:
        """Does this record look like one of this format's?"""

    @abstractmethod
    def parse(self, doc: Document) -> Batch: ...

    def examples(self) -> list[Path]:
        """Small valid files of this format (shipped), for the contract tests."""
        folder = files("cthub.ownership.ingest") / "data" / "examples"
        return [Path(str(folder / f"{self.name}.json"))]


class _Builtin(OwnershipFormat):
    parser: ClassVar[Callable[[Document], Batch]]
    keys: ClassVar[tuple[str, ...]]

    def sniff(self, record: dict[str, Any]) -> bool:
        return any(k in record for k in self.keys)

    def parse(self, doc: Document) -> Batch:
        return type(self).parser(doc)


class Bods02(_Builtin):
    name = "bods-0.2"
    title = "BODS 0.2 / 0.3 statements"
    parser = bods02.parse
    keys = ("statementID", "statementType")


class Bods04(_Builtin):
    name = "bods-0.4"
    title = "BODS 0.4 records"
    parser = bods04.parse
    keys = ("recordId", "recordType", "recordDetails")


class UKPSC(_Builtin):
    name = "uk-psc"
    title = "UK Companies House PSC snapshot"
    parser = psc.parse
    keys = ("company_number",)

    def sniff(self, record: dict[str, Any]) -> bool:
        data = record.get("data")
        return "company_number" in record or (isinstance(data, dict) and "kind" in data)


class FtM(_Builtin):
    name = "ftm"
    title = "FollowTheMoney entities (JSON lines)"
    parser = ftm.parse
    keys = ()

    def sniff(self, record: dict[str, Any]) -> bool:
        return "schema" in record and "properties" in record


class FormatRegistry:
    def __init__(self) -> None:
        self._formats: dict[str, OwnershipFormat] = {}

    def register(self, fmt: OwnershipFormat) -> None:
        if fmt.name in self._formats:
            raise Conflict("Ownership format {name} is registered twice.", name=fmt.name)
        self._formats[fmt.name] = fmt

    def get(self, name: str) -> OwnershipFormat:
        try:
            return self._formats[name]
        except KeyError:
            raise NotFound(
                "No ownership format named {name}.",
                hint="Use one of: {names}.",
                name=name,
                names=", ".join(self.names()),
            ) from None

    def names(self) -> list[str]:
        return sorted(self._formats)

    def detect(self, doc: Document) -> OwnershipFormat:
        """The format most of the first records look like; refuse when none fits."""
        votes: Counter[str] = Counter()
        sample = [r for _, r in doc.records[:_SNIFFED] if isinstance(r, dict)]
        for record in sample:
            for fmt in self._formats.values():
                if fmt.sniff(record):
                    votes[fmt.name] += 1
        if not votes:
            raise InvalidInput(
                "{file} is neither BODS, a PSC snapshot nor FollowTheMoney; nothing was imported.",
                hint="Formats: {names}. Name one with --format if detection is wrong.",
                file=doc.file,
                names=", ".join(self.names()),
            )
        return self._formats[votes.most_common(1)[0][0]]


registry = FormatRegistry()
for _fmt in (Bods02(), Bods04(), UKPSC(), FtM()):
    registry.register(_fmt)


def parse_file(path: Path, fmt: str | None = None, max_bytes: int = MAX_BYTES) -> Batch:
    """Read and parse one file; raise ``InvalidInput`` when it cannot be imported at all."""
    doc = read_document(path, max_bytes)
    chosen = registry.get(fmt) if fmt else registry.detect(doc)
    batch = chosen.parse(doc)
    batch.sha256 = doc.sha256
    return batch


__all__ = [
    "MAX_BYTES",
    "Batch",
    "Document",
    "EdgeRec",
    "EntityRec",
    "FormatRegistry",
    "OwnershipFormat",
    "Problem",
    "StatementRec",
    "parse_file",
    "registry",
]
