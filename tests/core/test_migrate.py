"""Migrations: the migrated schema matches the models on both backends; re-running is a no-op."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from cthub.core import migrate
from cthub.core.db import Database
from cthub.core.hub import Hub


def test_schema_matches_models(hub: Hub) -> None:
    with hub.db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": migrate.include_name})
        diff = compare_metadata(context, migrate.target_metadata())
    assert diff == [], f"models changed without a migration: {diff}"


def test_upgrade_is_idempotent_and_at_head(database: Database) -> None:
    migrate.upgrade(database)
    script = ScriptDirectory.from_config(migrate._config(database))
    assert migrate.current(database) == script.get_current_head()


def test_the_file_names_give_alembics_head(database: Database) -> None:
    """``upgrade`` skips Alembic when the database is at ``head_revision()``: that must be the
    head Alembic itself would migrate to, and an older database must still be migrated."""
    script = ScriptDirectory.from_config(migrate._config(database))
    assert migrate.head_revision() == script.get_current_head()
    migrate.upgrade(database)
    previous = script.get_revision(migrate.head_revision()).down_revision
    assert isinstance(previous, str)
    from alembic import command

    cfg = migrate._config(database)
    with database.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, previous)
    assert migrate.current(database) == previous
    migrate.upgrade(database)
    assert migrate.current(database) == migrate.head_revision()
