"""Value objects inside payloads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """Base of the value objects inside payloads: strict (unknown fields rejected) and immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)
