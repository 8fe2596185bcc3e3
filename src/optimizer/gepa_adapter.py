"""GEPA (the ``gepa`` package) driving Arena's engineer genome, for comparisons at an
equal budget: a candidate is a genome (its prompt sections and its settings as JSON
text), a data instance a benchmark id, the score of one solve 1 if solved, and the
reflection step Arena's own failure-driven proposer (instructions mined from the
failure reasons, rephrasing, the settings moves those reasons call for and settings
mutation: ``operators.vary_settings``, as in the loop; the same guards as the loop).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from gepa.core.adapter import EvaluationBatch

from arena_core.events.profiles import PromptSection, TeamSettings
from arena_core.profiles import join_sections
from optimizer.evaluate import Solve
from optimizer.genome import Genome
from optimizer.guards import guard
from optimizer.library import mine
from optimizer.operators import add_instruction, rephrase, vary_settings

Measure = Callable[[Genome, list[str]], list[Solve]]
"""Solves of a genome on benchmarks (each one a metric call of the method)."""

COMPONENTS = ("instructions", "constraints", "examples", "settings")


def to_candidate(genome: Genome) -> dict[str, str]:
    texts = {s.name: s.text for s in genome.sections}
    candidate = {name: texts.get(name, "") for name in COMPONENTS[:-1]}
    candidate["settings"] = genome.settings.model_dump_json()
    return candidate


def from_candidate(candidate: dict[str, str]) -> Genome:
    sections = tuple(
        PromptSection(name=name, text=candidate.get(name, "")) for name in COMPONENTS[:-1]
    )
    return Genome(sections, TeamSettings.model_validate_json(candidate["settings"]))


class ArenaAdapter:
    """GEPA's view of the engineer: a candidate is a genome; a data instance is a
    benchmark id; the score of one solve is 1 if solved; the proposer is Arena's."""

    def __init__(self, measure: Measure, seed: int) -> None:
        self.measure = measure
        self.rng = random.Random(f"gepa/{seed}")

    def evaluate(
        self, batch: list[str], candidate: dict[str, str], capture_traces: bool = False
    ) -> EvaluationBatch[Any, Any]:
        genome = from_candidate(candidate)
        solves = self.measure(genome, batch)
        return EvaluationBatch(
            outputs=[s.solved for s in solves],
            scores=[1.0 if s.solved else 0.0 for s in solves],
            trajectories=[{"reasons": list(s.reasons), "solved": s.solved} for s in solves]
            if capture_traces
            else None,
        )

    def make_reflective_dataset(
        self, candidate: dict[str, str], eval_batch: EvaluationBatch[Any, Any],
        components_to_update: list[str],
    ) -> dict[str, list[dict[str, Any]]]:  # fmt: skip
        rows = [
            {
                "Inputs": "benchmark",
                "Generated Outputs": str(t["solved"]),
                "Feedback": "solved" if t["solved"] else "; ".join(t["reasons"]) or "unsolved",
            }
            for t in (eval_batch.trajectories or [])
        ]
        return {c: rows for c in components_to_update}

    def propose_new_texts(
        self, candidate: dict[str, str], reflective_dataset: Any, components_to_update: list[str]
    ) -> dict[str, str]:
        """Arena's failure-driven proposer: instructions mined from the feedback's failure
        reasons are added to a text component (or a phrase is rephrased), and the
        settings move as those reasons call for (``vary_settings``); a variant that fails
        the guards keeps the old text."""
        reasons = [
            r["Feedback"] for rows in reflective_dataset.values() for r in rows
            if r["Feedback"] != "solved"
        ]  # fmt: skip
        instructions = mine(reasons)
        genome = from_candidate(candidate)
        new = dict(candidate)
        for component in components_to_update:
            if component == "settings":
                settings, _ = vary_settings(genome.settings, reasons, self.rng)
                new["settings"] = settings.model_dump_json()
                continue
            sections = genome.sections
            if component == "constraints" and instructions and self.rng.random() < 0.6:
                pick = instructions[min(int(self.rng.expovariate(0.7)), len(instructions) - 1)]
                sections = add_instruction(sections, pick)
            else:
                sections = rephrase(sections, self.rng)
            text = next((s.text for s in sections if s.name == component), "")
            trial = replace(genome, sections=sections)
            parent = join_sections(genome.sections)
            if guard("engineer", join_sections(trial.sections), parent).passed:
                new[component] = text
        return new


class Quiet:
    """GEPA's log lines are not this harness's output."""

    def log(self, message: str) -> None:
        return None
