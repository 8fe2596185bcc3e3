"""``arena render``: a picture of a recorded run's design in its scene (and a GIF of a
failed simulation), drawn by MuJoCo's offscreen renderer. The recorded simulation is
asked of the recording over NATS, so this works on any node."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from arena_core.cli.output import LIST_JSON, fail, print_json

if TYPE_CHECKING:
    from arena_core.query import SimulationAnswer

EXAMPLES = """
Examples:

    arena render 01a2f3                   # the run's last simulated design

    arena render 01a2f3 --design 3        # its fourth simulation (0-based)

    arena render 01a2f3 --out pictures/   # where the PNG (and GIF) go

    arena render 01a2f3 --design 3 --copy 1   # a GIF of jittered copy 1
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
        copy: int = typer.Option(
            None, "--copy", min=0, help="The jittered copy the GIF shows (default: the "
            "first that failed)."
        ),
        as_json: bool = LIST_JSON,
    ) -> None:  # fmt: skip
        """Draw a recorded design in its scene (build zone blue, goal green, forbidden red);
        for a simulation that failed, also a short GIF of its first failed jittered copy."""
        import asyncio

        from arena_core.query import QueryFailed, SimulationQuery, ask
        from arena_core.settings import Settings
        from arena_core.stack import recording
        from simrunner.meshes import MeshLibrary
        from simrunner.render import NoOffscreenGl, render_gif, render_png

        async def recorded() -> SimulationAnswer:
            async with recording(Settings()) as bus:
                return await ask(bus, SimulationQuery(run=run, design=design))

        try:
            found = asyncio.run(recorded())
        except QueryFailed as exc:
            fail(exc.detail)
        request = found.request
        meshes = MeshLibrary.from_blobs(request.meshes)
        out.mkdir(parents=True, exist_ok=True)
        stem = out / f"{found.run_id}-design-{found.index}"

        def wrote(path: Path, kind: str) -> None:
            if as_json:
                print_json({"path": str(path), "kind": kind, "run_id": found.run_id,
                            "design": found.index})  # fmt: skip
            else:
                typer.echo(path)

        try:
            stem.with_suffix(".png").write_bytes(render_png(request.spec, request.solution, meshes))
            wrote(stem.with_suffix(".png"), "png")
            if copy is not None or not found.passed:
                failed = found.failed_copies
                which = copy if copy is not None else (failed[0] if failed else 0)
                gif = render_gif(
                    request.spec, request.solution, meshes, seconds=seconds, copy=which
                )
                path = out / f"{stem.name}-copy-{which}.gif"
                path.write_bytes(gif)
                wrote(path, "gif")
        except (NoOffscreenGl, ValueError) as exc:
            fail(str(exc))
