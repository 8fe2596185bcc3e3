"""Streaming export of the recording as training data (constant memory, any size).

Rows are produced one conversation (or prompt group, or event) at a time and written
as JSON lines; a conversation with continuity issues is skipped and reported, never
exported broken.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

import orjson
from sqlalchemy import Connection, Engine, func, select

from arena_core.db.projections import FAILED_STOP_PREFIX
from arena_core.db.tables import jobs, messages, runs, turns
from arena_core.events.llm import LlmCallCompleted, LlmCallRequested
from arena_core.export.formats import (
    SFT_FORMATS,
    AnswerJson,
    ExportFormat,
    RequestJson,
    Source,
    sft_anthropic,
    sft_openai,
    sft_trl,
)
from arena_core.replay.conversations import ContinuityIssue, check_continuity

Outcome = Literal["success", "failure"]

_SUCCESS = {"completed", "succeeded"}
_FAILURE = {"failed", "partial"}


@dataclass(frozen=True)
class ExportFilter:
    """Which recordings an export takes."""

    role: str | None = None
    """Only this agent role."""
    outcome: Outcome | None = None
    """Only conversations whose job (else run) succeeded or failed."""
    since: datetime | None = None
    """Only calls/events at or after this time."""
    run_id: str | None = None
    """Only this run."""


@dataclass
class ExportSummary:
    """What an export wrote and what it left out."""

    rows: int = 0
    """Rows written."""
    skipped: int = 0
    """Conversations or groups left out (broken, unanswered or filtered by outcome)."""
    issues: list[ContinuityIssue] = field(default_factory=list)
    """Continuity issues of the skipped conversations."""


Progress = Callable[[int], None]
Shape = Callable[[RequestJson, AnswerJson, Source], dict[str, Any]]


def candidates(engine: Engine, fmt: ExportFormat, flt: ExportFilter) -> int:
    """How many units (conversations, prompts, events) the export will look at."""
    with engine.connect() as conn:
        if fmt is ExportFormat.events:
            q = select(func.count()).select_from(messages).where(*_message_filters(flt))
        elif fmt is ExportFormat.grpo:
            q = select(
                func.count(func.distinct(func.json_extract(turns.c.request, "$.request_hash")))
            ).where(*_turn_filters(flt))
        elif fmt is ExportFormat.preferences:
            q = (
                select(func.count())
                .select_from(messages)
                .where(messages.c.type == "critic.review.created", *_message_filters(flt))
            )
        else:
            q = select(func.count(func.distinct(turns.c.conversation_id))).where(
                *_turn_filters(flt)
            )
        return int(conn.execute(q).scalar_one())


def _turn_filters(flt: ExportFilter) -> list[Any]:
    out: list[Any] = []
    if flt.role:
        out.append(turns.c.agent_role == flt.role)
    if flt.run_id:
        out.append(turns.c.run_id == flt.run_id)
    if flt.since:
        out.append(turns.c.ts >= flt.since)
    return out


def _message_filters(flt: ExportFilter) -> list[Any]:
    out: list[Any] = []
    if flt.role:
        out.append(messages.c.agent_role == flt.role)
    if flt.run_id:
        out.append(messages.c.run_id == flt.run_id)
    if flt.since:
        out.append(messages.c.ts >= flt.since)
    return out


def outcome_of(engine: Engine, run_id: str, correlation_id: str) -> Outcome | None:
    """``success``/``failure`` of the job a conversation served, else of its run."""
    with engine.connect() as conn:
        state = conn.execute(select(jobs.c.state).where(jobs.c.job_id == correlation_id)).scalar()
        if state is None:
            state = conn.execute(select(runs.c.status).where(runs.c.run_id == run_id)).scalar()
    if state in _SUCCESS:
        return "success"
    if state in _FAILURE:
        return "failure"
    return None


SFT_CHUNK = 256
"""Conversations whose final request and answer are read together in one query."""

_SHAPES: dict[ExportFormat, Shape] = {
    ExportFormat.sft_openai: sft_openai,
    ExportFormat.sft_trl: sft_trl,
    ExportFormat.sft_anthropic: sft_anthropic,
}


def sft_rows(
    engine: Engine, fmt: ExportFormat, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """One row per whole conversation.

    One streaming scan reads every turn's sequences and outcome (not its JSON) and checks
    continuity; the request and answer of each conversation's final turn, the only JSON
    a row needs, are then read by primary key for a chunk of conversations at a time.
    """
    shape = _SHAPES[fmt]
    query = (
        select(
            turns.c.conversation_id, turns.c.turn_index, turns.c.request_seq,
            turns.c.response_seq, turns.c.stop_reason, turns.c.run_id, turns.c.agent_role,
            jobs.c.state, runs.c.status,
        )
        .select_from(
            turns.outerjoin(jobs, jobs.c.job_id == turns.c.correlation_id)
            .outerjoin(runs, runs.c.run_id == turns.c.run_id)
        )
        .where(*_turn_filters(flt))
        .order_by(turns.c.conversation_id, turns.c.request_seq)
    )  # fmt: skip
    pending: list[tuple[int, Source]] = []
    group: list[Any] = []
    with engine.connect() as conn:
        # One connection: the final turns are read from the snapshot the scan sees.
        for row in conn.execution_options(stream_results=True, yield_per=2000).execute(query):
            if group and row[0] != group[0][0]:
                progress(1)
                _sft_group(group, flt, summary, pending)
                group = []
                if len(pending) >= SFT_CHUNK:
                    yield from _sft_chunk(conn, pending, shape)
                    pending = []
            group.append(row)
        if group:
            progress(1)
            _sft_group(group, flt, summary, pending)
        yield from _sft_chunk(conn, pending, shape)


def _outcome(state: str | None) -> Outcome | None:
    if state in _SUCCESS:
        return "success"
    if state in _FAILURE:
        return "failure"
    return None


def _sft_group(
    rows: list[Any], flt: ExportFilter, summary: ExportSummary, pending: list[tuple[int, Source]]
) -> None:
    """Check one conversation's turns; queue its final answered turn for export."""
    cid, _, _, _, _, run_id, agent_role, job_state, run_state = rows[0]
    outcome = _outcome(job_state if job_state is not None else run_state)
    if flt.outcome and outcome != flt.outcome:
        summary.skipped += 1
        return
    if not _whole(rows):
        issues = check_continuity(cid, [(r[1], r[2], r[3]) for r in rows])
        # A last call still waiting for its answer is not a defect: export up to it.
        last_index = rows[-1][1]
        issues = [i for i in issues if i.kind != "unanswered" or i.turn_index != last_index]
        if issues:
            summary.skipped += 1
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
        summary.skipped += 1
        return
    pending.append(
        (final, Source(run_id=run_id, conversation_id=cid, agent_role=agent_role,
                       outcome=outcome, seqs=seqs))
    )  # fmt: skip


