"""``cthub finance``: ingest transactions, generate synthetic data, run the indicator rules
(stable contract, docs/cli.md).

``monitor`` writes ``account,score,rules,first_seen,last_seen,tx_count,tx_ids``, one row per
alerted account, best first.
"""

from __future__ import annotations

from pathlib import Path

import typer

from cthub.finance.datasets import ingest_file, list_datasets
from cthub.interfaces.cli.output import Format, emit
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

app = typer.Typer(no_args_is_help=True, help="Terrorist-financing monitoring: data, rules, alerts.")


def _mapping(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        canonical, sep, source = pair.partition("=")
        if not sep or not canonical.strip() or not source.strip():
            raise typer.BadParameter(f"--map takes canonical=column, got {pair!r}")
        out[canonical.strip()] = source.strip()
    return out


@app.command("ingest")
def ingest_cmd(
    files: list[Path] = typer.Argument(..., help="CSV or Parquet transaction files"),
    dataset: str = typer.Option("default", "--dataset", help="Dataset to add the rows to"),
    mapping: list[str] = typer.Option([], "--map", help="canonical=column (repeatable)"),
    on_error: str = typer.Option("abort", "--on-error", help="abort or skip bad rows"),
) -> None:
    """Validate each file and add its rows to the dataset as one partition (all or nothing)."""
    if on_error not in ("abort", "skip"):
        raise typer.BadParameter("--on-error is abort or skip")
    hub = open_hub()
    for path in files:
        r = ingest_file(hub, OPERATOR, path, dataset, _mapping(mapping), on_error)  # type: ignore[arg-type]
        for line, col, msg in r.errors:
            typer.echo(f"skipped {path.name}: line {line}, column {col}: {msg}", err=True)
        typer.echo(f"{path}: {r.rows} rows added to {r.dataset}, {r.skipped} skipped")


@app.command("synth")
def synth_cmd(
    accounts: int = typer.Option(5_000, "--accounts", help="Customer accounts"),
    days: int = typer.Option(365, "--days", help="Days of activity"),
    seed: int = typer.Option(1, "--seed"),
    output: Path = typer.Option(..., "--output", "-o", help="Parquet file to write"),
) -> None:
    """Generate transactions with planted, labelled TF/ML typologies (and decoys).

    Labels go to OUTPUT.labels.parquet and decoys to OUTPUT.decoys.parquet beside it."""
    from cthub.finance.synth import generate

    data = generate(accounts, days, seed)
    data.write(output)
    typer.echo(f"{output}: {data.transactions.num_rows} transactions, "
               f"{data.labels.num_rows} planted accounts")  # fmt: skip


@app.command("datasets")
def datasets_cmd(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Transaction datasets with their partitions and rows."""
    emit(list_datasets(open_hub(), OPERATOR), ("name", "partitions", "rows"), fmt, "Datasets")


__all__ = ["app"]
