"""The offline engineer: a seeded evolutionary search over the part templates.

Each turn is decided from the conversation alone (the tool calls made so far and their
results), so the same conversation and seed always give the same next turn:

1. refuse with a proof when the spec proves the benchmark impossible;
2. read the skills, then evaluate generations of designs: every genome is decoded by a
   template into a build123d script, run with ``run_cad`` and judged by
   ``simulate_preview`` (free);
3. the fittest designs breed the next generation (blend crossover, Gaussian mutation with
   a shrinking step, one random immigrant), seeded with skills' examples; the breeding
   randomness comes from the benchmark, the job's rollout seed and the generation number,
   so the same benchmark and rollout seed are searched the same way in every run, and
   another rollout seed starts elsewhere and breeds differently;
4. a design that passes every copy with margin is stress-tested, then submitted; after
   the critic accepts, the TODO list is closed and, when the success took at least K
   failures, a skill is written.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from typing import Any

import orjson

from arena_core.events.engineer import SkillContent
from arena_core.events.llm import AssistantBlock, TextBlock, ToolUseBlock
from arena_core.events.profiles import TeamSettings
from arena_core.llm import LlmRequest, tool_use_id
from arena_core.spec import BenchmarkSpec, ReachZone
from engineer.briefs import Task, task_of
from engineer.catalogue import TEMPLATES, decode, templates_for
from engineer.design import Design, Genome
from engineer.policies.history import Call, calls
from engineer.proofs import provable_refusals
from engineer.tools.previews import MAX_DESIGNS

POPULATION = TeamSettings().population
"""Designs simulated per generation (the default of ``TeamSettings.population``); a
generation is one ``simulate_preview`` call, so a larger population is searched
``MAX_DESIGNS`` at a time."""
ELITE = 3
"""Best designs that breed the next generation."""
TIME_MARGIN = TeamSettings().time_margin
"""A copy must reach the goal before this fraction of the time limit (the default of
``TeamSettings.time_margin``)."""


@dataclass(frozen=True)
class Candidate:
    design_id: str
    template: str
    genome: Genome
    report: dict[str, Any]
    limits: tuple[float | None, float | None] = (None, None)
    """The benchmark's cost and mass limits."""

    @property
    def spend(self) -> float:
        """The larger share of the cost and mass limits the design uses (0 without limits)."""
        shares = [
            float(self.report.get(key) or 0.0) / limit
            for key, limit in zip(("cost", "mass_kg"), self.limits, strict=True)
            if limit
        ]
        return max(shares, default=0.0)

    @property
    def fitness(self) -> float:
        r = self.report
        score = 2.0 * float(r.get("success_rate", 0.0))
        score -= 0.5 * bool(r.get("violations"))
        score -= 0.5 * min(float(r.get("distance_to_goal_m") or 0.0), 1.0)
        # Over the limits costs in proportion (so breeding walks back under them); under
        # them, a leaner design is slightly preferred.
        score -= 1.5 * min(max(self.spend - 1.0, 0.0), 1.0) + 0.05 * min(self.spend, 1.0)
        return score + (0.3 if r.get("passed") else 0.0)


def good(spec: BenchmarkSpec, report: dict[str, Any], margin: float = TIME_MARGIN) -> bool:
    """Passed on every copy, within limits, and (for reach goals) with time to spare."""
    if not report.get("passed") or report.get("violations"):
        return False
    worst = report.get("worst_time_to_goal_s")
    return not isinstance(spec.goal, ReachZone) or (
        worst is not None and worst <= margin * spec.duration_s
    )


class _Turn:
    def __init__(self, request: LlmRequest) -> None:
        self.request = request
        self.blocks: list[AssistantBlock] = []
        self.uses = 0

    def say(self, text: str) -> None:
        self.blocks.append(TextBlock(text=text))

    def use(self, name: str, arguments: dict[str, Any]) -> None:
        self.blocks.append(
            ToolUseBlock(id=tool_use_id(self.request, self.uses), name=name, input=arguments)
        )
        self.uses += 1

    def end(self, text: str) -> list[AssistantBlock]:
        return [*self.blocks, TextBlock(text=text)]


def search_rng(spec: BenchmarkSpec, generation: int, rollout_seed: int = 0) -> random.Random:
    """The breeding randomness of one generation: a function of the benchmark and the
    rollout seed alone, so a rollout is searched the same way in every run (ids and
    timestamps play no part)."""
    digest = hashlib.sha256(orjson.dumps(spec.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS))
    rollout = f"/{rollout_seed}" if rollout_seed else ""
    return random.Random(f"{digest.hexdigest()}{rollout}/{generation}")


