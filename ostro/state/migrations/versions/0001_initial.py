"""The first schema: groups, plans, placements and the engine generation.

Written by hand to match ostro/state/models.py at this revision; the values
are spelled out (not imported from the models) so this revision keeps
creating the same schema after the models move on.

Revision ID: 0001
Revises: none
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps():
    return [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    op.create_table(
        "groups",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("level", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_groups"),
        sa.UniqueConstraint("name", name="uq_groups_name"),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("stack_id", sa.String(255), nullable=True),
        sa.Column("project_id", sa.String(255), nullable=True),
        sa.Column("resources", sa.JSON(), nullable=False),
        sa.Column("method", sa.String(64), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_plans"),
        sa.UniqueConstraint("stack_id", name="uq_plans_stack_id"),
    )
    op.create_table(
        "placements",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("orchestration_id", sa.String(255), nullable=False),
        sa.Column("plan_id", sa.String(36), nullable=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("location", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("resource_id", sa.String(255), nullable=True),
        sa.Column("entry", sa.JSON(), nullable=True),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_placements"),
        sa.UniqueConstraint("orchestration_id", name="uq_placements_orchestration_id"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE",
                                name="fk_placements_plan_id_plans"),
        sa.CheckConstraint("state IN ('planned', 'reserved', 'active')",
                           name="ck_placements_state"),
    )
    op.create_index("ix_placements_plan_id", "placements", ["plan_id"])
    op.create_index("ix_placements_resource_id", "placements", ["resource_id"])
    generation = op.create_table(
        "engine_generation",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_engine_generation"),
        sa.CheckConstraint("id = 1", name="ck_engine_generation_single_row"),
    )
    op.bulk_insert(generation, [{"id": 1, "generation": 0}])


def downgrade():
    op.drop_table("engine_generation")
    op.drop_index("ix_placements_resource_id", table_name="placements")
    op.drop_index("ix_placements_plan_id", table_name="placements")
    op.drop_table("placements")
    op.drop_table("plans")
    op.drop_table("groups")
