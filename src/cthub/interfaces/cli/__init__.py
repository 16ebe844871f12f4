"""The ``cthub`` command. Each command parses, calls one service, and prints.

Commands run as the local operator (``Actor.system("cli")``): whoever can run them on the
server already holds the database. Every call is audited under that name. Errors print one
line and a hint on stderr and exit with the code of their kind (2 bad input, 3 unavailable).
"""

from __future__ import annotations

import sys
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import typer
import typer.main
from rich.markup import escape
from typer.core import TyperGroup

from cthub.core.errors import CthubError
from cthub.interfaces.cli.output import err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub


@cache
def _capability_commands() -> dict[str, EntryPoint]:
    """The capabilities' command groups (``cthub.cli`` entry points), by name, not yet loaded."""
    return {ep.name: ep for ep in entry_points(group="cthub.cli")}


class _ErrorMappingGroup(TyperGroup):
    """Turns a ``CthubError`` anywhere below into one message line and its exit code.

    A capability's command group is imported only when it is asked for (``cthub exchange ...``
    imports the exchange and nothing of finance or content): importing every one cost each
    ``cthub`` start seconds. ``--help`` and the documentation check load them all.
    """

    def list_commands(self, ctx: Any) -> list[str]:  # typer vendors click: its own types
        return [
            *super().list_commands(ctx),
            *sorted(set(_capability_commands()) - set(self.commands)),
        ]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        ep = _capability_commands().get(cmd_name)
        if found is None and ep is not None:
            found = typer.main.get_command(ep.load())
            found.name = cmd_name
            self.add_command(found, cmd_name)
        return found

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CthubError as exc:
            # the message and hint are text, not markup: `cthub[ml]` must print as written
            err.print(f"[bold red]error:[/] {escape(exc.render())}", highlight=False)
            hint = exc.render_hint()
            if hint:
                err.print(f"[dim]hint:[/] {escape(hint)}", highlight=False)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_ErrorMappingGroup,
    no_args_is_help=True,
    add_completion=False,
    help="cthub: counter-terrorism cooperation hub.",
)


def _register() -> None:
    from cthub.interfaces.cli import admin, oversight, server

    server.register(app)
    app.add_typer(admin.users, name="users")
    app.add_typer(admin.keys, name="keys")
    app.add_typer(admin.orgs, name="orgs")
    app.add_typer(oversight.audit, name="audit")
    app.add_typer(oversight.jobs_app, name="jobs")
    app.add_typer(oversight.demo, name="demo")


_register()


def main() -> None:  # pragma: no cover - console entry point alias
    sys.exit(app())


__all__ = ["OPERATOR", "app", "open_hub"]
