"""``arena prompts``: the prompt registry (list and show versions, add one, move a tag).

Reading opens the database read-only. Changes are events: ``add`` and ``tag`` check
the change against the recording, publish it, and (with the embedded server, when no
``ARENA_NATS_URL`` is set) run a recorder until it is recorded.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer
from rich.table import Table

from arena_core.cli.help import examples
from arena_core.cli.output import (
    LIST_JSON,
    RESULT_JSON,
    fail,
    print_json,
    stdout_console,
    whole_ids,
)
from arena_core.cli.recording import open_recording

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from arena_core.events import Envelope
    from arena_core.prompts import Prompt
    from arena_core.settings import Settings

RECORD_TIMEOUT_S = 30.0
"""How long ``add`` and ``tag`` wait for the recorder they run to fold their events."""
REMOTE_WAIT_S = 5.0
"""How long they wait to see their events in the local database against a stack."""


def register(app: typer.Typer) -> None:
    prompts = typer.Typer(
        help="Versioned prompt templates of the agents.",
        no_args_is_help=True,
        epilog=examples("arena prompts list --role engineer", "arena prompts show engineer"),
    )
    app.add_typer(prompts, name="prompts")

    @prompts.command(
        "list",
        epilog=examples(
            "arena prompts list --role engineer",
            "arena prompts list --json",
        ),
    )
    def list_(
        role: str = typer.Option(None, "--role", help="Only this agent role."),
        as_json: bool = LIST_JSON,
    ) -> None:
        """Every prompt version with its tags (prod is what runs use)."""
        from arena_core.prompts.queries import list_prompts

        found = list_prompts(open_recording(), role)
        if as_json:
            rows = [
                {
                    "id": p.id,
                    "role": p.role,
                    "version": p.version,
                    "tags": list(p.tags),
                    "parent_id": p.parent_id,
                    "created_at": p.created_at.isoformat() if p.created_at else None,
                }
                for p in found
            ]
            for row in rows:
                typer.echo(orjson.dumps(row).decode())
            return
        table = Table(title="prompts")
        for column in ("id", "role", "version", "tags", "parent", "created"):
            table.add_column(column)
        for p in found:
            created = p.created_at.strftime("%Y-%m-%d %H:%M") if p.created_at else "packaged"
            table.add_row(p.id, p.role, p.version, ",".join(p.tags), p.parent_id or "", created)
        stdout_console().print(whole_ids(table, "id"))

    @prompts.command(
        epilog=examples(
            "arena prompts show engineer                 # the engineer's prod prompt",
            "arena prompts show engineer --tag candidate",
        )
    )
    def show(
        prompt: str = typer.Argument(..., help="Prompt id, or ROLE for its prod prompt."),
        tag: str = typer.Option("prod", "--tag", help="With a ROLE: the tag to show."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Print one prompt template."""
        found = _find(open_recording(), prompt, tag)
        if as_json:
            print_json({"id": found.id, "role": found.role, "version": found.version,
                        "tags": list(found.tags), "parent_id": found.parent_id,
                        "content": found.content})  # fmt: skip
            return
        typer.echo(
            f"# {found.id}  role={found.role} version={found.version} "
            f"tags={','.join(found.tags) or '-'} parent={found.parent_id or '-'}"
        )
        typer.echo(found.content, nl=False)

    @prompts.command(
        epilog=examples(
            "arena prompts add engineer 1.2.0 engineer.j2 -d 'shorter plan' --tag candidate",
        )
    )
    def add(
        role: str = typer.Argument(..., help="Agent role, e.g. planner."),
        version: str = typer.Argument(..., help="Semantic version, new for the role."),
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="Jinja2 template."),
        parent: str = typer.Option(None, "--parent", help="Prompt id this one derives from."),
        description: str = typer.Option("", "--description", "-d", help="What changed."),
        tags: list[str] = typer.Option([], "--tag", help="Point this tag at it (e.g. prod)."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Add a new immutable version of a role's prompt (checked first)."""
        from arena_core.events import Envelope
        from arena_core.prompts import (
            PACKAGED_VERSIONS,
            InvalidPrompt,
            move_tag,
            new_version,
            packaged_registration,
        )
        from arena_core.prompts.queries import list_prompts

        if role not in PACKAGED_VERSIONS:
            fail(f"unknown role {role!r}; roles: {', '.join(PACKAGED_VERSIONS)}", 2)
        engine = open_recording()
        try:
            event = new_version(
                role, version, file.read_text(), parent_id=parent, description=description
            )
            checked = [move_tag(_as_prompt(event), t) for t in tags]
        except (InvalidPrompt, ValueError) as exc:
            fail(str(exc).splitlines()[0], 2)
        recorded = {p.id: p for p in list_prompts(engine, role)}
        same = [p for p in recorded.values() if p.version == version]
        if same and same[0].id != event.prompt_id:
            fail(f"{role} {version} exists ({same[0].id}); prompts are immutable", 2)
        if parent is not None and parent not in recorded:
            fail(f"parent prompt {parent!r} does not exist", 2)
        envelopes: list[Envelope[Any]] = []
        if any(p.created_at is None for p in recorded.values()):
            # Record the packaged default first, so it stays a version one can go back to.
            envelopes.append(packaged_registration(role))
        envelopes += [Envelope.new(event, run_id="prompts")]
        envelopes += [Envelope.new(t, run_id="prompts") for t in checked]
        _publish(envelopes, lambda e: _has(e, event.prompt_id, tags))
        if as_json:
            print_json({"id": event.prompt_id, "role": role, "version": version, "tags": tags})
            return
        typer.echo(
            f"prompt {event.prompt_id} added" + (f", tagged {','.join(tags)}" if tags else "")
        )

    @prompts.command(
        epilog=examples(
            "arena prompts tag 01a2f3 prod               # the next runs use it",
        )
    )
    def tag(
        prompt: str = typer.Argument(..., help="Prompt id."),
        name: str = typer.Argument(..., help="The tag, e.g. prod."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Point a tag of the prompt's role at it (prod: what the next runs use)."""
        from arena_core.events import Envelope
        from arena_core.prompts import move_tag, packaged_registration
        from arena_core.prompts.queries import get_prompt

        found = _find(open_recording(), prompt, None)
        try:
            moved = move_tag(found, name)
        except ValueError as exc:
            fail(str(exc).splitlines()[0], 2)
        envelopes: list[Envelope[Any]] = []
        if found.created_at is None:
            envelopes.append(packaged_registration(found.role))
        envelopes.append(Envelope.new(moved, run_id="prompts"))
        _publish(envelopes, lambda e: name in get_prompt(e, found.id).tags)
        if as_json:
            print_json({"role": found.role, "tag": name, "id": found.id})
        else:
            typer.echo(f"{found.role} {name} -> {found.id}")


def _find(engine: Engine, prompt: str, tag: str | None) -> Prompt:
    from arena_core.prompts import UnknownPrompt
    from arena_core.prompts.queries import get_prompt, tagged

    try:
        if tag is None or "-" in prompt:
            return get_prompt(engine, prompt)
        return tagged(engine, prompt, tag)
    except UnknownPrompt as exc:
        fail(str(exc), 1)


def _as_prompt(event: Any) -> Prompt:
    from arena_core.prompts import Prompt

    return Prompt(id=event.prompt_id, role=event.role, version=event.version, content="")


def _has(engine: Engine, prompt_id: str, tags: list[str]) -> bool:
    from arena_core.prompts import UnknownPrompt
    from arena_core.prompts.queries import get_prompt

    try:
        found = get_prompt(engine, prompt_id)
    except UnknownPrompt:
        return False
    return found.created_at is not None and set(tags) <= set(found.tags)


def _publish(envelopes: list[Envelope[Any]], recorded: Any) -> None:
    """Publish. With the embedded server, a recorder runs here and the command waits until
    ``recorded``; against a stack (``ARENA_NATS_URL``) its recorder records them, and the
    command waits a moment for the local database only when it is that recorder's."""
    from arena_core.settings import Settings
    from arena_core.stack import nats_for

    settings = Settings()
    here = not settings.nats_url
    with nats_for(settings) as live:
        wait = RECORD_TIMEOUT_S if here else REMOTE_WAIT_S
        ok = asyncio.run(_publish_and_record(live, envelopes, recorded, here, wait))
    if not ok and here:
        fail(f"published, but not recorded within {wait:g}s", 1)
    if not ok:
        typer.echo(
            "published; the stack's recorder records it (not in this database yet)", err=True
        )


async def _publish_and_record(
    settings: Settings,
    envelopes: list[Envelope[Any]],
    recorded: Any,
    record_here: bool,
    wait_s: float,
) -> bool:
    from arena_core.stack import RECORDER, services_in_process

    async with services_in_process(settings, [RECORDER] if record_here else []) as bus:
        for envelope in envelopes:
            await bus.publish(envelope)
        engine = open_recording()
        loop = asyncio.get_running_loop()
        end = loop.time() + wait_s
        while not recorded(engine):
            if loop.time() > end:
                return False
            await asyncio.sleep(0.1)
        return True
