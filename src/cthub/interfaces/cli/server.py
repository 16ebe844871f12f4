"""``cthub init``, ``cthub serve`` and ``cthub worker``."""

from __future__ import annotations

import typer
from sqlalchemy import func, select

from cthub.core import accounts, demo, jobs, schedule
from cthub.core.config import Settings
from cthub.core.hub import Hub
from cthub.core.tables import Organisation, User
from cthub.interfaces.cli.output import err
from cthub.interfaces.cli.runtime import OPERATOR, open_hub


def _first_admin(hub: Hub, org: str, admin: str) -> str | None:
    """Create the first organisation and its admin on an empty database; return the password."""
    with hub.db.session(readonly=True) as s:
        has_users = (s.scalar(select(func.count()).select_from(User)) or 0) > 0
        has_org = s.scalars(select(Organisation).where(Organisation.name == org)).first()
    if has_users:
        return None
    if not has_org:
        accounts.create_org(hub, OPERATOR, org, "international")
    _, password = accounts.create_user(hub, OPERATOR, admin, "admin", org=org)
    return password


def init(
    org: str = typer.Option(
        "CT Coordination Secretariat",
        "--org",
        help="First organisation, created on an empty database",
    ),
    admin: str = typer.Option("admin", "--admin", help="User name of the first administrator"),
) -> None:
    """Create or upgrade the database; on an empty one, create the first admin."""
    hub = open_hub()
    typer.echo(f"database ready: {hub.db.engine.url.render_as_string(hide_password=True)}")
    password = _first_admin(hub, org, admin)
    if password:
        typer.echo(f"created administrator {admin} in {org}; password: {password}")


def serve(
    host: str | None = typer.Option(None, "--host"),
    port: int | None = typer.Option(None, "--port"),
    demo_data: bool = typer.Option(
        False, "--demo", help="Load demo data and print a fresh admin password (demo mode only)"
    ),
) -> None:
    """Serve the web UI and the API."""
    import uvicorn

    from cthub.interfaces.api import create_app

    settings = Settings()
    hub = open_hub(settings)
    if demo_data:
        if settings.mode != "demo":
            err.print("--demo is refused outside demo mode (CTHUB_MODE=demo)")
            raise typer.Exit(2)
        counts = demo.load(hub, OPERATOR)
        err.print(f"demo data: {counts}")
        password = accounts.reset_password(hub, OPERATOR, "admin")
        border = accounts.reset_password(hub, OPERATOR, "border.officer")
        fiu = accounts.reset_password(hub, OPERATOR, "fiu.analyst")  # owns the finance demo
    bind_host, bind_port = host or settings.host, port or settings.port
    typer.echo(f"cthub is serving on http://{bind_host}:{bind_port}/")
    if demo_data:
        typer.echo(f"log in as admin with password: {password}")
        typer.echo(f"passenger data (travel): log in as border.officer with password: {border}")
        typer.echo(f"transactions (finance): log in as fiu.analyst with password: {fiu}")
    scheduler = schedule.Scheduler(hub).start()  # retention and other scheduled jobs
    try:
        uvicorn.run(create_app(hub=hub), host=bind_host, port=bind_port, log_level="info")
    finally:
        scheduler.stop()


def worker(
    burst: bool = typer.Option(False, "--burst", help="Stop when the queue is empty"),
) -> None:
    """Run jobs from the Redis queue (server mode: CTHUB_JOB_BACKEND=redis)."""
    hub = open_hub()
    typer.echo(f"worker listening on {hub.settings.redis_url} queue {hub.settings.job_queue}")
    jobs.run_worker(hub, burst=burst)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command()(serve)
    app.command()(worker)
