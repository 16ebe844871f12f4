"""Schema migrations with Alembic, driven from Python (``cthub init`` and the tests).

Capabilities import their ``models`` modules through the ``cthub.models`` entry-point group so
that ``target_metadata()`` sees every table, and a test compares it with the migrated schema:
a model change without a migration fails the suite.
"""

from __future__ import annotations

import re
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


#: Full-text search structures that migrations create per dialect with ``op.execute`` (SQLite
#: FTS5 tables and their shadow tables, PostgreSQL expression indexes): no model describes them.
_FTS_NAME = re.compile(r"_fts(_data|_idx|_content|_docsize|_config)?$")


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic ``include_name`` hook: autogenerate and the schema check skip FTS structures."""
    return not (type_ in ("table", "index") and name is not None and _FTS_NAME.search(name))


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


__all__ = ["current", "include_name", "revision", "target_metadata", "upgrade"]
