"""``arena rollouts``: solve chosen benchmarks K times each, recorded for GRPO and DPO."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from arena_core.cli.help import examples

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arena_core.events.rollouts import RolloutJobCompleted, RolloutJobRequested
    from arena_core.rollouts import Target
    from arena_core.settings import Settings

TEAM = ("recorder", "simrunner", "planner", "engineer", "critic")
"""What a rollout needs running: the team, its simrunner and the recorder."""


def register(app: typer.Typer) -> None:
    @app.command(
        "rollouts",
        epilog=examples(
            "arena rollouts --family sweep -k 8        # 8 solves of each sweep benchmark",
            "arena rollouts --failed-before --limit 10 -k 4 --json",
            "arena rollouts example:ball_to_goal:3 -k 2",
        ),
    )
    def rollouts_command(
        ids: list[str] = typer.Argument(None, help="Benchmark ids or unique prefixes, or "
                                        "example:<name>[:<seed>] (default: the library)."),
        k: int = typer.Option(8, "--k", "-k", help="Rollouts per benchmark (>= 1)."),
        family: list[str] = typer.Option(None, "--family", "-f", help="Only these families."),
        min_difficulty: int = typer.Option(None, "--min-difficulty", min=1, max=5),
        max_difficulty: int = typer.Option(None, "--max-difficulty", min=1, max=5),
        max_solve_rate: float = typer.Option(None, "--max-solve-rate", min=0.0, max=1.0,
                                             help="Only benchmarks recorded solves solved at "
                                             "most this often (measured difficulty)."),
        failed_before: bool = typer.Option(False, "--failed-before", help="Only benchmarks "
                                           "a recorded solve failed."),
        limit: int = typer.Option(None, "--limit", min=1, help="At most this many benchmarks."),
        seed: int = typer.Option(0, "--seed", min=0, help="First rollout seed."),
        concurrency: int = typer.Option(4, "--concurrency", min=1, help="Solves at once."),
        max_submissions: int = typer.Option(3, "--max-submissions", min=1),
        max_sim_calls: int = typer.Option(120, "--max-sim-calls", min=1),
        timeout: float = typer.Option(900.0, "--timeout", help="Seconds to wait per solve."),
        as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    ) -> None:  # fmt: skip
        """Solve each chosen benchmark K times with different rollout seeds (offline) or
        sampling (anthropic), as one batch job whose children are recorded solves."""
        import asyncio

        from arena_core.db import open_database
        from arena_core.events.rollouts import RolloutJobRequested
        from arena_core.rollouts import (
            EmptySelection,
            Selection,
            UnknownBenchmark,
            select_benchmarks,
        )
        from arena_core.settings import Settings

        if k < 1:
            raise typer.BadParameter("K must be at least 1", param_hint="--k")
        settings = Settings()
        selection = Selection(
            ids=tuple(ids or ()), families=tuple(family or ()), min_difficulty=min_difficulty,
            max_difficulty=max_difficulty, max_solve_rate=max_solve_rate,
            failed_before=failed_before, limit=limit,
        )  # fmt: skip
        needs_library = not selection.ids or any(not i.startswith("example:") for i in ids)
        engine = None
        if needs_library or failed_before or max_solve_rate is not None:
            if not settings.database_path.exists():
                typer.echo(f"no recording at {settings.database_path}", err=True)
                raise typer.Exit(2)
            engine = open_database(settings.database_path)
        try:
            targets = select_benchmarks(engine, selection)
        except (UnknownBenchmark, EmptySelection) as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        request = RolloutJobRequested(
            benchmark_ids=tuple(t.benchmark_id for t in targets), k=k, seed=seed,
            llm=settings.llm, temperature=settings.llm_temperature,
            max_submissions=max_submissions, max_sim_calls=max_sim_calls,
        )  # fmt: skip
        summary = asyncio.run(_run(settings, request, targets, concurrency, timeout, as_json))
        if as_json:
            typer.echo(summary.model_dump_json())
            return
        typer.echo(
            f"{summary.rollouts} rollouts of {summary.benchmarks} benchmarks: "
            f"{summary.solved} solved, {summary.failed} failed, in {summary.wall_s:.0f} s"
        )
        typer.echo("Export them: arena export --format grpo --out grpo.jsonl")


async def _run(
    settings: Settings,
    request: RolloutJobRequested,
    targets: Sequence[Target],
    concurrency: int,
    timeout: float,
    as_json: bool,
) -> RolloutJobCompleted:
    from arena_core.cli.progress import progress_bar
    from arena_core.rollouts import run_rollouts
    from arena_core.stack import nats_for, probe_health, services_in_process

    with nats_for(settings) as live, progress_bar(as_json) as bar:
        task = bar.add_task("rollouts", total=len(request.benchmark_ids) * request.k)
        assert live.nats_url
        running = {h.service for h in await probe_health(live.nats_url, wait_s=0.5)}
        missing = [name for name in TEAM if name not in running]
        async with services_in_process(live, missing, record=False) as bus:
            done = await run_rollouts(
                bus, request, targets,
                concurrency=concurrency, timeout=timeout,
                progress=lambda _r: bar.advance(task),
            )  # fmt: skip
    return done.payload
