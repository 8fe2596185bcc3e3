"""benchmark library

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 23:04:36.790693
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "benchmarks",
        sa.Column("benchmark_id", sa.String(), nullable=False),
        sa.Column("family", sa.String(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=False),
        sa.Column("spec_sha256", sa.String(), nullable=False),
        sa.Column("spec", sa.String(), nullable=False),
        sa.Column("meshes", sa.String(), nullable=False),
        sa.Column("scene_code_sha256", sa.String(), nullable=False),
        sa.Column("mjcf_sha256", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(), nullable=False),
        sa.Column("job_id", sa.String(), nullable=True),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("created_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reference_seq", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("benchmark_id"),
    )
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        batch_op.create_index("ix_benchmarks_family_seed", ["family", "seed"], unique=False)
        batch_op.create_index(batch_op.f("ix_benchmarks_job_id"), ["job_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_benchmarks_spec_sha256"), ["spec_sha256"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_benchmarks_spec_sha256"))
        batch_op.drop_index(batch_op.f("ix_benchmarks_job_id"))
        batch_op.drop_index("ix_benchmarks_family_seed")
    op.drop_table("benchmarks")
