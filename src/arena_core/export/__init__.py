"""Export the recording as training data: SFT (OpenAI, TRL, Anthropic), GRPO, preferences,
raw events. One module per format (``formats`` is the registry); rewards in ``rewards``."""

from arena_core.export.filters import ExportFilter, ExportSummary, SkipCause
from arena_core.export.formats import FORMATS, SFT_FORMATS, ExportFormat
from arena_core.export.rewards import RewardInputs, inputs_of, reward
from arena_core.export.writer import ExportPathError, count, export, export_file

__all__ = [
    "FORMATS",
    "SFT_FORMATS",
    "ExportFilter",
    "ExportFormat",
    "ExportPathError",
    "ExportSummary",
    "RewardInputs",
    "SkipCause",
    "count",
    "export",
    "export_file",
    "inputs_of",
    "reward",
]
