"""``arena telemetry``: live OpenTelemetry GenAI spans of every agent, to an OTLP endpoint."""

from __future__ import annotations

import typer

from arena_core.cli.help import examples
from arena_core.cli.output import fail


def register(app: typer.Typer) -> None:
    @app.command(
        "telemetry",
        epilog=examples(
            "arena telemetry --endpoint http://localhost:4318/v1/traces",
        ),
    )
    def telemetry_command(
        endpoint: str = typer.Option(None, "--endpoint", help="OTLP/HTTP traces endpoint "
                                     "(default: ARENA_OTEL_ENDPOINT)."),
        idle_s: float = typer.Option(30.0, "--idle", min=0.1, help="Seconds of quiet after "
                                     "which an agent's span is sent."),
    ) -> None:  # fmt: skip
        """Follow the bus and send each LLM call, tool run and agent as a GenAI span."""
        import asyncio
        import signal

        from arena_core.settings import Settings

        settings = Settings()
        target = endpoint or settings.otel_endpoint
        if not target:
            fail("no endpoint: set ARENA_OTEL_ENDPOINT or pass --endpoint")
        if not settings.nats_url:
            fail("no bus to follow: set ARENA_NATS_URL")
        try:
            from arena_core.telemetry.live import LiveSpans, follow, otlp_sink
        except ImportError:
            fail("the OpenTelemetry SDK is missing: pip install 'arena[otel]'")

        async def run() -> None:
            from arena_core.container import container_for

            bus = container_for(settings).bus()
            await bus.connect()
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            sink = otlp_sink(target)
            try:
                typer.echo(f"sending GenAI spans to {target} (Ctrl-C stops)")
                await follow(bus, LiveSpans(sink, idle_s=idle_s), stop=stop)
            finally:
                sink.shutdown()
                await bus.close()

        asyncio.run(run())
