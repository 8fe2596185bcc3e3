"""``arena render``: a picture of a recorded run's design in its scene (and a GIF of a
failed simulation), drawn by MuJoCo's offscreen renderer."""

from __future__ import annotations

from pathlib import Path

import typer

EXAMPLES = """
Examples:

    arena render 01a2f3                   # the run's last simulated design

    arena render 01a2f3 --design 3        # its fourth simulation (0-based)

    arena render 01a2f3 --out pictures/   # where the PNG (and GIF) go
"""


def register(app: typer.Typer) -> None:
    @app.command("render", epilog=EXAMPLES)
    def render_command(
        run: str = typer.Argument(..., help="Run id or a unique prefix of one."),
        design: int = typer.Option(
            None, "--design", min=0, help="Which simulation of the run (default: the last)."
        ),
        out: Path = typer.Option(Path("."), "--out", help="Folder for the pictures."),
        seconds: float = typer.Option(3.0, "--seconds", min=0.1, help="Length of the GIF."),
    ) -> None:
        """Draw a recorded design in its scene (build zone blue, goal green, forbidden red);
        for a simulation that failed, also a short GIF of it."""
        import orjson
        from sqlalchemy import select

        from arena_core.db import open_database
        from arena_core.db.tables import messages
        from arena_core.events.sim import SimJobRequested
        from arena_core.replay import AmbiguousRun, UnknownRun, resolve_run
        from arena_core.settings import Settings
        from simrunner.meshes import MeshLibrary
        from simrunner.render import NoOffscreenGl, render_gif, render_png

        engine = open_database(Settings().database_path)
        try:
            run_id = resolve_run(engine, run)
        except (UnknownRun, AmbiguousRun) as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        with engine.connect() as conn:
            rows = conn.execute(
                select(messages.c.msg_id, messages.c.body)
                .where(messages.c.run_id == run_id, messages.c.type == SimJobRequested.EVENT_TYPE)
                .order_by(messages.c.seq)
            ).all()
            if not rows:
                typer.echo(f"run {run_id} simulated no design", err=True)
                raise typer.Exit(2)
            index = len(rows) - 1 if design is None else design
            if index >= len(rows):
                typer.echo(f"run {run_id} has {len(rows)} simulations (0..{len(rows) - 1})",
                           err=True)  # fmt: skip
                raise typer.Exit(2)
            msg_id, body = rows[index]
            answer = conn.execute(
                select(messages.c.body).where(
                    messages.c.causation_id == msg_id, messages.c.type == "sim.job.completed"
                )
            ).scalar()
        request = SimJobRequested.model_validate(orjson.loads(body)["payload"])
        meshes = MeshLibrary.from_blobs(request.meshes)
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"{run_id}-design-{index}"
        try:
            stem.with_suffix(".png").write_bytes(render_png(request.spec, request.solution, meshes))
            typer.echo(stem.with_suffix(".png"))
            passed = answer is not None and orjson.loads(answer)["payload"].get("passed")
            if not passed:
                gif = render_gif(request.spec, request.solution, meshes, seconds=seconds)
                stem.with_suffix(".gif").write_bytes(gif)
                typer.echo(stem.with_suffix(".gif"))
        except NoOffscreenGl as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
