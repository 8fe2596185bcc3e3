"""The dependency-injection container: the one place that wires settings to resources.

Every service takes its bus, settings, sandbox, LLM and database from here (see
``Lifecycle.container``); tests override providers (``container.sandbox.override(...)``)
instead of patching. Whoever makes a container closes it (:func:`close_resources`).
"""

from __future__ import annotations

from dependency_injector import containers, providers
from sqlalchemy import Engine

from arena_core.bus import Bus, StreamSpec
from arena_core.errors import ArenaError
from arena_core.llm import make_llm
from arena_core.sandbox import Sandbox
from arena_core.settings import Settings
from arena_core.state import SharedState


class NoNatsServer(ArenaError, RuntimeError):
    """No NATS URL is configured and no embedded server was started."""


def make_bus(settings: Settings, name: str = "arena") -> Bus:
    if not settings.nats_url:
        raise NoNatsServer("no NATS server: set ARENA_NATS_URL or start the embedded one first")
    return Bus(
        settings.nats_url,
        name=name,
        stream=StreamSpec(
            name=settings.stream_name,
            max_age_s=settings.stream_max_age_s,
            replicas=settings.stream_replicas,
            duplicate_window_s=settings.duplicate_window_s,
        ),
        connect_deadline_s=settings.nats_connect_s,
    )


def make_db_engine(settings: Settings) -> Engine:
    """The SQLite database at ``settings.database_path``, migrated to the latest schema."""
    from arena_core.db import open_database

    return open_database(settings.database_path)


class Container(containers.DeclarativeContainer):
    """Providers for everything a service may need."""

    settings = providers.Singleton(Settings)
    bus = providers.Singleton(make_bus, settings=settings)
    llm = providers.Factory(make_llm, settings=settings)
    """An ``Llm`` on the policy the settings select; pass ``deciders=``, ``emit=``, ..."""
    db_engine = providers.Singleton(make_db_engine, settings=settings)
    """The database (the recorder writes it; readers only read)."""
    state = providers.Singleton(SharedState, bus=bus)
    """Prompts and skills as services read them (a redrive pins them to a recorded run's)."""
    sandbox = providers.Singleton(Sandbox.from_settings, settings=settings)
    """The untrusted-code sandbox shared by the process's services; its pool starts lazily."""


def container_for(settings: Settings, *, bus: Bus | None = None) -> Container:
    """A container on ``settings`` (and on an already made ``bus``, if given)."""
    container = Container()
    container.settings.override(providers.Object(settings))
    if bus is not None:
        container.bus.override(providers.Object(bus))
    return container


async def close_resources(container: Container) -> None:
    """Stop what the container's singletons run (the sandbox's warm servers)."""
    sandbox = container.sandbox()
    if isinstance(sandbox, Sandbox):
        await sandbox.close()
