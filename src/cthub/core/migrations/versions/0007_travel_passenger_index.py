"""travel: drop the flight_id index of travel_passengers (the unique constraint covers it)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 01:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every manifest row paid for a second index whose key is the prefix of
    # uq_travel_passengers_flight_id, which serves the same lookups.
    with op.batch_alter_table("travel_passengers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_travel_passengers_flight_id"))


def downgrade() -> None:
    with op.batch_alter_table("travel_passengers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_travel_passengers_flight_id"), ["flight_id"], unique=False
        )
