"""``arena optimize`` (run an optimize job, show the front) and ``arena prompts approve``."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
import typer

if TYPE_CHECKING:
    from arena_core.query import EvaluatedAnswer, ExperimentsAnswer

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, fail, print_json, stdout_console, whole_ids

EXPERIMENTS_SHOWN = 5
"""Recent experiments ``arena optimize status`` lists."""
STATUS_COLUMNS = ("profile", "stage", "success", "tokens", "latency s", "sims", "front", "parents")


def register(app: typer.Typer) -> None:
    optimize = typer.Typer(
        help="Evolve the agents' profiles (NSGA-II on regression batches).",
        epilog=examples("arena optimize --role engineer", "arena optimize status"),
    )
    app.add_typer(optimize, name="optimize")

    @optimize.callback(
        invoke_without_command=True,
        epilog=examples(
            "arena optimize --role engineer --generations 2 --population 4",
            "arena optimize status                     # the Pareto front and recent experiments",
        ),
    )
    def run(
        ctx: typer.Context,
        role: str = typer.Option("engineer", "--role", help="The role to optimize."),
        profile: str = typer.Option(None, "--profile", help="Start profile (default: prod)."),
        generations: int = typer.Option(2, "--generations", min=1, max=50),
        population: int = typer.Option(4, "--population", min=2, max=64),
        seed: int = typer.Option(0, "--seed", min=0),
        targets: int = typer.Option(20, "--targets", min=1, help="Failed benchmarks per batch."),
        controls: int = typer.Option(5, "--controls", min=0, help="Passed benchmarks per batch."),
        validation: int = typer.Option(
            0,
            "--validation",
            min=0,
            help="Recorded benchmarks outside the batch that decide promotion.",
        ),
        timeout: float = typer.Option(900.0, "--solve-timeout", help="Seconds per child solve."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Run one optimize job (starting the stack's services here if none are up)."""
        if ctx.invoked_subcommand is not None:
            return
        from pydantic import ValidationError

        from arena_core.events.optimizer import OptimizeJobCompleted, OptimizeJobRequested

        try:
            job = OptimizeJobRequested(
                role=role, profile_id=profile, generations=generations, population=population,
                seed=seed, targets=targets, controls=controls, validation=validation,
                solve_timeout_s=timeout,
            )  # fmt: skip
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"])
            fail(f"invalid optimize job: {where}: {problem['msg']}")
        answer = asyncio.run(_request(job))
        if as_json:
            typer.echo(answer.model_dump_json())
        if not isinstance(answer, OptimizeJobCompleted):
            fail(f"optimize failed: {answer.reason.value}: {answer.detail}", 1)
        if not as_json:
            typer.echo(
                f"{answer.evaluated} profiles evaluated in {answer.generations} generations; "
                f"promoted to candidate: {', '.join(answer.promoted) or 'none'}"
            )
            typer.echo(f"see the front: arena optimize status --role {role}")

    @optimize.command(
        epilog=examples(
            "arena optimize status --role engineer     # table, front-engineer.png, experiments",
            "arena optimize status --experiment 01a2f3 --json",
        )
    )
    def status(
        role: str = typer.Option("engineer", "--role"),
        plot: Path = typer.Option(None, "--plot", help="PNG path (default <home>/front-ROLE.png)."),
        as_json: bool = RESULT_JSON,
        experiment: str = typer.Option(
            None, "--experiment", help="Only the variants of this optimize job (its id)."
        ),
    ) -> None:
        """The Pareto front of the role's evaluated profiles (or of one experiment's
        variants): a table and a PNG plot, then the role's recent experiments."""
        from arena_core.profiles import ProfileError, check_role
        from arena_core.settings import Settings

        settings = Settings()
        try:
            check_role(role)
        except ProfileError as exc:
            fail(str(exc))
        from arena_core.query import QueryFailed

        try:
            evaluated, experiments = asyncio.run(_recorded(settings, role, experiment))
        except QueryFailed as exc:
            fail(exc.detail)
        if experiment is not None:
            if experiments.experiment is None:
                fail(f"no experiment {experiment!r}")
            rows, front, points = _experiment_rows(experiments.experiment)
        else:
            rows, front, points = _status_rows(evaluated)
        recent = experiments.recent
        if not rows:
            typer.echo(f"no evaluated {role} profile yet: run arena optimize --role {role}")
            return
        out = plot or settings.home / f"front-{role}.png"
        from optimizer.plot import plot_front

        plot_front(points, front, out)
        if as_json:
            shown = {
                "role": role, "plot": str(out), "profiles": rows,
                "experiments": [e.model_dump(mode="json") for e in recent],
            }  # fmt: skip
            typer.echo(orjson.dumps(shown).decode())
            return
        from rich.table import Table

        table = Table(title=f"{role} profiles (front marked *)")
        for column in STATUS_COLUMNS:
            table.add_column(column)
        for r in rows:
            table.add_row(
                r["profile"], r["stage"], f"{r['success']:.2f}", f"{r['tokens']:.0f}",
                f"{r['latency_s']:.2f}", f"{r['simulations']:.1f}", "*" if r["front"] else "",
                ",".join(r["parents"]),
            )  # fmt: skip
        stdout_console().print(whole_ids(table, "profile"))
        for e in recent:
            typer.echo(f"experiment {e.id}: {e.status}, {e.evaluated} evaluated (seed {e.seed})")
        typer.echo(f"plot: {out}")

    # The core's ``prompts`` group registered just before (the last one, should the app be
    # built twice).
    groups = [g.typer_instance for g in app.registered_groups if g.name == "prompts"]
    prompts = groups[-1] if groups else None
    if prompts is not None:

        @prompts.command(
            epilog=examples(
                "arena prompts approve 01a2f3              # make a candidate profile prod",
                "arena prompts approve 01a2f3 --by alice",
            )
        )
        def approve(
            profile_id: str = typer.Argument(..., help="A candidate profile's id."),
            by: str = typer.Option(None, "--by", help="Who approves (default: the user)."),
            as_json: bool = RESULT_JSON,
        ) -> None:
            """Approve a profile: it becomes the role's prod profile (refused unless it
            passed a regression batch)."""
            from arena_core.profiles import NotApprovable
            from arena_core.query import QueryFailed

            try:
                done = asyncio.run(_approve(profile_id, by or getpass.getuser()))
            except NotApprovable as exc:
                fail(f"refused: {exc}", 1)
            except QueryFailed as exc:
                fail(exc.detail)
            if as_json:
                print_json({"profile_id": profile_id, "approved": True, "detail": str(done)})
            else:
                typer.echo(done)


