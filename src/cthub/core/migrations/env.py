"""Alembic environment: runs on the connection handed in by ``cthub.core.migrate``."""

from __future__ import annotations

from alembic import context

from cthub.core.migrate import include_name, target_metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - always driven through cthub.core.migrate
    raise RuntimeError("run migrations with `cthub init`, not the alembic command")
# The models are needed only to autogenerate a revision: the migrations name their own columns,
# and importing every capability's models cost ~1.4 s of each new database's first command.
models = target_metadata() if context.config.attributes.get("autogenerate") else None
context.configure(
    connection=connection,
    target_metadata=models,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=include_name,
)
with context.begin_transaction():
    context.run_migrations()
