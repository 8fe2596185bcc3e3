"""Every page of the dashboard in headless Chromium on a real stack after a demo run:
the runs list (a new run appears live), a conversation (redrive from a chosen event),
an envelope, the library, the 3D view, optimization with Approve moving ``prod`` in the
database. No console error anywhere."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from arena_core.events import Envelope
from arena_core.events.agent import AgentThoughtRecorded
from arena_core.profiles import prod_profile
from tests.dashboard.browser import browser_tab
from tests.dashboard.conftest import Stack


async def test_every_page_renders_and_approve_moves_prod(
    stack: Stack, chromium: str, shots: Path
) -> None:
    with stack.engine.connect() as conn:
        events = conn.execute(
            text("SELECT count(*) FROM messages WHERE run_id = :r"), {"r": stack.demo_run_id}
        ).scalar_one()
        library = conn.execute(text("SELECT benchmark_id FROM benchmarks")).scalars().all()
    assert stack.demo.accepted >= 1 and library

    async with browser_tab(chromium, stack.url, stack.tokens["admin"]) as tab:
        page = tab.page
        await tab.complete("#/runs")
        assert await page.locator(f'tr[data-run="{stack.demo_run_id}"]').count() == 1
        assert await page.locator(".chart circle").count() >= 1, "no success-rate point"
        await page.wait_for_selector(".live.on")
        await page.screenshot(path=shots / "dashboard-runs.png")
        thought = AgentThoughtRecorded(
            conversation_id="c-live", turn_index=0, agent_role="engineer", text="A new run appears."
        )
        await stack.bus.publish(Envelope.new(thought, run_id="run-live"))
        await page.wait_for_selector('tr[data-run="run-live"]', timeout=30_000)

        await tab.visit(stack.url, f"#/run/{stack.demo_run_id}")
        await tab.complete(f"#/run/{stack.demo_run_id}")
        assert await page.locator("article.event").count() == events
        roles = set(await page.locator("article.event").evaluate_all(
            "els => els.map(e => e.dataset.agent)"
        ))  # fmt: skip
        assert {"engineer", "simrunner"} <= roles, roles
        assert await page.locator(".verdict").count() >= 1, "no simulator verdict shown"
        assert await page.locator("button.redrive").count() == events
        page.once("dialog", lambda d: asyncio.ensure_future(d.accept()))
        await page.locator('article[data-type="sim.job.requested"] button.redrive').last.click()
        await page.wait_for_selector(".notice a")
        assert (await page.inner_text(".notice")).startswith("Redriven: 1 request(s) under")
        final = page.locator('article[data-type="engineer.solution.submitted"]').last
        await final.scroll_into_view_if_needed()
        await page.evaluate("window.scrollBy(0, -80)")
        await page.wait_for_timeout(300)  # the preview draws when it comes into view
        await page.screenshot(path=shots / "dashboard-conversation.png")

        await page.locator("a:text('raw envelope')").first.click()
        await page.wait_for_function("location.hash.startsWith('#/envelope/')")
        await tab.rendered(await page.evaluate("location.hash"))
        assert '"payload"' in await page.inner_text("pre.json")

        await tab.visit(stack.url, "#/benchmarks")
        assert await page.locator("table.grid tbody tr").count() == len(library)
        await page.screenshot(path=shots / "dashboard-benchmarks.png")

        solved_run = f"#/benchmark/{library[0]}?run={stack.demo_run_id}"
        await tab.visit(stack.url, solved_run)
        drawn = await page.locator("canvas.scene").evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }"
        )
        assert drawn > 1000, "the 3D view drew nothing"
        await page.screenshot(path=shots / "dashboard-scene.png")

        await tab.visit(stack.url, "#/optimize")
        assert await page.locator("circle.pt").count() == 3
        await page.locator(f'tr[data-profile="{stack.candidate_id}"]').click()
        await page.wait_for_selector(f'h2:has-text("{stack.candidate_id}")')
        assert await page.locator("pre.diff .add").count() >= 1
        page.once("dialog", lambda d: asyncio.ensure_future(d.accept()))
        await page.screenshot(path=shots / "dashboard-optimization.png")
        await page.click("#approve")
        await page.wait_for_selector(".notice.ok")
        for _ in range(200):
            if prod_profile(stack.engine, "engineer").id == stack.candidate_id:
                break
            await asyncio.sleep(0.05)
        assert prod_profile(stack.engine, "engineer").id == stack.candidate_id
        assert tab.errors == []
