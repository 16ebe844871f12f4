"""Run rules on DuckDB or Spark and get their hits as one Arrow table.

``run_rules`` compiles each enabled rule (``compiler.compile_rule``), makes the source the view
``tx`` on the chosen engine, runs the texts one by one and returns every hit, sorted by rule,
account, time and transaction. The two engines run the same SQL; the tests check that they
return the same rows. ``listed`` (``LISTED``) feeds the sanctioned-counterparty kind; without
it, that kind finds nothing.

Sources: a Parquet file or folder, or a list of them (both engines); a ``pyarrow.Table``
(both); a DuckDB relation (DuckDB: pass the ``connection`` it belongs to unless it is the
default one); a Spark DataFrame (Spark).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cthub.core.errors import InvalidInput
from cthub.finance.rules.compiler import compile_rule, uses_listed
from cthub.finance.rules.model import Rule
from cthub.finance.schema import STORED

if TYPE_CHECKING:
    import duckdb
    from pyspark.sql import SparkSession

ENGINES = ("duckdb", "spark")
HITS = pa.schema(
    [
        ("rule", pa.string()),
        ("account", pa.string()),
        ("tx_id", pa.string()),
        ("ts", pa.timestamp("us")),
        ("detail", pa.string()),
    ]
)
LISTED = pa.schema(
    [
        ("name", pa.string()),
        ("list_name", pa.string()),
        ("list_ref", pa.string()),
        ("score", pa.float64()),
        ("kind", pa.string()),
    ]
)
#: ``listed.kind``: a screened counterparty name, or a listed wallet address (exact spelling).
LISTED_KINDS = ("name", "wallet")
NAMES_SQL = (
    "SELECT DISTINCT name FROM (SELECT sender_name AS name FROM tx UNION ALL "
    "SELECT receiver_name AS name FROM tx) AS names WHERE name <> '' ORDER BY name"
)


def run_rules(
    rules: Iterable[Rule],
    engine: str = "duckdb",
    source: Any = None,
    *,
    listed: pa.Table | None = None,
    connection: duckdb.DuckDBPyConnection | None = None,
    spark: SparkSession | None = None,
    threads: int | None = None,
    on_rule: Callable[[], None] | None = None,
) -> pa.Table:
    """The hits (``HITS``) of every enabled rule over ``source``.

    ``threads`` sets DuckDB's thread count; ``spark`` is the session to use (else the active
    one, else a new local one). Views ``tx`` and ``listed`` are replaced for the run.
    ``on_rule`` is called as each rule finishes (a progress bar's step).
    """
    chosen = [r for r in rules if r.enabled]
    queries = [compile_rule(r) for r in chosen]
    needs = listed if any(uses_listed(r) for r in chosen) else None
    tables = _run(engine, queries, source, needs, connection, spark, threads, on_rule)
    return finish(tables)


WALLETS_SQL = (
    "SELECT DISTINCT wallet FROM (SELECT sender AS wallet FROM tx WHERE channel = 'crypto' "
    "UNION ALL SELECT receiver AS wallet FROM tx WHERE channel = 'crypto') AS w "
    "WHERE wallet <> '' ORDER BY wallet"
)


def counterparty_wallets(
    source: Any,
    engine: str = "duckdb",
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
    spark: SparkSession | None = None,
) -> list[str]:
    """The distinct accounts on either side of crypto-channel transactions: wallet addresses,
    screened against the lists' addresses."""
    (table,) = _run(engine, [WALLETS_SQL], source, None, connection, spark, None)
    return [str(w) for w in table.column("wallet").to_pylist()]


def counterparty_names(
    source: Any,
    engine: str = "duckdb",
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
    spark: SparkSession | None = None,
) -> list[str]:
    """The distinct non-empty sender and receiver names of ``source``, for screening."""
    (table,) = _run(engine, [NAMES_SQL], source, None, connection, spark, None)
    return [str(n) for n in table.column("name").to_pylist()]


def _run(
    engine: str,
    queries: Sequence[str],
    source: Any,
    listed: pa.Table | None,
    connection: duckdb.DuckDBPyConnection | None,
    spark: SparkSession | None,
    threads: int | None,
    on_query: Callable[[], None] | None = None,
) -> list[pa.Table]:
    if source is None:
        raise InvalidInput("No transactions to run the rules over.", hint="Pass source=.")
    if listed is not None:
        listed = check_listed(listed)
    if engine == "duckdb":
        from cthub.finance.rules import on_duckdb

        return on_duckdb.run(queries, source, listed, connection, threads, on_query)
    if engine == "spark":
        from cthub.finance.rules import on_spark

        return on_spark.run(queries, source, listed, spark, on_query)
    raise InvalidInput("Unknown engine {engine}.", hint="Use duckdb or spark.", engine=repr(engine))


def check_columns(columns: Iterable[str]) -> None:
    """Refuse a source that lacks any STORED column of ``cthub.finance.schema``."""
    missing = [c for c in STORED if c not in set(columns)]
    if missing:
        raise InvalidInput(
            "The transactions lack column {columns}.",
            hint="The rules read the stored table: columns {stored}.",
            columns=", ".join(missing),
            stored=", ".join(STORED),
        )


def check_listed(listed: pa.Table) -> pa.Table:
    """``listed`` with the LISTED columns and types, or ``InvalidInput``."""
    if "kind" not in listed.column_names:  # a table of screened names only
        listed = listed.append_column("kind", pa.array(["name"] * listed.num_rows, pa.string()))
    missing = [c for c in LISTED.names if c not in listed.column_names]
    if missing:
        raise InvalidInput(
            "The listed table lacks column {columns}.",
            hint="It needs name, list_name, list_ref, score and kind (see listed_names).",
            columns=", ".join(missing),
        )
    return listed.select(LISTED.names).cast(LISTED)


def finish(tables: Iterable[pa.Table]) -> pa.Table:
    """One HITS table, sorted by rule, account, ts, tx_id."""
    parts = [_conform(t) for t in tables]
    out = pa.concat_tables(parts) if parts else HITS.empty_table()
    keys = [("rule", "ascending"), ("account", "ascending"), ("ts", "ascending")]
    return out.sort_by([*keys, ("tx_id", "ascending")])


def _conform(table: pa.Table) -> pa.Table:
    """``table`` as HITS; a time-zoned ``ts`` (Spark's TIMESTAMP) becomes naive UTC."""
    at = table.column_names.index("ts")
    table = table.set_column(at, "ts", table.column("ts").cast(pa.timestamp("us")))
    return table.select(HITS.names).cast(HITS)


__all__ = [
    "ENGINES",
    "HITS",
    "LISTED",
    "LISTED_KINDS",
    "WALLETS_SQL",
    "check_columns",
    "check_listed",
    "counterparty_names",
    "counterparty_wallets",
    "finish",
    "run_rules",
]
