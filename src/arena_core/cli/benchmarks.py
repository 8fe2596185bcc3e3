"""``arena benchmarks``: the library with declared and measured difficulty (``arena
calibrate`` measures it), read from the recording on its host like ``arena runs``."""

from __future__ import annotations

import orjson
import typer

from arena_core.cli.help import examples
from arena_core.cli.output import LIST_JSON, fail, figure, stdout_console, whole_ids
from arena_core.settings import Settings


def _check_difficulty(difficulty: int | None) -> None:
    if difficulty is not None and not 1 <= difficulty <= 5:
        fail(f"difficulty must be 1 to 5, got {difficulty}")


def _check_family(settings: Settings, family: str | None) -> None:
    """A one-line error for a family the library has no benchmark of."""
    if family is None or not settings.database_path.exists():
        return
    from arena_core.db import open_database
    from arena_core.db.benchmarks import library

    with open_database(settings.database_path).connect() as conn:
        known = sorted({r.family for r in library(conn)})
    if family not in known:
        fail(f"no family {family!r} in the library; it has: {', '.join(known) or 'none'}")


def register(app: typer.Typer) -> None:
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
        as_json: bool = LIST_JSON,
    ) -> None:
        """The benchmark library with declared and measured difficulty."""
        _check_difficulty(difficulty)
        from arena_core.db import open_database
        from arena_core.db.benchmarks import library

        settings = Settings()
        if not settings.database_path.exists():
            fail(f"no database at {settings.database_path}")
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
                figure(r.pass_at_1), figure(r.pass_at_k), figure(r.auccess),
            )  # fmt: skip
        stdout_console().print(whole_ids(table, "benchmark"))
