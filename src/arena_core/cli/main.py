"""Entry point of the ``arena`` command.

Core commands live in ``arena_core.cli.<module>`` (each exposes ``register(app)``);
service packages add theirs through the ``arena.commands`` entry-point group, so the
core never imports a service.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from importlib.metadata import entry_points
from typing import Any

import typer
from typer.core import TyperArgument, TyperOption

from arena_core import __version__
from arena_core.cli.help import examples


def _value_type(self: TyperOption, ctx: Any) -> str | None:
    """What an option's help shows after its name: nothing for a flag (not ``<bool>``),
    ``<str> (repeat)`` for an option given several times (not ``<list[str]>``)."""
    if self.is_flag:
        return None
    return _no_list(_typed_value(self, ctx), " (repeat)")


def _argument_type(self: TyperArgument, ctx: Any) -> str | None:
    """An argument taking several values shows ``<str>`` (its name already ends in ...)."""
    return _no_list(_typed_argument(self, ctx), "")


def _no_list(shown: str | None, suffix: str) -> str | None:
    match = re.fullmatch(r"<list\[(.+)\]>", shown or "")
    return f"<{match.group(1)}>{suffix}" if match else shown


_typed_value = TyperOption.display_type_rich
_typed_argument = TyperArgument.display_type_rich
TyperOption.display_type_rich = _value_type  # type: ignore[method-assign]
TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]

CORE_COMMAND_MODULES = (
    "arena_core.cli.nats",
    "arena_core.cli.schemas",
    "arena_core.cli.workers",
    "arena_core.cli.demo",
    "arena_core.cli.db",
    "arena_core.cli.runs",
    "arena_core.cli.benchmarks",
    "arena_core.cli.replay",
    "arena_core.cli.redrive",
    "arena_core.cli.export",
    "arena_core.cli.batches",
    "arena_core.cli.telemetry",
    "arena_core.cli.prompts",
    "arena_core.cli.submit",
    "arena_core.cli.api",
    "arena_core.cli.tokens",
    "arena_core.cli.backup",
)

app = typer.Typer(
    name="arena",
    help="Generate, solve and learn from physics/CAD benchmarks with LLM agents.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    epilog=examples(
        "arena demo                  # generate and solve 8 benchmarks, offline",
        "arena replay RUN            # what happened, as a tree",
        "arena COMMAND --help        # every command has examples",
        after="Output: tables for people; with --json, JSON lines for lists and one JSON "
        "object for a result.",
    ),
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"arena {__version__}")
        raise typer.Exit()


SERVING = frozenset({"worker", "up", "api", "nats", "telemetry"})
"""Commands that serve until stopped: they wait for NATS as long as services do."""


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
    log_json: bool = typer.Option(False, "--log-json", help="Structured JSON logs on stderr."),
    log_level: str | None = typer.Option(
        None,
        "--log-level",
        help="DEBUG, INFO, WARNING or ERROR (default: ARENA_LOG_LEVEL, else INFO for "
        "commands that serve and WARNING for the rest).",
    ),
    llm: str | None = typer.Option(
        None,
        "--llm",
        help="Agent policy: offline, anthropic or replay "
        "(default: anthropic when ANTHROPIC_API_KEY is set, else offline).",
    ),
) -> None:
    from typing import get_args

    from arena_core.bus.connection import INTERACTIVE_DEADLINE_S
    from arena_core.logging import configure
    from arena_core.settings import LlmPolicyName, Settings

    if llm is not None:
        if llm not in get_args(LlmPolicyName):
            raise typer.BadParameter(
                f"{llm!r} is not one of {get_args(LlmPolicyName)}", param_hint="--llm"
            )
        # Through the environment, so worker processes started from here choose it too.
        os.environ["ARENA_LLM"] = llm
    serving = ctx.invoked_subcommand in SERVING
    if not serving:
        # A person waits a few seconds for NATS, not a service's 30 (workers this command
        # starts inherit it; their server is already up).
        os.environ.setdefault("ARENA_NATS_CONNECT_S", str(INTERACTIVE_DEADLINE_S))
    settings = Settings()
    level = log_level or settings.log_level or ("INFO" if serving else "WARNING")
    configure(json=log_json or settings.log_json, level=level)


def build_app() -> typer.Typer:
    for module in CORE_COMMAND_MODULES:
        importlib.import_module(module).register(app)
    for ep in entry_points(group="arena.commands"):
        ep.load()(app)
    return app


def main() -> None:
    from arena_core.bus.connection import BusUnavailable
    from arena_core.llm.preflight import LlmUnavailable

    build_app()
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except (BusUnavailable, LlmUnavailable) as exc:
        # Any command that needs NATS or a model: one line naming the URL, not a traceback.
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
