"""Headless Chromium through Playwright, pointed at the system browser (never a
downloaded one). A page records every console error and uncaught exception."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from playwright.async_api import Page, async_playwright

from tests.dashboard.conftest import CHROMIUM_ARGS


@dataclass
class Tab:
    page: Page
    errors: list[str] = field(default_factory=list)

    async def visit(self, url: str, hash: str, timeout_ms: float = 30_000) -> None:
        """Go to a page of the dashboard and wait until it rendered."""
        await self.page.goto(f"{url}/ui/{hash}")
        await self.rendered(hash, timeout_ms)

    async def complete(self, hash: str, timeout_ms: float = 60_000) -> None:
        """Wait until a page that loads in parts (a long run, many runs) has all of them."""
        await self.page.wait_for_function(
            "h => document.body.dataset.complete === h", arg=hash, timeout=timeout_ms
        )

    async def rendered(self, hash: str, timeout_ms: float = 30_000) -> None:
        await self.page.wait_for_function(
            "h => document.body.dataset.rendered === h || "
            "document.body.dataset.rendered === 'error:' + h",
            arg=hash, timeout=timeout_ms,
        )  # fmt: skip
        shown = await self.page.evaluate("document.body.dataset.rendered")
        assert shown == hash, await self.page.inner_text("main")


@asynccontextmanager
async def browser_tab(
    chromium: str, url: str, token: str, width: int = 1360, height: int = 900
) -> AsyncIterator[Tab]:
    """A signed-in tab on the dashboard (the token typed into the sign-in form)."""
    with tempfile.TemporaryDirectory(prefix="arena-chromium-") as profile:
        async with async_playwright() as pw:
            context = await pw.chromium.launch_persistent_context(
                profile, executable_path=chromium, headless=True,
                args=[a for a in CHROMIUM_ARGS if a != "--headless"],
                viewport={"width": width, "height": height},
            )  # fmt: skip
            try:
                page = context.pages[0] if context.pages else await context.new_page()
                tab = Tab(page)
                page.on(
                    "console", lambda m: tab.errors.append(m.text) if m.type == "error" else None
                )
                page.on("pageerror", lambda e: tab.errors.append(str(e)))
                await page.goto(f"{url}/ui/")
                await page.fill("#token", token)
                await page.click("form.signin button")
                await tab.rendered("#/runs")
                yield tab
            finally:
                await context.close()
