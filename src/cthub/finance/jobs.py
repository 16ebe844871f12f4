"""Finance job kinds, listed under the ``cthub.jobs`` entry-point group.

``finance-ingest`` adds an uploaded transaction file to a dataset in the background, so a big
file never blocks the request that sent it; ``finance-monitor`` runs the organisation's rules
over a dataset and stores its alerts. ``start_ingest`` refuses what can be refused at once
(the role, a dataset name that is not allowed, an unknown ``on_error``, a file whose format or
columns cannot work) before any job exists; the upload then waits under
``<data_dir>/finance-uploads/<token>/`` under its own name (the name says CSV or Parquet) and
is deleted when the job ends, whatever its outcome. ``start_register`` ingests a file already
on the server, directly in ``CTHUB_FINANCE_IMPORT_DIR`` (named, never a path), and leaves it
there. Only the organisation that started a job follows it. Progress messages are msgids;
pages translate them.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import select

from cthub.core import duck, jobs
from cthub.core.errors import Forbidden, InvalidInput, NotFound
from cthub.core.hub import Hub
from cthub.core.i18n import N_
from cthub.core.jobs import JobContext, JobView
from cthub.core.policy import Actor
from cthub.core.tables import Job
from cthub.finance import amounts
from cthub.finance.datasets import NAME, _dataset, ingest_file
from cthub.finance.ingest import OnError, _mapped, _reader, _source_columns
from cthub.finance.monitor import check_engine, monitor_dataset

INGEST = "finance-ingest"
MONITOR = "finance-monitor"
KINDS = (INGEST, MONITOR)
FOLDER = "finance-uploads"
KEPT = 100  # bad rows kept, with line, column and problem, in an ingest job's result
ON_ERROR = ("abort", "skip")
_HEX = re.compile(r"^[0-9a-f]{32}$")
_SUFFIXES = (".csv", ".txt", ".tsv", ".parquet", ".pq")


@dataclass(frozen=True)
class FinanceJob:
    """A finance job, with the dataset it works on and (an ingest) the file it reads."""

    job: JobView
    dataset: str
    file: str

    @property
    def kind(self) -> str:
        return self.job.kind

    @classmethod
    def of(cls, row: Job, hub: Hub) -> FinanceJob:
        p = row.params or {}
        return cls(JobView.of(row, hub), str(p.get("dataset", "")), str(p.get("file", "")))


def folder(hub: Hub) -> Path:
    path = hub.settings.data_dir / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def _check_name(dataset: str) -> None:
    if not NAME.fullmatch(dataset):
        raise InvalidInput("Dataset name {name} is not allowed.",
                           hint="Use 1-120 letters, digits, '.', '_' or '-'.",
                           name=dataset[:130])  # fmt: skip


def _precheck(path: Path, mapping: Mapping[str, str]) -> None:
    """Refuse a file whose format is not known from its name, that cannot be read, or that
    lacks a required column after the mapping: the same words the ingest itself would use."""
    reader, _csv = _reader(path)
    con = duck.connect()
    try:
        columns = _source_columns(con, reader)
    except duckdb.Error as exc:
        raise InvalidInput("{file} cannot be read: {reason}.", hint="Give a CSV with a header "
                           "row, or a Parquet file.", file=path.name,
                           reason=str(exc).splitlines()[0][:300]) from None  # fmt: skip
    finally:
        con.close()
    _mapped(list(columns), mapping, path.name)


def _check_reading(on_error: str, decimal: str) -> None:
    """Refuse an unknown ``on_error`` or decimal mark before any file is touched."""
    if on_error not in ON_ERROR:
        raise InvalidInput("on_error must be abort or skip, not {value}.",
                           hint="abort refuses a file with any bad row; skip keeps the good rows.",
                           value=str(on_error)[:40])  # fmt: skip
    amounts.grammar(decimal)


def start_ingest(
    hub: Hub,
    actor: Actor,
    path: Path,
    dataset: str,
    *,
    filename: str | None = None,
    mapping: Mapping[str, str] | None = None,
    on_error: str = "abort",
    decimal: str = ".",
) -> FinanceJob:
    """Start ingesting the file at ``path`` (``filename``: the client's name, which says CSV or
    Parquet) into ``dataset``; returns at once. The file is moved under the data folder."""
    name = Path(filename or path.name).name[:200]
    name = name if name not in ("", ".", "..") else "upload.csv"
    _check_name(dataset)
    _check_reading(on_error, decimal)  # refused before the file is touched
    plain = {str(k): str(v) for k, v in (mapping or {}).items()}
    token = uuid.uuid4().hex
    target = folder(hub) / token / name
    with hub.unit(actor, "finance.ingest") as u:  # the role gate before the file is touched
        target.parent.mkdir()
        try:
            shutil.move(path, target)
            _precheck(target, plain)
        except BaseException:
            shutil.rmtree(target.parent, ignore_errors=True)
            raise
        u.audit(details={"dataset": dataset, "upload": name, "bytes": target.stat().st_size})
    params = {"input": token, "dataset": dataset, "file": name, "mapping": plain,
              "on_error": on_error, "decimal": decimal}  # fmt: skip
    try:
        view = jobs.submit(hub, actor, INGEST, params)
    except BaseException:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise
    return FinanceJob(view, dataset, name)


def _import_root(hub: Hub, actor: Actor) -> Path | None:
    """The actor's import folder: ``org-<id>`` under ``CTHUB_FINANCE_IMPORT_DIR`` for a member
    of an organisation (one organisation never reads another's exports), the folder itself
    for an operator without one; None when registering is off."""
    root = hub.settings.finance_import_dir
    if root is None:
        return None
    return root if actor.org_id is None else root / f"org-{actor.org_id}"


def importable(hub: Hub, actor: Actor, name: str) -> Path:
    """The file ``name`` directly in the actor's import folder: a plain name, no folder, no
    link out of it; refused when registering is off or the file is not there."""
    root = _import_root(hub, actor)
    if root is None:
        raise InvalidInput(
            "Registering server files is off on this node.",
            hint="An administrator sets CTHUB_FINANCE_IMPORT_DIR to the folder of transaction "
            "files; or upload the file.",
        )
    plain = Path(name).name
    inside = root.resolve() / plain
    if (not name or plain != name or name.startswith(".") or not inside.is_file()
            or inside.resolve().parent != root.resolve()):  # fmt: skip
        raise InvalidInput(
            "No transaction file named {name} in the import folder.",
            hint="Give the name of a CSV or Parquet file directly in the import folder.",
            name=name[:200],
        )
    return inside


def import_files(hub: Hub, actor: Actor) -> list[tuple[str, int]]:
    """The transaction files (name, bytes) that may be registered, by name; none when
    registering is off."""
    with hub.unit(actor, "finance.ingest") as u:
        u.audit(details={"import_folder": "listed"})
    root = _import_root(hub, actor)
    if root is None or not root.is_dir():
        return []
    here = root.resolve()
    return [
        (p.name, p.stat().st_size)
        for p in sorted(root.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.resolve().parent == here
        and p.suffix.lower() in _SUFFIXES
    ]  # fmt: skip


def start_register(
    hub: Hub,
    actor: Actor,
    name: str,
    dataset: str,
    *,
    mapping: Mapping[str, str] | None = None,
    on_error: str = "abort",
    decimal: str = ".",
) -> FinanceJob:
    """Start ingesting the server file ``name`` (in the import folder) into ``dataset``; it is
    read where it lies and left there. Refused at once as ``start_ingest`` refuses."""
    _check_name(dataset)
    _check_reading(on_error, decimal)
    plain = {str(k): str(v) for k, v in (mapping or {}).items()}
    with hub.unit(actor, "finance.ingest") as u:  # the role gate before the file is read
        path = importable(hub, u.actor, name)
        _precheck(path, plain)
        u.audit(details={"dataset": dataset, "registered": path.name,
                         "bytes": path.stat().st_size})  # fmt: skip
    params = {"registered": path.name, "dataset": dataset, "file": path.name, "mapping": plain,
              "on_error": on_error, "decimal": decimal}  # fmt: skip
    return FinanceJob(jobs.submit(hub, actor, INGEST, params), dataset, path.name)


@jobs.job(INGEST, action="finance.ingest")
def ingest_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """Ingest the uploaded or registered file (one partition, all or nothing); its bad rows
    are reported."""
    p = ctx.params
    token, name = str(p.get("input", "")), str(p.get("file", ""))
    if p.get("registered"):
        source, staged = importable(hub, ctx.actor, str(p["registered"])), None
    else:
        staged = folder(hub) / token if _HEX.match(token) else None
        if staged is None or not (staged / name).is_file() or Path(name).name != name:
            raise NotFound("The uploaded file of this ingest is gone.", hint="Upload it again.")
        source = staged / name
    try:
        ctx.progress(1, 3, N_("Checking and converting the rows"))
        on_error: OnError = "skip" if p.get("on_error") == "skip" else "abort"
        mapping = {str(k): str(v) for k, v in dict(p.get("mapping") or {}).items()}
        result = ingest_file(hub, ctx.actor, source, str(p["dataset"]), mapping, on_error,
                             str(p.get("decimal") or "."))  # fmt: skip
    finally:
        if staged is not None:  # an upload goes; a registered file stays where it is
            shutil.rmtree(staged, ignore_errors=True)
    ctx.progress(3, 3, N_("Ingest finished"))
    return {
        "dataset": result.dataset,
        "file": name,
        "partition": result.partition,
        "rows": result.rows,
        "skipped": result.skipped,
        "errors": [[line, column, problem] for line, column, problem in result.errors[:KEPT]],
    }


def start_monitor(hub: Hub, actor: Actor, dataset: str, engine: str = "duckdb") -> FinanceJob:
    """Start running the organisation's rules over ``dataset`` on ``engine``; returns at once."""
    check_engine(engine)
    with hub.unit(actor, "finance.monitor") as u:
        ds = _dataset(u, dataset)
        u.audit("finance_dataset", ds.id, details={"dataset": ds.name, "job": MONITOR,
                                                   "engine": engine})  # fmt: skip
        name = ds.name
    params = {"dataset": name, "engine": engine}
    return FinanceJob(jobs.submit(hub, actor, MONITOR, params), name, "")


@jobs.job(MONITOR, action="finance.monitor")
def monitor_job(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    """Monitor the dataset and store its alerts for review."""
    dataset = str(ctx.params.get("dataset", ""))
    engine = str(ctx.params.get("engine", "duckdb"))
    ctx.progress(1, 3, N_("Screening counterparties and running the rules"))
    result = monitor_dataset(hub, ctx.actor, dataset, engine=engine)
    ctx.progress(3, 3, N_("Monitoring finished"))
    return {"dataset": dataset, "alerts": len(result.alerts), "hits": len(result.hits)}


def status(hub: Hub, actor: Actor, job_id: str) -> FinanceJob:
    """A finance job's state, live progress and result (its organisation only)."""
    with hub.unit(actor, "jobs.read") as u:
        row = u.s.get(Job, job_id) if _HEX.match(job_id) else None
        if row is None or row.kind not in KINDS:
            raise NotFound("No job {id}.", id=job_id[:40])
        if not u.actor.is_system and row.org_id != u.actor.org_id:
            raise Forbidden(
                "This {kind} belongs to another organisation.",
                hint="Data is shared between organisations only under an explicit sharing rule.",
                kind="job",
            )
        u.audit("job", job_id)
        return FinanceJob.of(row, hub)


def recent(hub: Hub, actor: Actor, limit: int = 10) -> list[FinanceJob]:
    """The organisation's latest ingests and monitoring runs, newest first."""
    with hub.unit(actor, "jobs.read") as u:
        q = select(Job).where(Job.kind.in_(KINDS)).order_by(Job.created_at.desc()).limit(limit)
        if not actor.is_system:
            q = q.where(Job.org_id == actor.org_id)
        return [FinanceJob.of(row, hub) for row in u.s.scalars(q)]


__all__ = [
    "INGEST",
    "MONITOR",
    "FinanceJob",
    "ingest_job",
    "monitor_job",
    "recent",
    "start_ingest",
    "start_monitor",
    "status",
]
