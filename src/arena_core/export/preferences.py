"""``preferences``: chosen/rejected pairs with their reward margin (TRL's preference type).

Two sources:

- **rollouts** of one prompt: the highest-reward completion over the lowest, when their
  rewards differ (``source: "rollouts"``);
- **critic revisions** in one solve: the submission the critic accepted over each one it
  sent back, the margin being the difference of their simulation verdicts
  (``source: "critic"``).

``--min-margin`` keeps pairs whose margin is at least that much.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import aliased

from arena_core.db.tables import messages
from arena_core.events.engineer import CriticReviewCreated, SimVerdict, SolutionSubmitted
from arena_core.events.registry import recorded_payload
from arena_core.export import grpo
from arena_core.export.conversations import count as count_conversations
from arena_core.export.conversations import provenance
from arena_core.export.filters import (
    ExportFilter,
    ExportSummary,
    Progress,
    SkipCause,
    message_filters,
)


def count(engine: Engine, flt: ExportFilter) -> int:
    """Conversations and critic reviews the export looks at."""
    with engine.connect() as conn:
        reviews = conn.execute(
            select(func.count())
            .select_from(messages)
            .where(messages.c.type == "critic.review.created", *message_filters(flt))
        ).scalar_one()
    return count_conversations(engine, flt) + int(reviews)


def rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """Rollout pairs, then critic revision pairs."""
    for group in grpo.groups(engine, flt, summary, progress):
        ranked = sorted(group, key=lambda r: r.source.reward or 0.0)
        worst, best = ranked[0], ranked[-1]
        margin = round((best.source.reward or 0.0) - (worst.source.reward or 0.0), 6)
        if margin <= 0 or (flt.min_margin is not None and margin < flt.min_margin):
            summary.skip(SkipCause.small_margin)
            continue
        prompt, chosen = grpo.split(best)
        _, rejected = grpo.split(worst)
        yield {
            "prompt": prompt,
            "chosen": chosen,
            "rejected": rejected,
            "margin": margin,
            "source": "rollouts",
            "provenance": {
                "agent_role": best.source.agent_role,
                "prompt_hash": best.source.prompt_hash,
                "chosen": provenance(best),
                "rejected": provenance(worst),
            },
        }
    yield from critic_rows(engine, flt, summary, progress)


def _value(verdict: SimVerdict | None) -> float | None:
    if verdict is None:
        return None
    return 1.0 if verdict.passed else 0.5 * verdict.success_rate


def critic_rows(
    engine: Engine, flt: ExportFilter, summary: ExportSummary, progress: Progress
) -> Iterator[dict[str, Any]]:
    """Within one job thread, an accepted submission over each one the critic sent back
    (a review's causation is the submission it reviewed)."""
    submitted = aliased(messages)

    def _submission(column: Any) -> Any:
        # The reviewed submission (the review's cause), read in the same scan.
        return (
            select(column).where(submitted.c.msg_id == messages.c.causation_id).limit(1)
        ).scalar_subquery()

    with engine.connect() as conn:
        reviews = conn.execute(
            select(messages.c.seq, messages.c.body, messages.c.causation_id,
                   messages.c.correlation_id, messages.c.run_id,
                   _submission(submitted.c.seq).label("submission_seq"),
                   _submission(submitted.c.body).label("submission_body"))
            .where(messages.c.type == "critic.review.created", messages.c.valid.is_(True),
                   *message_filters(flt))
            .order_by(messages.c.correlation_id, messages.c.seq)
        ).all()  # fmt: skip
    thread: list[Any] = []
    for review in reviews:
        progress(1)
        if thread and thread[0][0].correlation_id != review.correlation_id:
            yield from _pairs(thread, flt, summary)
            thread = []
        decided = recorded_payload(review.body, CriticReviewCreated)
        if decided.subject != "submission":
            continue
        if review.submission_seq is None:
            summary.skip(SkipCause.missing_submission)
            continue
        thread.append((review, decided, review.submission_seq, _Submission(review.submission_body)))
    if thread:
        yield from _pairs(thread, flt, summary)


class _Submission:
    """A recorded submission, decoded (a spec, meshes and code) only when a pair needs it."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._decoded: SolutionSubmitted | None = None

    def get(self) -> SolutionSubmitted:
        if self._decoded is None:
            self._decoded = recorded_payload(self._body, SolutionSubmitted)
        return self._decoded


def _pairs(
    thread: list[Any], flt: ExportFilter, summary: ExportSummary
) -> Iterator[dict[str, Any]]:
    accepted = [t for t in thread if t[1].decision == "accept"]
    sent_back = [t for t in thread if t[1].decision == "revise"]
    for good_review, good, good_seq, good_submission in accepted:
        for bad_review, bad, bad_seq, bad_submission in sent_back:
            high, low = _value(good.verdict), _value(bad.verdict)
            margin = round(high - low, 6) if high is not None and low is not None else None
            if flt.min_margin is not None and (margin is None or margin < flt.min_margin):
                summary.skip(SkipCause.small_margin)
                continue
            chosen, rejected = good_submission.get(), bad_submission.get()
            prompt = f"Solve benchmark {chosen.benchmark_id}: {chosen.spec.model_dump_json()}"
            yield {
                "prompt": [{"role": "user", "content": prompt}],
                "chosen": [{"role": "assistant", "content": chosen.code}],
                "rejected": [{"role": "assistant", "content": rejected.code}],
                "margin": margin,
                "source": "critic",
                "chosen_review": good.model_dump(mode="json"),
                "rejected_review": bad.model_dump(mode="json"),
                "provenance": {
                    "run_id": good_review.run_id,
                    "job_id": good_review.correlation_id,
                    "agent_role": "engineer",
                    "seqs": [good_seq, good_review.seq, bad_seq, bad_review.seq],
                },
            }
