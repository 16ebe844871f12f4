"""Batch screening: the CSV contract of every engine, parallel local screening, the web job.

Output rows are ``OUTPUT``, best first per query, at most ``top``, at or above the threshold.
``screen_parallel`` is ``service.screen`` over forked processes sharing the matcher built once
in the parent: the same hits in input order, one audit event with the counts.

The web job (``screening.batch``) screens a file ``store_upload`` checked whole (UTF-8, the
columns, an id and a name on every row; a failing file is refused, naming the line). Rows with
bad evidence (a malformed date, an unknown country) are skipped and reported by line, as the
CLI does. Inputs and results are files under ``<data_dir>/screening-batch``; only the
organisation that ran a batch sees its progress or downloads its result: batches are never
shared.
"""

from __future__ import annotations

import csv
import multiprocessing
import re
import shutil
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select

from cthub.core import jobs
from cthub.core.errors import CthubError, InvalidInput, NotFound
from cthub.core.hub import Hub, Unit
from cthub.core.jobs import JobContext, JobView
from cthub.core.policy import Actor
from cthub.core.tables import Job
from cthub.screening.cache import screener as cached_screener
from cthub.screening.matching import Hit, Matcher, Query
from cthub.screening.service import Screener, check_limits, parse_query, screen

KIND = "screening.batch"
REQUIRED = ("id", "name")
COLUMNS = ("id", "name", "type", "birth_date", "nationality", "gender", "id_number")
OUTPUT = ("query_id", "score", "list", "list_ref", "matched_name", "entity_name", "explanation")
FOLDER = "screening-batch"
CHUNK = 200  # queries per task sent to a worker process
KEPT = 100  # skipped rows kept, with their messages, in a job's result
_HEX = re.compile(r"^[0-9a-f]{32}$")

Chunk = list[tuple[str, Query]]
_worker: tuple[Matcher, float, int] | None = None


def hit_row(qid: str, hit: Hit, captions: dict[str, str]) -> list[str]:
    """One output row (``OUTPUT``); the score has three decimals."""
    e = hit.entry
    return [qid, f"{hit.score:.3f}", e.list, e.ref, hit.matched_name, captions.get(e.id, ""),
            hit.explanation]  # fmt: skip


def audit_batch(
    hub: Hub, actor: Actor, scr: Screener, threshold: float, queries: int, hits: int, engine: str
) -> None:
    """The one audit event of a batch: counts, lists and engine, never the names screened."""
    with hub.unit(actor, "screening.screen") as u:
        details = {"queries": queries, "hits": hits, "lists": list(scr.lists),
                   "threshold": threshold, "engine": engine}  # fmt: skip
        u.audit("screening", details=details)


def check_columns(found: Sequence[str], file: str) -> None:
    """Refuse a CSV header without ``id`` and ``name``, naming what was found."""
    names = [f.strip() for f in found]
    if missing := [c for c in REQUIRED if c not in names]:
        raise InvalidInput(
            "{file} line 1: column {column} is missing (found: {found}).",
            hint="The input needs columns id,name and may add "
            "type,birth_date,nationality,gender,id_number.",
            file=file,
            column=", ".join(missing),
            found=", ".join(names),
        )


def screen_parallel(
    hub: Hub,
    actor: Actor,
    screener: Screener,
    queries: Iterable[tuple[str, Query]],
    threshold: float = 0.7,
    top: int = 5,
    workers: int = 2,
) -> Iterator[tuple[str, Hit]]:
    """``service.screen`` on ``workers`` forked processes: the same hits in the same order.

    The checks and the fork happen at the call, before a progress bar starts a thread. An
    error raised by ``queries`` surfaces after the hits of the rows read before it.
    """
    check_limits(hub, actor, threshold, top)
    pool = multiprocessing.get_context("fork").Pool(
        workers, _init_worker, (screener.matcher, threshold, top)
    )
    return _parallel(hub, actor, screener, pool, queries, (threshold, workers))


def _init_worker(matcher: Matcher, threshold: float, top: int) -> None:
    global _worker
    _worker = (matcher, threshold, top)  # inherited through fork, never pickled


