"""Schema migrations with Alembic, driven from Python (``cthub init`` and the tests).

Capabilities import their ``models`` modules through the ``cthub.models`` entry-point group so
that ``target_metadata()`` sees every table, and a test compares it with the migrated schema:
a model change without a migration fails the suite.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData

from cthub.core.db import Base, Database


def target_metadata() -> MetaData:
    import cthub.core.tables  # noqa: F401 - registers the core tables

    for ep in entry_points(group="cthub.models"):
        ep.load()
    return Base.metadata


def _config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("cthub.core") / "migrations"))
    cfg.attributes["db_url"] = db.url
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    cfg = _config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revision(db: Database, message: str) -> None:
    """Autogenerate a revision against ``db`` (developer tool: ``cthub db revision``)."""
    cfg = _config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


__all__ = ["current", "revision", "target_metadata", "upgrade"]
