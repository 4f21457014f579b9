"""The change log: one row per committed generation, with what it changed,
so an engine's cache catches up by replaying deltas instead of reloading
every plan (DESIGN §6); and each placement's named groups, so a group in
use can be refused deletion by the store alone.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "changes",
        sa.Column("generation", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("generation", name="pk_changes"),
    )
    with op.batch_alter_table("placements") as batch:
        batch.add_column(sa.Column("named_groups", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("placements") as batch:
        batch.drop_column("named_groups")
    op.drop_table("changes")