def _screen_chunk(chunk: Chunk) -> list[list[tuple[str, Hit]]]:
    if _worker is None:  # pragma: no cover - only ever called in a pool worker
        raise RuntimeError("not a screening worker")
    matcher, threshold, top = _worker
    return [[(qid, hit) for hit in matcher.screen(query, threshold, top)] for qid, query in chunk]


def _chunks(queries: Iterable[tuple[str, Query]]) -> Iterator[Chunk]:
    chunk: Chunk = []
    try:
        for item in queries:
            chunk.append(item)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
    except CthubError:
        if chunk:  # the rows read before the error are still screened
            yield chunk
        raise
    if chunk:
        yield chunk


def _parallel(
    hub: Hub,
    actor: Actor,
    screener: Screener,
    pool: Any,
    queries: Iterable[tuple[str, Query]],
    settings: tuple[float, int],
) -> Iterator[tuple[str, Hit]]:
    threshold, workers = settings
    pending: deque[Any] = deque()  # AsyncResults, oldest first: hits leave in input order
    screened = hits = 0
    failure: CthubError | None = None
    with pool:
        try:
            for chunk in _chunks(queries):
                screened += len(chunk)
                pending.append(pool.apply_async(_screen_chunk, (chunk,)))
                while len(pending) > 4 * workers:
                    for found in pending.popleft().get():
                        hits += len(found)
                        yield from found
        except CthubError as exc:  # --on-error abort: raised after the earlier hits
            failure = exc
        while pending:
            for found in pending.popleft().get():
                hits += len(found)
                yield from found
    if failure is not None:
        raise failure
    audit_batch(hub, actor, screener, threshold, screened, hits, f"local/{workers}")


@dataclass(frozen=True)
class Upload:
    """A checked upload under the data folder, waiting for its job."""

    token: str
    filename: str
    rows: int


@dataclass(frozen=True)
class BatchView:
    """A batch job and what it screens: the file's name and row count."""

    job: JobView
    file: str
    rows: int

    @classmethod
    def of(cls, row: Job, hub: Hub) -> BatchView:
        return cls(JobView.of(row, hub), str(row.params.get("file", "")), row.params["rows"])


def folder(hub: Hub) -> Path:
    path = hub.settings.data_dir / FOLDER
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(hub: Hub, data: IO[bytes], filename: str) -> Upload:
    """Copy an uploaded CSV under the data folder and check it whole; a refused file is gone."""
    name = Path(filename or "").name[:100] or "upload.csv"
    token = uuid.uuid4().hex
    path = folder(hub) / f"{token}.in.csv"
    try:
        with path.open("wb") as out:
            shutil.copyfileobj(data, out, 2**20)
        rows = sum(1 for _ in _checked(path, name))
        if rows == 0:
            raise InvalidInput("{file} has no rows to screen.", file=name)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return Upload(token, name, rows)


