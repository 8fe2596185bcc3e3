"""Settings come from ARENA_* variables over an optional TOML file; the container wires them."""

from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from arena_core.container import Container, container_for
from arena_core.settings import Settings


def test_environment_overrides_the_toml_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "arena.toml"
    config.write_text('nats_url = "nats://file:4222"\nmax_deliver = 9\n')
    monkeypatch.setenv("ARENA_CONFIG", str(config))
    monkeypatch.setenv("ARENA_MAX_DELIVER", "3")
    settings = Settings()
    assert settings.nats_url == "nats://file:4222"
    assert settings.max_deliver == 3


def test_a_missing_config_file_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARENA_CONFIG", "/nonexistent/arena.toml")
    with pytest.raises(FileNotFoundError, match="ARENA_CONFIG"):
        Settings()


def test_unknown_settings_in_the_file_are_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "arena.toml"
    config.write_text("max_delivr = 3\n")
    monkeypatch.setenv("ARENA_CONFIG", str(config))
    with pytest.raises(ValueError, match="max_delivr"):
        Settings()


def test_the_api_key_never_shows_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-very-secret")
    settings = Settings()
    assert "very-secret" not in repr(settings)
    assert settings.anthropic_api_key is not None
    assert settings.anthropic_api_key.get_secret_value() == "sk-ant-very-secret"


def test_the_container_builds_components_from_overridden_settings(tmp_path: Path) -> None:
    container = container_for(Settings(nats_url="nats://127.0.0.1:1", stream_name="X"))
    bus = container.bus()
    assert bus.servers == "nats://127.0.0.1:1"
    assert bus.stream.name == "X"
    assert container.bus() is bus


def test_a_bus_without_a_url_explains_what_to_do() -> None:
    container = Container()
    container.settings.override(providers.Object(Settings(nats_url=None)))
    with pytest.raises(RuntimeError, match="ARENA_NATS_URL"):
        container.bus()
