"""Model prices (USD per million tokens) and the cost of a call."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from arena_core.events.llm import LlmFailureReason, Usage
from arena_core.llm.errors import LlmError

_PER_TOKEN = 1e-6


class ModelPrice(BaseModel):
    """Prices of one model in US dollars per million tokens."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    input: float = Field(ge=0)
    """Uncached input tokens."""
    output: float = Field(ge=0)
    """Generated tokens."""
    cache_read: float = Field(ge=0)
    """Input tokens read from the prompt cache."""
    cache_write: float = Field(ge=0)
    """Input tokens written to the prompt cache (5-minute cache)."""

    def cost(self, usage: Usage) -> float:
        return round(
            _PER_TOKEN
            * (
                usage.input_tokens * self.input
                + usage.output_tokens * self.output
                + usage.cache_read_tokens * self.cache_read
                + usage.cache_write_tokens * self.cache_write
            ),
            12,
        )


class PriceTable:
    """Prices by model name; a dated id (``claude-sonnet-4-5-20250929``) uses its family's."""

    def __init__(self, prices: Mapping[str, ModelPrice]) -> None:
        self._prices = dict(prices)

    def for_model(self, model: str) -> ModelPrice:
        """The price of ``model``: exact name, else the longest listed prefix of it."""
        if model in self._prices:
            return self._prices[model]
        prefixes = [name for name in self._prices if model.startswith(name + "-")]
        if not prefixes:
            raise LlmError(
                LlmFailureReason.unknown_model,
                f"no price for model {model!r}; known: {', '.join(sorted(self._prices))}",
            )
        return self._prices[max(prefixes, key=len)]

    def cost(self, model: str, usage: Usage) -> float:
        return self.for_model(model).cost(usage)

    def __contains__(self, model: object) -> bool:
        if not isinstance(model, str):
            return False
        try:
            self.for_model(model)
        except LlmError:
            return False
        return True


def _price(input: float, output: float) -> ModelPrice:
    # Anthropic bills cache writes at 1.25x and cache reads at 0.1x the input price.
    return ModelPrice(input=input, output=output, cache_read=input * 0.1, cache_write=input * 1.25)


DEFAULT_PRICES = PriceTable(
    {
        "claude-opus-5": _price(5.0, 25.0),
        "claude-opus-4-8": _price(5.0, 25.0),
        "claude-opus-4-7": _price(5.0, 25.0),
        "claude-opus-4-6": _price(5.0, 25.0),
        "claude-opus-4-5": _price(5.0, 25.0),
        "claude-opus-4-1": _price(15.0, 75.0),
        "claude-opus-4": _price(15.0, 75.0),
        "claude-sonnet-4-6": _price(3.0, 15.0),
        "claude-sonnet-4-5": _price(3.0, 15.0),
        "claude-sonnet-4": _price(3.0, 15.0),
        "claude-3-7-sonnet": _price(3.0, 15.0),
        "claude-haiku-4-5": _price(1.0, 5.0),
        "claude-3-5-haiku": _price(0.8, 4.0),
    }
)
"""Anthropic list prices (5-minute cache) of the Claude models agents use; pass a
``PriceTable`` of your own for other models or negotiated prices."""
