"""``arena replay`` and ``arena redrive``: reading and re-executing recorded runs."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import typer


def _engine() -> Any:
    from arena_core.db import open_database
    from arena_core.settings import Settings

    return open_database(Settings().database_path)


def _resolve(engine: Any, prefix: str) -> str:
    from arena_core.replay import AmbiguousRun, UnknownRun, resolve_run

    try:
        return resolve_run(engine, prefix)
    except (UnknownRun, AmbiguousRun) as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None


async def _check(engine: Any, nats_url: str | None) -> Any:
    from arena_core.bus.connection import INTERACTIVE_DEADLINE_S
    from arena_core.container import make_bus
    from arena_core.replay import check_gaps
    from arena_core.settings import Settings

    if not nats_url:
        return await check_gaps(engine)
    bus = make_bus(Settings().model_copy(update={"nats_url": nats_url}), name="arena-replay")
    await bus.connect(deadline_s=INTERACTIVE_DEADLINE_S)
    try:
        return await check_gaps(engine, bus)
    finally:
        await bus.close()


def register(app: typer.Typer) -> None:
    @app.command()
    def replay(
        run: str = typer.Argument(None, help="Run id or a unique prefix of one."),
        agent: str = typer.Option(None, "--agent", help="Only events of this agent role."),
        type_glob: str = typer.Option(None, "--type", help="Only event types matching a glob."),
        conversation: bool = typer.Option(False, "--conversation", help="Agents' turns."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
        follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new events."),
        diff: str = typer.Option(None, "--diff", help="Show where RUN and this run diverge."),
        check: bool = typer.Option(False, "--check", help="Check the log for sequence gaps."),
    ) -> None:
        """Show a recorded run: timeline, conversations, diff; or check the log."""
        from rich.console import Console

        from arena_core.replay import conversations, first_divergence, timeline
        from arena_core.replay.conversations import render_text
        from arena_core.settings import Settings

        engine = _engine()
        console = Console(highlight=False, soft_wrap=True)
        if check:
            report = asyncio.run(_check(engine, Settings().nats_url))
            if as_json:
                typer.echo(report.model_dump_json())
            else:
                console.print(
                    f"recorded {report.recorded} messages, seq {report.first_seq}.."
                    f"{report.last_seq}; stream at {report.stream_last_seq}"
                )
                for gap in report.gaps:
                    console.print(f"  {gap.kind:8} {gap.first}..{gap.last}")
            raise typer.Exit(0 if report.ok else 1)
        if run is None:
            typer.echo("arena replay needs a RUN id (or --check)", err=True)
            raise typer.Exit(2)
        run_id = _resolve(engine, run)
        if diff:
            other = _resolve(engine, diff)
            found = first_divergence(engine, run_id, other)
            if as_json:
                typer.echo(found.model_dump_json() if found else "null")
            elif found is None:
                console.print(f"runs {run_id} and {other} do the same thing")
            else:
                console.print(
                    f"first divergence at event #{found.index} (seq {found.seq_a} vs "
                    f"{found.seq_b}), agent {found.agent}, type {found.type_a} vs {found.type_b}"
                )
                console.print(f"  {found.field}: {found.value_a!r} != {found.value_b!r}")
            raise typer.Exit(0 if found is None else 1)
        if conversation:
            broken = 0
            for conv in conversations(engine, run_id=run_id, agent_role=agent):
                broken += bool(conv.issues)
                if as_json:
                    typer.echo(conv.model_dump_json())
                else:
                    for line in render_text(conv):
                        console.print(line, markup=False)
            raise typer.Exit(1 if broken else 0)
        last = 0
        while True:
            for e in timeline(
                engine, run_id, agent_role=agent, type_glob=type_glob, after_seq=last,
                with_envelopes=as_json,
            ):  # fmt: skip
                last = e.seq
                if as_json:
                    typer.echo(e.model_dump_json(exclude_none=True))
                else:
                    ts = e.ts.strftime("%H:%M:%S.%f")[:-3] if e.ts else "?"
                    console.print(
                        f"{e.seq:>7} {ts} {(e.agent or '-')[:24]:24} {e.type or '?':32} "
                        f"{e.summary}",
                        markup=False,
                    )
            if not follow:
                return
            time.sleep(0.5)

    @app.command()
    def redrive(
        run: str = typer.Argument(..., help="Run id or a unique prefix of one."),
        from_seq: int = typer.Option(0, "--from", help="Re-publish inputs from this sequence."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be sent."),
    ) -> None:
        """Re-publish a recorded run's job requests under a new run id."""
        from arena_core.container import make_bus
        from arena_core.replay import NothingToRedrive, plan_redrive
        from arena_core.replay import redrive as run_redrive
        from arena_core.settings import Settings

        engine = _engine()
        run_id = _resolve(engine, run)
        try:
            if dry_run:
                plan = plan_redrive(engine, run_id, from_seq=from_seq)
            else:
                settings = Settings()
                if not settings.nats_url:
                    typer.echo("arena redrive needs ARENA_NATS_URL", err=True)
                    raise typer.Exit(2)

                async def go() -> Any:
                    async with make_bus(settings, name="arena-redrive") as bus:
                        return await run_redrive(bus, engine, run_id, from_seq=from_seq)

                plan = asyncio.run(go())
        except NothingToRedrive as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(1) from None
        for seq, env in zip(plan.source_seqs, plan.envelopes, strict=True):
            typer.echo(f"seq {seq} -> {env.type} {env.id}")
        typer.echo(plan.new_run_id)
