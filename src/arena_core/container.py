"""The dependency-injection container: one place that wires settings to components.

Tests override providers (``container.settings.override(...)``) instead of patching.
"""

from __future__ import annotations

from dependency_injector import containers, providers
from sqlalchemy import Engine

from arena_core.bus import Bus, StreamSpec
from arena_core.llm import make_llm
from arena_core.sandbox import Sandbox
from arena_core.settings import Settings


def make_bus(settings: Settings, name: str = "arena") -> Bus:
    if not settings.nats_url:
        raise RuntimeError("no NATS server: set ARENA_NATS_URL or start the embedded one first")
    return Bus(
        settings.nats_url,
        name=name,
        stream=StreamSpec(
            name=settings.stream_name,
            max_age_s=settings.stream_max_age_s,
            replicas=settings.stream_replicas,
            duplicate_window_s=settings.duplicate_window_s,
        ),
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
    sandbox = providers.Singleton(Sandbox.from_settings, settings=settings)
    """The untrusted-code sandbox; its warm pool starts on the first job."""


def container_for(settings: Settings) -> Container:
    container = Container()
    container.settings.override(providers.Object(settings))
    return container
