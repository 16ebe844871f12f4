"""``--engine spark``: the same matcher over CSV or Parquet input on PySpark, row for row.

The driver builds the matcher once from the active list versions, as the local engine does,
and broadcasts it pickled (about 6 MB for UN + OFAC SDN); each Python worker process unpickles
it once and keeps it. Each input row gets its position on the JVM side (its partition's offset
plus ``monotonically_increasing_id``); rows are range-partitioned and sorted by position and
screened with ``mapInArrow``, so hits stream back in input order, best first per query: the
local engine's rows exactly. Results are computed on every core and cached (memory, then
disk) before the driver reads them partition by partition.

A bad row becomes an error row naming its line (CSV, one record per line) or row (Parquet);
the driver skips and reports it, or stops at the first (``abort``), after the hits before it,
as locally. CSV text that is not UTF-8 always stops, as it does locally: the driver checks the
bytes before Spark reads them (Spark would silently replace them).
"""

from __future__ import annotations

import csv
import functools
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark import Broadcast, StorageLevel
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from cthub.core.errors import InvalidInput
from cthub.core.hub import Hub
from cthub.core.i18n import N_
from cthub.core.policy import Actor
from cthub.core.spark import local_session
from cthub.screening.batch import COLUMNS, OUTPUT, audit_batch, check_columns, hit_row
from cthub.screening.service import Screener, check_limits, parse_query

ROWS_PER_PARTITION = 100  # fewer rows make no more partitions than this
PARTITIONS_PER_CORE = 8
_OUT = pa.schema(
    [("_row", pa.int64()), *[(c, pa.string()) for c in OUTPUT], ("_error", pa.string())]
)
_DDL = ", ".join(["_row bigint", *(f"{c} string" for c in OUTPUT), "_error string"])
_cache: dict[str, Screener] = {}  # per Python worker process: the broadcast matcher, unpickled


def session(cores: int | None = None) -> SparkSession:
    """A local Spark session on ``cores`` cores (all when None) whose workers run this Python."""
    return local_session(
        "cthub-screening", cores, {},
        N_("Install a Java runtime (e.g. `apt-get install openjdk-17-jre-headless`) "
           "or screen with --engine local."),
        N_("Check that `java -version` works, or screen with --engine local."),
    )  # fmt: skip


def check_input(path: str) -> None:
    """Spark reads files (a CSV or Parquet file, or a folder of them), never stdin."""
    if path == "-":
        raise InvalidInput(
            "The spark engine reads files, not stdin.",
            hint="Save the input as a CSV or Parquet file and pass its path to --input.",
        )
    if not Path(path).exists():
        raise InvalidInput("{file} does not exist.", file=path)


def screen_spark(
    hub: Hub,
    actor: Actor,
    screener: Screener,
    spark: SparkSession,
    path: str,
    threshold: float = 0.7,
    top: int = 5,
    abort: bool = False,
    skipped: list[str] | None = None,
) -> Iterator[list[str]]:
    """Output rows (``batch.OUTPUT``) in the local engine's order; one audit event at the end.

    The input and its columns are checked at the call. Skipped rows' messages go to
    ``skipped``; with ``abort`` the first bad row raises ``InvalidInput``.
    """
    check_input(path)
    check_limits(hub, actor, threshold, top)
    frame, is_csv = _read(spark, path)
    task = _Task(uuid.uuid4().hex, path, is_csv, threshold, top)
    return _results(hub, actor, screener, frame, task, (abort, skipped))


@dataclass(frozen=True)
class _Task:
    """What each executor needs besides the matcher; ``key`` names this batch's broadcast."""

    key: str
    source: str
    is_csv: bool
    threshold: float
    top: int


def _is_parquet(path: Path) -> bool:
    if path.is_dir():
        return any(p.suffix == ".parquet" for p in path.rglob("*"))
    with path.open("rb") as handle:
        return handle.read(4) == b"PAR1"


def _read(spark: SparkSession, path: str) -> tuple[DataFrame, bool]:
    """The input as string columns ``COLUMNS`` (absent ones null), and whether it is CSV."""
    if _is_parquet(Path(path)):
        frame = spark.read.parquet(path)
        names = {c.strip(): c for c in frame.columns}
        if missing := [c for c in ("id", "name") if c not in names]:
            raise InvalidInput(
                "{file}: column {column} is missing (found: {found}).",
                hint="The input needs columns id,name and may add "
                "type,birth_date,nationality,gender,id_number.",
                file=path,
                column=", ".join(missing),
                found=", ".join(names),
            )
        is_csv = False
    else:
        header = next(csv.reader([_check_utf8(Path(path)).removeprefix("\ufeff")]), [])
        check_columns(header, path)
        schema = StructType([StructField(c, StringType()) for c in header])  # no header job
        frame = spark.read.csv(path, schema=schema, header=True, escape='"', encoding="UTF-8")
        names, is_csv = {c.strip(): c for c in frame.columns}, True
    columns = [
        (F.col(f"`{names[c]}`") if c in names else F.lit(None)).cast("string").alias(c)
        for c in COLUMNS
    ]
    return frame.select(*columns), is_csv


