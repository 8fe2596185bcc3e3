"""Export the recording as training data: SFT (OpenAI, TRL, Anthropic), GRPO, preferences,
raw events. One module per format (``formats`` is the registry); rewards in ``rewards``."""

from arena_core.export.filters import ExportFilter, ExportSummary, SkipCause
from arena_core.export.formats import FORMATS, SFT_FORMATS, ExportFormat
from arena_core.export.rewards import RewardInputs, Rewards, reward
from arena_core.export.writer import ExportPathError, count, export, export_file

candidates = count
"""How many units the export will look at (kept name)."""

__all__ = [
    "FORMATS",
    "SFT_FORMATS",
    "ExportFilter",
    "ExportFormat",
    "ExportPathError",
    "ExportSummary",
    "RewardInputs",
    "Rewards",
    "SkipCause",
    "candidates",
    "count",
    "export",
    "export_file",
    "reward",
]
