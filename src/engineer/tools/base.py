"""What every engineer tool shares: strict argument models and sorted-key JSON results.

Results are deterministic for the same inputs (no wall times, no paths), so a recorded
run replays to the same requests.
"""

from __future__ import annotations

from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field


class Args(BaseModel):
    """Tool arguments: unknown fields are an error the model sees."""

    model_config = ConfigDict(extra="forbid")


class DesignArgs(Args):
    design_id: str = Field(description="Id returned by run_cad.")


def as_json(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
