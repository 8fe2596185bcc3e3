"""agent profiles: versions, tags and regression verdicts

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 01:00:00.000000

The profiles projection: immutable genome versions of each agent role (prompt sections,
team settings, difficulty range) with their lifecycle stage, the ``prod`` tag, and the
verdicts of regression batches.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profiles",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("parent_ids", sa.String(), nullable=False),
        sa.Column("sections", sa.String(), nullable=False),
        sa.Column("settings", sa.String(), nullable=False),
        sa.Column("difficulty_low", sa.Integer(), nullable=False),
        sa.Column("difficulty_high", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("stage", sa.String(), nullable=False),
        sa.Column("passed_regression", sa.Boolean(), nullable=False),
        sa.Column("created_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.create_index("ix_profiles_role", ["role"], unique=False)
        batch_op.create_index("ix_profiles_role_version", ["role", "version"], unique=True)
    op.create_table(
        "profile_tags",
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=False),
        sa.Column("profile_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("role", "tag"),
    )
    with op.batch_alter_table("profile_tags", schema=None) as batch_op:
        batch_op.create_index("ix_profile_tags_profile_id", ["profile_id"], unique=False)
    op.create_table(
        "profile_evaluations",
        sa.Column("profile_id", sa.String(), nullable=False),
        sa.Column("experiment_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("success", sa.Float(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("latency_s", sa.Float(), nullable=False),
        sa.Column("simulations", sa.Float(), nullable=False),
        sa.Column("targets", sa.Integer(), nullable=False),
        sa.Column("targets_solved", sa.Integer(), nullable=False),
        sa.Column("controls", sa.Integer(), nullable=False),
        sa.Column("controls_lost", sa.String(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("profile_id", "experiment_id"),
    )
    with op.batch_alter_table("profile_evaluations", schema=None) as batch_op:
        batch_op.create_index("ix_profile_evaluations_seq", ["seq"], unique=False)


def downgrade() -> None:
    op.drop_table("profile_evaluations")
    op.drop_table("profile_tags")
    op.drop_table("profiles")