def _whole(rows: list[Any]) -> bool:
    """Turns 0, 1, 2, ... in recording order, each answered but maybe the last: the
    common case, which ``check_continuity`` would find no issue in."""
    last = len(rows) - 1
    return all(r[1] == i and (r[3] is not None or i == last) for i, r in enumerate(rows))


def _sft_chunk(
    conn: Connection, pending: list[tuple[int, Source]], shape: Shape
) -> Iterator[dict[str, Any]]:
    if not pending:
        return
    stored = {
        seq: (request, response)
        for seq, request, response in conn.execute(
            select(turns.c.request_seq, turns.c.request, turns.c.response).where(
                turns.c.request_seq.in_([seq for seq, _ in pending])
            )
        )
    }
    for seq, source in pending:
        request, response = stored[seq]
        yield shape(orjson.loads(request), orjson.loads(response), source)


def event_rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(messages.c.seq, messages.c.subject, messages.c.valid, messages.c.body,
                       messages.c.error_reason, messages.c.run_id, messages.c.agent_role)
                .where(messages.c.seq > last, *_message_filters(flt))
                .order_by(messages.c.seq)
                .limit(2000)
            ).all()  # fmt: skip
        if not rows:
            return
        for r in rows:
            progress(1)
            yield {
                "seq": r.seq,
                "subject": r.subject,
                "valid": r.valid,
                "envelope": orjson.loads(r.body) if r.valid else None,
                "raw": None if r.valid else r.body.decode(errors="backslashreplace"),
                "error_reason": r.error_reason,
                "provenance": {"run_id": r.run_id, "seqs": [r.seq], "agent_role": r.agent_role},
            }
        last = rows[-1].seq


