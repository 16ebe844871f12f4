"""Transaction datasets: ingest files into Parquet partitions, list them, read them back.

One ingest is one partition and one database row, written together: the Parquet file is
validated and written to a temporary name first (``ingest.prepare``), checked for ``tx_id``s
already in the dataset, and moved into place in the same unit of work that records it. If
anything fails, the temporary file is removed and the dataset is as it was.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from cthub.core.errors import InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.policy import Actor
from cthub.finance.ingest import TEMP_PREFIX, OnError, Prepared, discard, prepare
from cthub.finance.models import FinanceDataset, FinancePartition

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,119}")


@dataclass
class IngestResult:
    dataset: str
    partition: int
    rows: int
    skipped: int
    errors: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class DatasetView:
    id: int
    name: str
    org_id: int | None
    partitions: int
    rows: int


def root(hub: Hub) -> Path:
    return hub.settings.data_dir / "finance"


def _dataset(u: Unit, name: str, create: bool = False) -> FinanceDataset:
    if not NAME.fullmatch(name):
        raise InvalidInput("Dataset name {name} is not allowed.",
                           hint="Use 1-120 letters, digits, '.', '_' or '-'.",
                           name=name[:130])  # fmt: skip
    q = select(FinanceDataset).where(FinanceDataset.name == name)
    q = q.where(FinanceDataset.org_id.is_(None) if u.actor.org_id is None
                else FinanceDataset.org_id == u.actor.org_id)  # fmt: skip
    found = u.s.scalars(q).first()
    if found is None and create:
        found = FinanceDataset(org_id=u.actor.org_id, name=name, created_by=u.actor.name)
        u.s.add(found)
        u.s.flush()
    if found is None:
        raise NotFound("No dataset named {name}.", hint="Ingest a file into it first.", name=name)
    return found


def ingest_file(
    hub: Hub,
    actor: Actor,
    path: Path,
    dataset: str = "default",
    mapping: Mapping[str, str] | None = None,
    on_error: OnError = "abort",
    decimal: str = ".",
) -> IngestResult:
    """Validate ``path`` and add its good rows to ``dataset`` as one partition."""
    with hub.unit(actor, "finance.ingest") as u:
        ds = _dataset(u, dataset, create=True)
        folder = root(hub) / str(ds.id)
        known = [p for p in partition_files(u.s, hub, ds) if p.exists()]
        prepared = prepare(path, folder, mapping, on_error, known=known, decimal=decimal)
        if prepared.rows == 0:  # nothing new: no empty partition, no rebuild of the scorers
            discard(prepared)
            _nothing_to_add(path.name, ds.name, prepared)
        try:
            final = folder / f"part-{prepared.path.stem.removeprefix(TEMP_PREFIX)}.parquet"
            part = FinancePartition(dataset_id=ds.id, file=final.name, source=path.name[:300],
                                    rows=prepared.rows, skipped=prepared.skipped,
                                    ingested_by=actor.name)  # fmt: skip
            u.s.add(part)
            u.s.flush()
            os.replace(prepared.path, final)
        except BaseException:
            discard(prepared)
            raise
        u.audit("finance_partition", part.id, details={
            "dataset": ds.name, "file": path.name[:200], "rows": prepared.rows,
            "skipped": prepared.skipped,
        })  # fmt: skip
        return IngestResult(ds.name, part.id, prepared.rows, prepared.skipped, prepared.errors)


def _nothing_to_add(file: str, dataset: str, prepared: Prepared) -> NoReturn:
    if not prepared.errors:
        raise InvalidInput("{file} holds no transactions.", hint="Give a file with rows.",
                           file=file)  # fmt: skip
    line, column, problem = prepared.errors[0]
    raise InvalidInput(
        "{file}: no row to add to dataset {dataset}: all {skipped} are bad or already in it; "
        "the first is line {line}, column {column}: {problem}.",
        hint="Send only new, good rows.",
        file=file, dataset=dataset, skipped=prepared.skipped, line=line, column=column,
        problem=problem,
    )  # fmt: skip


def partition_files(s: Session, hub: Hub, ds: FinanceDataset) -> list[Path]:
    """The recorded Parquet partitions of ``ds`` (a file without its row is never read)."""
    folder = root(hub) / str(ds.id)
    names = s.scalars(
        select(FinancePartition.file).where(FinancePartition.dataset_id == ds.id)
    ).all()
    return [folder / n for n in names]


def literal(path: Path) -> str:
    """``path`` as a DuckDB string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def dataset_files(hub: Hub, actor: Actor, name: str) -> list[Path]:
    """The Parquet partitions of a dataset of the actor's organisation."""
    with hub.unit(actor, "finance.read") as u:
        ds = _dataset(u, name)
        return [p for p in partition_files(u.s, hub, ds) if p.exists()]


def list_datasets(hub: Hub, actor: Actor) -> list[DatasetView]:
    with hub.unit(actor, "finance.read") as u:
        orgs = u.visible_orgs()
        out = []
        for ds in u.s.scalars(select(FinanceDataset).order_by(FinanceDataset.name)):
            if orgs is not None and ds.org_id not in orgs:
                continue
            parts = u.s.scalars(
                select(FinancePartition).where(FinancePartition.dataset_id == ds.id)
            ).all()
            out.append(DatasetView(ds.id, ds.name, ds.org_id, len(parts),
                                   sum(p.rows for p in parts)))  # fmt: skip
        return out


__all__ = ["DatasetView", "IngestResult", "dataset_files", "ingest_file", "list_datasets"]
