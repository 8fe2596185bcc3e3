"""Export the recording as training data: SFT (OpenAI, TRL, Anthropic), GRPO, preferences."""

from arena_core.export.exporter import (
    ExportFilter,
    ExportSummary,
    candidates,
    export,
    export_file,
    reward,
)
from arena_core.export.formats import ExportFormat

__all__ = [
    "ExportFilter",
    "ExportFormat",
    "ExportSummary",
    "candidates",
    "export",
    "export_file",
    "reward",
]
