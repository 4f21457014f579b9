"""Placements are keyed by their orchestration id: the surrogate ``id``
column (a uuid written on every insert and read by nothing) is gone.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    # NOTE: batch mode, because SQLite cannot change a primary key in place
    # (alembic copies the table); PostgreSQL alters it directly.
    with op.batch_alter_table("placements") as batch:
        batch.drop_constraint("uq_placements_orchestration_id", type_="unique")
        batch.drop_constraint("pk_placements", type_="primary")
        batch.drop_column("id")
        batch.create_primary_key("pk_placements", ["orchestration_id"])


def downgrade():
    with op.batch_alter_table("placements") as batch:
        batch.drop_constraint("pk_placements", type_="primary")
        batch.add_column(sa.Column("id", sa.String(36), nullable=True))
    op.execute("UPDATE placements SET id = orchestration_id")
    with op.batch_alter_table("placements") as batch:
        batch.alter_column("id", nullable=False)
        batch.create_primary_key("pk_placements", ["id"])
        batch.create_unique_constraint("uq_placements_orchestration_id", ["orchestration_id"])
