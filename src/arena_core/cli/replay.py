"""``arena replay``: reading recorded runs (timeline, conversations, diff, gap check)."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import typer

from arena_core.cli.output import fail
from arena_core.cli.recording import named_run, open_recording


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


def _check_filters(engine: Any, run_id: str, agent: str | None, type_glob: str | None) -> None:
    """Exit 2 naming the valid values when ``--agent`` or ``--type`` matches nothing."""
    from fnmatch import fnmatchcase

    from sqlalchemy import select

    from arena_core.db.tables import messages

    if not agent and not type_glob:
        return
    with engine.connect() as conn:
        rows = conn.execute(
            select(messages.c.agent_role, messages.c.type)
            .where(messages.c.run_id == run_id)
            .distinct()
        ).all()
    roles = sorted({r.agent_role for r in rows if r.agent_role})
    types = sorted({r.type for r in rows if r.type})
    if agent and agent not in roles:
        fail(f"no agent {agent!r} in run {run_id}; its agents: {', '.join(roles)}")
    if type_glob and not any(fnmatchcase(t, type_glob) for t in types):
        fail(
            f"--type {type_glob!r} matches no event of run {run_id}; its types: " + ", ".join(types)
        )


SHOWN = 160
"""Characters of a value shown in a divergence line."""


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + "..."


def _print_diff(console: Any, report: Any, show_all: bool) -> None:
    """A one-screen summary, then the first divergence (all of them with ``--all``)."""
    head = f"{report.run_a} vs {report.run_b}"
    if report.aligned_from is not None:
        head += f" (a redrive from seq {report.aligned_from}: aligned on its inputs)"
    console.print(head, markup=False)
    if report.same:
        console.print(f"same: {report.compared} events match (ids, times ignored)")
        return
    kinds = ", ".join(f"{n} {k.strip('<>')}" for k, n in sorted(report.summary().items()))
    console.print(f"{len(report.divergences)} divergences in {report.compared} events: {kinds}")
    for event_type, n in report.by_type()[:8]:
        console.print(f"  {n:>5}  {event_type}", markup=False)
    shown = report.divergences if show_all else report.divergences[:1]
    console.print("every divergence:" if show_all else "first divergence (--all for every one):")
    for d in shown:
        console.print(
            f"  seq {d.seq_a or '-'} / {d.seq_b or '-'}  {d.type_a or d.type_b}  "
            f"[{d.agent or '-'}]  at {d.position}",
            markup=False,
        )
        if not d.field.startswith("<"):
            console.print(
                f"      {d.field}: {_short(d.value_a)} != {_short(d.value_b)}", markup=False
            )
        else:
            console.print(f"      {d.field.strip('<>')}", markup=False)


EXAMPLES = """
Examples:

    arena replay 01a2f3                          # the run as a tree: jobs, agents, turns

    arena replay 01a2f3 --conversation --agent engineer

    arena replay 01a2f3 --type 'sim.*' --json    # JSON lines, one event per line

    arena replay 01a2f3 --diff 01a2f9 --all      # every divergence, summary first

    arena replay --check                         # sequence gaps in the recording

Exit status: 0 ok (--diff: the runs match), 1 --diff found divergences, --check found
gaps or a conversation has continuity issues, 2 bad input (unknown or ambiguous run).
"""


def register(app: typer.Typer) -> None:
    @app.command(epilog=EXAMPLES)
    def replay(
        run: str = typer.Argument(None, help="Run id or a unique prefix of one."),
        agent: str = typer.Option(None, "--agent", help="Only events of this agent role."),
        type_glob: str = typer.Option(None, "--type", help="Only event types matching a glob."),
        conversation: bool = typer.Option(False, "--conversation", help="Agents' turns."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per line."),
        follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new events."),
        diff: str = typer.Option(
            None, "--diff", metavar="OTHER", help="Show where RUN and OTHER diverge."
        ),
        show_all: bool = typer.Option(False, "--all", help="With --diff: every divergence."),
        check: bool = typer.Option(False, "--check", help="Check the log for sequence gaps."),
        flat: bool = typer.Option(False, "--flat", help="One line per event, in stream order."),
    ) -> None:
        """Show a recorded run: timeline, conversations, diff; or check the log."""
        from rich.console import Console

        from arena_core.replay import conversations, timeline
        from arena_core.replay.conversations import render_text
        from arena_core.settings import Settings

        engine = open_recording()
        console = Console(highlight=False, soft_wrap=True)
        if check:
            report = asyncio.run(_check(engine, Settings().nats_url))
            if as_json:
                typer.echo(report.model_dump_json())
            else:
                stream = (
                    f"stream at {report.stream_last_seq}"
                    if report.stream_last_seq is not None
                    else "no stream compared (set ARENA_NATS_URL to compare with a running one)"
                )
                console.print(
                    f"recorded {report.recorded} messages, seq {report.first_seq}.."
                    f"{report.last_seq}; {stream}"
                )
                for gap in report.gaps:
                    console.print(f"  {gap.kind:8} {gap.first}..{gap.last}")
            raise typer.Exit(0 if report.ok else 1)
        if run is None:
            fail("arena replay needs a RUN id (or --check)")
        run_id = named_run(engine, run)
        _check_filters(engine, run_id, agent, type_glob)
        if diff:
            from arena_core.replay import diff_runs

            report = diff_runs(engine, run_id, named_run(engine, diff))
            if as_json:
                typer.echo(report.model_dump_json())
            else:
                _print_diff(console, report, show_all)
            raise typer.Exit(0 if report.same else 1)
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
        if not (as_json or flat or follow or agent or type_glob):
            from arena_core.replay.tree import run_tree

            for depth, line in run_tree(engine, run_id):
                console.print("  " * depth + line, markup=False)
            return
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
