"""Every ``arena`` command, found by walking the built app (groups and their commands)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from arena_core.cli.main import build_app


def every_command() -> Iterator[tuple[list[str], Any]]:
    """``(path, click command)`` for the root, every group and every command in it."""

    def walk(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
        yield path, command
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(build_app()), [])
