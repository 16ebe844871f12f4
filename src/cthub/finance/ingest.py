"""Transactions in: CSV or Parquet, a column mapping, validation row by row, Parquet out.

DuckDB reads the file as text columns (CSV) or as stored (Parquet), streams it, and checks every
row in SQL: required values present, timestamps that parse (ISO 8601, with or without an offset;
stored as naive UTC), amounts that are positive decimals, known ISO 4217 currencies (amounts
become integer minor units by the currency's digits, never floats), known channels and party
types, two-letter countries, and ``tx_id`` unique in the file and new to the dataset. Each bad
row is reported with its line (CSV: the header is line 1 and each record one line, so a quoted
line break inside a field does not count; Parquet: the row number from 1), the column and what
is wrong. ``on_error="abort"`` refuses the file when any row is bad; ``"skip"`` keeps the good
rows. The output is written to a temporary Parquet file and only moved into place by the caller
once everything else succeeded, so a failed ingest leaves earlier data untouched.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import duckdb

from cthub.core import duck
from cthub.core.errors import InvalidInput
from cthub.core.money import currencies, minor_digits
from cthub.finance import amounts
from cthub.finance.schema import CHANNELS, OPTIONAL, PARTY_TYPES, REQUIRED

OnError = Literal["abort", "skip"]
_FACTOR = "(CASE digits WHEN 0 THEN 1 WHEN 3 THEN 1000 WHEN 4 THEN 10000 ELSE 100 END)"
MAX_REPORTED = 1000
TEMP_PREFIX = "tmp-"  # a prepared file not yet moved into place
MEMORY_LIMIT = "2GB"  # DuckDB's own limit while checking; it spills to disk beyond it
_SQL_NAME = str.maketrans({'"': '""'})


@dataclass
class Prepared:
    """A validated file: its rows as Parquet at ``path`` (temporary), and what was skipped."""

    source: str
    path: Path
    rows: int
    skipped: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _q(name: str) -> str:
    return '"' + name.translate(_SQL_NAME) + '"'


def _source_columns(con: duckdb.DuckDBPyConnection, rel_sql: str) -> dict[str, str]:
    """The source's columns in order, each with its DuckDB type's name."""
    found = con.execute(f"SELECT * FROM {rel_sql} LIMIT 0").description  # noqa: S608
    return {d[0]: str(d[1]).upper() for d in found}


def _reader(path: Path) -> tuple[str, bool]:
    """The DuckDB table function reading ``path``, and whether it is CSV."""
    literal = "'" + str(path).replace("'", "''") + "'"
    suffix = path.suffix.lower()
    if suffix in (".parquet", ".pq"):
        return f"read_parquet({literal})", False
    if suffix not in (".csv", ".txt", ".tsv"):
        raise InvalidInput(
            "{file}: the format is not known from the name.",
            hint="Give a .csv or .parquet file.",
            file=path.name,
        )
    return (
        # parallel=false: with null_padding the parallel reader refuses quoted line breaks
        # (measured: no slower over 3M rows, where the line numbering dominates)
        f"read_csv({literal}, all_varchar=true, header=true, auto_detect=true, "
        "strict_mode=false, null_padding=true, parallel=false)",
        True,
    )


def _mapped(columns: list[str], mapping: Mapping[str, str], file: str) -> dict[str, str]:
    """Canonical column -> source column, after the mapping; missing required ones refused."""
    lower = {c.strip().lower(): c for c in columns}
    if not mapping and {"ts", "amount_minor"} <= set(columns):  # cthub's own stored form
        mapping = {"timestamp": "ts", "amount": "amount_minor"}
    out: dict[str, str] = {}
    for canonical in (*REQUIRED, *OPTIONAL):
        source = mapping.get(canonical, canonical)
        found = source if source in columns else lower.get(source.strip().lower())
        if found is not None:
            out[canonical] = found
    unknown = [k for k in mapping if k not in (*REQUIRED, *OPTIONAL)]
    if unknown:
        raise InvalidInput(
            "{file}: the mapping names unknown columns: {columns}.",
            hint="Map the canonical columns: {canonical}.",
            file=file, columns=", ".join(unknown), canonical=", ".join((*REQUIRED, *OPTIONAL)),
        )  # fmt: skip
    absent = [f"{k}={v}" for k, v in mapping.items() if k not in out]
    if absent:  # a mapped column the file lacks: never silently read as empty
        raise InvalidInput(
            "{file}: the mapping {mapping} names a column the file does not have.",
            hint="The file has {present}.",
            file=file, mapping=", ".join(absent), present=", ".join(columns[:30]),
        )  # fmt: skip
    missing = [c for c in REQUIRED if c not in out]
    if missing:
        raise InvalidInput(
            "{file} has no column {columns}.",
            hint="The file has {present}; map yours with --map canonical=yours.",
            file=file, columns=", ".join(missing), present=", ".join(columns[:30]),
        )  # fmt: skip
    return out


def _text(col: str | None, kind: str = "VARCHAR") -> str:
    if not col:
        return "''"
    if kind in _FLOATS:  # a float's text may be 1e-05: its value to six places, as decimal text
        decimal = f"CAST(TRY_CAST({_q(col)} AS DECIMAL(38, 6)) AS VARCHAR)"
        return f"coalesce({decimal}, CAST({_q(col)} AS VARCHAR), '')"
    return f"coalesce(trim(CAST({_q(col)} AS VARCHAR)), '')"


_FLOATS = frozenset({"DOUBLE", "FLOAT", "REAL"})


def _staging_sql(reader: str, cols: dict[str, str], kinds: Mapping[str, str]) -> str:
    """One row per input row: the cleaned text of every canonical column and its line."""
    parts = [
        f"{_text(cols.get(c), kinds.get(cols.get(c, ''), 'VARCHAR'))} AS {c}"
        for c in (*REQUIRED, *OPTIONAL)
    ]
    return f"SELECT row_number() OVER () AS line, {', '.join(parts)} FROM {reader}"  # noqa: S608


def _checks(g: amounts.Grammar) -> tuple[tuple[str, str, str], ...]:
    """Each check as (column, the SQL condition of a bad row, the problem in words)."""
    return (
        *_CHECKS,
        ("amount", "amt_text IS NULL AND NOT amt_ambiguous", g.not_a_number),
        ("amount", "amt_ambiguous", g.is_ambiguous),
    )


_CHECKS = (
    ("tx_id", "tx_id = ''", "empty"),
    ("timestamp", "ts IS NULL", "not a date and time (ISO 8601, e.g. 2026-03-01T14:05:00Z)"),
    ("amount", "amt <= 0", "not positive"),
    ("amount", f"(amt_text IS NOT NULL AND amt IS NULL) OR amt >= 1e15 OR amt * {_FACTOR} >= 1e18",
     "too large"),
    ("amount", "amt IS NOT NULL AND amt_places > places", amounts.TOO_PRECISE),
    ("currency", "digits IS NULL", "not an ISO 4217 currency code"),
    ("sender", "sender = '' AND receiver = ''", "sender and receiver are both empty"),
    ("sender", "sender = '' AND channel <> 'cash'", "empty (only a cash deposit has none)"),
    ("receiver", "receiver = '' AND channel <> 'cash'", "empty (only a cash withdrawal has none)"),
    ("channel", "channel NOT IN ({channels})", "not one of {channels_text}"),
    ("sender_type", "sender_type NOT IN ('', {types})", "not one of person, company, npo"),
    ("receiver_type", "receiver_type NOT IN ('', {types})", "not one of person, company, npo"),
    ("sender_country", "NOT regexp_full_match(sender_country, '([A-Z]{{2}})?')",
     "not an ISO 3166 alpha-2 code"),
    ("receiver_country", "NOT regexp_full_match(receiver_country, '([A-Z]{{2}})?')",
     "not an ISO 3166 alpha-2 code"),
    ("tx_id", "dup > 1", "repeats an earlier tx_id"),
    ("tx_id", "known", "already in the dataset (each transaction is ingested once)"),
)  # fmt: skip
#: The vocabularies the checks name, as SQL lists and as text for the messages.
_FMT = {
    "channels": ", ".join(f"'{c}'" for c in CHANNELS),
    "types": ", ".join(f"'{t}'" for t in PARTY_TYPES),
    "channels_text": ", ".join(CHANNELS),
}


def _checked_sql(staging: str, g: amounts.Grammar, minor: bool = False, known: bool = False) -> str:
    bad = " OR ".join(f"({cond.format(**_FMT)})" for _c, cond, _m in _checks(g))
    # amounts already in minor units (cthub's stored form) are scaled back to decimals
    amount = f"c.amt_raw / {_FACTOR.replace('digits', 'k.digits')}" if minor else "c.amt_raw"
    places = "0" if minor else "coalesce(k.digits, 2)"  # whole minor units; the currency's
    return f"""
        WITH raw AS ({staging}),
        n AS (
            SELECT raw.*, {g.sql("raw.amount")} AS amt_text
            FROM raw
        ),
        c AS (
            SELECT s.*,
                   coalesce(try_cast(s.timestamp AS TIMESTAMPTZ),
                            try_cast(s.timestamp AS TIMESTAMP)::TIMESTAMPTZ) AS tstz,
                   try_cast(s.amt_text AS DECIMAL(38, 6)) AS amt_raw,
                   length(rtrim(regexp_extract(s.amt_text, '[.]([0-9]*)$', 1), '0'))
                       AS amt_places,
                   regexp_full_match(s.amount, '{g.ambiguous}') AS amt_ambiguous,
                   upper(s.currency) AS cur,
                   CASE WHEN s.channel = '' THEN 'transfer' ELSE lower(s.channel) END AS ch,
                   row_number() OVER (PARTITION BY s.tx_id ORDER BY s.line) AS dup,
                   {"s.tx_id IN (SELECT tx_id FROM known_ids)" if known else "FALSE"} AS known
            FROM n AS s
        ),
        v AS (
            SELECT c.* EXCLUDE (channel, sender_type, receiver_type, sender_country,
                                receiver_country),
                   c.ch AS channel, lower(c.sender_type) AS sender_type,
                   lower(c.receiver_type) AS receiver_type,
                   upper(c.sender_country) AS sender_country,
                   upper(c.receiver_country) AS receiver_country,
                   timezone('UTC', c.tstz) AS ts, k.digits, {amount} AS amt,
                   {places} AS places
            FROM c LEFT JOIN currencies k ON k.code = c.cur
        )
        SELECT *, ({bad}) AS bad FROM v
    """  # noqa: S608 - every value is from our own constants


def _setup(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("SET TimeZone = 'UTC'")
    rows = [(code, minor_digits(code)) for code in sorted(currencies() - amounts.NOT_MONEY)]
    con.execute("CREATE TEMP TABLE currencies (code VARCHAR, digits INTEGER)")
    con.executemany("INSERT INTO currencies VALUES (?, ?)", rows)


def _errors(
    con: duckdb.DuckDBPyConnection, csv: bool, g: amounts.Grammar
) -> list[tuple[int, str, str]]:
    con.execute("CREATE TEMP TABLE badrows AS SELECT * FROM checked WHERE bad")
    union = " UNION ALL ".join(  # our own constants only: no value from the file
        f"SELECT line, '{col}' AS col, '{msg.format(**_FMT)}' AS msg FROM badrows "  # noqa: S608
        f"WHERE {cond.format(**_FMT)}"
        for col, cond, msg in _checks(g)
    )
    query = f"SELECT * FROM ({union}) ORDER BY line, col LIMIT {MAX_REPORTED}"  # noqa: S608
    rows = con.execute(query).fetchall()
    shift = 1 if csv else 0  # CSV: line 1 is the header
    return [(int(line) + shift, col, msg) for line, col, msg in rows]


def _refuse_the_other_mark(
    con: duckdb.DuckDBPyConnection, g: amounts.Grammar, file: str, csv: bool
) -> None:
    """Refuse the whole file, even with ``skip``, when an amount it could not read (and that
    is not merely ambiguous) is an amount in the other decimal mark: the file is written that
    way, so amounts it did read may mean something else (``1.500`` is 1.5 with a point but 1500
    with a comma)."""
    other = amounts.COMMA if g is amounts.POINT else amounts.POINT
    found = con.execute(
        "SELECT min(line), arg_min(amount, line) FROM checked "  # noqa: S608 - our patterns
        f"WHERE amt_text IS NULL AND NOT amt_ambiguous AND ({other.sql('amount')}) IS NOT NULL"
    ).fetchone()
    if found is None or found[0] is None:
        return
    line, amount = int(found[0]) + (1 if csv else 0), str(found[1])[:40]
    if other is amounts.COMMA:
        raise InvalidInput(
            "{file}: line {line} writes an amount with a decimal comma ({amount}), so the other "
            "amounts cannot be read safely with a decimal point.",
            hint="Read the file with --decimal , (the decimal comma).",
            file=file, line=line, amount=amount,
        )  # fmt: skip
    raise InvalidInput(
        "{file}: line {line} writes an amount with a decimal point ({amount}), so the other "
        "amounts cannot be read safely with a decimal comma.",
        hint="Read the file with --decimal . (the decimal point).",
        file=file, line=line, amount=amount,
    )  # fmt: skip


def prepare(
    path: Path,
    out_dir: Path,
    mapping: Mapping[str, str] | None = None,
    on_error: OnError = "abort",
    threads: int | None = None,
    known: Sequence[Path] = (),
    decimal: str = ".",
) -> Prepared:
    """Validate ``path`` and write its good rows as a temporary Parquet file in ``out_dir``;
    a ``tx_id`` already in one of the Parquet files ``known`` (the dataset's partitions) is a
    bad row like any other. ``decimal`` is the decimal mark of amounts written as text
    (``amounts.GRAMMARS``); a numeric column is read by value."""
    chosen = amounts.grammar(decimal)
    if not path.is_file():
        raise InvalidInput("{file} is not a readable file.", hint="Check the path.", file=str(path))
    reader, is_csv = _reader(path)
    con = duck.connect()
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        _setup(con)
        try:
            kinds = _source_columns(con, reader)
            cols = _mapped(list(kinds), mapping or {}, path.name)
            minor = cols.get("amount") == "amount_minor"
            typed = kinds.get(cols["amount"], "VARCHAR") != "VARCHAR"
            g = amounts.POINT if typed else chosen  # a number's text always has a point
            if known:
                files = ", ".join(_lit(k) for k in known)
                con.execute("CREATE TEMP VIEW known_ids AS SELECT tx_id FROM "  # noqa: S608
                            f"read_parquet([{files}])")  # fmt: skip
            checked = _checked_sql(_staging_sql(reader, cols, kinds), g, minor, bool(known))
            # checked once into a temporary table (spilled under out_dir past the memory
            # limit), then counted, reported and written from it: one pass over the input
            out_dir.mkdir(parents=True, exist_ok=True)
            con.execute(f"SET temp_directory = {_lit(out_dir / '.duckdb-tmp')}")
            con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
            con.execute(f"CREATE TEMP TABLE checked AS {checked}")
            counted = con.execute("SELECT count(*), count(*) FILTER (bad) FROM checked")
            total, bad = counted.fetchone() or (0, 0)
        except duckdb.Error as exc:
            raise InvalidInput("{file} cannot be read: {reason}.", hint="Give a CSV with a header "
                               "row, or a Parquet file.", file=path.name,
                               reason=str(exc).splitlines()[0][:300]) from None  # fmt: skip
        if bad and not typed:
            _refuse_the_other_mark(con, g, path.name, is_csv)
        errors = _errors(con, is_csv, g) if bad else []
        if bad and on_error == "abort":
            line, col, msg = errors[0]
            raise InvalidInput(
                "{file}: {bad} of {total} rows are bad; the first is line {line}, column {column}: "
                "{problem}.",
                hint="Fix the rows, or pass --on-error skip to keep the good ones.",
                file=path.name, bad=bad, total=total, line=line, column=col, problem=msg,
            )  # fmt: skip
        # not a hidden name: Spark's file reader skips names starting with "." or "_"; a
        # dataset's partitions are read by their recorded names, so a leftover is never read
        tmp = out_dir / f"{TEMP_PREFIX}{uuid.uuid4().hex}.parquet"
        _write(con, tmp)
        return Prepared(path.name, tmp, int(total) - int(bad), int(bad), errors)
    finally:
        con.close()


def _write(con: duckdb.DuckDBPyConnection, tmp: Path) -> None:
    literal = "'" + str(tmp).replace("'", "''") + "'"
    con.execute(f"""
        COPY (
            SELECT tx_id, ts, sender, receiver,
                   CAST(round_even(amt * {_FACTOR}, 0) AS BIGINT) AS amount_minor,
                   cur AS currency, sender_name, receiver_name, sender_country, receiver_country,
                   channel, sender_type, receiver_type, sender_identifier
            FROM checked WHERE NOT bad ORDER BY ts, tx_id
        ) TO {literal} (FORMAT parquet, COMPRESSION zstd)
    """)  # noqa: S608


def discard(prepared: Prepared) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(prepared.path)


__all__ = ["OnError", "Prepared", "discard", "prepare"]
