"""``arena schemas``: write or check JSON Schema + AsyncAPI for every event."""

from __future__ import annotations

from pathlib import Path

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import RESULT_JSON, fail, print_json


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=examples(
            "arena schemas                            # write schemas/",
            "arena schemas --check                    # exit 1 when schemas/ is stale",
        )
    )
    def schemas(
        out: Path = typer.Option(Path("schemas"), "--out", help="Directory to write."),
        check: bool = typer.Option(False, "--check", help="Exit 1 when OUT is not current."),
        as_json: bool = RESULT_JSON,
    ) -> None:
        """Generate schemas/<type>.json and schemas/asyncapi.yaml from the event models."""
        from arena_core import schemas as gen

        if check:
            problems = gen.check(out)
            if as_json:
                print_json({"out": str(out), "current": not problems, "problems": problems})
            if problems:
                for problem in problems:
                    typer.echo(problem, err=True)
                fail(f"{out} is stale: run 'arena schemas --out {out}'", 1)
            if not as_json:
                typer.echo(f"{out} is current")
            return
        written = gen.write(out)
        if as_json:
            print_json({"out": str(out), "written": len(written)})
        else:
            typer.echo(f"wrote {len(written)} files to {out}")
