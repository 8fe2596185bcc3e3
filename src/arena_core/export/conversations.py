"""Whole conversations of the recording, one at a time, with their rewards.

One streaming scan reads every turn's sequences, job state and outcome (not its JSON)
and checks continuity; the request and answer of each conversation's final answered turn,
the only JSON a row needs, are then read by primary key for a chunk of conversations at a
time and decoded once, as plain JSON (``recorded``: validated when recorded).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import orjson
from sqlalchemy import Connection, Engine, bindparam, case, func, literal, select

from arena_core.db.chat import call
from arena_core.db.projections import FAILED_STOP_PREFIX
from arena_core.db.tables import turns
from arena_core.export.filters import ExportFilter, ExportSummary, Progress, SkipCause, turn_filters
from arena_core.export.jobs import jobs_of, outcome, run_states
from arena_core.export.recorded import AnswerJson, RequestDecoder, RequestJson
from arena_core.export.rewards import RewardInputs, inputs_of, reward
from arena_core.replay.conversations import check_continuity

T = TypeVar("T")

CHUNK = 256
"""Conversations whose final request and answer are read together in one query."""


@dataclass(frozen=True)
class Source:
    """Where a rollout comes from, besides its request and answer."""

    run_id: str
    """Run of the conversation."""
    conversation_id: str
    """The conversation."""
    correlation_id: str
    """The job (or thread) the conversation served."""
    agent_role: str
    """Role of the agent."""
    outcome: str | None
    """``success`` / ``failure`` of the job (else run); None while open."""
    seqs: tuple[int, ...]
    """Sequences of every recorded request and answer of the conversation."""
    reward: float | None
    """The rollout's reward (see ``rewards``); None without one."""
    reward_inputs: RewardInputs | None
    """What the reward was computed from."""
    prompt_hash: str | None = None
    """``request_hash`` of the conversation's first call: rollouts of one prompt share it."""


@dataclass(frozen=True)
class Rollout:
    """One whole conversation: its final answered request, the answer, and its source."""

    request: RequestJson
    """The final answered call (its messages hold the whole history before the answer)."""
    answer: AnswerJson
    """The answer to it."""
    source: Source
    """Where it comes from and its reward."""


def provenance(rollout: Rollout) -> dict[str, Any]:
    """Where a row came from: enough to find every recorded message behind it."""
    return described(rollout.source, call(rollout.request, rollout.answer))


def described(source: Source, of_call: dict[str, Any]) -> dict[str, Any]:
    """The provenance of a row: its source, and what ``call`` says of the call behind it."""
    return {
        "run_id": source.run_id,
        "conversation_id": source.conversation_id,
        "job_id": source.correlation_id,
        "agent_role": source.agent_role,
        **of_call,
        "outcome": source.outcome,
        "reward": source.reward,
        "reward_inputs": source.reward_inputs.as_json() if source.reward_inputs else None,
        "seqs": list(source.seqs),
    }


def count(engine: Engine, flt: ExportFilter) -> int:
    """How many conversations ``rollouts`` will look at."""
    with engine.connect() as conn:
        q = select(func.count(func.distinct(turns.c.conversation_id))).where(*turn_filters(flt))
        return int(conn.execute(q).scalar_one())


Reader = Callable[[Connection, list[tuple[int, Source]]], Iterator[T]]
"""Reads the rows of a chunk of conversations from their final answered turns (by
``request_seq``), in the chunk's order."""


def rollouts(
    engine: Engine,
    flt: ExportFilter,
    summary: ExportSummary,
    progress: Progress,
    *,
    prompt_hashes: bool = False,
) -> Iterator[Rollout]:
    """Every whole conversation that passes ``flt``, in conversation id order (with
    ``prompt_hashes``, each knows the ``request_hash`` of its first call)."""
    decode = RequestDecoder()
    return finals(
        engine, flt, summary, progress,
        lambda conn, pending: decoded(conn, pending, decode), prompt_hashes=prompt_hashes,
    )  # fmt: skip


def finals(
    engine: Engine,
    flt: ExportFilter,
    summary: ExportSummary,
    progress: Progress,
    read: Reader[T],
    *,
    prompt_hashes: bool = False,
) -> Iterator[T]:
    """What ``read`` makes of every whole conversation that passes ``flt``, in
    conversation id order, a chunk at a time."""
    # A redriven run reuses its source's conversation ids: a conversation is one run's.
    order = [turns.c.conversation_id, turns.c.run_id, turns.c.request_seq]
    where = turn_filters(flt)
    query = (
        select(
            turns.c.conversation_id, turns.c.turn_index, turns.c.request_seq,
            turns.c.response_seq, turns.c.stop_reason, turns.c.run_id, turns.c.agent_role,
            turns.c.correlation_id,
            (_first_request_hash() if prompt_hashes else literal(None)).label("prompt"),
        )
        .where(*where)
        .order_by(*order)
    )  # fmt: skip
    pending: list[tuple[int, Source]] = []
    group: list[Any] = []
    with engine.connect() as conn:
        scan = conn.execution_options(stream_results=True, yield_per=2000).execute(query)
        # Read while the scan is open, from the snapshot it sees (as are final turns): the
        # jobs and runs of a superset of its conversations (no JSON read for --policy).
        cheap = turn_filters(replace(flt, policy=None))
        served = _Served(
            jobs_of(conn, select(turns.c.correlation_id).where(*cheap)),
            run_states(conn, select(turns.c.run_id).where(*cheap)),
        )
        for row in scan:
            if group and (row[0], row[5]) != (group[0][0], group[0][5]):
                progress(1)
                _check(group, flt, summary, pending, served)
                group = []
                if len(pending) >= CHUNK:
                    yield from read(conn, pending)
                    pending = []
            group.append(row)
        if group:
            progress(1)
            _check(group, flt, summary, pending, served)
        if pending:
            yield from read(conn, pending)


