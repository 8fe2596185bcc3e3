"""``arena solve``: the engineering team on one or more benchmarks."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import fail


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=examples(
            "arena solve --latest 1                  # the newest benchmark in the library",
            "arena solve example:ball_to_goal:3      # a built-in example, seed 3",
            "arena solve 01a2f3 --llm anthropic --json   # Claude; JSON lines",
        )
    )
    def solve(
        benchmark_ids: list[str] = typer.Argument(
            None, help="Library benchmark ids (or prefixes), or example:<name>[:seed]."
        ),
        latest: int = typer.Option(None, "--latest", min=1, help="Solve the N newest benchmarks."),
        llm: str = typer.Option(None, "--llm", help="Agent policy: offline, anthropic or replay."),
        parent_job_id: str = typer.Option(None, "--parent", help="Job this solve belongs to."),
        max_submissions: int = typer.Option(3, "--max-submissions", min=1),
        max_sim_calls: int = typer.Option(120, "--max-sim-calls", min=1),
        rollout_seed: int = typer.Option(
            0, "--rollout-seed", min=0, help="Seed of the team's search (same seed, same solve)."
        ),
        timeout: float = typer.Option(900.0, "--timeout", help="Seconds to wait per benchmark."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per benchmark."),
    ) -> None:
        """Solve benchmarks with the planner, engineer and critic (starting them if needed)."""
        if llm is not None:
            os.environ["ARENA_LLM"] = llm
        from arena_core.library import UnknownBenchmark
        from arena_core.llm.preflight import check_llm
        from arena_core.query import QueryFailed
        from arena_core.settings import Settings

        settings = Settings()
        check_llm(settings)
        if not benchmark_ids and not latest:
            fail("name benchmarks or use --latest N")
        from arena_core.ids import new_id

        run_id = new_id()
        typer.echo(f"run {run_id}", err=True)
        try:
            outcomes = asyncio.run(
                _solve_all(
                    run_id,
                    settings,
                    (benchmark_ids or [], latest),
                    parent_job_id,
                    max_submissions,
                    max_sim_calls,
                    rollout_seed,
                    timeout,
                    as_json,
                )
            )
        except UnknownBenchmark as exc:
            fail(str(exc))
        except QueryFailed as exc:
            fail(exc.detail)
        _show(run_id, outcomes, as_json)
        if not all(getattr(o, "solved", False) for _, o in outcomes):
            raise typer.Exit(1)


async def _solve_all(
    run_id: str,
    settings: object,
    named: tuple[Sequence[str], int | None],
    parent: str | None,
    max_submissions: int,
    max_sim_calls: int,
    rollout_seed: int,
    timeout: float,
    as_json: bool,
) -> list[tuple[str, object]]:
    from arena_core.cli.progress import progress_bar
    from arena_core.settings import Settings
    from arena_core.stack import nats_for, services_in_process
    from engineer.solving import TEAM, request_for, resolve, running_services, solve

    assert isinstance(settings, Settings)
    with nats_for(settings) as live:
        assert live.nats_url
        running = await running_services(live.nats_url)
        missing = [s for s in TEAM if s not in running]
        async with services_in_process(live, missing, record="recorder" not in running) as bus:
            requests = []
            for target in await resolve(bus, *named):
                requests.append(
                    request_for(
                        target,
                        parent_job_id=parent,
                        max_submissions=max_submissions,
                        max_sim_calls=max_sim_calls,
                        rollout_seed=rollout_seed,
                    )
                )
            with progress_bar(as_json) as bar:
                task = bar.add_task("solved", total=len(requests))

                async def one(request: object) -> object:
                    answer = await solve(bus, request, run_id=run_id, timeout=timeout)  # type: ignore[arg-type]
                    bar.advance(task)
                    return answer

                answers = await asyncio.gather(*(one(r) for r in requests))
    return [(r.benchmark_id, a) for r, a in zip(requests, answers, strict=True)]


def _show(run_id: str, outcomes: list[tuple[str, object]], as_json: bool) -> None:
    from rich.table import Table

    from arena_core.cli.output import print_json, stdout_console, whole_ids
    from arena_core.events.engineer import SolveJobCompleted

    if as_json:
        for benchmark_id, outcome in outcomes:
            result = outcome.model_dump(mode="json") if hasattr(outcome, "model_dump") else {}
            print_json({"run_id": run_id, "benchmark_id": benchmark_id,
                        "type": type(outcome).__name__, "result": result})  # fmt: skip
        return
    table = Table(title=f"solves (run {run_id})")
    for column in (
        "benchmark",
        "outcome",
        "cost / budget",
        "mass / limit",
        "submissions",
        "sim calls",
        "tokens",
        "wall s",
    ):
        table.add_column(column)
    for benchmark_id, o in outcomes:
        if not isinstance(o, SolveJobCompleted):
            table.add_row(benchmark_id, f"failed: {getattr(o, 'detail', '')[:60]}")
            continue
        table.add_row(
            benchmark_id,
            o.outcome.value,
            f"{o.cost:.2f} / {o.max_cost}" if o.cost is not None else f"- / {o.max_cost}",
            f"{o.mass_kg:.3f} / {o.max_mass_kg}"
            if o.mass_kg is not None
            else f"- / {o.max_mass_kg}",
            str(o.submissions),
            str(o.sim_calls),
            str(o.tokens),
            f"{o.wall_s:.1f}",
        )
    stdout_console().print(whole_ids(table, "benchmark"))
