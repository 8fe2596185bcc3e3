"""Replay: timelines, conversations with continuity checks, diffs, redrive, gap check."""

from __future__ import annotations

import orjson
import pytest
from sqlalchemy import Engine, delete
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.db.tables import messages
from arena_core.recorder import RecorderService
from arena_core.replay import (
    AmbiguousRun,
    GapKind,
    IssueKind,
    check_gaps,
    first_divergence,
    load_conversation,
    plan_redrive,
    redrive,
    resolve_run,
    timeline,
)
from arena_core.replay.tree import run_tree
from arena_core.settings import Settings
from tests.recorder.recording import settle
from tests.recorder.scenario import publish_run


async def test_run_id_prefix_resolves_and_ambiguity_is_an_error(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "abc-111")
    await publish_run(bus, "abd-222", conversation_id="c2")
    await settle(bus, engine)
    assert resolve_run(engine, "abc") == "abc-111"
    with pytest.raises(AmbiguousRun):
        resolve_run(engine, "ab")


async def test_timeline_filters_by_agent_role_and_type_glob(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-tl")
    await settle(bus, engine)
    llm = list(timeline(engine, "run-tl", type_glob="llm.*"))
    assert [e.type for e in llm] == ["llm.call.requested", "llm.call.completed"] * 3
    engineer = list(timeline(engine, "run-tl", agent_role="engineer"))
    assert engineer and all(e.agent and e.agent.startswith("engineer/") for e in engineer)
    assert "turn_index=0" in llm[0].summary


async def test_whole_conversation_has_no_issues(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-conv")
    await settle(bus, engine)
    conv = load_conversation(engine, "conv-1")
    assert conv.complete and len(conv.turns) == 3
    assert [n.kind for n in conv.turns[0].events] == ["thought", "tool_result"]


async def test_missing_turn_is_reported(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-gap", skip_turn=1)
    await settle(bus, engine)
    issues = load_conversation(engine, "conv-1").issues
    assert [(i.kind, i.turn_index) for i in issues] == [(IssueKind.missing, 1)]


async def test_duplicated_turn_is_reported(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-dup")
    await publish_run(bus, "run-dup")  # the same turns again in the same run
    await settle(bus, engine)
    kinds = {i.kind for i in load_conversation(engine, "conv-1").issues}
    assert IssueKind.duplicated in kinds


async def test_a_conversation_id_reused_by_another_run_is_that_runs_own(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-first")
    await publish_run(bus, "run-redriven")  # a redrive reuses its source's conversation ids
    await settle(bus, engine)
    for run_id in ("run-first", "run-redriven"):
        conv = load_conversation(engine, "conv-1", run_id=run_id)
        assert conv.run_id == run_id and conv.complete and conv.issues == []


async def test_diff_ignores_ids_and_times_and_finds_the_first_changed_field(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-x", conversation_id="cx")
    await publish_run(bus, "run-y", conversation_id="cy")
    await publish_run(bus, "run-z", conversation_id="cz", answer="different")
    await settle(bus, engine)
    assert first_divergence(engine, "run-x", "run-y") is None
    found = first_divergence(engine, "run-x", "run-z")
    assert found is not None
    assert (found.type_a, found.agent, found.field) == (
        "llm.call.completed", "engineer", "payload.content[0].text",
    )  # fmt: skip
    assert (found.value_a, found.value_b) == ("done", "different")


async def test_redrive_republishes_only_the_runs_inputs_under_a_new_run(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    ids = await publish_run(bus, "run-src")
    await settle(bus, engine)
    plan = await redrive(bus, engine, "run-src", new_run_id="run-again")
    await settle(bus, engine)
    # The children were caused by the parent: services re-create them, so only the parent.
    assert [e.type for e in plan.envelopes] == ["sample.job.requested"]
    assert plan.envelopes[0].payload == ids["parent"].payload
    types = [e.type for e in timeline(engine, "run-again")]
    assert types == ["replay.redrive.started", "sample.job.requested"]


async def test_redrive_from_a_sequence_takes_requests_whose_cause_is_before_it(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-from")
    await settle(bus, engine)
    first_child = next(e for e in timeline(engine, "run-from") if "child 0" in e.summary)
    plan = plan_redrive(engine, "run-from", from_seq=first_child.seq)
    assert [e.payload.task for e in plan.envelopes] == ["child 0", "child 1"]  # type: ignore[attr-defined]
    assert len({e.payload.parent_job_id for e in plan.envelopes}) == 1  # type: ignore[attr-defined]


async def test_gap_check_tells_lost_rows_from_deleted_stream_messages(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-chk")
    last = await settle(bus, engine)
    assert (await check_gaps(engine, bus)).gaps == []
    await bus.js.delete_msg(bus.stream.name, 3)
    with engine.begin() as conn:
        conn.execute(delete(messages).where(messages.c.seq.in_([3, 5])))
    report = await check_gaps(engine, bus)
    assert [(g.first, g.last, g.kind) for g in report.gaps] == [
        (3, 3, GapKind.deleted), (5, 5, GapKind.lost),
    ]  # fmt: skip
    assert not report.ok and report.last_seq == last


async def test_tree_groups_by_job_agent_and_turn_with_failures_in_words(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-tree")
    await settle(bus, engine)
    lines = [(depth, line) for depth, line in run_tree(engine, "run-tree")]
    text = "\n".join(line for _, line in lines)
    assert lines[0] == (0, "run run-tree")
    assert [d for d, line in lines if line.startswith("sample job")] == [1, 2, 2]
    assert "-> FAILED (broke)" in text
    assert text.count("tool measure(") == 1 and "-> ok: 3 cm" in text
    assert (3, "engineer") in lines and (4, "turn 0  (100+10 tokens, stop tool_use)") in lines


async def test_cli_names_the_valid_values_when_a_filter_matches_nothing(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    await publish_run(bus, "run-cli")
    await settle(bus, engine)
    monkeypatch.setenv("ARENA_HOME", str(settings.home))
    build_app()
    cli = CliRunner()
    agent = cli.invoke(app, ["replay", "run-cli", "--agent", "enginer"])
    assert agent.exit_code == 2 and "its agents: engineer" in agent.output
    kind = cli.invoke(app, ["replay", "run-cli", "--type", "nothing.*"])
    assert kind.exit_code == 2 and "llm.call.completed" in kind.output
    listed = cli.invoke(app, ["runs", "--json"])
    assert listed.exit_code == 0
    assert "run-cli" in {orjson.loads(line)["run_id"] for line in listed.output.splitlines()}
    unknown = cli.invoke(app, ["runs", "--kind", "nosuchkind"])
    assert unknown.exit_code == 2 and "recorded kinds:" in unknown.output


def test_a_tool_call_shows_its_cad_code_as_code() -> None:
    from arena_core.events.llm import ToolUseBlock
    from arena_core.replay.conversations import render_block

    block = ToolUseBlock(
        id="tu1", name="run_cad", input={"code": "def build():\n    return []", "n": 1}
    )
    assert render_block(block).splitlines() == [
        'tool_use run_cad({"n":1}) id=tu1', "    | def build():", "    |     return []",
    ]  # fmt: skip


async def test_a_redrive_from_a_sequence_records_that_sequence_with_a_prepared_plan(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await publish_run(bus, "run-marked")
    await settle(bus, engine)
    first_child = next(e for e in timeline(engine, "run-marked") if "child 0" in e.summary)
    plan = plan_redrive(engine, "run-marked", from_seq=first_child.seq)
    await redrive(bus, engine, "run-marked", plan=plan)  # as arena redrive does
    await settle(bus, engine)
    (marker,) = [e for e in timeline(engine, plan.new_run_id)
                 if e.type == "replay.redrive.started"]  # fmt: skip
    assert f"from_seq={first_child.seq}" in marker.summary


def test_a_timeline_line_shows_floats_short() -> None:
    from arena_core.replay.timeline import summarize

    assert summarize({"stage": "code", "wall_s": 11.333026552001684, "n": 3}) == (
        "stage=code wall_s=11.33 n=3"
    )


def test_a_tree_line_shows_floats_short() -> None:
    from arena_core.replay.tree import describe

    line = describe("benchmark.review.stage.completed", {"stage": "code", "wall_s": 2.359114172})
    assert line == "benchmark.review.stage.completed  stage=code wall_s=2.359"


async def test_a_redriven_solve_reads_the_skills_its_original_could_read() -> None:
    from arena_core.bus.testing import InMemoryBus
    from arena_core.events.engineer import SkillContent, SolveJobRequested
    from arena_core.library import example
    from arena_core.prompts.skills import Skill
    from arena_core.replay.world import PinnedState

    def solve(key: str) -> SolveJobRequested:
        target = example("example:ball_to_goal:0")
        return SolveJobRequested(benchmark_id=target.benchmark_id, spec=target.spec, key=key)

    def skill(slug: str) -> Skill:
        content = SkillContent(
            title=slug, when_to_use="always", steps=("push",), example="", tags=("sweep",)
        )
        return Skill(
            id=slug, role="engineer", slug=slug, version=1, content=content, failures_before=1
        )

    early, mid_run = skill("early"), skill("mid-run")
    # "mid-run" was learned in the run after the first solve started, before the second.
    world = PinnedState(
        InMemoryBus(), {}, [early], solve_skills={"first": [early], "second": [early, mid_run]}
    )
    assert [s.slug for s in await world.skills("engineer", ["sweep"], solve=solve("first"))] == [
        "early"
    ]
    second = await world.skills("engineer", ["sweep"], solve=solve("second"))
    assert [s.slug for s in second] == ["early", "mid-run"]
    assert [s.slug for s in await world.skills("engineer", ["sweep"])] == ["early"]


def test_redrive_from_a_negative_sequence_is_a_usage_error() -> None:
    from typer.testing import CliRunner

    from arena_core.cli.main import build_app

    shown = CliRunner().invoke(build_app(), ["redrive", "any-run", "--from", "-5"])
    assert shown.exit_code == 2
    assert "--from" in shown.output