def spec_hash(spec: Any) -> str:
    """SHA-256 of a benchmark spec's canonical JSON (sorted keys)."""
    return hashlib.sha256(orjson.dumps(spec, option=orjson.OPT_SORT_KEYS)).hexdigest()


def reward_inputs(engine: Engine, run_id: str, correlation_id: str) -> dict[str, Any]:
    """The simulation verdict a completion led to, with what is needed to recompute it."""
    with engine.connect() as conn:
        verdict = conn.execute(
            select(messages.c.body, messages.c.causation_id)
            .where(
                messages.c.run_id == run_id,
                messages.c.correlation_id == correlation_id,
                messages.c.type == "sim.job.completed",
                messages.c.valid.is_(True),
            )
            .order_by(messages.c.seq.desc())
            .limit(1)
        ).first()
        request = None
        if verdict is not None and verdict.causation_id:
            request = conn.execute(
                select(messages.c.body).where(messages.c.msg_id == verdict.causation_id)
            ).scalar()
    if verdict is None:
        outcome = outcome_of(engine, run_id, correlation_id)
        return {"benchmark_id": None, "spec_hash": None, "passed": outcome == "success",
                "success_rate": None, "violations": None, "outcome": outcome}  # fmt: skip
    result = orjson.loads(verdict.body)["payload"]
    spec = orjson.loads(request)["payload"].get("spec") if request else None
    return {
        "benchmark_id": spec.get("id") if isinstance(spec, dict) else None,
        "spec_hash": spec_hash(spec) if spec is not None else None,
        "passed": bool(result.get("passed")),
        "success_rate": float(result.get("metrics", {}).get("success_rate", 0.0)),
        "violations": len(result.get("scoring", {}).get("violations", [])),
        "outcome": "success" if result.get("passed") else "failure",
    }


def reward(inputs: dict[str, Any]) -> float:
    """Scalar reward: 1 for a pass, else half the copy success rate; -0.1 per violation."""
    base = 1.0 if inputs["passed"] else 0.5 * float(inputs.get("success_rate") or 0.0)
    return round(base - 0.1 * int(inputs.get("violations") or 0), 6)


def grpo_rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """One row per distinct request (by ``request_hash``) with all its recorded answers."""
    key = func.json_extract(turns.c.request, "$.request_hash")
    query = (
        select(turns.c.request_seq, turns.c.response_seq, turns.c.request, turns.c.response,
               turns.c.run_id, turns.c.correlation_id, turns.c.stop_reason, key.label("hash"))
        .where(turns.c.response_seq.is_not(None), *_turn_filters(flt))
        .order_by(key, turns.c.request_seq)
    )  # fmt: skip
    group: list[Any] = []
    with engine.connect() as conn:
        for row in conn.execution_options(stream_results=True, yield_per=500).execute(query):
            if group and row.hash != group[0].hash:
                progress(1)
                yield from _grpo_group(engine, flt, group, summary)
                group = []
            group.append(row)
    if group:
        progress(1)
        yield from _grpo_group(engine, flt, group, summary)


def _grpo_group(
    engine: Engine, flt: ExportFilter, group: list[Any], summary: ExportSummary
) -> Iterator[dict[str, Any]]:
    request = LlmCallRequested.model_validate_json(group[0].request)
    completions, rewards, inputs, prov = [], [], [], []
    for row in group:
        if row.stop_reason and row.stop_reason.startswith("failed:"):
            continue
        answer = LlmCallCompleted.model_validate_json(row.response)
        ri = reward_inputs(engine, row.run_id, row.correlation_id)
        if flt.outcome and ri["outcome"] != flt.outcome:
            continue
        completions.append([b.model_dump(mode="json") for b in answer.content])
        rewards.append(reward(ri))
        inputs.append(ri)
        prov.append({"run_id": row.run_id, "seqs": [row.request_seq, row.response_seq]})
    if not completions:
        summary.skipped += 1
        return
    yield {
        "prompt": {
            "system": request.system,
            "messages": [m.model_dump(mode="json") for m in request.messages],
            "tools": [t.name for t in request.tools],
        },
        "request_hash": request.request_hash,
        "completions": [orjson.dumps(c).decode() for c in completions],
        "rewards": rewards,
        "reward_inputs": inputs,
        "provenance": {
            "agent_role": request.agent_role,
            "prompt_id": request.prompt.id if request.prompt else None,
            "prompt_version": request.prompt.version if request.prompt else None,
            "completions": prov,
        },
    }


