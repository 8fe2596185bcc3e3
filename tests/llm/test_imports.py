"""Importing the LLM layer stays cheap for processes that never call Claude."""

from __future__ import annotations

import subprocess
import sys


def test_the_anthropic_sdk_loads_only_when_the_anthropic_policy_is_built() -> None:
    probe = "import sys, arena_core.container, arena_core.llm; print('anthropic' in sys.modules)"

    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"
