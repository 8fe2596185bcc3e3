"""OpenAPI links: how one operation's answer feeds the next (job id -> poll, run -> timeline).

They document the flows for people and let stateful testing walk them.
"""

from __future__ import annotations

from typing import Any

_JOB = "$response.body#/job_id"
_FIRST_RUN = "$response.body#/runs/0/run_id"

FROM_LIST: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    "list_runs": {
        "GetRun": ("get_run", {"run_id": _FIRST_RUN}),
        "GetTimeline": ("get_run_timeline", {"run_id": _FIRST_RUN}),
        "ListConversations": ("list_run_conversations", {"run_id": _FIRST_RUN}),
        "ListFiles": ("list_run_files", {"run_id": _FIRST_RUN}),
        "Redrive": ("redrive_run", {"run_id": _FIRST_RUN}),
    },
    "list_run_conversations": {
        "GetConversation": (
            "get_conversation",
            {"conversation_id": "$response.body#/conversation_ids/0"},
        ),
    },
    "list_run_files": {
        "GetFile": (
            "get_run_file",
            {"run_id": "$response.body#/run_id", "path": "$response.body#/files/0/path"},
        ),
    },
    "list_benchmarks": {
        "GetBenchmark": (
            "get_benchmark",
            {"benchmark_id": "$response.body#/benchmarks/0/benchmark_id"},
        ),
    },
    "list_prompts": {
        "GetPrompt": ("get_prompt", {"prompt_id": "$response.body#/prompts/0/id"}),
    },
    "list_profiles": {
        "GetProfile": ("get_profile", {"profile_id": "$response.body#/profiles/0/id"}),
        "ApproveProfile": ("approve_profile", {"profile_id": "$response.body#/profiles/0/id"}),
    },
    "list_jobs": {
        "GetJob": ("get_job", {"job_id": "$response.body#/jobs/0/job_id"}),
    },
}

_JOB_LINKS = {
    "GetJob": ("get_job", {"job_id": _JOB}),
    "PauseJob": ("pause_job", {"job_id": _JOB}),
    "ResumeJob": ("resume_job", {"job_id": _JOB}),
    "CancelJob": ("cancel_job", {"job_id": _JOB}),
    "RetryJob": ("retry_job", {"job_id": _JOB}),
}


def _link(operation_id: str, parameters: dict[str, str]) -> dict[str, Any]:
    return {"operationId": operation_id, "parameters": parameters}


def add_links(doc: dict[str, Any]) -> None:
    """Add the links to the success responses of ``doc``'s operations, in place."""
    for path in doc.get("paths", {}).values():
        for operation in path.values():
            op_id = operation.get("operationId", "")
            links = FROM_LIST.get(op_id)
            if op_id.startswith("submit_") or op_id.endswith(
                ("pause_job", "resume_job", "cancel_job")
            ):
                links = _JOB_LINKS
            if not links:
                continue
            for status, answer in operation.get("responses", {}).items():
                if status.startswith("2"):
                    answer["links"] = {name: _link(*target) for name, target in links.items()}
