"""Loading ownership files into the edge store: one file, one transaction, one audit event.

``load_file`` parses the whole file before writing anything, then writes its statements,
entities, identifiers, edges and problems in one unit of work: if anything fails (a database
error, a bug, an interrupted process) the transaction rolls back and the file leaves nothing.
Per-record problems do not fail the file; a file fails only when it cannot be read or parsed
at all, or when none of its records could be used. ``files_in`` lists what ``load FILE|DIR``
loads: a file, or a directory's JSON files (recursively, sorted), each its own transaction.
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.policy import Actor
from cthub.ownership.bulk import chunks
from cthub.ownership.ingest import MAX_BYTES, Problem, parse_file
from cthub.ownership.models import OwnershipLoad, OwnershipProblem
from cthub.ownership.writing import write

#: Problems stored per load (all are counted, and all are returned to the caller).
MAX_STORED = 10_000
SUFFIXES = (".json", ".jsonl", ".ndjson", ".ftm", ".txt")


@dataclass
class LoadResult:
    """What one file held and what was stored; ``problems`` lists every problem found."""

    file: str
    format: str
    load_id: int
    records: int
    statements: int
    unchanged: int
    superseded: int
    entities: int
    placeholders: int
    edges: int
    unspecified: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors

    def counts(self) -> dict[str, int]:
        """Problems per ``severity:code``, e.g. ``{"warning:unknown_party": 14}``."""
        return dict(Counter(f"{p.severity}:{p.code}" for p in self.problems))


def files_in(path: Path) -> list[Path]:
    """``path`` itself, or the JSON files under a directory (hidden ones left out), sorted."""
    if not path.exists():
        raise InvalidInput("{file} does not exist.", file=str(path))
    if not path.is_dir():
        return [path]
    found = sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.suffix.lower() in SUFFIXES
        and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not found:
        raise InvalidInput("{dir} holds no .json or .jsonl file.", dir=str(path))
    return found


@contextlib.contextmanager
def _bulk() -> Iterator[None]:
    """No cyclic garbage collection while a file is parsed and written.

    A big file becomes millions of small objects that live until the load ends; collecting
    them over and over doubled the parse time, and they hold no reference cycles.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_file(
    hub: Hub,
    actor: Actor,
    path: Path,
    *,
    fmt: str | None = None,
    max_bytes: int = MAX_BYTES,
    source: str | None = None,
) -> LoadResult:
    """Parse ``path`` and store it in one transaction (see the module docstring)."""
    with _bulk(), hub.unit(actor, "ownership.load") as u:
        batch = parse_file(path, fmt, max_bytes)  # everything is parsed before anything is written
        if not batch.statements and not batch.entities:
            first = next((p.render() for p in batch.problems), "no statement found")
            raise InvalidInput(
                "{file}: none of its {n} records could be imported ({first}).",
                hint="Check that the file is BODS, a PSC snapshot or FtM, or name --format.",
                file=path.name,
                n=batch.read,
                first=first[:300],
            )
        load = OwnershipLoad(
            file=path.name[:300],
            source=source or str(path),
            format=batch.format,
            sha256=batch.sha256,
            loaded_by=actor.name[:200],
        )
        u.s.add(load)
        u.s.flush()
        done = write(u.s, batch, load.id)
        rows = [
            {
                "load_id": load.id,
                "record": p.record[:200],
                "field": p.field[:200],
                "code": p.code[:40],
                "severity": p.severity,
                "message": p.message,
            }
            for p in batch.problems[:MAX_STORED]
        ]
        for part in chunks(rows, 5000):
            u.s.execute(insert(OwnershipProblem), list(part))
        result = LoadResult(
            path.name,
            batch.format,
            load.id,
            batch.read,
            done.statements,
            done.unchanged,
            done.superseded,
            done.entities,
            done.placeholders,
            done.edges,
            batch.unspecified,
            batch.problems,
        )
        load.records, load.statements, load.entities = batch.read, done.statements, done.entities
        load.edges, load.errors, load.warnings = done.edges, result.errors, result.warnings
        load.counts = result.counts()
        u.audit(
            "ownership_load",
            load.id,
            details={
                "file": path.name[:200],
                "format": batch.format,
                "sha256": batch.sha256,
                "statements": done.statements,
                "entities": done.entities,
                "edges": done.edges,
                "errors": result.errors,
                "warnings": result.warnings,
            },
        )
    return result


__all__ = ["MAX_STORED", "LoadResult", "files_in", "load_file"]
