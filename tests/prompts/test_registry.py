"""The prompt registry: versions and tag moves are events the recorder folds (immutable
rows, semver, lineage), and every node reads the ``prod`` prompt over NATS."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from arena_core.bus import Bus
from arena_core.cli.main import app, build_app
from arena_core.container import make_bus
from arena_core.db import Message
from arena_core.db.projections import rebuild
from arena_core.events import Envelope, Payload
from arena_core.prompts import (
    PACKAGED_VERSIONS,
    InvalidPrompt,
    Prompt,
    move_tag,
    new_version,
    packaged_prompt,
    packaged_registration,
)
from arena_core.prompts.queries import get_prompt, list_prompts, prompt_tags, prompts, tagged
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from arena_core.state import SharedState
from arena_core.state.buckets import PROMPTS, prompt_key
from tests.recorder.recording import engine, recorder, settle

__all__ = ["engine", "recorder"]


async def publish(bus: Bus, *payloads: Payload) -> None:
    for payload in payloads:
        await bus.publish(Envelope.new(payload, run_id="prompts"))


async def eventually(check: Callable[[], Awaitable[bool]], within_s: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + within_s
    while not await check():
        assert loop.time() < end, "the condition never held"
        await asyncio.sleep(0.05)


async def test_with_nothing_recorded_every_role_runs_on_its_packaged_default_and_records_it(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    state = SharedState(bus)
    for role, version in PACKAGED_VERSIONS.items():
        prompt = await state.prod_prompt(role)
        assert (prompt.role, prompt.version, prompt.tags) == (role, version, ("prod",))
    await settle(bus, engine)
    recorded = [p for p in list_prompts(engine) if p.created_at is not None]
    assert {(p.role, p.version, p.tags) for p in recorded} == {
        (role, version, ("prod",)) for role, version in PACKAGED_VERSIONS.items()
    }


async def test_nodes_registering_the_default_at_once_record_it_once(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    await asyncio.gather(*(SharedState(bus).prod_prompt("critic") for _ in range(4)))
    await settle(bus, engine)
    envelope_id = packaged_registration("critic").id
    with engine.connect() as conn:
        copies = conn.execute(
            select(func.count()).select_from(Message).where(Message.msg_id == envelope_id)  # type: ignore[arg-type]
        ).scalar_one()
        rows = conn.execute(select(func.count()).where(prompts.c.role == "critic")).scalar_one()
    assert (copies, rows) == (1, 1)


async def test_a_promotion_reaches_every_node_and_keeps_lineage(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    first = await SharedState(bus).prod_prompt("planner")
    second = new_version("planner", "1.1.0", "Plan {{ family }} carefully.", parent_id=first.id)
    await publish(bus, second)
    await settle(bus, engine)
    assert tagged(engine, "planner").id == first.id  # added, not promoted
    await publish(bus, move_tag(get_prompt(engine, second.prompt_id), "prod"))

    other_node = SharedState(bus)

    async def promoted() -> bool:
        return (await other_node.prod_prompt("planner")).id == second.prompt_id

    await eventually(promoted)
    now = tagged(engine, "planner")
    assert (now.id, now.parent_id, now.tags) == (second.prompt_id, first.id, ("prod",))
    assert "prod" not in get_prompt(engine, first.id).tags


async def test_a_late_packaged_default_never_takes_prod_from_a_promoted_version(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    promoted = new_version("engineer", "2.0.0", "Build {{ family }} with {{ skills }}.")
    await publish(bus, promoted, move_tag(_prompt(promoted.prompt_id, "engineer"), "prod"))
    await bus.publish(packaged_registration("engineer"))
    await settle(bus, engine)
    assert tagged(engine, "engineer").id == promoted.prompt_id
    assert get_prompt(engine, packaged_prompt("engineer").id).tags == ()


async def test_a_version_recorded_twice_keeps_its_first_text(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    first = new_version("critic", "3.0.0", "Review {{ family }}.")
    await publish(bus, first, new_version("critic", "3.0.0", "Judge {{ family }}."))
    await settle(bus, engine)
    assert [p.content for p in list_prompts(engine, "critic") if p.version == "3.0.0"] == [
        "Review {{ family }}."
    ]


async def test_a_tag_moves_only_to_a_recorded_prompt_of_its_role(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    critic = new_version("critic", "3.1.0", "Review {{ family }} twice.")
    await publish(bus, critic, move_tag(_prompt(critic.prompt_id, "planner"), "prod"))
    await publish(bus, move_tag(_prompt("planner-9.9.9-00000000", "planner"), "candidate"))
    await settle(bus, engine)
    with engine.connect() as conn:
        assert conn.execute(select(prompt_tags)).all() == []


async def test_prompt_rows_cannot_be_updated(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    prompt = await SharedState(bus).prod_prompt("critic")
    await settle(bus, engine)
    with pytest.raises(IntegrityError, match="immutable"), engine.begin() as conn:
        conn.execute(text("UPDATE prompts SET content = 'x' WHERE id = :id"), {"id": prompt.id})
    assert get_prompt(engine, prompt.id).content == prompt.content


async def test_rebuild_gives_the_same_prompts_and_tags(
    bus: Bus, engine: Engine, recorder: RecorderService
) -> None:
    first = await SharedState(bus).prod_prompt("planner")
    second = new_version("planner", "1.2.0", "Plan {{ goal_kind }}.", parent_id=first.id)
    await publish(bus, second, move_tag(_prompt(second.prompt_id, "planner"), "prod"))
    await settle(bus, engine)
    before = _rows(engine)
    await recorder.stop()
    rebuild(engine)
    assert _rows(engine) == before


async def test_the_shared_state_is_rewritten_from_the_tables_when_a_recorder_starts(
    bus: Bus, engine: Engine, recorder: RecorderService, settings: Settings
) -> None:
    promoted = new_version("critic", "4.0.0", "Review {{ family }} with care.")
    await publish(bus, promoted, move_tag(_prompt(promoted.prompt_id, "critic"), "prod"))
    state = SharedState(bus)

    async def promoted_everywhere() -> bool:
        return (await state.prod_prompt("critic")).id == promoted.prompt_id

    await eventually(promoted_everywhere)
    await recorder.stop()
    kv = await bus.js.key_value(PROMPTS)
    await kv.delete(prompt_key("critic", "prod"))  # state lost behind the recorder's back
    await kv.put(prompt_key("critic", "stale"), b"{}")
    again = RecorderService(make_bus(settings, name="recorder-2"), settings)
    await again.start()
    try:
        await eventually(promoted_everywhere)
        assert prompt_key("critic", "stale") not in await kv.keys()
    finally:
        await again.stop()


async def test_db_rebuild_also_rewrites_the_shared_state_on_nats(
    bus: Bus,
    engine: Engine,
    recorder: RecorderService,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    promoted = new_version("planner", "5.0.0", "Plan {{ family }} in three steps.")
    await publish(bus, promoted, move_tag(_prompt(promoted.prompt_id, "planner"), "prod"))
    state = SharedState(bus)

    async def promoted_everywhere() -> bool:
        return (await state.prod_prompt("planner")).id == promoted.prompt_id

    await eventually(promoted_everywhere)
    await recorder.stop()
    kv = await bus.js.key_value(PROMPTS)
    await kv.delete(prompt_key("planner", "prod"))
    assert not await promoted_everywhere()
    monkeypatch.setenv("ARENA_NATS_URL", str(settings.nats_url))
    monkeypatch.setenv("ARENA_DB_PATH", str(settings.database_path))
    monkeypatch.setenv("ARENA_WORKSPACE", str(settings.workspace))
    build_app()
    result = await asyncio.to_thread(CliRunner().invoke, app, ["db", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "shared state on NATS rewritten" in result.output
    assert await promoted_everywhere()


@pytest.mark.parametrize(
    ("version", "content", "problem"),
    [
        ("1.1", "Plan {{ family }}.", "semantic version"),
        ("1.1.0", "Plan {{ family }.", "line 1"),
        ("1.1.0", "Plan {{ reference_solution }}.", "not a template variable"),
    ],
)
def test_bad_templates_and_versions_are_refused_with_the_problem(
    version: str, content: str, problem: str
) -> None:
    with pytest.raises(InvalidPrompt, match=problem):
        new_version("planner", version, content)


def _prompt(id: str, role: str) -> Prompt:
    return Prompt(id=id, role=role, version="0.0.0", content="")


def _rows(engine: Engine) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(prompts).order_by(prompts.c.id))] + [
            tuple(r) for r in conn.execute(select(prompt_tags).order_by(prompt_tags.c.role))
        ]
