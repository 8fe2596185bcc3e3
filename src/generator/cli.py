"""``arena generate``: generate N benchmarks and show each verdict and the funnel."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, fail, stdout_console, whole_ids

if TYPE_CHECKING:
    from arena_core.settings import Settings
    from generator.batch import BatchReport


SERVICES = ("simrunner", "generator")
"""What ``arena generate`` runs in its own process when it started NATS itself."""


async def _generate(
    settings: Settings,
    embedded: bool,
    *,
    count: int,
    family: str | None,
    seed: int,
    difficulty: int,
    max_attempts: int,
    as_json: bool,
) -> BatchReport:
    from arena_core.cli.progress import progress_bar
    from arena_core.stack import services_in_process
    from generator.batch import run_batch

    async with services_in_process(settings, SERVICES if embedded else ()) as bus:
        with progress_bar(as_json) as bar:
            task = bar.add_task("generated", total=count)
            return await run_batch(
                bus, count=count, family=family, seed=seed, difficulty=difficulty,
                max_attempts=max_attempts, timeout_s=max(settings.request_timeout_s, 60) * 5,
                on_verdict=lambda _v: bar.advance(task),
            )  # fmt: skip


def _print(report: BatchReport) -> None:
    from rich.table import Table

    console = stdout_console()
    table = Table(title="benchmarks")
    columns = ("seed", "family", "verdict", "attempts", "random designs passing", "benchmark")
    for col in columns:
        table.add_column(col)
    for v in report.verdicts:
        verdict = "[green]accepted[/green]" if v.accepted else "[red]rejected[/red]"
        where = v.benchmark_id or (v.stage.value if v.stage else v.detail[:60])
        t = v.triviality
        randoms = f"{t.passes}/{t.designs} ({t.rate:.0%})" if t else "-"
        table.add_row(str(v.seed), v.family, verdict, str(v.attempts), randoms, where or "")
    console.print(whole_ids(table, "benchmark"))
    funnel = Table(title="review funnel (all attempts)")
    for col in ("stage", "entered", "passed", "pass rate"):
        funnel.add_column(col)
    for stage, c in report.funnel.items():
        funnel.add_row(stage.value, str(c.entered), str(c.passed), f"{c.rate:.0%}")
    console.print(funnel)
    console.print(f"accepted {report.accepted} of {len(report.verdicts)}")


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=examples(
            "arena generate -n 4                       # seeds 0..3, random families",
            "arena generate -f sweep -s 10 --difficulty 3",
            "arena generate -n 2 --json                # one JSON object: verdicts and funnel",
        )
    )
    def generate(
        count: int = typer.Option(1, "--count", "-n", min=1, help="Benchmarks to generate."),
        family: str = typer.Option(None, "--family", "-f", help="Family (default: random)."),
        seed: int = typer.Option(0, "--seed", "-s", min=0, help="Seed of the first benchmark."),
        difficulty: int = typer.Option(1, "--difficulty", min=1, max=5),
        max_attempts: int = typer.Option(3, "--max-attempts", min=1, max=10),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Generate benchmarks (seeds SEED..SEED+COUNT-1) and print each verdict and the
        funnel's pass rate per stage.

        Without ARENA_NATS_URL it starts NATS, the generator, the simrunner and the
        recorder itself; with it, it sends the jobs to the running workers.
        """
        import orjson

        from arena_core.llm.preflight import check_llm
        from arena_core.settings import Settings
        from arena_core.stack import nats_for
        from generator.families import FAMILIES

        if family is not None and family not in FAMILIES:
            fail(f"unknown family {family!r}; known: {', '.join(sorted(FAMILIES))}")
        base = Settings()
        check_llm(base)
        embedded = not base.nats_url
        with nats_for(base) as settings:
            report = asyncio.run(
                _generate(
                    settings, embedded, count=count, family=family, seed=seed,
                    difficulty=difficulty, max_attempts=max_attempts, as_json=as_json,
                )
            )  # fmt: skip
        if as_json:
            typer.echo(orjson.dumps(report.as_json()).decode())
        else:
            _print(report)
