"""``arena calibrate`` (measure difficulty with K rollouts) and ``arena benchmarks`` (the
library with declared and measured difficulty)."""

from __future__ import annotations

import asyncio
import os
from typing import TYPE_CHECKING

import orjson
import typer

from arena_core.cli.help import examples
from arena_core.settings import Settings

if TYPE_CHECKING:
    from arena_core.events.calibration import BenchmarkCalibrated
    from engineer.calibration import CalibrationReport


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(2)


def _check_difficulty(difficulty: int | None) -> None:
    if difficulty is not None and not 1 <= difficulty <= 5:
        _fail(f"difficulty must be 1 to 5, got {difficulty}")


def _check_family(settings: Settings, family: str | None) -> None:
    """A one-line error for a family the library has no benchmark of."""
    if family is None or not settings.database_path.exists():
        return
    from arena_core.db import open_database
    from arena_core.db.benchmarks import library

    with open_database(settings.database_path).connect() as conn:
        known = sorted({r.family for r in library(conn)})
    if family not in known:
        _fail(f"no family {family!r} in the library; it has: {', '.join(known) or 'none'}")


def register(app: typer.Typer) -> None:
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
        timeout: float = typer.Option(1800.0, "--timeout", help="Seconds per solve."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per benchmark."),
    ) -> None:
        """Solve benchmarks K times each (rollout seeds 0..K-1, one simulation budget) and
        record pass@1, pass@K and AUCCESS on their library rows."""
        if rollouts < 1:
            _fail(f"--rollouts must be at least 1, got {rollouts}")
        if budget <= 0:
            _fail(f"--budget must be positive, got {budget}")
        _check_difficulty(difficulty)
        if llm is not None:
            os.environ["ARENA_LLM"] = llm
        settings = Settings()
        _check_family(settings, family)
        targets, unknown = _targets(settings, benchmark_ids or [], family, difficulty, latest)
        if not targets and not unknown:
            _fail("no benchmarks to calibrate: name ids, --family, or --latest N")
        report = asyncio.run(_run(settings, targets, unknown, rollouts, budget, timeout, as_json))
        for failure in report.failed:
            typer.echo(
                f"{failure.benchmark_id}: {failure.reason.value}: {failure.detail}", err=True
            )
        _show_calibrated(report.calibrated, as_json)
        if report.failed:
            raise typer.Exit(1)

    @app.command(
        epilog=examples(
            "arena benchmarks                            # the library, declared and measured",
            "arena benchmarks --calibrated --max-pass 0.3   # the hard ones",
            "arena benchmarks --family sweep --json      # one JSON object per line",
        )
    )
    def benchmarks(
        family: str = typer.Option(None, "--family", "-f", help="Only this family."),
        difficulty: int = typer.Option(None, "--difficulty", help="Only this declared level."),
        min_pass: float = typer.Option(None, "--min-pass", help="Measured pass@1 at least."),
        max_pass: float = typer.Option(None, "--max-pass", help="Measured pass@1 at most."),
        calibrated: bool = typer.Option(False, "--calibrated", help="Only measured ones."),
        as_json: bool = typer.Option(False, "--json", help="One JSON object per benchmark."),
    ) -> None:
        """The benchmark library with declared and measured difficulty."""
        _check_difficulty(difficulty)
        from arena_core.db import open_database
        from arena_core.db.benchmarks import library

        settings = Settings()
        if not settings.database_path.exists():
            _fail(f"no database at {settings.database_path}")
        _check_family(settings, family)
        with open_database(settings.database_path).connect() as conn:
            rows = library(conn, family)
        measured = min_pass is not None or max_pass is not None or calibrated
        rows = [
            r
            for r in rows
            if (difficulty is None or r.difficulty == difficulty)
            and (not measured or r.pass_at_1 is not None)
            and (min_pass is None or (r.pass_at_1 or 0.0) >= min_pass)
            and (max_pass is None or (r.pass_at_1 or 0.0) <= max_pass)
        ]
        fields = (
            "benchmark_id", "family", "seed", "difficulty", "random_designs", "random_passes",
            "random_pass_rate", "rollouts", "calibration_budget", "pass_at_1", "pass_at_k",
            "auccess",
        )  # fmt: skip
        if as_json:
            for r in rows:
                typer.echo(orjson.dumps({f: getattr(r, f) for f in fields}).decode())
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"benchmarks ({len(rows)})")
        for col in ("benchmark", "family", "level", "random", "K x budget", "pass@1", "pass@K",
                    "auccess"):  # fmt: skip
            table.add_column(col)
        for r in rows:
            table.add_row(
                r.benchmark_id, r.family, str(r.difficulty),
                f"{r.random_passes}/{r.random_designs}" if r.random_designs else "-",
                f"{r.rollouts} x {r.calibration_budget}" if r.rollouts else "-",
                _num(r.pass_at_1), _num(r.pass_at_k), _num(r.auccess),
            )  # fmt: skip
        Console().print(table)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _targets(
    settings: Settings,
    ids: list[str],
    family: str | None,
    difficulty: int | None,
    latest: int | None,
) -> tuple[list[object], list[str]]:
    from arena_core.db import open_database
    from arena_core.db.benchmarks import library
    from engineer.solving import SolveTarget, row_target

    if not settings.database_path.exists():
        return [], list(ids)
    with open_database(settings.database_path).connect() as conn:
        rows = library(conn)
    chosen, unknown = [], []
    for id in ids:
        matches = [r for r in rows if r.benchmark_id.startswith(id)]
        if len(matches) == 1:
            chosen.append(matches[0])
        else:
            unknown.append(id)
    if family is not None or difficulty is not None:
        chosen += [
            r
            for r in rows
            if (family is None or r.family == family)
            and (difficulty is None or r.difficulty == difficulty)
        ]
    if latest:
        chosen += rows[-latest:]
    unique = {r.benchmark_id: r for r in chosen}
    targets: list[SolveTarget] = [row_target(r) for r in unique.values()]
    return list(targets), unknown


