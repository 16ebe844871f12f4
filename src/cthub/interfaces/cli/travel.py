"""``cthub travel``: receive API/PNR files, check passengers, load the lost/stolen document list,
list and test risk rules, review hits, and run retention (stable contracts, docs/cli.md).

``check`` writes ``flight,passenger_ref,name,check,list,list_ref,score,explanation``: ``check``
is watchlist, document, rule or mrz, and ``name`` is the name exactly as the carrier sent it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import sys
from pathlib import Path

import typer

from cthub.core.errors import CthubError, InvalidInput, NotFound
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub
from cthub.travel import (
    CHECK_COLUMNS,
    decide,
    flights,
    ingest_file,
    load_documents,
    parse_text,
    queue,
    retention_run,
    rule_list,
    rule_save,
    rule_test,
    run_checks,
)

app = typer.Typer(no_args_is_help=True, help="Passenger data (API/PNR): ingest, check, review.")
documents_app = typer.Typer(no_args_is_help=True, help="The lost/stolen/revoked document list.")
rules_app = typer.Typer(no_args_is_help=True, help="Risk rules (pre-determined criteria).")
retention_app = typer.Typer(no_args_is_help=True, help="Masking and deletion by law.")
app.add_typer(documents_app, name="documents")
app.add_typer(rules_app, name="rules")
app.add_typer(retention_app, name="retention")

_FLIGHT = re.compile(r"^([A-Z0-9]{2}[A-Z]?\d{1,5}[A-Z]?)(?:/(\d{4}-\d{2}-\d{2}))?$")


@app.command("ingest")
def ingest_cmd(
    files: list[Path] = typer.Argument(..., help="PAXLST, PNRGOV or PNRGOV XML files"),
) -> None:
    """Parse and store each file (one transaction per file); print what it held and warnings."""
    hub = open_hub()
    failed = 0
    totals = {"flights": 0, "passengers": 0, "pnrs": 0, "warnings": 0}
    for path in files:
        try:
            result = ingest_file(hub, OPERATOR, path)
        except CthubError as exc:
            failed += 1
            hint = exc.render_hint()
            err.print(
                f"error: {exc.render()}" + (f" ({hint})" if hint else ""),
                markup=False,
                highlight=False,
            )
            continue
        s = result.stored
        typer.echo(
            f"{path}: {s.kind}, {len(s.flights)} flights, {s.passengers} passengers, "
            f"{s.pnrs} PNRs ({s.pnr_versions} new versions, {s.unchanged_pnrs} unchanged), "
            f"{len(result.warnings)} warnings"
        )
        for w in result.warnings:
            typer.echo(
                f"  warning: {w.file} segment {w.segment} at byte {w.position} "
                f"[{w.code}] {w.message}"
            )
        totals["flights"] += len(s.flights)
        totals["passengers"] += s.passengers
        totals["pnrs"] += s.pnrs
        totals["warnings"] += len(result.warnings)
    typer.echo(
        f"total: {len(files) - failed} files stored, {failed} failed; {totals['flights']} flights, "
        f"{totals['passengers']} passengers, {totals['pnrs']} PNRs, {totals['warnings']} warnings"
    )
    if failed:
        raise typer.Exit(2)


def _flight_ids(flight: str | None, all_: bool) -> list[int] | None:
    if all_ == (flight is not None):
        raise InvalidInput(
            "Give either --flight ID or --all.", hint="For example --flight XY0123/2026-03-14."
        )
    if flight is None:
        return None
    text = flight.strip().upper().replace(" ", "")
    if text.isdigit():
        if not 1 <= int(text) < 2**31:
            raise InvalidInput("--flight {value} is not a flight id.", value=flight)
        return [int(text)]
    m = _FLIGHT.match(text)
    if not m:
        raise InvalidInput(
            "--flight {value} is neither a flight id nor a designator.",
            hint="Use the number from the flights list, or e.g. XY0123 or XY0123/2026-03-14.",
            value=flight,
        )
    try:
        day = dt.date.fromisoformat(m.group(2)) if m.group(2) else None
    except ValueError as exc:
        raise InvalidInput("--flight {value}: the date does not exist.", value=flight) from exc
    found = flights(open_hub(), OPERATOR, day=day, designator=m.group(1))
    if not found:
        raise NotFound(
            "No flight {value} is stored.", hint="Ingest its API or PNR file first.", value=flight
        )
    return [f.id for f in found]


@app.command("check")
def check_cmd(
    flight: str | None = typer.Option(
        None, "--flight", help="Flight id, or designator[/YYYY-MM-DD]"
    ),
    all_: bool = typer.Option(False, "--all", help="Every stored, unmasked flight"),
    fmt: Format = typer.Option(Format.table, "--format"),
    checks: str = typer.Option("watchlist,document,rule,mrz", "--checks", help="Comma-separated"),
) -> None:
    """Check passengers against watchlists, the document list, document rules and risk rules."""
    hub = open_hub()
    ids = _flight_ids(flight, all_)
    wanted = [c.strip() for c in checks.split(",") if c.strip()]
    bad = [c for c in wanted if c not in ("watchlist", "document", "rule", "mrz")]
    if bad:
        raise InvalidInput(
            "--checks: {value} is not watchlist, document, rule or mrz.", value=", ".join(bad)
        )
    run = run_checks(hub, OPERATOR, ids, wanted)
    for note in run.skipped:
        err.print(f"skipped {note}", markup=False, highlight=False)
    rows = [r for r in run.rows if r.state not in ("dismissed", "withdrawn")]
    if fmt is Format.csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(CHECK_COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    r.flight,
                    r.passenger_ref,
                    r.name,
                    r.check,
                    r.list,
                    r.list_ref,
                    f"{r.score:.4f}",
                    r.explanation,
                ]
            )
    else:
        emit(rows, CHECK_COLUMNS, fmt, title="passenger hits")
    err.print(
        f"{run.flights} flights, {run.passengers} passengers checked, {len(rows)} hits "
        f"({run.new_hits} new, {run.withdrawn} withdrawn)",
        highlight=False,
    )


@app.command("hits")
def hits_cmd(
    state: str = typer.Option("open", "--state"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """The review queue."""
    items, total = queue(open_hub(), OPERATOR, state=state, limit=10_000)
    emit(
        items,
        ("hit_id", "flight", "name", "check", "list_name", "list_ref", "score", "explanation"),
        fmt,
    )
    err.print(f"{total} hits {state}", highlight=False)


@app.command("decide")
def decide_cmd(
    hit: int = typer.Argument(...),
    decision: str = typer.Option(..., "--decision", help="confirmed or dismissed"),
    reason: str = typer.Option(..., "--reason"),
    legal_basis: str | None = typer.Option(None, "--legal-basis", help="Needed to confirm"),
) -> None:
    """Record a human decision on one hit."""
    d = decide(open_hub(), OPERATOR, hit, decision, reason, legal_basis)
    typer.echo(f"hit {d.hit_id}: {d.decision} by {d.decided_by} at {d.decided_at.isoformat()}")


@documents_app.command("load")
def documents_load(
    path: Path = typer.Argument(
        ..., help="CSV: document_number,issuing_country,document_type,status,reported_on"
    ),
) -> None:
    """Load a new version of the lost/stolen document list (all or nothing)."""
    view = load_documents(open_hub(), OPERATOR, path)
    typer.echo(f"document list version {view.version}: {view.rows} documents ({view.file_name})")


@rules_app.command("list")
def rules_list(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """The active risk rules, newest version of each."""
    emit(
        rule_list(open_hub(), OPERATOR),
        ("name", "version", "weight", "conditions", "active", "description"),
        fmt,
    )


@rules_app.command("add")
def rules_add(
    path: Path = typer.Argument(..., help="A rule as YAML or JSON"),
    note: str = typer.Option("", "--note"),
) -> None:
    """Add a rule, or a new version of one (validated first)."""
    if not path.is_file():
        raise InvalidInput("{file} does not exist.", file=str(path))
    view = rule_save(
        open_hub(), OPERATOR, path.read_text(encoding="utf-8"), note=note, source=str(path)
    )
    typer.echo(f"rule {view.name} version {view.version}")


@rules_app.command("test")
def rules_test(
    rule: str = typer.Argument(..., help="Rule name (active version) or a YAML/JSON file"),
    flight: str | None = typer.Option(None, "--flight"),
) -> None:
    """Run one rule over stored passengers without storing hits; print its hits, explained."""
    ids = _flight_ids(flight, False) if flight else None
    path = Path(rule)
    target: str | dict[str, object] = rule
    if path.suffix in (".yaml", ".yml", ".json") and path.is_file():
        target = parse_text(path.read_text(encoding="utf-8"), str(path))
    result = rule_test(open_hub(), OPERATOR, target, ids)
    typer.echo(
        f"rule {result.name} v{result.version}: {result.hits} hits in {result.rows} passengers"
    )
    for line in result.samples:
        typer.echo(f"  {line}")


@retention_app.command("run")
def retention_cmd(
    now: str | None = typer.Option(None, "--now", help="Run as of this date (YYYY-MM-DD)"),
) -> None:
    """Mask data six months after the flight and delete it after five years (settings)."""
    as_of = None
    if now:
        try:
            as_of = dt.datetime.combine(dt.date.fromisoformat(now), dt.time(), tzinfo=dt.UTC)
        except ValueError as exc:
            raise InvalidInput("--now {value} is not a date (YYYY-MM-DD).", value=now) from exc
    r = retention_run(open_hub(), OPERATOR, as_of)
    typer.echo(
        json.dumps(
            {
                "as_of": r.as_of.isoformat(),
                "masked_before": r.mask_before.isoformat(),
                "deleted_before": r.delete_before.isoformat(),
                "masked_passengers": r.masked_passengers,
                "masked_pnrs": r.masked_pnrs,
                "deleted_flights": r.deleted_flights,
                "deleted_passengers": r.deleted_passengers,
                "held": r.held,
            }
        )
    )
