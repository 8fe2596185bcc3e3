"""The instruction library: lines the text operators add, mined from failure reasons.

Each entry pairs words that appear in the simulator's and critic's reasons with an
instruction answering them; ``mine`` returns the instructions whose words the recorded
reasons contain, most frequent first, then the general ones.

The offline team reads its settings, not its prompt's prose, so reasons are also mined
for settings moves (``NUDGES``): a search that spent its simulations without a robust
design gets more of them, or else breeds smaller generations (more of them fit the
budget), one that ran out of
generations gets more, a fragile or late design gets a stricter margin and the stress
test. ``nudges`` returns them most frequent first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

RULES: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("time", "late", "slow", "within"),
        "Prefer designs that reach the goal well before the time limit; check the worst copy.",
    ),
    (
        ("cost", "budget", "price", "expensive"),
        "Keep the design's cost well under the budget: fewer, thinner parts first.",
    ),
    (
        ("mass", "weight", "heavy"),
        "Keep the mass under the limit: choose a lighter material before a smaller part.",
    ),
    (
        ("interpenetration", "overlap", "collid", "intersect"),
        "Leave clearance between new parts and the scene: nothing may overlap at t=0.",
    ),
    (
        ("zone", "outside", "placement", "bounds"),
        "Keep every part entirely inside the build zone, with a small margin at its faces.",
    ),
    (
        ("stress", "robust", "copies", "jitter", "copy"),
        "A design must pass every jittered copy: stress-test it before you submit.",
    ),
    (
        ("simulation", "budget is spent", "left", "spent"),
        "Spend simulations on the most promising designs; do not re-test equivalent ones.",
    ),
    (
        ("process", "manufactur", "printable", "cnc", "thickness"),
        "Respect the manufacturing process: minimum wall thickness and the machine's size.",
    ),
    (
        ("unstable", "energy", "nan"),
        "Avoid fragile contacts: rest parts on wide faces so the scene stays stable.",
    ),
    (
        ("refus", "impossible", "proof"),
        "Refuse only with a proof that the cheapest feasible design breaks a limit.",
    ),
)
"""(words in a reason, the instruction that answers it)."""

GENERAL: tuple[str, ...] = (
    "Read the spec's limits before the first design and state which one binds.",
    "Start from the simplest design that could work; add parts only when it fails.",
    "After each failed simulation, name the failure before changing the design.",
    "Answer every critic reason with a concrete change to the design.",
)
"""Instructions offered whatever failed."""

REPHRASINGS: tuple[tuple[str, str], ...] = (
    ("Prefer", "Favour"),
    ("Keep", "Hold"),
    ("before", "ahead of"),
    ("must", "has to"),
    ("design", "solution"),
    ("Check", "Verify"),
    ("well under", "clearly below"),
)
"""Word swaps the rephrase operator draws from (both directions)."""


def triggered(rules: Sequence[tuple[tuple[str, ...], object]], reasons: Iterable[str]) -> list[int]:
    """Indexes of the rules whose words occur in the reasons, the most often triggered
    first (ties in rule order)."""
    counts: Counter[int] = Counter()
    for reason in reasons:
        text = reason.lower()
        for i, (words, _) in enumerate(rules):
            if any(w in text for w in words):
                counts[i] += 1
    return sorted(counts, key=lambda i: (-counts[i], i))


def mine(reasons: Iterable[str]) -> list[str]:
    """Instructions for these failure reasons, the most often triggered first, then the
    general ones (each once)."""
    return [RULES[i][1] for i in triggered(RULES, reasons)] + [g for g in GENERAL]


NUDGES: tuple[tuple[tuple[str, ...], tuple[tuple[str, int], ...]], ...] = (
    (
        ("simulation budget is spent", "simulations left"),
        (("max_tool_calls", 1), ("population", -1)),
    ),
    (("generations searched",), (("generations", 1), ("population", -1))),
    (
        ("fragile", "stress copies", "no submissions left"),
        (("stress_test", 1), ("time_margin", -1)),
    ),
    (("too late", "time limit", "before the time"), (("time_margin", -1),)),
    (("turns",), (("max_steps", 1),)),
)
"""(words in a reason, the settings moves that answer it: knob and direction)."""


def nudges(reasons: Iterable[str]) -> list[tuple[str, int]]:
    """Settings moves for these failure reasons, the most often triggered first (each
    once)."""
    ranked = triggered(NUDGES, reasons)
    return list(dict.fromkeys(move for i in ranked for move in NUDGES[i][1]))
