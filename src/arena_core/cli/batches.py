"""``arena rollouts`` and ``arena calibrate``: batch jobs of solves, from the command line.

Each command builds the job request and runs it like ``arena submit`` would: the
``batcher`` worker resolves the selection, runs the children and answers; the command
starts whatever services are not running yet in its own process and shows the progress.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import LIST_JSON, RESULT_JSON, fail, figure, stdout_console, whole_ids

if TYPE_CHECKING:
    from arena_core.events import Envelope, Payload
    from arena_core.events.calibration import BenchmarkCalibrated
    from arena_core.events.selection import SelectionRejected

OPTIONS = {
    "k": "-k/--k", "rollouts": "-k/--rollouts", "max_sim_calls": "--budget/--max-sim-calls",
    "min_difficulty": "--difficulty", "max_difficulty": "--difficulty", "seed": "--seed",
    "concurrency": "--concurrency", "max_submissions": "--max-submissions",
    "solve_timeout_s": "--timeout", "limit": "--limit", "latest": "--latest",
    "max_solve_rate": "--max-solve-rate",
}  # fmt: skip
"""The option that sets each request field (named in one-line errors)."""


def _request(model: Any, **fields: Any) -> Any:
    """The job request, or a one-line error naming the option that is wrong."""
    from pydantic import ValidationError

    try:
        return model(**fields)
    except ValidationError as exc:
        problem = exc.errors()[0]
        field = str(problem["loc"][0]) if problem["loc"] else ""
        fail(f"{OPTIONS.get(field, field)}: {problem['msg']}")


def _run(
    job: Payload,
    replies: tuple[type[Payload], ...],
    timeout: float,
    concurrency: int,
    as_json: bool,
) -> Any:
    """Run the job over the bus with a progress bar of its solves; its answer's payload."""
    from arena_core.bus import RequestFailed
    from arena_core.cli.progress import progress_bar
    from arena_core.events import Envelope
    from arena_core.jobs.run import run_batch
    from arena_core.settings import Settings

    envelope: Envelope[Any] = Envelope.new(job)
    with progress_bar(as_json) as bar:
        task = bar.add_task("solves", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            answer = asyncio.run(
                run_batch(
                    Settings(), envelope, replies, child_timeout_s=timeout,
                    concurrency=concurrency, progress=progress,
                )
            )  # fmt: skip
        except RequestFailed as exc:
            fail(f"{envelope.type} rejected: {exc}")
        except TimeoutError as exc:
            fail(str(exc), 124)
    return answer.payload


def _report_rejected(rejected: tuple[SelectionRejected, ...]) -> None:
    for r in rejected:
        typer.echo(f"{r.value}: {r.reason.value}: {r.detail}", err=True)


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
        min_difficulty: int = typer.Option(None, "--min-difficulty"),
        max_difficulty: int = typer.Option(None, "--max-difficulty"),
        max_solve_rate: float = typer.Option(None, "--max-solve-rate",
                                             help="Only benchmarks recorded solves solved at "
                                             "most this often (measured difficulty)."),
        failed_before: bool = typer.Option(False, "--failed-before", help="Only benchmarks "
                                           "a recorded solve failed."),
        limit: int = typer.Option(None, "--limit", help="At most this many benchmarks."),
        seed: int = typer.Option(0, "--seed", help="First rollout seed."),
        concurrency: int = typer.Option(4, "--concurrency", help="Solves at once."),
        max_submissions: int = typer.Option(3, "--max-submissions"),
        max_sim_calls: int = typer.Option(120, "--max-sim-calls"),
        timeout: float = typer.Option(900.0, "--timeout", help="Seconds to wait per solve."),
        as_json: bool = RESULT_JSON,
    ) -> None:  # fmt: skip
        """Solve each chosen benchmark K times with different rollout seeds (offline) or
        sampling (anthropic): a rollout job whose children are recorded solves."""
        from arena_core.events.rollouts import (
            RolloutJobCompleted,
            RolloutJobFailed,
            RolloutJobRequested,
        )
        from arena_core.llm.preflight import check_llm
        from arena_core.settings import Settings

        settings = Settings()
        check_llm(settings)
        job = _request(
            RolloutJobRequested, benchmark_ids=tuple(ids or ()), families=tuple(family or ()),
            min_difficulty=min_difficulty, max_difficulty=max_difficulty,
            max_solve_rate=max_solve_rate, failed_before=failed_before, limit=limit, k=k,
            seed=seed, llm=settings.llm, temperature=settings.llm_temperature,
            max_submissions=max_submissions, max_sim_calls=max_sim_calls,
            concurrency=concurrency, solve_timeout_s=timeout,
        )  # fmt: skip
        answer = _run(job, (RolloutJobCompleted, RolloutJobFailed), timeout, concurrency, as_json)
        _report_rejected(answer.rejected)
        if isinstance(answer, RolloutJobFailed):
            fail(f"rollouts failed: {answer.reason.value}: {answer.detail}")
        if as_json:
            typer.echo(answer.model_dump_json())
            return
        typer.echo(
            f"{answer.rollouts} rollouts of {answer.benchmarks} benchmarks: "
            f"{answer.solved} solved, {answer.failed} failed, in {answer.wall_s:.0f} s"
        )
        typer.echo("Export them: arena export --format grpo --out grpo.jsonl")

    @app.command(
        epilog=examples(
            "arena calibrate --family motor_push -k 4   # pass@1, pass@K of every motor_push",
            "arena calibrate 01a2f3 --budget 20 --json  # one benchmark, 20 simulations per solve",
        )
    )
    def calibrate(
        benchmark_ids: list[str] = typer.Argument(None, help="Library ids (or prefixes)."),
        family: str = typer.Option(None, "--family", "-f", help="Every benchmark of a family."),
        difficulty: int = typer.Option(None, "--difficulty", help="Only this declared level."),
        latest: int = typer.Option(None, "--latest", help="The N newest benchmarks."),
        rollouts: int = typer.Option(4, "--rollouts", "-k", help="K: solves per benchmark."),
        budget: int = typer.Option(30, "--budget", help="Simulations per solve."),
        llm: str = typer.Option(None, "--llm", help="Agent policy: offline, anthropic, replay."),
        concurrency: int = typer.Option(4, "--concurrency", help="Solves at once."),
        timeout: float = typer.Option(1800.0, "--timeout", help="Seconds per solve."),
        as_json: bool = LIST_JSON,
    ) -> None:
        """Solve benchmarks K times each (rollout seeds 0..K-1, one simulation budget) and
        record pass@1, pass@K and AUCCESS on their library rows: a calibrate job whose
        children are recorded solves. The criteria combine (all must hold)."""
        import os

        from arena_core.events.calibration import (
            CalibrateJobCompleted,
            CalibrateJobFailed,
            CalibrateJobRequested,
        )
        from arena_core.llm.preflight import check_llm
        from arena_core.settings import Settings

        if llm is not None:
            os.environ["ARENA_LLM"] = llm
        check_llm(Settings())
        if not benchmark_ids and family is None and difficulty is None and latest is None:
            fail("no benchmarks to calibrate: name ids, --family, --difficulty or --latest N")
        job = _request(
            CalibrateJobRequested, benchmark_ids=tuple(benchmark_ids or ()),
            families=(family,) if family else (), min_difficulty=difficulty,
            max_difficulty=difficulty, latest=latest, rollouts=rollouts, max_sim_calls=budget,
            concurrency=concurrency, solve_timeout_s=timeout,
        )  # fmt: skip
        answer = _run(
            job, (CalibrateJobCompleted, CalibrateJobFailed), timeout, concurrency, as_json
        )
        _report_rejected(answer.rejected)
        if isinstance(answer, CalibrateJobFailed):
            fail(f"calibration failed: {answer.reason.value}: {answer.detail}")
        for failure in answer.failures:
            typer.echo(
                f"{failure.benchmark_id}: {failure.reason.value}: {failure.detail}", err=True
            )
        _show_calibrated(answer.results, as_json)
        if answer.failures or answer.rejected:
            raise typer.Exit(1)


def _show_calibrated(calibrated: tuple[BenchmarkCalibrated, ...], as_json: bool) -> None:
    rows = sorted(calibrated, key=lambda c: (c.family, c.difficulty, c.benchmark_id))
    if as_json:
        for c in rows:
            typer.echo(c.model_dump_json())
        return
    from rich.table import Table

    table = Table(title="calibration")
    for col in ("benchmark", "family", "level", "solved", "pass@1", "pass@K", "auccess"):
        table.add_column(col)
    for c in rows:
        table.add_row(
            c.benchmark_id, c.family, str(c.difficulty), f"{c.solved}/{c.rollouts}",
            figure(c.pass_at_1), figure(c.pass_at_k), figure(c.auccess),
        )  # fmt: skip
    stdout_console().print(whole_ids(table, "benchmark"))
