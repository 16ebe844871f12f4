"""``cthub lists``: load, fetch, show and diff sanctions lists.

A load or fetch that replaces an active version re-screens watched subjects against what
changed. With Redis workers (server mode) the load queues the ``screening-delta`` job and says
so; embedded, this command runs the re-screening itself (a runner thread here would take over
the jobs of a running ``cthub serve``) and prints the alerts it created and closed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cthub import lists, screening
from cthub.core import jobs
from cthub.core.hub import Hub
from cthub.interfaces.cli.output import Format, emit
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

app = typer.Typer(no_args_is_help=True, help="Load, fetch, show and compare sanctions lists.")
err = Console(stderr=True)


def _report(view: lists.VersionView) -> None:
    typer.echo(f"list {view.list_name} version {view.version}: {view.entry_count} entries")


def _queued(hub: Hub) -> bool:
    """Whether re-screening goes to workers: only in server mode (Redis)."""
    return hub.settings.job_backend == "redis"


def _loaded(hub: Hub, load: Callable[[bool], lists.VersionView]) -> None:
    """Run ``load`` (queueing re-screening in server mode), report it, re-screen if embedded."""
    view = load(_queued(hub))
    _report(view)
    if view.rescreen_job is not None:
        typer.echo(f"re-screening queued as job {view.rescreen_job}; see: cthub jobs list")
    elif view.previous_version is not None:
        _rescreen(hub, view.list_name, view.previous_version, view.version)
        _follow_ups(hub, view.list_name, view.previous_version, view.version)


def _follow_ups(hub: Hub, name: str, from_version: int, to_version: int) -> None:
    """The installed follow-up jobs of a replacing load (ownership exposure), run here."""
    handlers = jobs.load_handlers()
    params = {"list": name, "from_version": from_version, "to_version": to_version}
    for kind in lists.FOLLOW_UP_JOBS:
        if kind in handlers:
            done = jobs.run_inline(hub, OPERATOR, kind, params)
            typer.echo(f"{kind}: {done.state}" + (f" ({done.message})" if done.message else ""))


def _rescreen(hub: Hub, name: str, from_version: int, to_version: int) -> None:
    def run(progress: Callable[[int, int | None, str], None] | None) -> screening.DeltaResult:
        return screening.rescreen_delta(
            hub, OPERATOR, name, from_version, to_version, progress=progress
        )

    if sys.stderr.isatty():
        columns = (TextColumn("re-screening"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err) as bar:
            task = bar.add_task("rescreen", total=None)
            done = run(lambda d, t, _m: bar.update(task, completed=d, total=t))
    else:
        done = run(None)
    typer.echo(
        f"re-screened {done.subjects} subjects against {done.indexed} new or changed entries: "
        f"{done.created} alerts created, {done.reopened} reopened, {done.closed} closed "
        f"({done.removed} entries delisted)"
    )


@app.command("load")
def load_cmd(
    source: str = typer.Argument(..., help="A source name (un, ofac-sdn, plain-csv, ...)"),
    path: Path | None = typer.Argument(
        None, help="A file, or a directory for the OFAC CSV set; none loads the bundled UN list"
    ),
    name: str | None = typer.Option(None, "--name", help="List name (default: the source's)"),
) -> None:
    """Load a file as a new version of a list; the previous version stays if it fails."""
    hub = open_hub()
    _loaded(
        hub,
        lambda queue: lists.load(hub, OPERATOR, source, path, list_name=name, rescreen=queue),
    )


@app.command("fetch")
def fetch_cmd(
    source: str = typer.Argument("un", help="A source with a download URL (un, ofac-xml, eu, uk)"),
    url: str | None = typer.Option(None, "--url", help="Download from here instead"),
) -> None:
    """Download a list from its publisher and load it as a new version."""
    hub = open_hub()
    _loaded(hub, lambda queue: lists.fetch(hub, OPERATOR, source, url, rescreen=queue))


@app.command("show")
def show_cmd(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    """Every list and its versions, with entry counts and the active version."""
    rows = [
        {
            "list": v.list_name,
            "version": v.version,
            "entries": v.entry_count,
            "active": v.active,
            "loaded_at": v.loaded_at,
            "source": v.source,
        }
        for lst in lists.show(open_hub(), OPERATOR)
        for v in lst.versions
    ]
    emit(rows, ["list", "version", "entries", "active", "loaded_at", "source"], fmt, "Lists")


@app.command("diff")
def diff_cmd(
    name: str,
    from_version: int = typer.Option(..., "--from"),
    to_version: int = typer.Option(..., "--to"),
    fmt: Format = typer.Option(Format.table, "--format"),
) -> None:
    """Entries added, removed and changed between two versions of a list."""
    view = lists.diff(open_hub(), OPERATOR, name, from_version, to_version)
    rows = [
        {"change": change, "ref": ref}
        for change, refs in (
            ("added", view.added),
            ("removed", view.removed),
            ("changed", view.changed),
        )
        for ref in refs
    ]
    emit(rows, ["change", "ref"], fmt, f"{name}: version {from_version} → {to_version}")


__all__ = ["app"]
