"""conversation_chats: each conversation as OpenAI chat, rendered when it is answered

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 06:40:00.000000

A projection folded by the recorder from ``llm.call.*``; ``arena db rebuild`` fills it
for recordings made before it (until then the export renders those from their calls).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversation_chats",
        sa.Column("request_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("messages", sa.String(), nullable=False),
        sa.Column("tools", sa.String(), nullable=False),
        sa.Column("call", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("request_seq"),
    )
    with op.batch_alter_table("conversation_chats", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_chats_conversation", ["conversation_id", "run_id"], unique=True
        )


def downgrade() -> None:
    with op.batch_alter_table("conversation_chats", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_chats_conversation")
    op.drop_table("conversation_chats")
