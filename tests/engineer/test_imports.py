"""The engineer loads its tool modules with the service, before it takes a job."""

from __future__ import annotations

import subprocess
import sys


def test_the_workbench_is_loaded_with_the_service() -> None:
    # A first job that imports the workbench holds the event loop for a second or more
    # (several on a loaded machine): its messages miss their heartbeats and are delivered
    # again to another worker, which solves them a second time.
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, engineer.service; "
            "wanted = ('engineer.workbench', 'engineer.preview'); "
            "print(sorted(m for m in wanted if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "['engineer.preview', 'engineer.workbench']"
