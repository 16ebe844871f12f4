"""``cthub lists``: load, fetch, show and diff sanctions lists."""

from __future__ import annotations

from pathlib import Path

import typer

from cthub import lists
from cthub.interfaces.cli.output import Format, emit
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

app = typer.Typer(no_args_is_help=True, help="Load, fetch, show and compare sanctions lists.")


def _report(view: lists.VersionView) -> None:
    typer.echo(f"list {view.list_name} version {view.version}: {view.entry_count} entries")


@app.command("load")
def load_cmd(
    source: str = typer.Argument(..., help="A source name (un, ofac-sdn, plain-csv, ...)"),
    path: Path | None = typer.Argument(
        None, help="A file, or a directory for the OFAC CSV set; none loads the bundled UN list"
    ),
    name: str | None = typer.Option(None, "--name", help="List name (default: the source's)"),
) -> None:
    """Load a file as a new version of a list; the previous version stays if it fails."""
    _report(lists.load(open_hub(), OPERATOR, source, path, list_name=name))


@app.command("fetch")
def fetch_cmd(
    source: str = typer.Argument("un", help="A source with a download URL (un)"),
    url: str | None = typer.Option(None, "--url", help="Download from here instead"),
) -> None:
    """Download a list from its publisher and load it as a new version."""
    _report(lists.fetch(open_hub(), OPERATOR, source, url))


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
