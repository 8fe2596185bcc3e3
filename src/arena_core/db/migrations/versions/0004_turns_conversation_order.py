"""conversation turns: an index that covers the export's scan

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:50:00.000000

The SFT export reads every turn's sequences, state and owner in conversation order. The
old index (conversation_id, turn_index) made SQLite visit each turn's table row, whose
request and response JSON (the whole history) dwarf what is read; this one carries
every column the scan and its filters read, so the scan never leaves the index.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "conversation_id", "request_seq", "turn_index", "response_seq", "stop_reason", "run_id",
    "agent_role", "correlation_id", "ts",
]  # fmt: skip


def upgrade() -> None:
    with op.batch_alter_table("conversation_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_turns_conversation")
        batch_op.create_index("ix_turns_conversation_order", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("conversation_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_turns_conversation_order")
        batch_op.create_index(
            "ix_turns_conversation", ["conversation_id", "turn_index"], unique=False
        )
