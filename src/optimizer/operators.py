"""Variation operators: add, remove and rephrase instructions, crossover by section,
settings moves answering the parent's failure reasons, and settings mutation. Every
operator is a pure function of its inputs and ``rng``.

Text operators touch only plain lines (never a line holding Jinja syntax), so a variant
of a valid template stays valid unless a person wrote it otherwise; the guards check
every variant anyway.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace

from arena_core.events.profiles import PromptSection, TeamSettings
from optimizer.genome import Genome, cross_settings, mutate_settings, nudge_settings
from optimizer.library import REPHRASINGS, nudges

TARGET_SECTION = "constraints"
"""The section instructions are added to (created after ``instructions`` if missing)."""
BULLET = "- "


@dataclass(frozen=True)
class Variant:
    """A proposed genome and the operators that made it."""

    genome: Genome
    operators: tuple[str, ...]


def _plain(line: str) -> bool:
    return bool(line.strip()) and "{" not in line and "}" not in line


def _with_section(
    sections: tuple[PromptSection, ...], name: str, text: str
) -> tuple[PromptSection, ...]:
    if any(s.name == name for s in sections):
        return tuple(
            PromptSection(name=s.name, text=text) if s.name == name else s for s in sections
        )
    return (sections[0], PromptSection(name=name, text=text), *sections[1:])


def add_instruction(
    sections: tuple[PromptSection, ...], instruction: str
) -> tuple[PromptSection, ...]:
    """Append ``instruction`` as a bullet of the target section (unless already there)."""
    current = next((s.text for s in sections if s.name == TARGET_SECTION), "")
    if instruction in current:
        return sections
    text = f"{current.rstrip()}\n{BULLET}{instruction}" if current.strip() else BULLET + instruction
    return _with_section(sections, TARGET_SECTION, text)


def remove_instruction(
    sections: tuple[PromptSection, ...], rng: random.Random
) -> tuple[PromptSection, ...]:
    """Drop one added bullet of the target section (the role's own lines stay)."""
    current = next((s.text for s in sections if s.name == TARGET_SECTION), "")
    lines = current.split("\n")
    bullets = [i for i, line in enumerate(lines) if line.startswith(BULLET) and _plain(line)]
    if not bullets:
        return sections
    drop = rng.choice(bullets)
    return _with_section(sections, TARGET_SECTION, "\n".join(lines[:drop] + lines[drop + 1 :]))


def rephrase(sections: tuple[PromptSection, ...], rng: random.Random) -> tuple[PromptSection, ...]:
    """Swap one phrase of one plain line for its counterpart in ``REPHRASINGS``."""
    options = []
    for si, section in enumerate(sections):
        for li, line in enumerate(section.text.split("\n")):
            if not _plain(line):
                continue
            for a, b in REPHRASINGS:
                for old, new in ((a, b), (b, a)):
                    if old in line:
                        options.append((si, li, old, new))
    if not options:
        return sections
    si, li, old, new = rng.choice(options)
    lines = sections[si].text.split("\n")
    lines[li] = lines[li].replace(old, new, 1)
    changed = PromptSection(name=sections[si].name, text="\n".join(lines))
    return (*sections[:si], changed, *sections[si + 1 :])


def crossover(a: Genome, b: Genome, rng: random.Random) -> Genome:
    """Each section (by name, in ``a``'s order, then ``b``'s extras) and each knob from one
    parent or the other."""
    theirs = {s.name: s for s in b.sections}
    mine = {s.name for s in a.sections}
    sections = [theirs.get(s.name, s) if rng.random() < 0.5 else s for s in a.sections]
    sections += [s for s in b.sections if s.name not in mine and rng.random() < 0.5]
    return Genome(tuple(sections), cross_settings(a.settings, b.settings, rng), a.difficulty)


def vary_settings(
    settings: TeamSettings, failures: Sequence[str], rng: random.Random
) -> tuple[TeamSettings, tuple[str, ...]]:
    """The settings of a variant: when the parent's failures call for a move
    (``library.nudges``), one of them (biased towards the most frequent) and a light
    mutation of the other knobs; otherwise the usual mutation. Answers the settings and
    the operators."""
    moves = nudges(failures)
    if moves and rng.random() < 0.75:
        knob, direction = moves[min(int(rng.expovariate(1.0)), len(moves) - 1)]
        nudged = nudge_settings(settings, knob, direction, rng)
        # The light mutation moves the other knobs only: it must not undo the answer.
        mutated = mutate_settings(nudged, rng, rate=0.1)
        return mutated.model_copy(update={knob: getattr(nudged, knob)}), (f"nudge {knob}", "mutate")
    return mutate_settings(settings, rng), ("mutate",)


def propose(
    parent: Genome,
    rng: random.Random,
    instructions: list[str],
    mate: Genome | None = None,
    failures: Sequence[str] = (),
) -> Variant:
    """One variant of ``parent``: crossover with ``mate`` (when given), then one text
    operator and a settings move (``vary_settings``: the parent's ``failures`` decide it).
    ``instructions`` come from ``library.mine``, most relevant first (drawn with a bias
    towards the front)."""
    ops: list[str] = []
    genome = parent
    if mate is not None:
        genome = crossover(genome, mate, rng)
        ops.append("crossover")
    roll = rng.random()
    if roll < 0.5 and instructions:
        pick = instructions[min(int(rng.expovariate(0.7)), len(instructions) - 1)]
        genome = replace(genome, sections=add_instruction(genome.sections, pick))
        ops.append("add")
    elif roll < 0.7:
        genome = replace(genome, sections=remove_instruction(genome.sections, rng))
        ops.append("remove")
    else:
        genome = replace(genome, sections=rephrase(genome.sections, rng))
        ops.append("rephrase")
    settings, moved = vary_settings(genome.settings, failures, rng)
    return Variant(replace(genome, settings=settings), (*ops, *moved))
