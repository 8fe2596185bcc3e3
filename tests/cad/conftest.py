"""One warm sandbox pool per test module: starting a server imports build123d (~4 s)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from arena_core.sandbox import Sandbox


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Sandbox]:
    """A warm isolated pool with build123d preloaded, shared by the module's tests."""
    box = Sandbox(root=tmp_path_factory.mktemp("cad-sandbox"), pool_size=2)
    await box.start()
    try:
        yield box
    finally:
        await box.close()
