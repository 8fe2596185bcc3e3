"""job rewards: the reward inputs of each job, folded from its events

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 01:40:00.000000

Filled as events arrive; ``arena db rebuild`` fills it for recordings made before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_rewards",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("scores", sa.String(), nullable=True),
        sa.Column("inputs", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )
    with op.batch_alter_table("job_rewards", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_rewards_scores"), ["scores"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_rewards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_rewards_scores"))
    op.drop_table("job_rewards")
