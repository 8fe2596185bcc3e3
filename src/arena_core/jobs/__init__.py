"""Jobs as users submit them: kinds discovered from the event registry, request
messages built from user input, examples, the generated reference, and publishing.

The payload bases that make an event a job live in ``arena_core.events.jobs``.
"""

from arena_core.jobs.examples import EXAMPLE_ID, EXAMPLE_TS, example_envelope, example_payload
from arena_core.jobs.kinds import JobKind, SubmitError, find_job, job_for_type, job_kinds
from arena_core.jobs.messages import (
    apply_fields,
    envelope_from_json,
    job_envelope,
    parse_json_object,
)
from arena_core.jobs.reference import DOCS_BEGIN, DOCS_END, job_reference, replace_reference
from arena_core.jobs.submit import SubmitExit, submit

__all__ = [
    "DOCS_BEGIN",
    "DOCS_END",
    "EXAMPLE_ID",
    "EXAMPLE_TS",
    "JobKind",
    "SubmitError",
    "SubmitExit",
    "apply_fields",
    "envelope_from_json",
    "example_envelope",
    "example_payload",
    "find_job",
    "job_envelope",
    "job_for_type",
    "job_kinds",
    "job_reference",
    "parse_json_object",
    "replace_reference",
    "submit",
]
