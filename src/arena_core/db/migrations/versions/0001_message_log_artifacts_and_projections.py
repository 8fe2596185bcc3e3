"""message log, artifacts and projections

Revision ID: 0001
Revises:
Create Date: 2026-11-22 22:32:38.825047
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "artifact_chunks",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "chunk_index"),
    )
    op.create_table(
        "artifact_links",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "name", "sha256"),
    )
    with op.batch_alter_table("artifact_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_artifact_links_sha256"), ["sha256"], unique=False)

    op.create_table(
        "artifacts",
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("sha256"),
    )
    op.create_table(
        "conversation_events",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("agent_role", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("tool_name", sa.String(), nullable=True),
        sa.Column("tool_use_id", sa.String(), nullable=True),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("is_error", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("conversation_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_conversation_events_turn", ["conversation_id", "turn_index"], unique=False
        )

    op.create_table(
        "conversation_turns",
        sa.Column("request_seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("response_seq", sa.Integer(), nullable=True),
        sa.Column("request_id", sa.String(), nullable=False),
        sa.Column("conversation_id", sa.String(), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("correlation_id", sa.String(), nullable=False),
        sa.Column("agent_role", sa.String(), nullable=False),
        sa.Column("agent_id", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("prompt_id", sa.String(), nullable=True),
        sa.Column("prompt_version", sa.String(), nullable=True),
        sa.Column("request", sa.String(), nullable=False),
        sa.Column("response", sa.String(), nullable=True),
        sa.Column("stop_reason", sa.String(), nullable=True),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("ts", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("request_seq"),
    )
    with op.batch_alter_table("conversation_turns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_conversation_turns_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_conversation_turns_response_seq"), ["response_seq"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_conversation_turns_run_id"), ["run_id"], unique=False)
        batch_op.create_index(
            "ix_turns_conversation", ["conversation_id", "turn_index"], unique=False
        )

    op.create_table(
        "jobs",
        sa.Column("job_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("parent_job_id", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("outcome", sa.String(), nullable=True),
        sa.Column("requested_seq", sa.Integer(), nullable=False),
        sa.Column("final_seq", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("attempts_failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(), nullable=True),
        sa.Column("children_total", sa.Integer(), nullable=False),
        sa.Column("children_completed", sa.Integer(), nullable=False),
        sa.Column("children_failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_parent_job_id"), ["parent_job_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_jobs_run_id"), ["run_id"], unique=False)

    op.create_table(
        "messages",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("headers", sa.String(), nullable=False),
        sa.Column("msg_id", sa.String(), nullable=True),
        sa.Column("type", sa.String(), nullable=True),
        sa.Column("run_id", sa.String(), nullable=True),
        sa.Column("correlation_id", sa.String(), nullable=True),
        sa.Column("causation_id", sa.String(), nullable=True),
        sa.Column("agent_role", sa.String(), nullable=True),
        sa.Column("agent_id", sa.String(), nullable=True),
        sa.Column("ts", sa.DateTime(), nullable=True),
        sa.Column("schema_version", sa.Integer(), nullable=True),
        sa.Column("stream_ts", sa.DateTime(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("error_reason", sa.String(), nullable=True),
        sa.Column("error_detail", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_messages_causation_id"), ["causation_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_messages_msg_id"), ["msg_id"], unique=False)
        batch_op.create_index("ix_messages_run_seq", ["run_id", "seq"], unique=False)

    op.create_table(
        "projection_cursors",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=False),
        sa.Column("first_seq", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("invalid_events", sa.Integer(), nullable=False),
        sa.Column("jobs_open", sa.Integer(), nullable=False),
        sa.Column("jobs_completed", sa.Integer(), nullable=False),
        sa.Column("jobs_failed", sa.Integer(), nullable=False),
        sa.Column("input_tokens", sa.Integer(), nullable=False),
        sa.Column("output_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("sim_time_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
    )


def downgrade() -> None:
    op.drop_table("runs")
    op.drop_table("projection_cursors")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_run_seq")
        batch_op.drop_index(batch_op.f("ix_messages_msg_id"))
        batch_op.drop_index(batch_op.f("ix_messages_causation_id"))

    op.drop_table("messages")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_run_id"))
        batch_op.drop_index(batch_op.f("ix_jobs_parent_job_id"))

    op.drop_table("jobs")
    with op.batch_alter_table("conversation_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_turns_conversation")
        batch_op.drop_index(batch_op.f("ix_conversation_turns_run_id"))
        batch_op.drop_index(batch_op.f("ix_conversation_turns_response_seq"))
        batch_op.drop_index(batch_op.f("ix_conversation_turns_request_id"))

    op.drop_table("conversation_turns")
    with op.batch_alter_table("conversation_events", schema=None) as batch_op:
        batch_op.drop_index("ix_conversation_events_turn")

    op.drop_table("conversation_events")
    op.drop_table("artifacts")
    with op.batch_alter_table("artifact_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artifact_links_sha256"))

    op.drop_table("artifact_links")
    op.drop_table("artifact_chunks")
