"""``cthub screening screen``: batch name screening, CSV in and CSV out (a stable contract).

Input columns: ``id,name`` plus any of ``type,birth_date,nationality,gender,id_number``.
Output columns: ``query_id,score,list,list_ref,matched_name,entity_name,explanation``, one row
per (query, entry) at or above the threshold, best first, at most ``--top`` per query.
``--engine local`` screens in this process (or ``--workers N`` forked ones); ``--engine spark``
reads a CSV or Parquet file on PySpark (``local[N]``) and writes exactly the same rows.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from cthub.core.errors import InvalidInput, Unavailable
from cthub.core.hub import Hub
from cthub.interfaces.cli.output import err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub
from cthub.screening import Hit, Query, Screener, build_matcher, parse_query, screen
from cthub.screening.batch import hit_row, screen_parallel

app = typer.Typer(no_args_is_help=True, help="Screen names against sanctions lists.")
REQUIRED = ("id", "name")
OPTIONAL = ("type", "birth_date", "nationality", "gender", "id_number")
OUTPUT = ("query_id", "score", "list", "list_ref", "matched_name", "entity_name", "explanation")


class OnError(StrEnum):
    skip = "skip"
    abort = "abort"


class Engine(StrEnum):
    local = "local"
    spark = "spark"


def _open_in(path: str, stack: ExitStack) -> IO[str]:
    if path == "-":
        return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8-sig", newline="")
    if not Path(path).is_file():
        raise InvalidInput("{file} does not exist.", file=path)
    return stack.enter_context(open(path, encoding="utf-8-sig", newline=""))


def _open_out(path: str, stack: ExitStack) -> IO[str]:
    if path == "-":
        return sys.stdout
    return stack.enter_context(open(path, "w", encoding="utf-8", newline=""))


def _queries(
    reader: csv.DictReader[str], source: str, on_error: OnError, skipped: list[str]
) -> Iterator[tuple[str, Query]]:
    try:
        for record in reader:
            where = f"{source} line {reader.line_num}"
            try:
                yield parse_query(record, where)
            except InvalidInput as exc:
                if on_error is OnError.abort:
                    raise
                skipped.append(exc.render())
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            "{file} line {line}: the text is not UTF-8.",
            hint="Save the file as UTF-8 and run again.",
            file=source,
            line=reader.line_num + 1,
        ) from exc
    except csv.Error as exc:
        raise InvalidInput(
            "{file} line {line}: the CSV cannot be read ({problem}).",
            file=source,
            line=reader.line_num,
            problem=str(exc),
        ) from exc


def _check_header(fields: Sequence[str] | None, source: str) -> None:
    found = [f.strip() for f in fields or []]
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InvalidInput(
            "{file} line 1: column {column} is missing (found: {found}).",
            hint="The input needs columns id,name and may add "
            "type,birth_date,nationality,gender,id_number.",
            file=source,
            column=", ".join(missing),
            found=", ".join(found),
        )


@app.command("screen")
def screen_cmd(
    input_path: str = typer.Option(..., "--input", help="CSV file, or - for stdin"),
    output_path: str = typer.Option(..., "--output", help="CSV file, or - for stdout"),
    threshold: float = typer.Option(0.7, "--threshold"),
    lists: str | None = typer.Option(None, "--lists", help="Comma-separated, e.g. un,ofac-sdn"),
    top: int = typer.Option(5, "--top"),
    on_error: OnError = typer.Option(
        OnError.skip, "--on-error", help="skip: report bad rows and go on; abort: stop"
    ),
    engine: Engine = typer.Option(
        Engine.local, "--engine", help="local, or spark (a CSV or Parquet file, not stdin)"
    ),
    workers: int | None = typer.Option(
        None, "--workers", help="Processes (local, default 1) or Spark cores (default all)"
    ),
) -> None:
    """Screen every row of the input; write one row per hit."""
    if workers is not None and workers < 1:
        raise InvalidInput("--workers must be at least 1.")
    hub = open_hub()
    names = [n.strip() for n in lists.split(",") if n.strip()] if lists else None
    screener = build_matcher(hub, OPERATOR, names)
    batch = _Batch(hub, screener, input_path, threshold, top, workers, on_error, [])
    with ExitStack() as stack:
        rows = _spark_rows(batch, stack) if engine is Engine.spark else _local_rows(batch, stack)
        writer = csv.writer(_open_out(output_path, stack), lineterminator="\n")
        writer.writerow(OUTPUT)
        progress = stack.enter_context(
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                console=err,
                disable=not sys.stderr.isatty(),
            )
        )
        task = progress.add_task("screening", total=None)
        for n, row in enumerate(rows, 1):
            writer.writerow(row)
            if n % 200 == 0:
                progress.update(task, description=f"screening: {n} hits")
    for message in batch.skipped[:20]:
        err.print(f"skipped: {message}", highlight=False, markup=False)
    if batch.skipped:
        err.print(f"{len(batch.skipped)} rows skipped", highlight=False)


@dataclass(frozen=True)
class _Batch:
    hub: Hub
    screener: Screener
    input_path: str
    threshold: float
    top: int
    workers: int | None
    on_error: OnError
    skipped: list[str]


def _local_rows(b: _Batch, stack: ExitStack) -> Iterator[list[str]]:
    """Hits as output rows, screened in this process or on ``--workers`` forked ones."""
    source = "stdin" if b.input_path == "-" else b.input_path
    reader = csv.DictReader(_open_in(b.input_path, stack))
    try:
        _check_header(reader.fieldnames, source)
    except UnicodeDecodeError as exc:
        raise InvalidInput("{file} line 1: the text is not UTF-8.", file=source, line=1) from exc
    queries = _queries(reader, source, b.on_error, b.skipped)
    results: Iterable[tuple[str, Hit]]
    if b.workers and b.workers > 1:
        results = screen_parallel(
            b.hub, OPERATOR, b.screener, queries, b.threshold, b.top, b.workers
        )
    else:
        results = screen(b.hub, OPERATOR, b.screener, queries, b.threshold, b.top)
    return (hit_row(qid, hit, b.screener.captions) for qid, hit in results)


def _spark_rows(b: _Batch, stack: ExitStack) -> Iterator[list[str]]:
    """Hits as output rows from PySpark on ``local[--workers]`` (all cores by default)."""
    try:
        from cthub.screening import spark
    except ImportError as exc:
        raise Unavailable(
            "The spark engine needs PySpark, which is not installed.",
            hint="Install the spark extra, e.g. `pip install 'cthub[spark]'`.",
        ) from exc
    spark.check_input(b.input_path)  # before Spark takes its seconds to start
    session = spark.session(b.workers)
    stack.callback(session.stop)
    abort = b.on_error is OnError.abort
    return spark.screen_spark(
        b.hub, OPERATOR, b.screener, session, b.input_path, b.threshold, b.top, abort, b.skipped
    )
