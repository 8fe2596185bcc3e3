"""The podman backend: one container per job from ``deploy/Containerfile.sandbox``."""

from __future__ import annotations

from pathlib import Path

from arena_core.sandbox.models import SandboxLimits

CONTAINER_RUNTIME = "/opt/arena/runtime.py"
"""Where the image keeps ``runtime.py``."""


def podman_argv(*, binary: str, image: str, workspace: Path, limits: SandboxLimits) -> list[str]:
    """The ``podman run`` command of one job: no network, read-only root, capped resources.

    The workspace is mounted at the same path inside the container, so the job frame
    is the same as for a local server; the runtime inside applies the same rlimits.
    """
    return [
        binary,
        "run",
        "--rm",
        "--interactive",
        "--network=none",
        "--read-only",
        "--cap-drop=ALL",
        "--security-opt=no-new-privileges",
        f"--pids-limit={limits.processes}",
        f"--memory={limits.memory_bytes}",
        f"--tmpfs=/tmp:rw,size={limits.tmp_bytes},mode=1777",
        f"--volume={workspace}:{workspace}:rw",
        f"--workdir={workspace}",
        image,
        "python",
        "-I",
        CONTAINER_RUNTIME,
        "--preload=build123d",
        "--once",
    ]
