"""What DuckDB computes over the transactions for the learned scorer: the account graph, each
account's money movements, and the columns of an alert no rule explains.

Everything heavy runs in DuckDB, in a few hash aggregates over the Parquet: the accounts
(numbered in name order), the distinct sender -> receiver pairs as integer edges (so the
``network`` graph is built from pairs, not from every transaction's strings), and one
aggregate per side (sent, received) that numpy adds up. 10 M transactions are a few scans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TypeAlias

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.sparse import coo_matrix, csr_matrix

from cthub.core import duck
from cthub.core.errors import InvalidInput
from cthub.finance.datasets import literal
from cthub.finance.network import AccountGraph

#: a Parquet file, a list of them, or an in-memory table of the stored columns
Source: TypeAlias = Sequence[str | Path] | pa.Table

ACTIVITY = (
    "tx.in",
    "tx.out",
    "amount.in",
    "amount.out",
    "tx.counterparties",
    "share.cash",
    "share.crypto",
    "share.msb_hawala",
    "share.cross_border",
    "tx.mean_gap_hours",
)
_SIDE = """CREATE TEMP TABLE {side}s AS
  SELECT {side} AS account, count(*) AS n, sum(amount_minor::DOUBLE) AS amount,
    count(*) FILTER (WHERE channel = 'cash') AS cash,
    count(*) FILTER (WHERE channel = 'crypto') AS crypto,
    count(*) FILTER (WHERE channel IN ('money_service', 'hawala')) AS msb,
    count(*) FILTER (WHERE sender_country <> '' AND receiver_country <> ''
                     AND sender_country <> receiver_country) AS abroad,
    epoch_us(min(ts)) AS first, epoch_us(max(ts)) AS last
  FROM {t} WHERE {side} <> '' GROUP BY {side}"""
_IDS = """CREATE TEMP TABLE ids AS SELECT account, (row_number() OVER (ORDER BY account) - 1)
AS i FROM (SELECT account FROM senders UNION SELECT account FROM receivers)"""
_EDGES = """SELECT s.i AS s, r.i AS r FROM (SELECT DISTINCT sender, receiver FROM {t}
WHERE sender <> '' AND receiver <> '') AS e
JOIN ids AS s ON e.sender = s.account JOIN ids AS r ON e.receiver = r.account"""


def scan(con: duckdb.DuckDBPyConnection, source: Source) -> str:
    """A FROM-clause text that reads ``source`` on ``con``."""
    if isinstance(source, pa.Table):
        con.register("source_tx", source)
        return "source_tx"
    files = [Path(p) for p in source]
    if not files:
        raise InvalidInput("No transactions to run the rules over.", hint="Pass source=.")
    return "read_parquet([" + ", ".join(literal(p) for p in files) + "])"


def graph(con: duckdb.DuckDBPyConnection, t: str) -> AccountGraph:
    """Every account of ``t`` (name order) and its distinct-edge graph; leaves the tables
    ``ids``, ``senders`` and ``receivers`` (one aggregate row per account and side) on ``con``
    for ``aggregates``."""
    for side in ("sender", "receiver"):
        con.execute(_SIDE.format(t=t, side=side))
    con.execute(_IDS)
    accounts = con.sql("SELECT account FROM ids ORDER BY i").to_arrow_table().column(0)
    edges = con.sql(_EDGES.format(t=t)).fetchnumpy()
    n = len(accounts)
    s, r = (np.asarray(edges[k], dtype=np.int64) for k in ("s", "r"))
    adjacency = coo_matrix((np.ones(len(s), dtype=np.int8), (s, r)), shape=(n, n)).tocsr()
    return AccountGraph(accounts.combine_chunks(), adjacency)


def neighbours(g: AccountGraph) -> csr_matrix:
    """The undirected 0/1 adjacency of ``g`` (self-loops kept on the diagonal)."""
    both: csr_matrix = (g.adjacency + g.adjacency.T).tocsr()
    both.data[:] = 1
    return both


def aggregates(con: duckdb.DuckDBPyConnection, g: AccountGraph) -> npt.NDArray[np.float64]:
    """The ``ACTIVITY`` columns per account of ``g`` (after ``graph`` on ``con``)."""
    n = len(g.accounts)
    sides = [_side(con, side, n) for side in ("receivers", "senders")]
    (rin, rout) = sides
    total = rin["n"] + rout["n"]
    first = np.minimum(rin["first"], rout["first"])
    last = np.maximum(rin["last"], rout["last"])
    with np.errstate(invalid="ignore", divide="ignore"):
        gap = np.where(total > 1, (last - first) / 3600e6 / (total - 1), np.nan)
        share = {k: (rin[k] + rout[k]) / np.maximum(total, 1) for k in ("cash", "crypto", "msb",
                                                                          "abroad")}  # fmt: skip
    both = neighbours(g)
    counterparties = np.diff(both.indptr) - both.diagonal()
    columns = [rin["n"], rout["n"], rin["amount"], rout["amount"], counterparties,
               share["cash"], share["crypto"], share["msb"], share["abroad"], gap]  # fmt: skip
    return np.column_stack(columns).astype(np.float64)


def _side(con: duckdb.DuckDBPyConnection, table: str, n: int) -> dict[str, Any]:
    """One side's sums as dense arrays over the account numbers (0 or +/-inf where none)."""
    data = con.sql(f"SELECT * FROM {table} JOIN ids USING (account)").fetchnumpy()  # noqa: S608
    at = np.asarray(data["i"], dtype=np.int64)
    out: dict[str, Any] = {}
    for name in ("n", "amount", "cash", "crypto", "msb", "abroad", "first", "last"):
        fill = np.inf if name == "first" else (-np.inf if name == "last" else 0.0)
        dense = np.full(n, fill)
        dense[at] = np.asarray(data[name], dtype=np.float64)
        out[name] = dense
    return out


def account_activity(
    source: Source, accounts: Sequence[str], since: dt.datetime | None = None, cap: int = 20
) -> dict[str, dict[str, Any]]:
    """``account -> first_seen, last_seen, tx_count, tx_ids`` (the first ``cap`` in time) over
    the transactions it sent or received, on or after ``since``; accounts with none are left
    out. The monitor's columns for an alert no rule explains."""
    if not accounts:
        return {}
    con = duck.connect()
    try:
        con.register("wanted", pa.table({"account": pa.array(list(accounts), pa.string())}))
        t = scan(con, source)
        start = "" if since is None else "WHERE ts >= ?"
        sql = f"""
        WITH t AS (SELECT tx_id, ts, sender, receiver FROM {t} {start}),
        legs AS (SELECT sender AS account, tx_id, ts FROM t
                 UNION SELECT receiver, tx_id, ts FROM t)
        SELECT account, min(ts) AS first_seen, max(ts) AS last_seen, count(*) AS tx_count,
               array_to_string(list_slice(list(tx_id ORDER BY ts, tx_id), 1, {int(cap)}),
                               ',') AS tx_ids
        FROM legs SEMI JOIN wanted USING (account) GROUP BY account
        """  # noqa: S608
        rows = con.sql(sql, params=None if since is None else [since]).to_arrow_table().to_pylist()
    finally:
        con.close()
    return {r.pop("account"): r for r in rows}


__all__ = ["ACTIVITY", "Source", "account_activity", "aggregates", "graph", "neighbours", "scan"]