def _check_utf8(path: Path) -> str:
    """Refuse CSV text that is not UTF-8, naming the line (Spark would replace the bytes).

    Returns the first line of the (first) file: the header.
    """
    header = None
    parts = [p for p in path.rglob("*") if p.is_file() and p.name[0] not in "._"]  # as Spark
    for part in sorted(parts) if path.is_dir() else [path]:
        with part.open("rb") as handle:
            for number, raw in enumerate(handle, 1):
                try:
                    text = raw.decode("utf-8")
                    header = text if header is None else header
                except UnicodeDecodeError as exc:
                    raise InvalidInput(
                        "{file} line {line}: the text is not UTF-8.",
                        hint="Save the file as UTF-8 and run again.",
                        file=str(part),
                        line=number,
                    ) from exc
    return header or ""


def _numbered(frame: DataFrame) -> tuple[DataFrame, int]:
    """``frame`` with ``_row``, each row's position in the input from 0, and the row count.

    ``monotonically_increasing_id`` is the partition number (high bits) plus the position in
    the partition; one cheap count per partition turns it into a position in the input.
    """
    marked = frame.withColumn("_mid", F.monotonically_increasing_id())
    part = F.shiftright(F.col("_mid"), 33)
    counts = sorted((r["p"], r["count"]) for r in marked.groupBy(part.alias("p")).count().collect())
    shifts: list[Column] = []
    total = 0
    for number, count in counts:
        shifts += [F.lit(number), F.lit(total - (number << 33))]
        total += count
    if not counts:
        return marked.withColumn("_row", F.col("_mid")).drop("_mid"), 0
    row = F.col("_mid") + F.element_at(F.create_map(*shifts), part)
    return marked.withColumn("_row", row).drop("_mid"), total


def _results(
    hub: Hub,
    actor: Actor,
    screener: Screener,
    frame: DataFrame,
    task: _Task,
    options: tuple[bool, list[str] | None],
) -> Iterator[list[str]]:
    abort, skipped = options
    numbered, total = _numbered(frame)
    context = frame.sparkSession.sparkContext
    parts = max(1, min(context.defaultParallelism * PARTITIONS_PER_CORE,
                       -(-total // ROWS_PER_PARTITION)))  # fmt: skip
    ordered = numbered.repartitionByRange(parts, "_row").sortWithinPartitions("_row")
    bc = context.broadcast(screener)
    job = functools.partial(_screen_batches, task=task, bc=bc)
    result = ordered.mapInArrow(job, _DDL).persist(StorageLevel.MEMORY_AND_DISK)
    hits = bad = 0
    try:
        result.count()  # every core screens; the driver then reads partitions in order
        for row in result.toLocalIterator():
            if row["_error"] is None:
                hits += 1
                yield [row[c] for c in OUTPUT]
                continue
            bad += 1
            error = json.loads(row["_error"])
            exc = InvalidInput(error["message"], error["hint"], **error["params"])
            if abort:
                raise exc
            if skipped is not None:
                skipped.append(exc.render())
    finally:
        result.unpersist()
        bc.destroy()
    audit_batch(hub, actor, screener, task.threshold, total - bad, hits, "spark")


def _worker_screener(key: str, bc: Broadcast[Screener]) -> Screener:
    if key not in _cache:
        _cache.clear()  # one matcher per worker process: the latest batch's
        _cache[key] = bc.value
    return _cache[key]


def _screen_batches(
    batches: Iterator[pa.RecordBatch], *, task: _Task, bc: Broadcast[Screener]
) -> Iterator[pa.RecordBatch]:
    """Executor side: hits and error rows for each input row, in input order."""
    scr = _worker_screener(task.key, bc)
    for batch in batches:
        out: list[list[Any]] = []
        for record in batch.to_pylist():
            out.extend(_screen_record(scr, record, task))
        yield pa.RecordBatch.from_pylist(
            [dict(zip(_OUT.names, values, strict=True)) for values in out], schema=_OUT
        )


def _screen_record(scr: Screener, record: dict[str, Any], task: _Task) -> list[list[Any]]:
    row: int = record["_row"]
    line = row + 2 if task.is_csv else row + 1  # a CSV's line 1 is its header
    where = f"{task.source} {'line' if task.is_csv else 'row'} {line}"
    try:
        qid, query = parse_query(record, where)
    except InvalidInput as exc:
        return [[row, *[None] * len(OUTPUT), _error(exc)]]
    hits = scr.matcher.screen(query, threshold=task.threshold, top=task.top)
    return [[row, *hit_row(qid, hit, scr.captions), None] for hit in hits]


def _error(exc: InvalidInput) -> str:
    params = {k: str(v) for k, v in exc.params.items()}
    return json.dumps({"message": exc.message, "hint": exc.hint, "params": params})


__all__ = ["check_input", "screen_spark", "session"]
