"""What a trainer trips on first: schema objects, provenance, rewards, skip causes, paths."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import Engine, delete, select
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.db.projections import rebuild
from arena_core.db.tables import job_rewards
from arena_core.events import AgentRef, Envelope
from arena_core.events.llm import LlmCallFailed, LlmFailureReason
from arena_core.export import (
    ExportFilter,
    ExportFormat,
    ExportPathError,
    SkipCause,
    export,
    export_file,
)
from arena_core.recorder import RecorderService
from tests.recorder.recording import SampleJobFailed, SampleJobRequested, settle
from tests.recorder.scenario import llm_turns, publish_run

ENGINEER = AgentRef(role="engineer", id="engineer-1")


def rows(engine: Engine, fmt: ExportFormat, flt: ExportFilter = ExportFilter()) -> list[Any]:
    out = io.BytesIO()
    export(engine, fmt, out, flt)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


async def publish_broken_by_infrastructure(bus: Bus, run_id: str) -> None:
    """A batch whose only conversation's next call failed to connect, and which failed."""
    parent = Envelope.new(SampleJobRequested(task="batch"), run_id=run_id)
    child = parent.follow(SampleJobRequested(task="child", parent_job_id=parent.id))
    await bus.publish_many([parent, child])
    for req, done in llm_turns("conv-infra", 2):
        r = child.follow(req, agent=ENGINEER)
        await bus.publish(r)
        await bus.publish(r.follow(done, agent=ENGINEER))
    failed = LlmCallFailed(
        conversation_id="conv-infra", turn_index=2, agent_role="engineer", model="m1",
        policy="anthropic", request_hash="f" * 64, reason=LlmFailureReason.connection,
        detail="connection refused", latency_s=1.0,
    )  # fmt: skip
    await bus.publish(child.follow(failed, agent=ENGINEER))
    await bus.publish(child.follow(SampleJobFailed(reason="no answer")))


@pytest.fixture
async def recorded(bus: Bus, engine: Engine, recorder: RecorderService) -> Engine:
    await publish_run(bus, "run-1", conversation_id="conv-1")
    await publish_run(bus, "run-2", conversation_id="conv-2", child_fails=False)
    await publish_run(bus, "run-3", conversation_id="conv-3", skip_turn=1)
    await publish_broken_by_infrastructure(bus, "run-4")
    await settle(bus, engine)
    return engine


async def test_tool_schemas_are_objects_in_every_sft_format(recorded: Engine) -> None:
    for fmt in (ExportFormat.sft_openai, ExportFormat.sft_trl):
        params = rows(recorded, fmt)[0]["tools"][0]["function"]["parameters"]
        assert params == {"type": "object", "properties": {"part": {"type": "string"}}}
    schema = rows(recorded, ExportFormat.sft_anthropic)[0]["tools"][0]["input_schema"]
    assert schema["type"] == "object"


async def test_provenance_names_the_policy_and_the_model_that_answered(recorded: Engine) -> None:
    prov = rows(recorded, ExportFormat.sft_openai)[0]["provenance"]
    assert prov["policy"] == "offline"
    assert prov["model"] == "offline/engineer" and prov["requested_model"] == "m1"


async def test_policy_filter_keeps_only_that_policy_s_calls(recorded: Engine) -> None:
    assert rows(recorded, ExportFormat.sft_openai, ExportFilter(policy="anthropic")) == []
    assert len(rows(recorded, ExportFormat.sft_openai, ExportFilter(policy="offline"))) == 3


async def test_infrastructure_failure_has_no_reward_and_is_counted_apart(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.sft_openai)
    infra = next(r for r in out if r["provenance"]["conversation_id"] == "conv-infra")
    assert infra["provenance"]["reward"] is None
    assert infra["provenance"]["reward_inputs"]["infrastructure"] == "llm_connection"
    failed = next(r for r in out if r["provenance"]["conversation_id"] == "conv-1")
    assert failed["provenance"]["reward"] == 0.0  # the agent's own failure does score 0

    summary = export(recorded, ExportFormat.grpo, io.BytesIO())
    assert summary.skipped_by[SkipCause.infrastructure] == 1
    assert summary.skipped_by[SkipCause.broken] == 1
    assert summary.infrastructure == 1


