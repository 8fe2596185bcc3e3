"""Which policy the settings select, through the container's ``llm`` provider."""

from __future__ import annotations

from pathlib import Path

import pytest

from arena_core.container import container_for
from arena_core.llm import LlmConfigError
from arena_core.settings import Settings
from tests.llm.conftest import API_KEY
from tests.llm.deciders import engineer


def test_without_a_key_agents_run_offline(tmp_path: Path) -> None:
    llm = container_for(Settings(home=tmp_path)).llm(deciders={"engineer": engineer})

    assert llm.policy_name == "offline"


async def test_a_key_selects_the_anthropic_policy(tmp_path: Path) -> None:
    llm = container_for(Settings(home=tmp_path, anthropic_api_key=API_KEY)).llm(
        deciders={"engineer": engineer}
    )
    try:
        assert llm.policy_name == "anthropic"
    finally:
        await llm.aclose()


def test_an_explicit_policy_wins_over_the_key(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, anthropic_api_key=API_KEY, llm="offline")

    llm = container_for(settings).llm(deciders={"engineer": engineer})

    assert llm.policy_name == "offline"


@pytest.mark.parametrize(
    ("policy", "says"),
    [("anthropic", "ANTHROPIC_API_KEY"), ("replay", "recording"), ("offline", "decider")],
)
def test_a_policy_that_cannot_be_built_says_what_is_missing(
    tmp_path: Path, policy: str, says: str
) -> None:
    with pytest.raises(LlmConfigError, match=says):
        container_for(Settings(home=tmp_path, llm=policy)).llm()  # type: ignore[arg-type]
