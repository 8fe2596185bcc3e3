"""benchmark difficulty: random-design statistics and calibration figures

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 01:00:00.000000

The library row keeps how often random designs solved a benchmark (from
``benchmark.created``) and its latest measured difficulty (``benchmark.calibrated``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("random_designs", sa.Integer()),
    ("random_passes", sa.Integer()),
    ("random_pass_rate", sa.Float()),
    ("calibrated_seq", sa.Integer()),
    ("rollouts", sa.Integer()),
    ("calibration_budget", sa.Integer()),
    ("pass_at_1", sa.Float()),
    ("pass_at_k", sa.Float()),
    ("auccess", sa.Float()),
)


def upgrade() -> None:
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        for name, kind in COLUMNS:
            batch_op.add_column(sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("benchmarks", schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
