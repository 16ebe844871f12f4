"""``cthub finance``: ingest transactions, generate synthetic data, run the indicator rules,
train the optional learned scorer (stable contract, docs/cli.md).

``monitor`` writes ``account,score,rules,first_seen,last_seen,tx_count,tx_ids``, one row per
alerted account, best first; with ``--model`` the same columns, ordered by the combined score
(rules + model), accounts alerted by the model alone naming the rule ``model``.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import typer

from cthub.finance.datasets import ingest_file, list_datasets
from cthub.finance.ingest import OnError
from cthub.interfaces.cli.output import Format, emit
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

app = typer.Typer(no_args_is_help=True, help="Terrorist-financing monitoring: data, rules, alerts.")
model_app = typer.Typer(no_args_is_help=True, help="The optional learned scorer behind the rules.")
app.add_typer(model_app, name="model")


def _reading(on_error: str, decimal: str) -> OnError:
    """``--on-error`` and ``--decimal`` checked as options, before any work."""
    if on_error not in ("abort", "skip"):
        raise typer.BadParameter("--on-error is abort or skip")
    if decimal not in (".", ","):
        raise typer.BadParameter("--decimal is . (1,234.50) or , (1.234,50)")
    return "skip" if on_error == "skip" else "abort"


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
    decimal: str = typer.Option(".", "--decimal", help="decimal mark of amounts: . or ,"),
) -> None:
    """Validate each file and add its rows to the dataset as one partition (all or nothing)."""
    bad_rows = _reading(on_error, decimal)
    hub = open_hub()
    for path in files:
        r = ingest_file(hub, OPERATOR, path, dataset, _mapping(mapping), bad_rows, decimal)
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


@app.command("monitor")
def monitor_cmd(
    input_: Path = typer.Option(..., "--input", "-i", help="TX.csv or TX.parquet"),
    output: Path = typer.Option(..., "--output", "-o", help="ALERTS.csv, - = stdout"),
    rules: Path | None = typer.Option(None, "--rules", help="Folder of rule YAML files"),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb or spark"),
    since: str | None = typer.Option(None, "--since", help="Only hits on or after YYYY-MM-DD"),
    model: Path | None = typer.Option(
        None, "--model", help="MODEL_DIR: order by rules + model (same columns)"
    ),
    mapping: list[str] = typer.Option([], "--map", help="canonical=column (repeatable)"),
    on_error: str = typer.Option("abort", "--on-error", help="abort or skip bad rows"),
    decimal: str = typer.Option(".", "--decimal", help="decimal mark of amounts: . or ,"),
) -> None:
    """Write account,score,rules,first_seen,last_seen,tx_count,tx_ids, best first.

    tx_ids lists every transaction the account's rules fired on. A bad input row refuses the
    file, naming its line and column; with --on-error skip it is reported and skipped."""
    from cthub.finance.monitor import COLUMNS, MonitorResult, monitor_file

    bad_rows = _reading(on_error, decimal)
    if engine not in ("duckdb", "spark"):
        raise typer.BadParameter("--engine is duckdb or spark")
    if str(output) != "-" and not output.parent.is_dir():
        raise typer.BadParameter(f"--output: the folder {output.parent} does not exist")
    try:
        start = dt.date.fromisoformat(since) if since else None
    except ValueError:
        raise typer.BadParameter("--since takes YYYY-MM-DD") from None
    columns = _mapping(mapping)
    hub = open_hub()
    with _progress("monitoring") as progress:
        result: MonitorResult
        if model is None:
            result = monitor_file(hub, OPERATOR, input_, rules, engine, start, mapping=columns,
                                  on_error=bad_rows, decimal=decimal,
                                  progress=progress)  # fmt: skip
        else:
            from cthub.finance.learn import monitor_file_with_model

            result = monitor_file_with_model(hub, OPERATOR, input_, model, rules, engine, start,
                                             mapping=columns, on_error=bad_rows, decimal=decimal,
                                             progress=progress)  # fmt: skip
    for line, col, msg in result.errors:
        typer.echo(f"skipped {input_.name}: line {line}, column {col}: {msg}", err=True)
    out = sys.stdout if str(output) == "-" else output.open("w", encoding="utf-8", newline="")
    try:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        for row in result.alerts:
            writer.writerow([_cell(row[c]) for c in COLUMNS])
    finally:
        if out is not sys.stdout:
            out.close()
    typer.echo(f"{result.rows} transactions, {result.skipped} skipped, "
               f"{len(result.alerts)} accounts alerted", err=True)  # fmt: skip


@model_app.command("train")
def model_train_cmd(
    input_: Path = typer.Option(..., "--input", "-i", help="TX.csv or TX.parquet"),
    labels: Path = typer.Option(..., "--labels", help="LABELS.parquet or .csv: account,typology"),
    output: Path = typer.Option(..., "--output", "-o", help="MODEL_DIR to write"),
    rules: Path | None = typer.Option(None, "--rules", help="Folder of rule YAML files"),
    seed: int = typer.Option(1, "--seed", help="Split, folds and trees follow it"),
) -> None:
    """Train the learned scorer on labelled accounts; print P/R/F1 on held-out accounts."""
    from cthub.finance.learn import train_file

    with _progress("training") as step:
        r = train_file(open_hub(), OPERATOR, input_, labels, output, rules_dir=rules, seed=seed)
        step("trained", 1, 1)
    q = r.quality
    typer.echo(f"{r.output}: trained on {r.train_accounts} accounts, "
               f"held out {r.test_accounts} ({q.planted} planted), {r.seconds:.1f} s")  # fmt: skip
    typer.echo(f"{'held-out':<12} {'precision':>9} {'recall':>7} {'f1':>6} {'alerts':>7}")
    for name, s in (("model", q.model), ("rules", q.rules), ("rules+model", q.either)):
        typer.echo(f"{name:<12} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.alerts:>7}")
    for rate, by_typology in sorted(q.recall_at.items()):
        by_rules, both, _alone = by_typology["all"]
        typer.echo(f"recall at {rate:.0%} alerted: rules {by_rules:.3f}, rules+model {both:.3f}")


def _cell(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Callable[[str, int, int], None]]:
    """A progress bar on a terminal, advanced by ``(step, done, total)`` calls; quiet
    otherwise. A run that reports no steps shows the bar without a fraction."""
    if not sys.stderr.isatty():
        yield lambda _step, _done, _total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn(label), BarColumn(), TextColumn("{task.description}"),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as p:
        task = p.add_task("", total=None)

        def advance(step: str, done: int, total: int) -> None:
            p.update(task, description=step, completed=done, total=total)

        yield advance


@app.command("datasets")
def datasets_cmd(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Transaction datasets with their partitions and rows."""
    emit(list_datasets(open_hub(), OPERATOR), ("name", "partitions", "rows"), fmt, "Datasets")


__all__ = ["app"]