def engineer_decider(request: LlmRequest, rng: random.Random) -> list[AssistantBlock]:
    task = task_of(request.messages)
    spec = task.spec
    history = calls(request)
    turn = _Turn(request)
    items = [i.id for i in task.items]
    knobs = task.settings

    if not history:
        if items:
            turn.use(
                "update_todo", {"item_id": items[0], "status": "in_progress", "note": "started"}
            )
        proofs = provable_refusals(spec)
        if proofs:
            turn.say(f"This benchmark cannot be solved: {proofs[0].argument}")
            turn.use("refuse", {"proof": proofs[0].model_dump(mode="json")})
            return turn.blocks
        if knobs.use_skills:
            turn.say("Looking for skills from earlier benchmarks before designing.")
            turn.use("read_skills", {"query": f"{spec.family} {spec.goal.kind}"})
        if turn.blocks:
            return turn.blocks

    refusals = [c for c in history if c.name == "refuse" and not c.is_error]
    if refusals and refusals[-1].result.get("decision") == "accept":
        return turn.end("The refusal was accepted.")

    submits = [c for c in history if c.name == "submit"]
    accepted = [c for c in submits if not c.is_error and c.result.get("decision") == "accept"]
    if accepted:
        return _close(turn, task, history, submits, accepted[-1])
    if len(submits) >= task.max_submissions:
        return turn.end("No submissions left; the benchmark stays unsolved.")

    genomes = _genomes(history)
    evaluated, stressed = _evaluations(history, genomes, spec)
    submitted = {c.input.get("design_id") for c in submits}
    used = sum(len(c.input.get("design_ids", [])) for c in history if c.name == "simulate_preview")
    left = min(task.max_sim_calls, knobs.max_tool_calls) - used - 2 * len(submits)

    ready = sorted(
        (
            c
            for c in evaluated.values()
            if good(spec, c.report, knobs.time_margin) and c.design_id not in submitted
        ),
        key=lambda c: (-c.fitness, c.design_id),
    )
    for candidate in ready:
        stress = stressed.get(candidate.design_id)
        if stress is None and left >= 1 and knobs.stress_test:
            turn.say(f"{candidate.design_id} passes every copy; stress-testing it.")
            turn.use("simulate_preview", {"design_ids": [candidate.design_id], "stress": True})
            return turn.blocks
        if stress is None or good(spec, stress, knobs.time_margin):
            turn.say(f"Submitting {candidate.design_id} ({candidate.template}).")
            turn.use("submit", {"design_id": candidate.design_id})
            return turn.blocks
    if left < 2:
        return turn.end("The simulation budget is spent without a robust design.")

    generation = sum(
        1 for c in history if c.name == "simulate_preview" and not c.input.get("stress")
    )
    if generation >= knobs.generations:
        return turn.end(f"{generation} generations searched without a robust design.")
    designs = _breed(
        spec,
        _skill_seeds(history, spec),
        evaluated,
        generation,
        search_rng(spec, generation, request.parameters.seed or 0),
        min(knobs.population, left, MAX_DESIGNS),
        request.parameters.seed or 0,
    )
    if not designs:
        return turn.end("No legal design fits this build zone and process.")
    turn.say(
        f"Generation {generation}: simulating {len(designs)} designs"
        + (f"; best so far {max(c.fitness for c in evaluated.values()):.2f}." if evaluated else ".")
    )
    for design in designs:
        notes = orjson.dumps({"template": design.template, "genome": list(design.genome)}).decode()
        turn.use(
            "run_cad", {"code": design.code(), "placements": design.placements(), "notes": notes}
        )
    turn.use("simulate_preview", {"design_ids": [d.design_id for d in designs]})
    return turn.blocks


def _genomes(history: list[Call]) -> dict[str, tuple[str, Genome]]:
    found = {}
    for c in history:
        if (
            c.name == "run_cad"
            and not c.is_error
            and isinstance(c.result, dict)
            and c.result.get("ok")
        ):
            try:
                notes = orjson.loads(c.input.get("notes") or "{}")
                found[c.result["design_id"]] = (notes["template"], tuple(notes["genome"]))
            except (orjson.JSONDecodeError, KeyError, TypeError):
                continue
    return found


def _evaluations(
    history: list[Call], genomes: dict[str, tuple[str, Genome]], spec: BenchmarkSpec
) -> tuple[dict[str, Candidate], dict[str, dict[str, Any]]]:
    limits = (spec.constraints.max_cost, spec.constraints.max_mass)
    evaluated: dict[str, Candidate] = {}
    stressed: dict[str, dict[str, Any]] = {}
    for c in history:
        if c.name != "simulate_preview" or c.is_error or not isinstance(c.result, list):
            continue
        for report in c.result:
            did = report["design_id"]
            if c.input.get("stress"):
                stressed[did] = report
            elif did in genomes:
                template, genome = genomes[did]
                evaluated[did] = Candidate(did, template, genome, report, limits)
    return evaluated, stressed


