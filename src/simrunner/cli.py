"""``arena validate``: check any MJCF file and name each failure's class."""

from __future__ import annotations

from pathlib import Path

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, fail, stdout_console

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNUSABLE = 2
"""The file could not be judged: missing, unreadable, or beyond the size/depth/time limits."""


def register(app: typer.Typer) -> None:
    @app.command(
        "validate",
        epilog=examples(
            "arena validate scene.xml",
            "arena validate scene.xml --strict-schema --frames 500 --json",
        ),
    )
    def validate_command(
        file: Path = typer.Argument(
            ..., help="MJCF file; includes and meshes resolve from its folder."
        ),
        as_json: bool = RESULT_JSON,
        strict_schema: bool = typer.Option(
            False,
            "--strict-schema",
            help="Fail on anything outside the MJCF subset the simrunner emits.",
        ),
        frames: int = typer.Option(
            None,
            "--frames",
            min=1,
            help="Frames of the stability check (default ARENA_SIM_VALIDATE_FRAMES).",
        ),
        keyframe: str = typer.Option(
            None,
            "--keyframe",
            help="Start from this keyframe (name or index) instead of qpos0.",
        ),
    ) -> None:
        """Validate an MJCF file: XML, schema, assets, compile, overlaps, stability, motors.

        Overlaps and stability are judged from qpos0 unless --keyframe is given.
        Exit 0 when valid, 1 when invalid (a definite failure was found, even if a
        limit stopped a later check), 2 when the file cannot be judged.
        """
        import dataclasses

        from arena_core.events.sim import ValidationFailureKind
        from arena_core.settings import Settings
        from simrunner.limits import Limits
        from simrunner.validate import validate

        if not file.is_file():
            fail(f"error: {file} is not a readable file", EXIT_UNUSABLE)
        limits = Limits.from_settings(Settings())
        if frames:
            limits = dataclasses.replace(limits, validate_frames=frames)
        report = validate(file, limits, strict_schema=strict_schema, keyframe=keyframe)
        if as_json:
            typer.echo(report.model_dump_json())
        else:
            _print(file, report)
        if report.valid:
            raise typer.Exit(EXIT_VALID)
        undecided = {ValidationFailureKind.resource_limit}
        if all(f.kind in undecided for f in report.failures):
            raise typer.Exit(EXIT_UNUSABLE)
        raise typer.Exit(EXIT_INVALID)


def _print(file: Path, report: object) -> None:
    from rich.table import Table

    from arena_core.events.sim import ValidationReport

    assert isinstance(report, ValidationReport)
    console = stdout_console()
    verdict = "[green]valid[/green]" if report.valid else "[red]invalid[/red]"
    console.print(f"{file}: {verdict}")
    if report.model:
        m = report.model
        console.print(
            f"  model: {m.nbody} bodies, {m.ngeom} geoms, {m.njnt} joints, "
            f"{m.nu} actuators; {report.frames_checked} frames checked"
        )
    if report.failures:
        table = Table("class", "line", "details")
        for failure in report.failures:
            line = str(failure.line) if failure.line is not None else ""
            table.add_row(str(failure.kind), line, failure.message)
        console.print(table)
    if report.outside_subset:
        console.print(
            "  uses MJCF outside the emitted subset (not a failure): "
            + ", ".join(report.outside_subset)
        )
    for note in report.notes:
        console.print(f"  note: {note}", markup=False)
