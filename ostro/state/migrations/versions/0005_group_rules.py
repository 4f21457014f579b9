"""Named groups carry diversity's per-domain limit: ``groups.max_per_domain``
(1 for every group written before, the rule they were made with).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    # NOTE: batch mode, so SQLite (which cannot add a NOT NULL column with a
    # default to a table in place everywhere) and PostgreSQL take one script.
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("max_per_domain", sa.Integer(), nullable=False,
                                   server_default="1"))


def downgrade():
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("max_per_domain")
