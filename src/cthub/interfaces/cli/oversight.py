"""``cthub audit``, ``cthub jobs`` and ``cthub demo``."""

from __future__ import annotations

import datetime as dt
import sys

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cthub.core import audit as audit_core
from cthub.core import auditlog, jobs
from cthub.core import demo as demo_core
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

audit = typer.Typer(no_args_is_help=True, help="Read and verify the audit log.")
jobs_app = typer.Typer(no_args_is_help=True, help="Long-running jobs.")
demo = typer.Typer(no_args_is_help=True, help="Demo data.")


@audit.command("list")
def audit_list(
    actor: str | None = typer.Option(None, "--actor"),
    action: str | None = typer.Option(None, "--action", help="Action prefix, e.g. users."),
    outcome: str | None = typer.Option(None, "--outcome"),
    since: dt.datetime | None = typer.Option(None, "--since"),
    limit: int = typer.Option(50, "--limit"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Audit events, newest first."""
    since_utc = since.replace(tzinfo=dt.UTC) if since and since.tzinfo is None else since
    flt = audit_core.AuditFilter(actor=actor, action=action, outcome=outcome, since=since_utc)
    page = auditlog.list_events(open_hub(), OPERATOR, flt, limit)
    emit(
        page.events,
        ["seq", "at", "actor", "action", "outcome", "resource_type", "resource_id", "details"],
        fmt,
        f"Audit log ({page.total} events)",
    )


@audit.command("verify")
def audit_verify() -> None:
    """Check the hash chain; exit 1 and name the first bad event if it is broken."""
    hub = open_hub()
    if sys.stderr.isatty():
        with Progress(
            TextColumn("verifying"), BarColumn(), MofNCompleteColumn(), console=err
        ) as bar:
            task = bar.add_task("verify", total=None)
            view = jobs.run_inline(
                hub,
                OPERATOR,
                "audit.verify",
                on_progress=lambda d, t, _m: bar.update(task, completed=d, total=t),
            )
    else:
        view = jobs.run_inline(hub, OPERATOR, "audit.verify")
    result = view.result or {}
    if view.state != "succeeded":
        err.print(f"error: verification did not run: {view.error}")
        raise typer.Exit(3)
    if result.get("ok"):
        typer.echo(f"audit log intact: {result['checked']} events verified")
        return
    typer.echo(
        f"audit log BROKEN at event {result['first_bad_seq']}: {result['reason']} "
        f"({result['checked']} events before it are intact)"
    )
    raise typer.Exit(1)


@jobs_app.command("list")
def jobs_list(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    emit(
        jobs.recent(open_hub(), OPERATOR, 50),
        ["id", "kind", "state", "done", "total", "error", "created_by"],
        fmt,
        "Jobs",
    )


@demo.command("load")
def demo_load() -> None:
    """Load the deterministic demo organisations, users and data (idempotent)."""
    counts = demo_core.load(open_hub(), OPERATOR)
    typer.echo(", ".join(f"{k}: {v}" for k, v in counts.items()))
