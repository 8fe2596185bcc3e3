"""api tokens, batch job controls and retries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 00:30:00.000000

Projections of the HTTP API's events: bearer tokens (a hash of the secret, scopes, a
name, when revoked), the paused / cancelled state of batch jobs, and failed children
replaced by a retry.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("token_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("scopes", sa.String(), nullable=False),
        sa.Column("secret_sha256", sa.String(), nullable=False),
        sa.Column("created_seq", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_id"),
    )
    op.create_table(
        "job_controls",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("updated_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )
    op.create_table(
        "job_retries",
        sa.Column("failed_job_id", sa.String(), nullable=False),
        sa.Column("new_job_id", sa.String(), nullable=False),
        sa.Column("batch_job_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("failed_job_id"),
    )
    with op.batch_alter_table("job_retries", schema=None) as batch_op:
        batch_op.create_index("ix_job_retries_new_job_id", ["new_job_id"], unique=False)
        batch_op.create_index("ix_job_retries_batch_job_id", ["batch_job_id"], unique=False)


def downgrade() -> None:
    op.drop_table("job_retries")
    op.drop_table("job_controls")
    op.drop_table("api_tokens")
