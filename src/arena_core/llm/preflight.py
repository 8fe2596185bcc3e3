"""Checked before a command starts anything: can the selected policy answer at all?

    check_llm(settings)   # LlmUnavailable (one line: what is wrong, where, what to do)

Only the ``anthropic`` policy has something to check: a key, and a Messages API that
answers at its base URL within a few seconds. The probe is one unauthenticated GET of
the base URL (any HTTP answer will do); the key is never sent, printed or logged.
"""

from __future__ import annotations

import httpx

from arena_core.llm.errors import LlmConfigError
from arena_core.llm.factory import policy_name
from arena_core.settings import Settings

DEFAULT_BASE_URL = "https://api.anthropic.com"
"""Where the anthropic SDK sends calls when ``ARENA_ANTHROPIC_BASE_URL`` is unset."""


class LlmUnavailable(LlmConfigError):
    """The selected policy cannot answer: no key, or its API does not answer."""


def check_llm(settings: Settings, *, timeout_s: float = 5.0) -> None:
    """Raise ``LlmUnavailable`` unless the settings' policy can be asked."""
    if policy_name(settings) != "anthropic":
        return
    if settings.anthropic_api_key is None:
        raise LlmUnavailable(
            "--llm anthropic needs ANTHROPIC_API_KEY: export it, or use --llm offline"
        )
    url = settings.anthropic_base_url or DEFAULT_BASE_URL
    try:
        httpx.get(url, timeout=timeout_s, follow_redirects=False)
    except httpx.HTTPError as exc:
        raise LlmUnavailable(
            f"the Messages API at {url} does not answer ({type(exc).__name__}); check "
            "ARENA_ANTHROPIC_BASE_URL and the network, or use --llm offline"
        ) from None
