"""``arena worker``, ``arena up`` and ``arena health``: running services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from arena_core.cli.help import examples
from arena_core.cli.output import LIST_JSON, fail, stdout_console, whole_ids
from arena_core.processes import stop_on_sigterm

if TYPE_CHECKING:
    from arena_core.service import ServiceHealth


NO_MODEL = frozenset({"recorder", "simrunner"})
"""Services that never ask a model: their workers start whatever the policy."""


def parse_counts(specs: list[str], names: list[str]) -> dict[str, int]:
    counts = dict.fromkeys(names, 1)
    for spec in specs:
        name, _, n = spec.partition("=")
        if name not in counts:
            raise typer.BadParameter(f"unknown service {name!r}; known: {', '.join(names)}")
        if not n.isdigit() or int(n) < 0:
            raise typer.BadParameter(f"{spec!r}: expected SERVICE=COUNT")
        counts[name] = int(n)
    return {k: v for k, v in counts.items() if v > 0}


def health_table(health: Sequence[ServiceHealth]) -> Table:
    table = Table(title="services")
    for col in ("service", "instance", "status", "in flight", "handled", "failed", "rejected"):
        table.add_column(col)
    for h in health:
        table.add_row(
            h.service,
            h.instance,
            h.status,
            str(h.in_flight),
            str(h.handled),
            str(h.failed),
            str(h.rejected),
        )
    return whole_ids(table, "instance")


def register(app: typer.Typer) -> None:
    @app.command(
        epilog=examples(
            "arena worker simrunner --nats nats://10.0.0.5:4222 -c 4",
            "ARENA_NATS_URL=nats://localhost:4222 arena worker engineer",
        )
    )
    def worker(
        service: str = typer.Argument(..., help="Service name, e.g. simrunner."),
        concurrency: int = typer.Option(None, "--concurrency", "-c", min=1),
        nats: str = typer.Option(None, "--nats", help="NATS URL(s); default ARENA_NATS_URL."),
    ) -> None:
        """Run one service process; every process of a service shares its work."""
        from arena_core.container import container_for
        from arena_core.llm.preflight import check_llm
        from arena_core.settings import Settings
        from arena_core.stack import UnknownService, load_service, serve

        settings = Settings()
        if nats:
            settings = settings.model_copy(update={"nats_url": nats})
        if not settings.nats_url:
            fail("arena worker needs a NATS server: --nats URL or ARENA_NATS_URL")
        try:
            cls = load_service(service)
        except UnknownService as exc:
            fail(str(exc))
        if service not in NO_MODEL:
            check_llm(settings)
        asyncio.run(serve(cls, container_for(settings), concurrency))

    @app.command(
        epilog=examples(
            "arena up                                  # NATS and one process per service",
            "arena up -w simrunner=4 -w engineer=2",
        )
    )
    def up(
        workers: list[str] = typer.Option(
            [], "--workers", "-w", help="SERVICE=COUNT processes (default 1 of each)."
        ),
    ) -> None:
        """Run the whole stack (NATS + one process per service) until Ctrl-C."""
        from arena_core.llm.preflight import check_llm
        from arena_core.settings import Settings
        from arena_core.stack import ServiceProcesses, nats_for, service_names, wait_until_running

        console = Console(stderr=True)
        counts = parse_counts(workers, service_names())
        if set(counts) - NO_MODEL:
            check_llm(Settings())
        stop_on_sigterm()
        with nats_for(Settings()) as settings:
            procs = ServiceProcesses(settings, settings.home / "logs")
            try:
                for name, n in counts.items():
                    procs.start(name, n)
                health = asyncio.run(wait_until_running(str(settings.nats_url), counts))
                console.print(health_table(health))
                console.print(f"NATS: {settings.nats_url}   logs: {procs.log_dir}   Ctrl-C stops")
                while True:
                    # A crashed worker comes back after a backoff; the rest keep serving.
                    for line in procs.restart_crashed():
                        console.print(line, style="yellow", markup=False, highlight=False)
                    time.sleep(0.5)
            except KeyboardInterrupt:
                pass
            finally:
                console.print("draining workers...")
                procs.stop()

    @app.command(
        epilog=examples(
            "arena health --nats nats://localhost:4222",
            "arena health --json                      # one JSON object per process",
        )
    )
    def health(
        nats: str = typer.Option(None, "--nats", help="NATS URL(s); default ARENA_NATS_URL."),
        as_json: bool = LIST_JSON,
    ) -> None:
        """Show every running service process and its counters."""
        from arena_core.settings import Settings
        from arena_core.stack import probe_health

        url = nats or Settings().nats_url
        if not url:
            fail("arena health needs --nats URL or ARENA_NATS_URL")
        answers = asyncio.run(probe_health(url))
        if as_json:
            for h in answers:
                typer.echo(h.model_dump_json())
        else:
            stdout_console().print(health_table(answers))
        if not answers:
            raise typer.Exit(1)
