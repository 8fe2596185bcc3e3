"""Export: every format's shape, provenance, filters, and loading with ``datasets``."""

from __future__ import annotations

import io
import itertools
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import pytest_asyncio
from sqlalchemy import Engine, func, select

from arena_core.bus import EmbeddedNats
from arena_core.container import make_bus
from arena_core.db import open_database
from arena_core.db.tables import chats
from arena_core.export import ExportFilter, ExportFormat, ExportSummary, export, export_file, openai
from arena_core.export.conversations import rollouts
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run


def rows(engine: Engine, fmt: ExportFormat, flt: ExportFilter = ExportFilter()) -> list[Any]:
    out = io.BytesIO()
    export(engine, fmt, out, flt)
    return [orjson.loads(line) for line in out.getvalue().splitlines()]


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def recorded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Engine]:
    """Three recorded runs, shared by the module's tests (they only read them)."""
    root = tmp_path_factory.mktemp("export")
    with EmbeddedNats(root / "nats", log_file=root / "nats.log") as server:
        settings = Settings(
            nats_url=server.url, home=root / ".arena", workspace=root / "workspace",
            fetch_wait_s=0.2,
        )  # fmt: skip
        engine = open_database(settings.database_path)
        recorder = RecorderService(make_bus(settings, name="recorder"), settings)
        async with make_bus(settings, name="test") as bus, recorder.running():
            await publish_run(bus, "run-1", conversation_id="conv-1")
            await publish_run(bus, "run-2", conversation_id="conv-2", child_fails=False)
            await publish_run(bus, "run-3", conversation_id="conv-3", skip_turn=1)
            await settle(bus, engine)
        yield engine


def check_provenance(row: dict[str, Any]) -> None:
    prov = row["provenance"]
    assert prov["run_id"].startswith("run-") and prov["agent_role"] == "engineer"
    assert prov["seqs"] and all(isinstance(s, int) for s in prov["seqs"])
    assert "prompt_version" in prov


async def test_sft_openai_rows_carry_tool_calls_as_json_text(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.sft_openai)
    assert len(out) == 2  # conv-3 misses a turn: skipped, not exported broken
    msgs = out[0]["messages"]
    assert [m["role"] for m in msgs] == [
        "system", "user", "assistant", "tool", "assistant", "tool", "assistant",
    ]  # fmt: skip
    call = msgs[2]["tool_calls"][0]
    assert orjson.loads(call["function"]["arguments"]) == {"part": "p0"}
    assert msgs[3]["tool_call_id"] == call["id"]
    assert out[0]["tools"][0]["function"]["name"] == "measure"
    check_provenance(out[0])


async def test_sft_openai_rows_rendered_when_recorded_equal_those_rendered_from_the_calls(
    recorded: Engine,
) -> None:
    out = io.BytesIO()
    summary = export(recorded, ExportFormat.sft_openai, out)
    with recorded.connect() as conn:
        rendered = conn.execute(select(func.count()).select_from(chats)).scalar_one()
    assert rendered >= summary.rows == 2  # the rows come from the projection
    decoded = rollouts(recorded, ExportFilter(), ExportSummary(), lambda _n: None)
    from_calls = b"".join(
        orjson.dumps(openai.row(r), option=orjson.OPT_APPEND_NEWLINE) for r in decoded
    )
    assert out.getvalue() == from_calls


async def test_sft_trl_rows_carry_tool_arguments_as_objects(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.sft_trl)
    call = out[0]["messages"][2]["tool_calls"][0]
    assert call["function"]["arguments"] == {"part": "p0"}
    check_provenance(out[0])


async def test_sft_anthropic_rows_alternate_roles_with_tool_blocks(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.sft_anthropic)
    row = out[0]
    assert row["system"] == "You are an engineer."
    roles = [m["role"] for m in row["messages"]]
    assert all(a != b for a, b in itertools.pairwise(roles))
    blocks = [b["type"] for m in row["messages"] for b in m["content"]]
    assert "tool_use" in blocks and "tool_result" in blocks
    check_provenance(row)


async def test_outcome_filter_selects_by_the_conversations_job(recorded: Engine) -> None:
    # The conversations run in the batch job's thread: run-1's batch partly failed.
    def runs_of(flt: ExportFilter) -> list[str]:
        return [r["provenance"]["run_id"] for r in rows(recorded, ExportFormat.sft_openai, flt)]

    assert runs_of(ExportFilter(outcome="success")) == ["run-2"]
    assert runs_of(ExportFilter(outcome="failure")) == ["run-1"]
    only = rows(recorded, ExportFormat.sft_openai, ExportFilter(run_id="run-2"))
    assert [r["provenance"]["run_id"] for r in only] == ["run-2"]


async def test_grpo_groups_rollouts_of_one_prompt_with_a_reward_each(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.grpo)
    assert len(out) == 1  # conv-1 and conv-2 share their first request; conv-3 is broken
    group = out[0]
    assert group["group_size"] == 2 and len(group["completions"]) == 2
    assert group["rewards"] == [0.0, 1.0]  # run-1's batch failed, run-2's completed
    assert [m["role"] for m in group["prompt"]] == ["system", "user"]
    assert group["completions"][0][0]["role"] == "assistant"
    assert {"job_id", "job_kind", "outcome"} <= set(group["reward_inputs"][0])
    assert group["provenance"]["agent_role"] == "engineer"


async def test_events_format_is_every_envelope_in_order(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.events, ExportFilter(run_id="run-1"))
    seqs = [r["seq"] for r in out]
    assert seqs == sorted(seqs) and out[0]["envelope"]["type"] == "sample.job.requested"


async def test_preferences_pair_the_higher_reward_rollout_over_the_lower(recorded: Engine) -> None:
    out = rows(recorded, ExportFormat.preferences)
    assert len(out) == 1 and out[0]["source"] == "rollouts" and out[0]["margin"] == 1.0
    prov = out[0]["provenance"]
    assert prov["chosen"]["run_id"] == "run-2" and prov["rejected"]["run_id"] == "run-1"
    assert out[0]["chosen"][0]["role"] == "assistant"
    assert rows(recorded, ExportFormat.preferences, ExportFilter(min_margin=1.5)) == []


@pytest.mark.parametrize(
    "fmt", [ExportFormat.sft_openai, ExportFormat.sft_trl, ExportFormat.sft_anthropic]
)
async def test_sft_files_load_with_datasets(
    recorded: Engine, tmp_path: Path, fmt: ExportFormat
) -> None:
    import datasets

    path = tmp_path / f"{fmt.value}.jsonl"
    summary = export_file(recorded, fmt, path)
    data = datasets.load_dataset(
        "json", data_files=str(path), split="train", cache_dir=str(tmp_path / "hf")
    )
    assert data.num_rows == summary.rows == 2
    assert "messages" in data.column_names
