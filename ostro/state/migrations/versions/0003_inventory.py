"""The synced inventory: the data centre the ``nova`` inventory driver last
read (one row), so every engine and API worker plans on the same one.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inventory",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inventory"),
        sa.CheckConstraint("id = 1", name="ck_inventory_single_row"),
    )


def downgrade():
    op.drop_table("inventory")