def _skill_seeds(history: list[Call], spec: BenchmarkSpec) -> list[tuple[str, Genome]]:
    seeds = []
    allowed = set(templates_for(spec))
    for c in history:
        if c.name != "read_skills" or c.is_error or not isinstance(c.result, list):
            continue
        for skill in c.result:
            try:
                example = orjson.loads(str(skill.get("example", "")).splitlines()[0])
                template, genome = example["template"], tuple(float(g) for g in example["genome"])
            except (orjson.JSONDecodeError, KeyError, IndexError, TypeError, ValueError):
                continue
            if template in allowed and len(genome) == TEMPLATES[template][1]:
                seeds.append((template, genome))
    return seeds


def _random(template: str, rng: random.Random) -> Genome:
    return tuple(rng.random() for _ in range(TEMPLATES[template][1]))


def _start(template: str, rng: random.Random, rollout_seed: int) -> Genome:
    centre = tuple(0.5 for _ in range(TEMPLATES[template][1]))
    if not rollout_seed:
        return centre
    return tuple(c + rng.gauss(0.0, 0.2) for c in centre)


def _clip(genome: list[float]) -> Genome:
    return tuple(round(min(max(g, 0.0), 1.0), 4) for g in genome)


def _breed(
    spec: BenchmarkSpec,
    seeds: list[tuple[str, Genome]],
    evaluated: dict[str, Candidate],
    generation: int,
    rng: random.Random,
    size: int,
    rollout_seed: int = 0,
) -> list[Design]:
    """The next generation's designs, all legal and new.

    The first generation starts from the skills' examples and one design per template:
    the centre of its parameter space for rollout 0, a point drawn around the centre for
    any other rollout."""
    templates = templates_for(spec)
    known = set(evaluated)
    chosen: list[Design] = []

    def offer(template: str, genome: Genome) -> None:
        genome = _clip(list(genome))
        design = decode(spec, template, genome)
        if design is None:
            return
        if design.design_id in known:
            return
        known.add(design.design_id)
        chosen.append(design)

    parents = sorted(evaluated.values(), key=lambda c: (-c.fitness, c.design_id))[:ELITE]
    if generation == 0 or not parents:
        for template, genome in seeds:
            offer(template, genome)
        for template in templates:
            offer(template, _start(template, rng, rollout_seed))
    sigma = max(0.05, 0.3 * 0.75**generation)
    for _ in range(60 * size):
        if len(chosen) >= size:
            break
        if not parents or (len(chosen) == size - 1 and generation > 0) or rng.random() < 0.15:
            template = templates[0] if rng.random() < 0.75 else rng.choice(templates)
            offer(template, _random(template, rng))
            continue
        a = rng.choice(parents)
        mates = [p for p in parents if p.template == a.template]
        b = rng.choice(mates)
        mix = [
            x + rng.uniform(-0.25, 1.25) * (y - x) for x, y in zip(a.genome, b.genome, strict=True)
        ]
        offer(a.template, tuple(g + rng.gauss(0.0, sigma) for g in mix))
    return chosen[:size]


def _close(
    turn: _Turn, task: Task, history: list[Call], submits: list[Call], accepted: Call
) -> list[AssistantBlock]:
    after = history[history.index(accepted) + 1 :]
    if any(c.name in ("update_todo", "write_skill") for c in after):
        return turn.end("The design was accepted; the TODO list is closed.")
    for item in task.items:
        turn.use(
            "update_todo", {"item_id": item.id, "status": "done", "note": "accepted by the critic"}
        )
    failures = sum(
        1
        for c in history
        if c.name == "simulate_preview" and not c.is_error and isinstance(c.result, list)
        for r in c.result
        if not r.get("passed")
    ) + sum(1 for c in submits if not c.is_error and c.result.get("decision") != "accept")
    if failures >= task.skill_min_failures:
        did = accepted.input["design_id"]
        template, genome = _genomes(history).get(did, ("", ()))
        code = next(
            (
                orjson.dumps(
                    {"code": c.input["code"], "placements": c.input.get("placements", [])}
                ).decode()
                for c in history
                if c.name == "run_cad"
                and isinstance(c.result, dict)
                and c.result.get("design_id") == did
            ),
            "",
        )
        spec = task.spec
        process = spec.constraints.process.process.value if spec.constraints.process else "any"
        skill = SkillContent(
            title=f"{template} for {spec.family}",
            when_to_use=f"{spec.goal.kind} benchmarks of the {spec.family} family ({process}).",
            steps=(
                f"Start the search from this {template} genome.",
                "Check every jittered copy with simulate_preview, then stress-test.",
                "Submit only a design that passes the stress test with time to spare.",
            ),
            example=orjson.dumps({"template": template, "genome": list(genome)}).decode()
            + "\n"
            + code,
            tags=(spec.family, spec.goal.kind, template),
        )
        turn.say(f"Accepted after {failures} failed attempts: recording a skill.")
        turn.use("write_skill", {"skill": skill.model_dump(mode="json")})
    return turn.blocks
