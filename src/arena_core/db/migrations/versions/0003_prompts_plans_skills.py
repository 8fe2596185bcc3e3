"""prompt registry, plans and skills

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IMMUTABLE = ("prompts", "skills")
"""Rows of these tables are written once: new versions are new rows."""


def upgrade() -> None:
    op.create_table(
        "prompts",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("parent_id", sa.String(), nullable=True),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("prompts", schema=None) as batch_op:
        batch_op.create_index("ix_prompts_role_version", ["role", "version"], unique=True)
        batch_op.create_index(batch_op.f("ix_prompts_role"), ["role"], unique=False)

    op.create_table(
        "prompt_tags",
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("tag", sa.String(), nullable=False),
        sa.Column("prompt_id", sa.String(), nullable=False),
        sa.Column("tagged_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("role", "tag"),
    )
    with op.batch_alter_table("prompt_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prompt_tags_prompt_id"), ["prompt_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("solve_job_id", sa.String(), nullable=False),
        sa.Column("benchmark_id", sa.String(), nullable=False),
        sa.Column("strategy", sa.String(), nullable=False),
        sa.Column("items", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_benchmark_id"), ["benchmark_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_solve_job_id"), ["solve_job_id"], unique=False)

    op.create_table(
        "skills",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("slug", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        sa.Column("tags", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("failures_before", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("skills", schema=None) as batch_op:
        batch_op.create_index(
            "ix_skills_role_slug_version", ["role", "slug", "version"], unique=True
        )
        batch_op.create_index(batch_op.f("ix_skills_role"), ["role"], unique=False)

    for table in _IMMUTABLE:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_immutable_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
            )


def downgrade() -> None:
    for table in _IMMUTABLE:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable_{action}")
    op.drop_table("skills")
    op.drop_table("plans")
    op.drop_table("prompt_tags")
    op.drop_table("prompts")
