"""``cthub ownership``: load beneficial-ownership files, search and show entities, list what an
entity links to (sanctions list entries, finance accounts), and keep the exposure alerts
(``evaluate``, ``alerts``, ``decide``).

``load FILE|DIR ...`` imports each file in its own transaction and prints, per file, the
records read, entities, edges and problems (the first ``--problems N`` with file, statement
or line, field and what is wrong). It exits non-zero (2) only when some file could not be
imported at all; per-record problems are reported, not fatal.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import pyarrow.parquet as pq
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cthub import ownership
from cthub.core.errors import CthubError, InvalidInput
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

app = typer.Typer(no_args_is_help=True, help="Beneficial ownership: load, search, show, links.")


@contextlib.contextmanager
def _progress(total: int) -> Iterator[Progress | None]:
    """A bar on a terminal (stderr) for several files; nothing otherwise."""
    if total < 2 or not sys.stderr.isatty():
        yield None
        return
    columns = (TextColumn("loading"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        yield bar


def _print_result(path: Path, r: ownership.LoadResult, shown: int) -> None:
    typer.echo(
        f"{path}: {r.format}, {r.records} statements read ({r.unchanged} unchanged, "
        f"{r.superseded} superseded), {r.entities} entities ({r.placeholders} placeholders), "
        f"{r.edges} edges, {r.errors} errors, {r.warnings} warnings"
    )
    for p in r.problems[:shown]:
        typer.echo(f"  {p.render()}")
    if len(r.problems) > shown:
        typer.echo(f"  ... {len(r.problems) - shown} more (stored with load {r.load_id})")


@app.command("load")
def load_cmd(
    paths: list[Path] = typer.Argument(..., help="BODS, PSC or FtM files, or directories"),
    fmt: str | None = typer.Option(
        None, "--format", help="bods-0.2, bods-0.4, uk-psc or ftm (default: detected per file)"
    ),
    max_size: float = typer.Option(512.0, "--max-size", help="Refuse files over this many MB"),
    problems: int = typer.Option(10, "--problems", help="Problems to print per file"),
) -> None:
    """Import each file in its own transaction; print what it held and its problems."""
    if max_size <= 0 or problems < 0:
        raise InvalidInput("--max-size must be positive and --problems not negative.")
    files = [f for p in paths for f in ownership.files_in(p)]
    hub = open_hub()
    failed = statements = entities = edges = found = 0
    with _progress(len(files)) as bar:
        task = bar.add_task("load", total=len(files)) if bar else None
        for path in files:
            try:
                result = ownership.load_file(
                    hub, OPERATOR, path, fmt=fmt, max_bytes=int(max_size * 2**20)
                )
            except CthubError as exc:
                failed += 1
                hint = exc.render_hint()
                message = f"error: {exc.render()}" + (f" ({hint})" if hint else "")
                err.print(message, markup=False, highlight=False)
            else:
                _print_result(path, result, problems)
                statements += result.records
                entities += result.entities
                edges += result.edges
                found += len(result.problems)
            if bar is not None and task is not None:
                bar.advance(task)
    typer.echo(
        f"total: {len(files) - failed} files imported, {failed} failed; {statements} statements "
        f"read, {entities} entities, {edges} edges, {found} problems"
    )
    if failed:
        raise typer.Exit(2)


@app.command("search")
def search_cmd(
    query: str = typer.Argument(..., help="Part of a name, or an identifier (scheme:value)"),
    kind: str | None = typer.Option(None, "--kind", help="person, company, arrangement, unknown"),
    limit: int = typer.Option(50, "--limit"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Entities whose name contains QUERY or with an identifier equal to it."""
    found = ownership.search_entities(open_hub(), OPERATOR, query, kind=kind, limit=limit)
    rows = [
        {"id": e.id, "kind": e.kind, "name": e.name, "jurisdiction": e.jurisdiction,
         "identifiers": " ".join(e.identifiers), "placeholder": e.placeholder}
        for e in found
    ]  # fmt: skip
    emit(rows, ["id", "kind", "name", "jurisdiction", "identifiers", "placeholder"], fmt)


