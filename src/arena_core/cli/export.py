"""``arena export``: training datasets from the recording."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, fail, print_json
from arena_core.cli.recording import named_run, open_recording


def register(app: typer.Typer) -> None:
    @app.command(
        "export",
        epilog=examples(
            "arena export -f sft-openai -o sft.jsonl --role engineer --outcome success",
            "arena export -f grpo -o grpo.jsonl --min-group-variance 0.01",
            "arena export -f events -o run.jsonl --run 01a2f3",
        ),
    )
    def export_command(
        fmt: str = typer.Option(..., "--format", "-f", help="sft-openai, sft-trl, "
                                "sft-anthropic, grpo, preferences, events or otel."),
        out: Path = typer.Option(..., "--out", "-o", help="JSON-lines file to write."),
        role: str = typer.Option(None, "--role", help="Only this agent role."),
        outcome: str = typer.Option(None, "--outcome", help="success or failure."),
        since: datetime = typer.Option(None, "--since", help="Only from this time (UTC)."),
        run: str = typer.Option(None, "--run", help="Only this run (id or prefix)."),
        policy: str = typer.Option(None, "--policy", help="Only calls answered by this "
                                   "policy: offline, anthropic or replay."),
        min_reward: float = typer.Option(None, "--min-reward", help="SFT, GRPO: only rollouts "
                                         "with at least this reward."),
        min_group_variance: float = typer.Option(None, "--min-group-variance", min=0.0,
                                                 help="GRPO: leave out groups whose rewards "
                                                 "vary less than this (0: all equal)."),
        min_margin: float = typer.Option(None, "--min-margin", min=0.0, help="Preferences: "
                                         "only pairs whose rewards differ by this much."),
        as_json: bool = RESULT_JSON,
    ) -> None:  # fmt: skip
        """Stream the recording into a dataset file (constant memory, with progress)."""
        from datetime import UTC

        from arena_core.cli.progress import progress_bar
        from arena_core.export import (
            ExportFilter,
            ExportFormat,
            ExportPathError,
            count,
            export_file,
        )

        try:
            chosen = ExportFormat(fmt)
        except ValueError:
            formats = ", ".join(f.value for f in ExportFormat)
            raise typer.BadParameter(f"unknown format {fmt!r}; one of {formats}") from None
        if outcome not in (None, "success", "failure"):
            raise typer.BadParameter("--outcome is success or failure")
        if policy not in (None, "offline", "anthropic", "replay"):
            raise typer.BadParameter("--policy is offline, anthropic or replay")
        engine = open_recording()
        run_id = named_run(engine, run) if run else None
        if role is not None:
            _check_role(engine, role)
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        flt = ExportFilter(
            role=role, outcome=outcome, since=since, run_id=run_id, policy=policy,  # type: ignore[arg-type]
            min_reward=min_reward, min_group_variance=min_group_variance, min_margin=min_margin,
        )  # fmt: skip
        try:
            with progress_bar() as progress:
                task = progress.add_task(f"export {chosen.value}", total=count(engine, chosen, flt))
                summary = export_file(engine, chosen, out, flt, lambda n: progress.advance(task, n))
        except ExportPathError as exc:
            fail(str(exc))
        if as_json:
            print_json({
                "out": str(out), "format": chosen.value, "rows": summary.rows,
                "skipped": dict(summary.skipped_by), "issues": [str(i) for i in summary.issues],
                "infrastructure": summary.infrastructure,
                "groups_with_variance": summary.groups_with_variance,
            })  # fmt: skip
            return
        line = f"{summary.rows} rows -> {out} ({summary.describe()})"
        if summary.groups_with_variance is not None:
            line += f"; {summary.groups_with_variance} groups with reward variance"
        if summary.infrastructure:
            line += f"; {summary.infrastructure} without reward (infrastructure failures)"
        typer.echo(line)
        for issue in summary.issues[:20]:
            typer.echo(f"  skipped: {issue}", err=True)


def _check_role(engine: object, role: str) -> None:
    """Exit 2 naming the recorded roles when ``--role`` is none of them."""
    from sqlalchemy import select
    from sqlalchemy.engine import Engine

    from arena_core.db.tables import messages

    assert isinstance(engine, Engine)
    with engine.connect() as conn:
        roles = sorted(
            r for r in conn.execute(
                select(messages.c.agent_role).where(messages.c.agent_role.is_not(None)).distinct()
            ).scalars() if r
        )  # fmt: skip
    if role not in roles:
        fail(f"no agent role {role!r} in the recording; its roles: {', '.join(roles) or 'none'}")
