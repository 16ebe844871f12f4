"""Alembic environment: runs on the connection handed in by ``cthub.core.migrate``."""

from __future__ import annotations

from alembic import context

from cthub.core.migrate import include_name, target_metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always driven through cthub.core.migrate
    raise RuntimeError("run migrations with `cthub init`, not the alembic command")
context.configure(
    connection=connection,
    target_metadata=target_metadata(),
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
