"""Fixtures of the LLM layer tests: an event sink, a loopback Messages API, requests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from arena_core.events import Payload
from arena_core.settings import Settings
from tests.llm.fake_messages_api import FakeMessagesApi

P = TypeVar("P", bound=Payload)

API_KEY = "sk-ant-api03-Zq8vTESTKEYdoNotUse0123456789abcdef"


class Emitted:
    """Collects what an ``Llm`` emits, in order (the sink a handler's emit would be)."""

    def __init__(self) -> None:
        self.events: list[Payload] = []

    async def __call__(self, payload: Payload) -> None:
        self.events.append(payload)

    def of(self, model: type[P]) -> list[P]:
        return [e for e in self.events if isinstance(e, model)]

    @property
    def types(self) -> list[str]:
        return [e.EVENT_TYPE for e in self.events]


@pytest.fixture
def emitted() -> Emitted:
    return Emitted()


@pytest.fixture
def messages_api() -> Iterator[FakeMessagesApi]:
    api = FakeMessagesApi()
    with api.serving():
        yield api


@pytest.fixture
def anthropic_settings(messages_api: FakeMessagesApi, tmp_path: Path) -> Settings:
    """Settings selecting the anthropic policy against the loopback server, fast retries."""
    return Settings(
        home=tmp_path / ".arena",
        anthropic_api_key=API_KEY,
        anthropic_base_url=messages_api.url,
        llm_retry_base_s=0.001,
        llm_retry_max_s=0.01,
        llm_max_retries=2,
        llm_timeout_s=5,
    )


@pytest.fixture
def offline_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / ".arena")