async def _recorded(
    settings: Any, role: str, experiment: str | None
) -> tuple[EvaluatedAnswer, ExperimentsAnswer]:
    """The role's evaluated profiles and recent experiments (and ``experiment``), asked of
    the recording over NATS."""
    from arena_core.query import EvaluatedQuery, ExperimentsQuery, ask
    from arena_core.stack import recording

    async with recording(settings) as bus:
        evaluated = await ask(bus, EvaluatedQuery(role=role))
        query = ExperimentsQuery(role=role, recent=EXPERIMENTS_SHOWN, experiment_id=experiment)
        return evaluated, await ask(bus, query)


def _status_rows(evaluated: EvaluatedAnswer) -> tuple[list[dict[str, Any]], set[str], list[Any]]:
    from optimizer.select import Scored, front

    latest = {e.profile.id: e for e in evaluated.profiles}
    on_front = set(front([Scored(pid, e.objectives) for pid, e in latest.items()]))
    rows = [
        {
            "profile": pid,
            "stage": e.profile.stage.value,
            "front": pid in on_front,
            "parents": list(e.profile.parent_ids),
            **e.objectives.model_dump(),
        }
        for pid, e in latest.items()
    ]
    points = [(pid, e.objectives, e.profile.parent_ids) for pid, e in latest.items()]
    return rows, on_front, points


def _experiment_rows(found: Any) -> tuple[list[dict[str, Any]], set[str], list[Any]]:
    """The measured variants of one experiment, its recorded front marked."""
    from arena_core.events.profiles import Objectives

    measured = [p for p in found.points if p.success is not None]
    rows = [
        {
            "profile": p.profile_id, "stage": p.stage or "", "front": p.front,
            "parents": p.parent_ids, "verdict": p.verdict.value, "success": p.success,
            "cost_usd": p.cost_usd, "tokens": p.tokens, "latency_s": p.latency_s,
            "simulations": p.simulations,
        }
        for p in measured
    ]  # fmt: skip
    points = [
        (
            p.profile_id,
            Objectives(
                success=p.success, cost_usd=p.cost_usd or 0.0, tokens=p.tokens or 0.0,
                latency_s=p.latency_s or 0.0, simulations=p.simulations or 0.0,
            ),
            tuple(p.parent_ids),
        )
        for p in measured
    ]  # fmt: skip
    return rows, {p.profile_id for p in measured if p.front}, points


async def _request(job: Any) -> Any:
    from arena_core.events import Envelope
    from arena_core.events.optimizer import OptimizeJobCompleted, OptimizeJobFailed
    from arena_core.settings import Settings
    from arena_core.stack import nats_for, services_in_process
    from optimizer.stack import missing_services

    with nats_for(Settings()) as live:
        assert live.nats_url
        missing = await missing_services(live.nats_url)
        async with services_in_process(live, missing, record=False) as bus:
            reply = await bus.request(
                Envelope.new(job),
                [OptimizeJobCompleted, OptimizeJobFailed],
                timeout=job.solve_timeout_s * (job.generations + 1) * 2 + 60,
            )
    return reply.payload


async def _approve(profile_id: str, approver: str) -> str:
    from arena_core.events import Envelope
    from arena_core.events.profiles import ProfileApproved
    from arena_core.profiles import NotApprovable
    from arena_core.query import ProfileQuery, ask
    from arena_core.settings import Settings
    from arena_core.stack import recording

    async with recording(Settings()) as bus:
        profile = (await ask(bus, ProfileQuery(profile_id=profile_id))).profile
        prod = ProfileQuery(role=profile.role)
        current = (await ask(bus, prod)).profile
        if current.id == profile.id:
            return f"{profile.id} is already the {profile.role} prod profile"
        if not profile.passed_regression:
            stage = profile.stage.value
            raise NotApprovable(f"{profile.id} never passed a regression batch ({stage})")
        if profile.stage.value == "archived":
            raise NotApprovable(f"{profile.id} is archived")
        event = ProfileApproved(
            profile_id=profile.id, role=profile.role, approver=approver[:128],
            previous_id=current.id,
        )  # fmt: skip
        await bus.publish(Envelope.new(event))
        for _ in range(300):
            if (await ask(bus, prod)).profile.id == profile.id:
                return f"{profile.id} is now the {profile.role} prod profile"
            await asyncio.sleep(0.1)
    return f"approval of {profile.id} published; the recorder has not folded it yet"