_ACCEPT = {"accept", "accepted", "approve", "approved"}


def preference_rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """Chosen/rejected pairs: within one job thread, an accepted submission against each
    submission the critic sent back (reviews are ``critic.review.created`` events whose
    ``decision`` names the verdict and whose cause is the reviewed submission)."""
    thread: list[Any] = []
    with engine.connect() as conn:
        reviews = conn.execute(
            select(messages.c.seq, messages.c.body, messages.c.causation_id,
                   messages.c.correlation_id, messages.c.run_id)
            .where(messages.c.type == "critic.review.created", messages.c.valid.is_(True),
                   *_message_filters(flt))
            .order_by(messages.c.correlation_id, messages.c.seq)
        )  # fmt: skip
        for review in reviews.all():
            progress(1)
            if thread and thread[0].correlation_id != review.correlation_id:
                yield from _pairs(engine, thread, summary)
                thread = []
            thread.append(review)
    if thread:
        yield from _pairs(engine, thread, summary)


def _pairs(engine: Engine, thread: list[Any], summary: ExportSummary) -> Iterator[dict[str, Any]]:
    accepted: list[Any] = []
    sent_back: list[Any] = []
    for review in thread:
        payload = orjson.loads(review.body)["payload"]
        decision = str(payload.get("decision") or payload.get("verdict") or "").lower()
        with engine.connect() as conn:
            submission = conn.execute(
                select(messages.c.seq, messages.c.body).where(
                    messages.c.msg_id == review.causation_id
                )
            ).first()
        if submission is None:
            summary.skipped += 1
            continue
        item = (review, payload, submission)
        (accepted if decision in _ACCEPT else sent_back).append(item)
    for good_review, good_payload, good in accepted:
        for bad_review, bad_payload, bad in sent_back:
            yield {
                "prompt": thread[0].correlation_id,
                "chosen": orjson.loads(good.body)["payload"],
                "rejected": orjson.loads(bad.body)["payload"],
                "chosen_review": good_payload,
                "rejected_review": bad_payload,
                "provenance": {
                    "run_id": good_review.run_id,
                    "agent_role": "critic",
                    "seqs": [good.seq, good_review.seq, bad.seq, bad_review.seq],
                },
            }


def export(
    engine: Engine,
    fmt: ExportFormat,
    out: IO[bytes],
    flt: ExportFilter = ExportFilter(),
    progress: Progress = lambda _n: None,
) -> ExportSummary:
    """Write ``fmt`` rows as JSON lines to ``out``; return what was written and skipped."""
    summary = ExportSummary()
    if fmt in SFT_FORMATS:
        rows = sft_rows(engine, fmt, flt, summary, progress)
    elif fmt is ExportFormat.events:
        rows = event_rows(engine, flt, summary, progress)
    elif fmt is ExportFormat.grpo:
        rows = grpo_rows(engine, flt, summary, progress)
    else:
        rows = preference_rows(engine, flt, summary, progress)
    for row in rows:
        out.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
        summary.rows += 1
    return summary


def export_file(
    engine: Engine,
    fmt: ExportFormat,
    path: Path,
    flt: ExportFilter = ExportFilter(),
    progress: Progress = lambda _n: None,
) -> ExportSummary:
    """``export`` into ``path``, written atomically (a partial file never appears)."""
    tmp = path.with_name(path.name + ".part")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "wb") as fh:
        summary = export(engine, fmt, fh, flt, progress)
    tmp.replace(path)
    return summary
