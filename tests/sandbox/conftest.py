"""One warm sandbox pool per test module: starting a server imports build123d (~4 s)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from arena_core.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("sandbox")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(sandbox_root: Path) -> AsyncIterator[Sandbox]:
    """A warm isolated pool of two servers, shared by the module's tests."""
    box = Sandbox(root=sandbox_root, pool_size=2)
    await box.start()
    try:
        yield box
    finally:
        await box.close()


def descendants(pid: int) -> list[int]:
    """Live processes below ``pid`` (from /proc, zombies excluded)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] == "Z":
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def processes_in(directory: Path) -> list[int]:
    """Live processes whose working directory is ``directory``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == directory:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
