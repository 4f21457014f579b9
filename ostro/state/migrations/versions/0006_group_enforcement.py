"""Named groups carry their enforcement: ``groups.enforcement`` (``hard`` for
every group written before, the rule they were made with).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("enforcement", sa.String(16), nullable=False,
                                   server_default="hard"))


def downgrade():
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("enforcement")