def _lines(path: Path, file: str) -> Iterator[str]:
    """Decoded lines (a BOM dropped); a byte that is not UTF-8 is reported with its line."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise InvalidInput(
                    "{file} line {line}: the text is not UTF-8.",
                    hint="Save the file as UTF-8 and run again.",
                    file=file,
                    line=number,
                ) from exc
            yield text.removeprefix("\ufeff") if number == 1 else text


def _records(path: Path, file: str) -> Iterator[tuple[int, dict[str, str | None]]]:
    reader = csv.DictReader(_lines(path, file))
    check_columns(reader.fieldnames or [], file)
    try:
        for record in reader:
            yield reader.line_num, record
    except csv.Error as exc:
        raise InvalidInput(
            "{file} line {line}: the CSV cannot be read ({problem}).",
            file=file,
            line=reader.line_num,
            problem=str(exc),
        ) from exc


def _checked(path: Path, file: str) -> Iterator[int]:
    for line, record in _records(path, file):
        where = f"{file} line {line}"
        if not (record.get("id") or "").strip():
            raise InvalidInput("{where}: the id is empty.", where=where)
        if not (record.get("name") or "").strip():
            raise InvalidInput("{where}: the name is empty.", where=where)
        yield line


def start(
    hub: Hub,
    actor: Actor,
    upload: Upload,
    threshold: float = 0.7,
    top: int = 5,
    lists: Sequence[str] | None = None,
) -> BatchView:
    """Start the job screening ``upload``; returns at once (the page polls its progress)."""
    try:
        check_limits(hub, actor, threshold, top)
    except CthubError:
        (folder(hub) / f"{upload.token}.in.csv").unlink(missing_ok=True)
        raise
    params = {
        "input": upload.token,
        "file": upload.filename,
        "rows": upload.rows,
        "threshold": threshold,
        "top": top,
        "lists": sorted(set(lists or [])) or None,
    }
    return BatchView(jobs.submit(hub, actor, KIND, params), upload.filename, upload.rows)


@jobs.job(KIND, action="screening.screen")
def _run(hub: Hub, ctx: JobContext) -> dict[str, Any]:
    p = ctx.params
    token, name = str(p["input"]), str(p["file"])
    source, target = folder(hub) / f"{token}.in.csv", folder(hub) / f"{ctx.job_id}.csv"
    partial = target.with_suffix(".part")
    if not _HEX.match(token) or not source.is_file():
        raise NotFound("The uploaded file of this batch is gone.", hint="Upload it again.")
    tally: dict[str, Any] = {"rows": 0, "skipped": 0, "skipped_rows": []}
    hits = 0
    try:
        scr = cached_screener(hub, ctx.actor, p.get("lists"))
        queries = _queries(ctx, source, name, int(p["rows"]), tally)
        with partial.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(OUTPUT)
            for qid, hit in screen(hub, ctx.actor, scr, queries, p["threshold"], p["top"]):
                writer.writerow(hit_row(qid, hit, scr.captions))
                hits += 1
        partial.replace(target)
    finally:
        source.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return {**tally, "file": name, "screened": tally["rows"] - tally["skipped"], "hits": hits}


def _queries(
    ctx: JobContext, path: Path, file: str, total: int, tally: dict[str, Any]
) -> Iterator[tuple[str, Query]]:
    for line, record in _records(path, file):
        tally["rows"] += 1
        try:
            yield parse_query(record, f"{file} line {line}")
        except InvalidInput as exc:
            tally["skipped"] += 1
            if len(tally["skipped_rows"]) < KEPT:
                params = {k: str(v) for k, v in exc.params.items()}
                kept = {"line": line, "message": exc.message, "params": params}
                tally["skipped_rows"].append(kept)
        ctx.progress(tally["rows"], total)


def _own(u: Unit, job_id: str) -> Job:
    row = u.s.get(Job, job_id) if _HEX.match(job_id) else None
    if row is None or row.kind != KIND:
        raise NotFound("No batch {id}.", id=job_id)
    u.require(row, action="screening.screen")  # a write-scoped action: own organisation only
    return row


def status(hub: Hub, actor: Actor, job_id: str) -> BatchView:
    """A batch's state, live progress and summary."""
    with hub.unit(actor, "jobs.read") as u:
        row = _own(u, job_id)
        u.audit("job", job_id)
        return BatchView.of(row, hub)


def result_file(hub: Hub, actor: Actor, job_id: str) -> Path:
    """The result CSV of a finished batch of the actor's organisation."""
    with hub.unit(actor, "jobs.read") as u:
        row = _own(u, job_id)
        path = folder(hub) / f"{job_id}.csv"
        if row.state != "succeeded" or not path.is_file():
            raise NotFound("The result of batch {id} is not ready.", id=job_id)
        u.audit("job", job_id, details={"download": KIND})
        return path


def recent(hub: Hub, actor: Actor, limit: int = 10) -> list[BatchView]:
    """The organisation's latest batches, newest first."""
    with hub.unit(actor, "jobs.read") as u:
        stmt = select(Job).where(Job.kind == KIND).order_by(Job.created_at.desc()).limit(limit)
        if not actor.is_system:
            stmt = stmt.where(Job.org_id == actor.org_id)
        return [BatchView.of(j, hub) for j in u.s.scalars(stmt)]
