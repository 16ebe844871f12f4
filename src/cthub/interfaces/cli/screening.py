"""``cthub screening screen`` (names) and ``addresses``: batch screening, CSV in, CSV out.

Input columns: ``id,name`` plus any of ``type,birth_date,nationality,gender,id_number``.
Output columns: ``query_id,score,list,list_ref,matched_name,entity_name,explanation``, one row
per (query, entry) at or above the threshold, best first, at most ``--top`` per query.
``--engine local`` screens in this process (or ``--workers N`` forked ones); ``--engine spark``
reads a CSV or Parquet file on PySpark (``local[N]``) and writes exactly the same rows.

``addresses`` reads ``address`` plus optional ``chain,id`` and writes
``address,chain,list,list_ref,holder,program``, one row per listing found; each input address
with a problem (checksum, unknown chain, label) is reported on stderr with its line, and still
looked up. ``address-report`` lists the lists' own address errors.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
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
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub
from cthub.ownership.addresses import AddressQuery, address_report, screen_addresses
from cthub.ownership.addresses.report import COLUMNS as REPORT_COLUMNS
from cthub.screening import Hit, Query, Screener, build_matcher, parse_query, screen
from cthub.screening.batch import hit_row, screen_parallel

app = typer.Typer(
    no_args_is_help=True, help="Screen names and crypto-asset addresses against sanctions lists."
)
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


def _unreadable(exc: Exception, source: str, line: int) -> InvalidInput:
    """The error for a CSV that stops being readable at ``line`` (bad encoding or quoting)."""
    if isinstance(exc, UnicodeDecodeError):
        return InvalidInput("{file} line {line}: the text is not UTF-8.",
                            hint="Save the file as UTF-8 and run again.", file=source,
                            line=line + 1)  # fmt: skip
    return InvalidInput("{file} line {line}: the CSV cannot be read ({problem}).",
                        file=source, line=line, problem=str(exc))  # fmt: skip


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
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(exc, source, reader.line_num) from exc


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


ADDRESS_OUTPUT = ("address", "chain", "list", "list_ref", "holder", "program")


def _address_header(reader: csv.DictReader[str], source: str) -> None:
    try:
        found = [f.strip() for f in reader.fieldnames or []]
    except UnicodeDecodeError as exc:
        raise InvalidInput("{file} line 1: the text is not UTF-8.", file=source, line=1) from exc
    if "address" not in found:
        raise InvalidInput(
            "{file} line 1: column {column} is missing (found: {found}).",
            hint="The input needs an address column and may add chain and id.",
            file=source,
            column="address",
            found=", ".join(found),
        )


def _address_queries(reader: csv.DictReader[str], source: str) -> Iterator[AddressQuery]:
    """``AddressQuery`` rows of an ``address[,chain][,id]`` CSV; unreadable CSV aborts."""
    try:
        for record in reader:
            row = {(k or "").strip(): v for k, v in record.items()}
            yield AddressQuery(
                address=row.get("address") or "",
                chain=(row.get("chain") or "").strip() or None,
                id=(row.get("id") or "").strip() or None,
                where=f"{source} line {reader.line_num}",
            )
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(exc, source, reader.line_num) from exc


def _names(lists: str | None) -> list[str] | None:
    return [n.strip() for n in lists.split(",") if n.strip()] if lists else None


@app.command("addresses")
def addresses_cmd(
    input_path: str = typer.Option(..., "--input", help="CSV with an address column, or -"),
    output_path: str = typer.Option(..., "--output", help="CSV file, or - for stdout"),
    lists: str | None = typer.Option(None, "--lists", help="Comma-separated, e.g. ofac-xml"),
    address_lists: list[Path] = typer.Option(
        [], "--address-list", help="Address-list file or folder, or an OFAC CSV set (repeatable)"
    ),
) -> None:
    """Screen crypto-asset addresses; write one row per listed address found."""
    hub = open_hub()
    source = "stdin" if input_path == "-" else input_path
    with ExitStack() as stack:
        reader = csv.DictReader(_open_in(input_path, stack))
        _address_header(reader, source)
        result = screen_addresses(
            hub,
            OPERATOR,
            _address_queries(reader, source),
            lists=_names(lists),
            address_lists=address_lists,
        )
        writer = csv.writer(_open_out(output_path, stack), lineterminator="\n")
        writer.writerow(ADDRESS_OUTPUT)
        for query, hit in result.hits:
            found = hit.listed
            writer.writerow(
                [query.address.strip(), hit.chain, found.list, found.list_ref, found.holder,
                 found.program]
            )  # fmt: skip
    for problem in result.problems:
        err.print(problem.render(), highlight=False, markup=False, soft_wrap=True)
    kinds = Counter(p.kind for found in result.list_problems for p in found.checked.problems)
    listed = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or "none"
    err.print(
        f"{result.screened} addresses screened, {len(result.hits)} hits, "
        f"{len(result.problems)} with problems; {result.listed} listed addresses "
        f"(problems in the lists: {listed})",
        highlight=False,
        markup=False,
        soft_wrap=True,
    )


@app.command("address-report")
def address_report_cmd(
    lists: str | None = typer.Option(None, "--lists", help="Comma-separated, e.g. ofac-xml"),
    address_lists: list[Path] = typer.Option(
        [], "--address-list", help="Address-list file or folder, or an OFAC CSV set (repeatable)"
    ),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """The lists' own address errors (labels, checksums), one row each, counted by kind."""
    report = address_report(open_hub(), OPERATOR, _names(lists), address_lists)
    emit(report.rows(), REPORT_COLUMNS, fmt, title=report.summary())
    if fmt is not Format.table:
        err.print(report.summary(), highlight=False, markup=False, soft_wrap=True)
