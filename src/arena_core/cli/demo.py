"""``arena demo``: the main job — the whole stack, N benchmarks generated and solved."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import typer
from rich.console import Console
from rich.table import Table

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, stdout_console, whole_ids
from arena_core.processes import stop_on_sigterm

if TYPE_CHECKING:
    from arena_core.bus import Bus
    from arena_core.demo import Progress as DemoProgress
    from arena_core.demo import Recording
    from arena_core.events.demo import DemoJobCompleted, DemoJobRequested
    from arena_core.settings import Settings
    from arena_core.stack import ServiceProcesses


def summary_table(summary: DemoJobCompleted) -> Table:
    table = Table(title="arena demo")
    for col in (
        "benchmark",
        "family",
        "valid",
        "solved",
        "cost/budget",
        "mass/limit kg",
        "attempts",
        "sim calls",
        "tokens",
        "wall s",
    ):
        table.add_column(col, justify="left" if col in ("benchmark", "family") else "right")
    for row in summary.rows:
        cost = (
            f"{row.cost:.2f}/{row.max_cost:.2f}"
            if row.cost is not None and row.max_cost is not None
            else "-"
        )
        mass = (
            f"{row.mass_kg:.3f}/{row.max_mass_kg:.3f}"
            if row.mass_kg is not None and row.max_mass_kg is not None
            else "-"
        )
        solved = "-" if row.solved is None else ("yes" if row.solved else f"no ({row.outcome})")
        table.add_row(
            row.benchmark_id or f"(seed {row.seed})", row.family or "?",
            "yes" if row.valid else "no", solved, cost, mass, str(row.attempts),
            str(row.sim_calls), str(row.tokens), f"{row.wall_s:.1f}",
        )  # fmt: skip
    return whole_ids(table, "benchmark")


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=examples(
            "arena demo                                # 8 benchmarks, offline agents",
            "arena demo -n 3 -f sweep -f hold_load --seed 7",
            "arena demo --llm anthropic -w engineer=4 --json",
        )
    )
    def demo(
        benchmarks: int = typer.Option(
            8, "--benchmarks", "-n", min=1, max=1000, help="Generate jobs to publish."
        ),
        families: list[str] = typer.Option(
            [], "--families", "-f", help="Families to cycle through (default: random)."
        ),
        seed: int = typer.Option(0, "--seed", min=0, help="Seed of the first benchmark."),
        llm: str = typer.Option(None, "--llm", help="offline, anthropic or replay."),
        workers: list[str] = typer.Option(
            [], "--workers", "-w", help="SERVICE=COUNT processes (default 1 of each)."
        ),
        as_json: bool = RESULT_JSON,
        stall_timeout: float = typer.Option(
            600, "--stall-timeout", help="Fail when nothing happens for this long (s)."
        ),
    ) -> None:
        """Start NATS and every service, generate N benchmarks, solve the accepted ones."""
        from arena_core.bus import StreamConflict
        from arena_core.cli.workers import parse_counts
        from arena_core.db import open_database
        from arena_core.demo import StackFailure
        from arena_core.events.demo import DemoJobRequested
        from arena_core.llm.preflight import check_llm
        from arena_core.settings import Settings
        from arena_core.stack import ServiceProcesses, nats_for, service_names, wait_until_running

        console = Console(stderr=True)
        if llm:
            os.environ["ARENA_LLM"] = llm  # the worker processes inherit the policy
        try:
            settings = Settings()
            request = DemoJobRequested(
                benchmarks=benchmarks, families=tuple(families), seed=seed, llm=settings.llm
            )
        except ValueError as exc:
            console.print(f"[red]bad arguments:[/red] {exc}")
            raise typer.Exit(2) from None
        check_llm(settings)
        counts = parse_counts(workers, service_names())
        stop_on_sigterm()
        code = 0
        with nats_for(settings) as settings:
            open_database(settings.database_path).dispose()  # schema ready before the workers
            procs = ServiceProcesses(settings, settings.home / "logs")
            try:
                for name, n in counts.items():
                    procs.start(name, n)
                with console.status("starting services: " + ", ".join(counts)):
                    asyncio.run(wait_until_running(str(settings.nats_url), counts, timeout=180))
                summary, recording = asyncio.run(
                    _run(settings, request, procs, console, as_json, stall_timeout)
                )
            except (StackFailure, TimeoutError, StreamConflict) as exc:
                console.print(f"[red]arena demo failed:[/red] {exc}")
                console.print(f"service logs: {procs.log_dir}")
                code = 1
            except KeyboardInterrupt:
                console.print("interrupted")
                code = 130
            finally:
                with console.status("stopping services (draining in-flight work)"):
                    procs.stop()
        if code:
            raise typer.Exit(code)
        if as_json:
            out = summary.model_dump(mode="json")
            out.update(
                run_id=recording.run_id,
                database=str(recording.database),
                stream_messages=recording.stream_messages,
                recorded_messages=recording.recorded,
                replay=f"arena replay {recording.run_id}",
            )
            sys.stdout.write(orjson.dumps(out).decode() + "\n")
            return
        out_console = stdout_console()
        out_console.print(summary_table(summary))
        out_console.print(
            f"{summary.accepted}/{benchmarks} benchmarks accepted, {summary.solved} solved, "
            f"in {summary.wall_s:.0f} s.\n"
            f"Recording: {recording.database} "
            f"({recording.recorded} of {recording.stream_messages} stream messages)\n"
            f"Look at it:   arena replay {recording.run_id}\n"
            f"              arena replay {recording.run_id} --agent engineer --conversation"
        )


async def _run(
    settings: Settings,
    request: DemoJobRequested,
    procs: ServiceProcesses,
    console: Console,
    as_json: bool,
    stall_timeout: float,
) -> tuple[DemoJobCompleted, Recording]:
    from arena_core.cli.progress import progress_bar
    from arena_core.container import make_bus
    from arena_core.demo import DemoRun, recording_of

    bus: Bus = make_bus(settings, name="arena-demo")
    await bus.connect()
    try:
        with progress_bar(as_json, transient=False) as bars:
            generated = bars.add_task("generated", total=request.benchmarks)
            validated = bars.add_task("validated", total=request.benchmarks)
            solved = bars.add_task("solved", total=None)

            def show(p: DemoProgress) -> None:
                bars.update(generated, completed=p.generated)
                bars.update(validated, completed=p.validated)
                bars.update(solved, completed=p.solved_final, total=max(p.solve_requested, 1))

            run = DemoRun(bus, request, on_progress=show, workers=procs,
                          stall_timeout_s=stall_timeout)  # fmt: skip
            summary = await run.run()
        # Everything but the recorder stops first, so their last events are recorded too.
        await asyncio.to_thread(procs.stop, keep=frozenset({"recorder"}))
        return summary, await recording_of(bus, run.run_id, Path(settings.database_path))
    finally:
        await bus.close()
