"""``arena redrive``: re-execute a recorded run (from a sequence) under a new run id."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, cast

import typer

from arena_core.cli.output import RESULT_JSON, fail

if TYPE_CHECKING:
    from arena_core.settings import LlmPolicyName

EXAMPLES = """
Examples:

    arena redrive 01a2f3                      # re-execute offline from the recording

    arena redrive 01a2f3 --from 1842          # only the jobs from seq 1842 on

    arena redrive 01a2f3 --prompt engineer=1.1.0   # fork onto another prompt version

Exit status: 0 when every job completed, 1 when one failed or had no answer, 2 on
bad input (unknown run, nothing to redrive, unknown prompt version).
"""


def _prompt_pins(values: list[str]) -> dict[str, str]:
    pins = {}
    for value in values:
        role, sep, version = value.partition("=")
        if not sep or not role or not version:
            fail(f"--prompt wants ROLE=VERSION, got {value!r}")
        pins[role] = version
    return pins


def register(app: typer.Typer) -> None:
    @app.command(epilog=EXAMPLES)
    def redrive(
        run: str = typer.Argument(..., help="Run id or a unique prefix of one."),
        from_seq: int = typer.Option(
            0, "--from", min=0, help="Re-execute the jobs from this sequence."
        ),
        llm: str = typer.Option(
            "replay",
            "--llm",
            help="Agent policy: replay (the recorded answers), offline, anthropic.",
        ),
        prompt: list[str] = typer.Option(
            [], "--prompt", metavar="ROLE=VERSION", help="Run ROLE on this prompt version."
        ),
        timeout: float = typer.Option(900.0, "--timeout", help="Seconds to wait for the jobs."),
        dry_run: bool = typer.Option(False, "--dry-run", help="Only list what would be sent."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Re-execute a recorded run's jobs under a new run id, seeing what it saw.

        Starts the services the jobs need in this process (and the recorder), pins the
        prompt versions the run used and the skills recorded before it, and with
        --llm replay answers every model call from the recording (no model is called).
        The source run is never changed.
        """
        from rich.console import Console

        from arena_core.cli.progress import progress_bar
        from arena_core.cli.recording import named_run, open_recording
        from arena_core.llm.errors import LlmConfigError
        from arena_core.llm.preflight import check_llm
        from arena_core.replay.redrive import NoConsumer, NothingToRedrive, plan_redrive
        from arena_core.replay.rerun import JobOutcome, job_consumers, rerun
        from arena_core.replay.world import UnknownPromptPin, prompt_version
        from arena_core.settings import Settings

        if llm not in ("replay", "offline", "anthropic"):
            fail(f"--llm must be one of replay, offline, anthropic; got {llm!r}")
        pins = _prompt_pins(prompt)
        settings = Settings()
        if llm == "anthropic":
            check_llm(settings.model_copy(update={"llm": "anthropic"}))
        engine = open_recording()
        run_id = named_run(engine, run)
        try:
            for role, version in pins.items():
                prompt_version(engine, role, version)
            plan = plan_redrive(
                engine, run_id, from_seq=from_seq, consumed=frozenset(job_consumers())
            )
        except (NothingToRedrive, NoConsumer, UnknownPromptPin) as exc:
            fail(str(exc))
        if dry_run:
            for seq, env in zip(plan.source_seqs, plan.envelopes, strict=True):
                typer.echo(f"seq {seq} -> {env.type} {env.id}")
            return
        typer.echo(f"run {plan.new_run_id} (redrive of {run_id})", err=True)
        with progress_bar(as_json) as bar:
            task = bar.add_task("jobs", total=len(plan.envelopes))

            def answered(job: JobOutcome) -> None:
                bar.advance(task)

            policy = cast("LlmPolicyName", llm)
            job = rerun(
                settings, engine, run_id, from_seq=from_seq, llm=policy, prompts=pins,
                timeout_s=timeout, plan=plan, on_answer=answered,
            )  # fmt: skip
            try:
                result: Any = asyncio.run(job)
            except LlmConfigError as exc:
                fail(str(exc))
        if as_json:
            typer.echo(result.model_dump_json())
        else:
            out = Console(highlight=False, soft_wrap=True)
            for job in result.jobs:
                how = job.answer or "no answer before the deadline"
                out.print(f"seq {job.source_seq} {job.type} -> {job.job_id}: {how}", markup=False)
                if job.detail:
                    out.print(f"  {job.detail}", markup=False)
            for kind in result.skipped:
                out.print(f"not re-published: {kind} (no service consumes it)", markup=False)
            out.print(f"run {result.run_id}  (arena replay {run_id} --diff {result.run_id})")
        raise typer.Exit(0 if result.ok else 1)