def _first_request_hash() -> Any:
    """On a conversation's first call, its ``request_hash`` (read from that call's JSON
    only: the scan reaches every conversation's first call anyway)."""
    return case((turns.c.turn_index == 0, func.json_extract(turns.c.request, "$.request_hash")))


@dataclass
class _Served:
    """The jobs and runs the scanned conversations serve, and reward inputs built so far."""

    jobs: dict[str, tuple[str, str, str | None]]
    """By job id: state, kind, folded reward inputs."""
    runs: dict[str, str]
    """By run id: status."""
    rewards: dict[str, RewardInputs] = field(default_factory=dict)
    """By job id: its reward inputs (many conversations serve one job)."""


def _check(
    rows: list[Any],
    flt: ExportFilter,
    summary: ExportSummary,
    pending: list[tuple[int, Source]],
    served: _Served,
) -> None:
    """Check one conversation's turns; queue its final answered turn for export."""
    cid, _, _, _, _, run_id, agent_role, correlation_id = rows[0][:8]
    job_state, job_kind, folded = served.jobs.get(correlation_id, (None, None, None))
    run_state = served.runs.get(run_id)
    prompt = next((r[8] for r in rows if r[1] == 0), None)
    job_outcome = outcome(job_state if job_state is not None else run_state)
    if flt.outcome and job_outcome != flt.outcome:
        summary.skip(SkipCause.filtered)
        return
    if not _whole(rows):
        issues = check_continuity(cid, [(r[1], r[2], r[3]) for r in rows])
        # A last call still waiting for its answer is not a defect: export up to it.
        last_index = rows[-1][1]
        issues = [i for i in issues if i.kind != "unanswered" or i.turn_index != last_index]
        if issues:
            summary.skip(SkipCause.broken)
            summary.issues.extend(issues)
            return
    final = None
    seqs: list[int] = []
    for r in rows:
        seqs.append(r[2])
        if r[3] is not None:
            seqs.append(r[3])
            if not (r[4] or "").startswith(FAILED_STOP_PREFIX):
                final = r[2]
    if final is None:
        summary.skip(SkipCause.unanswered)
        return
    inputs = None
    if job_state is not None and job_kind is not None:
        inputs = served.rewards.get(correlation_id)
        if inputs is None:
            inputs = served.rewards[correlation_id] = inputs_of(
                correlation_id, job_kind, job_state, folded
            )
    value = reward(inputs) if inputs is not None else None
    if inputs is not None and inputs.infrastructure is not None:
        summary.infrastructure += 1
    if flt.min_reward is not None and (value is None or value < flt.min_reward):
        infra = inputs is not None and inputs.infrastructure is not None
        summary.skip(SkipCause.infrastructure if infra else SkipCause.below_min_reward)
        return
    pending.append(
        (final, Source(run_id=run_id, conversation_id=cid, correlation_id=correlation_id,
                       agent_role=agent_role, outcome=job_outcome, seqs=tuple(seqs),
                       reward=value, reward_inputs=inputs, prompt_hash=prompt))
    )  # fmt: skip


def _whole(rows: list[Any]) -> bool:
    """Turns 0, 1, 2, ... in recording order, each answered but maybe the last: the
    common case, which ``check_continuity`` would find no issue in."""
    last = len(rows) - 1
    return all(r[1] == i and (r[3] is not None or i == last) for i, r in enumerate(rows))


_FINAL = select(turns.c.request_seq, turns.c.request, turns.c.response).where(
    turns.c.request_seq.in_(bindparam("seqs", expanding=True))
)


def decoded(
    conn: Connection, pending: list[tuple[int, Source]], decode: RequestDecoder
) -> Iterator[Rollout]:
    """The rollouts of ``pending``, their final request and answer read and decoded."""
    if not pending:
        return
    seqs = {"seqs": [seq for seq, _ in pending]}
    stored = {seq: (request, response) for seq, request, response in conn.execute(_FINAL, seqs)}
    for seq, source in pending:
        request, response = stored[seq]
        yield Rollout(decode(request), orjson.loads(response), source)
