"""``cthub users``, ``cthub keys`` and ``cthub orgs``."""

from __future__ import annotations

import sys

import typer

from cthub.core import accounts
from cthub.interfaces.cli.output import Format, emit, err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub

users = typer.Typer(no_args_is_help=True, help="Create, list and disable users.")
keys = typer.Typer(no_args_is_help=True, help="Create, list and revoke API keys.")
orgs = typer.Typer(no_args_is_help=True, help="Create and list organisations.")


@users.command("create")
def users_create(
    name: str,
    role: str = typer.Option(..., "--role", help="admin, analyst, reviewer, partner or viewer"),
    org: str | None = typer.Option(None, "--org", help="Organisation name"),
    display_name: str = typer.Option("", "--display-name"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin instead of generating one"
    ),
) -> None:
    """Create a user. Without --password-stdin a password is generated and printed once."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    user, generated = accounts.create_user(
        open_hub(), OPERATOR, name, role, org=org, password=password, display_name=display_name
    )
    typer.echo(f"created user {user.username} ({user.role}) in {user.org}")
    if generated:
        typer.echo(f"password: {generated}")


@users.command("list")
def users_list(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    emit(
        accounts.list_users(open_hub(), OPERATOR),
        ["username", "display_name", "org", "role", "disabled", "created_at"],
        fmt,
        "Users",
    )


@users.command("disable")
def users_disable(name: str) -> None:
    """Disable a user; their sessions stop working at once."""
    accounts.set_disabled(open_hub(), OPERATOR, name, True)
    typer.echo(f"disabled {name}")


@users.command("enable")
def users_enable(name: str) -> None:
    accounts.set_disabled(open_hub(), OPERATOR, name, False)
    typer.echo(f"enabled {name}")


@users.command("reset-password")
def users_reset(name: str) -> None:
    """Set a fresh random password, print it once, and end the user's sessions."""
    typer.echo(f"password: {accounts.reset_password(open_hub(), OPERATOR, name)}")


@keys.command("create")
def keys_create(
    name: str,
    role: str = typer.Option(..., "--role"),
    org: str | None = typer.Option(None, "--org", help="Organisation name"),
) -> None:
    """Create an API key; it is printed once and only its digest is stored."""
    key, secret = accounts.create_key(open_hub(), OPERATOR, name, role, org=org)
    err.print(f"created key {key.id} '{key.name}' ({key.role}); it is shown only once:")
    typer.echo(secret)


@keys.command("list")
def keys_list(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    emit(
        accounts.list_keys(open_hub(), OPERATOR),
        [
            "id",
            "name",
            "prefix",
            "org_id",
            "role",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ],
        fmt,
        "API keys",
    )


@keys.command("revoke")
def keys_revoke(key_id: int) -> None:
    accounts.revoke_key(open_hub(), OPERATOR, key_id)
    typer.echo(f"revoked key {key_id}")


@orgs.command("create")
def orgs_create(
    name: str,
    kind: str = typer.Option("government", "--kind"),
    country: str | None = typer.Option(None, "--country"),
) -> None:
    org = accounts.create_org(open_hub(), OPERATOR, name, kind, country)
    typer.echo(f"created organisation {org.id} {org.name}")


@orgs.command("list")
def orgs_list(fmt: Format = typer.Option(Format.table, "--format")) -> None:
    emit(
        accounts.list_orgs(open_hub(), OPERATOR),
        ["id", "name", "kind", "country"],
        fmt,
        "Organisations",
    )