async def test_min_reward_keeps_rollouts_at_or_above_it_in_every_sft_format(
    recorded: Engine,
) -> None:
    for fmt in (ExportFormat.sft_openai, ExportFormat.sft_trl, ExportFormat.sft_anthropic):
        summary = export(recorded, fmt, io.BytesIO(), ExportFilter(min_reward=0.5))
        kept = rows(recorded, fmt, ExportFilter(min_reward=0.5))
        assert [r["provenance"]["run_id"] for r in kept] == ["run-2"]
        assert summary.skipped_by == {
            SkipCause.below_min_reward: 1, SkipCause.infrastructure: 1, SkipCause.broken: 1,
        }  # fmt: skip


async def test_skipped_conversations_are_counted_by_cause(recorded: Engine) -> None:
    flt = ExportFilter(outcome="success")
    summary = export(recorded, ExportFormat.sft_openai, io.BytesIO(), flt)
    assert summary.rows == 1 and summary.skipped_by == {SkipCause.filtered: 3}
    assert summary.describe() == "3 skipped: 3 filtered"
    summary = export(recorded, ExportFormat.sft_openai, io.BytesIO())
    assert summary.describe() == "1 skipped: 1 broken"


async def test_grpo_leaves_out_groups_without_variance_on_request(recorded: Engine) -> None:
    summary = export(recorded, ExportFormat.grpo, io.BytesIO(), ExportFilter(run_id="run-2"))
    assert summary.rows == 1 and summary.groups_with_variance == 0
    flt = ExportFilter(run_id="run-2", min_group_variance=0.0)
    summary = export(recorded, ExportFormat.grpo, io.BytesIO(), flt)
    assert summary.rows == 0 and summary.skipped_by[SkipCause.no_variance] == 1


async def test_unwritable_out_path_raises_a_typed_error_and_leaves_nothing(
    recorded: Engine, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(ExportPathError, match="cannot write"):
        export_file(recorded, ExportFormat.sft_openai, blocker / "out.jsonl")
    with pytest.raises(ExportPathError):
        export_file(recorded, ExportFormat.sft_openai, tmp_path)  # a directory
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


async def test_cli_reports_a_bad_out_path_in_one_line(
    recorded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the recording lives in ./.arena
    build_app()
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = CliRunner().invoke(
        app, ["export", "--format", "sft-openai", "--out", str(blocker / "x.jsonl")]
    )
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "cannot write" in result.stderr
    assert "Traceback" not in result.output
    assert not list(tmp_path.rglob("*.part"))
    ok = CliRunner().invoke(app, ["export", "-f", "grpo", "-o", str(tmp_path / "g.jsonl")])
    assert ok.exit_code == 0, ok.output
    assert "groups with reward variance" in ok.stdout and "1 infrastructure" in ok.stdout


async def test_rewards_are_folded_as_recorded_and_rebuilt_for_older_recordings(
    recorded: Engine, recorder: RecorderService
) -> None:
    before = rows(recorded, ExportFormat.sft_openai)
    with recorded.connect() as conn:
        folded = dict(conn.execute(select(job_rewards.c.job_id, job_rewards.c.inputs)).all())
    assert any(orjson.loads(v).get("infrastructure") == "llm_connection" for v in folded.values())

    await recorder.stop()
    with recorded.begin() as conn:  # a recording made before rewards were folded
        conn.execute(delete(job_rewards))
    infra = next(r for r in rows(recorded, ExportFormat.sft_openai)
                 if r["provenance"]["conversation_id"] == "conv-infra")  # fmt: skip
    assert infra["provenance"]["reward_inputs"]["infrastructure"] is None
    rebuild(recorded)  # what `arena db rebuild` does
    assert rows(recorded, ExportFormat.sft_openai) == before
