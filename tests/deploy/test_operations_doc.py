"""docs/operations.md: current, its examples valid, its plain NATS script really works."""

from __future__ import annotations

import ast
import asyncio
import re
import sys
from pathlib import Path

import orjson
from sqlalchemy import select

from arena_core.bus import Bus
from arena_core.db import Message, open_database
from arena_core.events import Envelope, EventRegistry, decode, registry, subject_for
from arena_core.events.sim import SimJobCompleted, SimJobRequested
from arena_core.events.wire import HEADER_CAUSATION, HEADER_MSG_ID, encode
from arena_core.jobs import DOCS_BEGIN, DOCS_END, example_payload, job_reference
from arena_core.recorder import RecorderService
from arena_core.settings import Settings
from simrunner.service import SimRunnerService

DOC = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
SCRIPT = re.compile(
    r"<!-- plain-client-script:begin -->\n```python\n(.*?)```\n<!-- plain-client-script:end -->",
    re.DOTALL,
)


def product_events() -> EventRegistry:
    """The registry without event types that tests register for themselves."""
    events = EventRegistry()
    for event_type, model in registry.items():
        if not model.__module__.startswith("tests."):
            events.register(event_type, model)
    return events


def reference_section() -> str:
    text = DOC.read_text()
    return text[text.index(DOCS_BEGIN) + len(DOCS_BEGIN) : text.index(DOCS_END)]


def plain_script() -> str:
    match = SCRIPT.search(DOC.read_text())
    assert match, "docs/operations.md has no plain-client script"
    return match[1]


def test_the_job_reference_is_current() -> None:
    assert reference_section().strip() == job_reference(product_events()).strip(), (
        "docs/operations.md is stale: run `arena jobs reference --write docs/operations.md`"
    )


def test_every_example_envelope_in_the_doc_is_valid() -> None:
    blocks = re.findall(r"```json\n(.*?)```", reference_section(), re.DOTALL)
    documented = set()
    for block in blocks:
        data = orjson.loads(block)
        envelope = decode(subject_for(data["type"]), block.encode())
        documented.add(envelope.type)
    jobs = {t for t in product_events() if t.endswith(".job.requested")}
    assert documented == jobs


def test_the_doc_names_every_envelope_field_and_header() -> None:
    text = DOC.read_text()
    for name in Envelope.model_fields:
        assert f"| `{name}` |" in text, f"envelope field {name} is not documented"
    for header in encode(Envelope.new(SimJobRequested.model_validate(_payload())))[2]:
        assert f"`{header}" in text, f"header {header} is not documented"
    assert f"`{HEADER_CAUSATION}`" in text


def test_the_plain_script_imports_nothing_from_arena() -> None:
    modules = set()
    for node in ast.walk(ast.parse(plain_script())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
    assert modules == {"asyncio", "json", "sys", "time", "uuid", "datetime", "nats"}


def _payload() -> dict[str, object]:
    payload = example_payload(SimJobRequested)
    assert payload is not None
    return payload.model_dump(mode="json")


async def test_a_job_from_the_plain_script_is_processed_and_recorded(
    bus: Bus, settings: Settings, tmp_path: Path
) -> None:
    script = tmp_path / "submit_job.py"
    script.write_text(plain_script())
    job = tmp_path / "job.json"
    job.write_bytes(orjson.dumps(_payload()))
    recorder = RecorderService(bus, settings)
    async with SimRunnerService(bus, settings).running(), recorder.running():
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(script), str(settings.nats_url), str(job),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        assert proc.returncode == 0, err.decode()
        subject, _, answer = out.decode().partition(" ")
        assert subject == "arena.sim.job.completed"
        job_id = orjson.loads(answer)["causation_id"]
        assert orjson.loads(answer)["payload"]["passed"]
        rows = await _recorded(settings.database_path, job_id)
    assert [r.type for r in rows] == ["sim.job.requested", "sim.job.completed"]
    request, completed = rows
    assert request.valid and request.msg_id == job_id and request.run_id == job_id
    assert completed.causation_id == job_id and completed.run_id == job_id
    assert completed.type == SimJobCompleted.EVENT_TYPE
    assert HEADER_MSG_ID in orjson.loads(request.headers)


async def _recorded(db: Path, job_id: str, timeout: float = 20.0) -> list[Message]:
    engine = open_database(db)
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    try:
        while True:
            with engine.connect() as conn:
                rows = conn.execute(
                    select(Message)
                    .where((Message.msg_id == job_id) | (Message.causation_id == job_id))  # type: ignore[arg-type]
                    .order_by(Message.seq)  # type: ignore[arg-type]
                ).all()
            if len(rows) >= 2 or loop.time() > end:
                return [Message.model_validate(r._mapping) for r in rows]
            await asyncio.sleep(0.1)
    finally:
        engine.dispose()