@app.command("show")
def show_cmd(
    entity_id: str = typer.Argument(..., help="An entity id, e.g. gb-coh:01234567"),
    history: bool = typer.Option(False, "--history", help="Include replaced and closed edges"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """One entity: what it is, who owns or controls it, and what it owns or controls."""
    view = ownership.entity(open_hub(), OPERATOR, entity_id, history=history)
    typer.echo(
        f"{view.id}: {view.kind} {view.name!r} ({view.jurisdiction or '?'})"
        + (" [placeholder]" if view.placeholder else "")
        + (" [closed]" if view.closed else "")
    )
    if view.identifiers:
        typer.echo("identifiers: " + " ".join(view.identifiers))
    rows = [
        {"direction": d, "party": e.owner if d == "owned by" else e.asset,
         "interest": e.interest, "type": e.interest_type, "share": e.share,
         "start": e.start_date, "end": e.end_date, "status": e.status, "edge": e.edge_id}
        for d, edges in (("owned by", view.owners), ("holds", view.holdings)) for e in edges
    ]  # fmt: skip
    columns = ["direction", "party", "interest", "type", "share", "start", "end", "status", "edge"]
    emit(rows, columns, fmt)


@app.command("links")
def links_cmd(
    entity_id: str = typer.Argument(..., help="An entity id"),
    lists: str | None = typer.Option(None, "--lists", help="Comma-separated list names"),
    threshold: float = typer.Option(0.8, "--threshold", help="Name screening threshold 0..1"),
    transactions: Path | None = typer.Option(
        None, "--transactions", help="A finance transaction Parquet file to find accounts in"
    ),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Sanctions list entries linked by identifier or name; accounts linked by identifier."""
    names = [n.strip() for n in lists.split(",") if n.strip()] if lists else None
    table = None
    if transactions is not None:
        try:
            table = pq.read_table(transactions)
        except (OSError, ValueError) as exc:
            raise InvalidInput(
                "{file} is not a readable Parquet file.", file=str(transactions)
            ) from exc
    found = ownership.links(
        open_hub(), OPERATOR, entity_id, lists=names, threshold=threshold, transactions=table
    )
    for note in found.notes:
        err.print(note, markup=False, highlight=False)
    rows = [
        {"kind": "list", "target": f"{x.list}:{x.ref}", "name": x.caption, "via": x.via,
         "score": x.score, "detail": x.detail}
        for x in found.lists
    ] + [
        {"kind": "account", "target": a.account, "name": a.role, "via": "identifier",
         "score": 1.0, "detail": f"{a.identifier} ({a.transactions} transactions)"}
        for a in found.accounts
    ]  # fmt: skip
    emit(rows, ["kind", "target", "name", "via", "score", "detail"], fmt)


@app.command("ubo")
def ubo_cmd(
    entity_id: str = typer.Argument(..., help="An entity id (see `cthub ownership search`)"),
    threshold: float = typer.Option(0.25, "--threshold", help="Effective share 0..1 (25%)"),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json, csv"),
) -> None:
    """Beneficial owners of one entity (EU AMLR Art. 52): shares multiplied along each chain
    and added over chains, as intervals, with cycles flagged and every chain shown."""
    from cthub.ownership.analysis import ubo

    report = ubo(open_hub(), OPERATOR, entity_id, threshold=threshold)
    if fmt == Format.json:
        sys.stdout.write(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    owners = report.get("owners")
    rows = [
        {"owner_id": o.get("owner_id"), "name": o.get("name"), "status": o.get("status"),
         "ownership": _interval(o.get("ownership")), "voting": _interval(o.get("voting")),
         "control": o.get("control"), "basis": ", ".join(o.get("basis") or [])}
        for o in (owners if isinstance(owners, list) else []) if isinstance(o, dict)
    ]  # fmt: skip
    emit(rows, ["owner_id", "name", "status", "ownership", "voting", "control", "basis"], fmt)


def _interval(bounds: object) -> str:
    """``[lo, hi]`` as ``30.00%`` or ``25.00%-50.00%``; nothing for no share."""
    if not isinstance(bounds, list | tuple) or len(bounds) != 2:
        return ""
    lo, hi = bounds
    if not isinstance(lo, int | float) or not isinstance(hi, int | float) or hi <= 0:
        return ""
    if abs(hi - lo) < 1e-9:
        return f"{lo:.2%}"
    return f"{lo:.2%}-{hi:.2%}"


@app.command("blocked")
def blocked_cmd(
    regime: str = typer.Option(..., "--regime", help="ofac, eu or uk"),
    lists: str | None = typer.Option(None, "--lists", help="Comma-separated list names"),
    names: bool = typer.Option(True, "--names/--no-names", help="Also link seeds by name"),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json, csv"),
) -> None:
    """Entities a regime blocks through ownership (and, EU/UK, control) from the listed
    entities: entity_id,name,status,owners_share,path."""
    from cthub.ownership.analysis import exposure

    chosen = [n.strip() for n in lists.split(",") if n.strip()] if lists else None
    found = exposure(open_hub(), OPERATOR, regime.strip().lower(), lists=chosen,
                     name_threshold=0.8 if names else None)  # fmt: skip
    for note in found.notes:
        err.print(note, markup=False, highlight=False)
    rows = found.report().to_pylist()
    emit(rows, ["entity_id", "name", "status", "owners_share", "path"], fmt)
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in ("blocked", "possibly_blocked")}
    summary = (f"{found.regime}: {found.seeds.num_rows} listed seeds, {counts['blocked']} "
               f"blocked, {counts['possibly_blocked']} possibly blocked")  # fmt: skip
    err.print(summary, markup=False, highlight=False)


@app.command("evaluate")
def evaluate_cmd(
    regime: str | None = typer.Option(
        None, "--regime", help="ofac, eu or uk, or several comma-separated (default: all three)"
    ),
    names: bool = typer.Option(True, "--names/--no-names", help="Also link seeds by name"),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json, csv"),
) -> None:
    """Answer each regime over the whole store and open, update or close the exposure alerts:
    regime,evaluated,created,updated,reopened,closed,unchanged."""
    from cthub.ownership.alerts import ALL_REGIMES, evaluate

    chosen = [r for r in regime.split(",") if r.strip()] if regime else list(ALL_REGIMES)
    run = evaluate(open_hub(), OPERATOR, chosen, name_threshold=0.8 if names else None)
    columns = ["regime", "evaluated", "created", "updated", "reopened", "closed", "unchanged"]
    emit([asdict(t) for t in run.regimes], columns, fmt)
    err.print(f"{run.seeds} listed seeds, {run.seconds} s", markup=False, highlight=False)


@app.command("alerts")
def alerts_cmd(
    state: str | None = typer.Option(
        None, "--state", help="open, confirmed, dismissed or closed (default: all)"
    ),
    regime: str | None = typer.Option(None, "--regime", help="ofac, eu or uk"),
    entity_id: str | None = typer.Option(None, "--entity", help="One entity's alerts"),
    limit: int = typer.Option(1000, "--limit"),
    fmt: Format = typer.Option(Format.table, "--format", help="table, json, csv"),
) -> None:
    """Ownership exposure alerts, newest first, each with its explanation path and reason."""
    from cthub.ownership.alerts import alerts

    found, total = alerts(
        open_hub(),
        OPERATOR,
        state=state.strip().lower() if state else None,
        regime=regime.strip().lower() if regime else None,
        entity_id=entity_id,
        limit=limit,
    )
    rows = [{**asdict(a), "seeds": " ".join(f"{s['list']}:{s['ref']}" for s in a.seeds)}
            for a in found]  # fmt: skip
    columns = ["id", "regime", "entity_id", "name", "status", "owners_share", "state", "path",
               "seeds", "reason", "decision", "decided_by", "decided_at"]  # fmt: skip
    emit(rows, columns, fmt)
    err.print(f"{len(found)} of {total} alerts", markup=False, highlight=False)


@app.command("decide")
def decide_cmd(
    alert_id: int = typer.Argument(..., help="The alert's id (see `cthub ownership alerts`)"),
    decision: str = typer.Option(..., "--decision", help="confirmed or dismissed"),
    reason: str = typer.Option(..., "--reason", help="Why: kept on the alert and audited"),
) -> None:
    """Record a human decision on one exposure alert (who, when and why are kept)."""
    from cthub.ownership.alerts import decide

    a = decide(open_hub(), OPERATOR, alert_id, decision.strip().lower(), reason)
    when = a.decided_at.isoformat() if a.decided_at else ""
    typer.echo(f"ownership alert {a.id}: {a.state} by {a.decided_by} at {when}")


__all__ = ["app"]
