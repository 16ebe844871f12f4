"""Schema migrations with Alembic, driven from Python (``cthub init`` and the tests).

Capabilities import their ``models`` modules through the ``cthub.models`` entry-point group so
that ``target_metadata()`` sees every table, and a test compares it with the migrated schema:
a model change without a migration fails the suite.
"""

from __future__ import annotations

import re
from importlib.metadata import entry_points
from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, inspect, text

from cthub.core.db import Base, Database

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported when a migration has to run: most ``cthub`` commands find the schema
# current (``head_revision`` against the database's ``alembic_version``) and skip it.


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


def head_revision() -> str:
    """The newest revision, read off the file names (``NNNN_name.py`` holds revision ``NNNN``;
    a test checks that this agrees with Alembic's own script directory)."""
    versions = files("cthub.core") / "migrations" / "versions"
    names = (p.name for p in versions.iterdir() if p.name.endswith(".py"))
    return max(m.group(1) for m in map(_REVISION_FILE.match, names) if m)


_REVISION_FILE = re.compile(r"^(\d{4})_\w+\.py$")


def _is_current(db: Database) -> bool:
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        found = [r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))]
    return found == [head_revision()]


def _config(db: Database) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(files("cthub.core") / "migrations"))
    cfg.attributes["db_url"] = db.url
    return cfg


def upgrade(db: Database, revision: str = "head") -> None:
    if revision == "head" and _is_current(db):
        return
    from alembic import command

    cfg = _config(db)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current(db: Database) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def revision(db: Database, message: str) -> None:
    """Autogenerate a revision against ``db`` (developer tool: ``cthub db revision``)."""
    from alembic import command

    cfg = _config(db)
    cfg.attributes["autogenerate"] = True  # env.py loads the models for the comparison
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


__all__ = ["current", "include_name", "revision", "target_metadata", "upgrade"]
