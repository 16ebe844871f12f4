"""The Spark engine: the source becomes the temporary view ``tx``, queries run in turn.

Parquet paths are read with ``spark.read.parquet`` (timestamps written without a time zone
read as ``TIMESTAMP_NTZ``, so windows and results are in UTC whatever the session's zone), an
Arrow table or a DataFrame is used as it is. Results come back through Arrow. ``session``
starts a local session for callers without a cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
from pyspark.sql import DataFrame, SparkSession

from cthub.core.errors import InvalidInput
from cthub.core.i18n import N_
from cthub.core.spark import local_session
from cthub.finance.rules.executor import LISTED, check_columns


def session(cores: int | None = None, shuffle_partitions: int | None = None) -> SparkSession:
    """A local session on ``cores`` cores (all when None), UI off, time zone UTC."""
    settings = {"spark.sql.session.timeZone": "UTC"}
    if shuffle_partitions:
        settings["spark.sql.shuffle.partitions"] = str(shuffle_partitions)
    return local_session(
        "cthub-finance", cores, settings,
        N_("Install a Java runtime (e.g. `apt-get install openjdk-17-jre-headless`) "
           "or run the rules with engine duckdb."),
        N_("Check that `java -version` works, or run the rules with engine duckdb."),
    )  # fmt: skip


def run(
    queries: Sequence[str],
    source: Any,
    listed: pa.Table | None,
    spark: SparkSession | None,
    on_query: Callable[[], None] | None = None,
) -> list[pa.Table]:
    """Each query's rows as Arrow, in order; ``on_query`` is called after each."""
    active = spark or SparkSession.getActiveSession() or session()
    frame = _frame(active, source)
    check_columns(frame.columns)
    frame.createOrReplaceTempView("tx")
    active.createDataFrame(
        listed if listed is not None else LISTED.empty_table()
    ).createOrReplaceTempView("listed")
    try:
        out = []
        for sql in queries:
            out.append(active.sql(sql).toArrow())
            if on_query is not None:
                on_query()
        return out
    finally:
        active.catalog.dropTempView("tx")
        active.catalog.dropTempView("listed")


def _frame(spark: SparkSession, source: Any) -> DataFrame:
    if isinstance(source, DataFrame):
        return source
    if isinstance(source, pa.Table):
        return spark.createDataFrame(source)
    paths = [source] if isinstance(source, str | Path) else list(source)
    for path in map(Path, paths):
        if not path.exists():
            raise InvalidInput("{file} does not exist.", file=str(path))
    return spark.read.parquet(*map(str, paths))


__all__ = ["run", "session"]