async def _run(
    settings: Settings,
    targets: list[object],
    unknown: list[str],
    rollouts: int,
    budget: int,
    timeout: float,
    as_json: bool,
) -> CalibrationReport:
    from arena_core.cli.progress import progress_bar
    from arena_core.stack import nats_for, services_in_process
    from engineer.calibration import calibrate
    from engineer.solving import TEAM, SolveTarget, running_services

    with nats_for(settings) as live:
        assert live.nats_url
        # The recorder too (unless one runs): the figures belong on the library rows.
        running = await running_services(live.nats_url)
        missing = [s for s in TEAM if s not in running]
        solvable = [t for t in targets if isinstance(t, SolveTarget)]
        async with services_in_process(live, missing, record="recorder" not in running) as bus:
            with progress_bar(as_json) as bar:
                task = bar.add_task("solves", total=len(solvable) * rollouts)
                return await calibrate(
                    bus, solvable, rollouts=rollouts, max_sim_calls=budget, unknown=unknown,
                    timeout=timeout, on_solve=lambda: bar.advance(task),
                )  # fmt: skip


def _show_calibrated(calibrated: list[BenchmarkCalibrated], as_json: bool) -> None:
    rows = sorted(calibrated, key=lambda c: (c.family, c.difficulty, c.benchmark_id))
    if as_json:
        for c in rows:
            typer.echo(c.model_dump_json())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="calibration")
    for col in ("benchmark", "family", "level", "solved", "pass@1", "pass@K", "auccess"):
        table.add_column(col)
    for c in rows:
        table.add_row(
            c.benchmark_id, c.family, str(c.difficulty), f"{c.solved}/{c.rollouts}",
            _num(c.pass_at_1), _num(c.pass_at_k), _num(c.auccess),
        )  # fmt: skip
    Console().print(table)
