"""prompts and skills are projections: rebuild may empty them

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 00:40:00.000000

Prompt and skill rows are folded by the recorder from ``prompt.version.created`` and
``engineer.skill.written``; ``arena db rebuild`` empties the tables and folds the log
again. A row is still never updated (the update triggers stay); only the delete
triggers go.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("prompts", "skills")


def upgrade() -> None:
    for table in _TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_immutable_delete")


def downgrade() -> None:
    for table in _TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_immutable_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are immutable'); END"
        )
