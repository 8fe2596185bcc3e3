"""``/runs/{run_id}/files``: a run's workspace files (list and download).

Every path is resolved and must stay inside ``<workspace>/<run_id>``: ``..``, absolute
paths and symlinks that lead out of the workspace are refused with ``path-refused``.
"""

from __future__ import annotations

from pathlib import Path as FsPath

from fastapi import APIRouter, Path
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from arena_core.api import auth
from arena_core.api.context import ApiContext, Context
from arena_core.api.problems import COMMON, ApiProblem, ProblemKind, responses
from arena_core.api.runs import RUN_ID

MAX_LISTED = 10_000


class FileEntry(BaseModel):
    """A file of a run's workspace."""

    path: str
    """Relative to the run's workspace, ``/``-separated."""
    size: int = Field(ge=0)


class FileList(BaseModel):
    """A run's workspace files (symlinks are not followed or listed)."""

    run_id: str
    files: list[FileEntry]
    truncated: bool = False
    """More than the listing limit exist."""


def run_root(ctx: ApiContext, run_id: str) -> FsPath:
    root = (ctx.settings.workspace / run_id).resolve()
    workspace = ctx.settings.workspace.resolve()
    if root.parent != workspace or not root.is_dir():
        raise ApiProblem(ProblemKind.not_found, f"run {run_id!r} has no workspace")
    return root


def resolve_inside(root: FsPath, relative: str) -> FsPath:
    """``root / relative`` if it (and every link on the way) stays inside ``root``."""
    rel = FsPath(relative)
    if rel.is_absolute() or ".." in rel.parts or "\x00" in relative:
        raise ApiProblem(ProblemKind.path_refused, f"{relative!r} leaves the workspace")
    candidate = root / rel
    walked = root
    try:
        for part in rel.parts:
            walked = walked / part
            if walked.is_symlink():
                raise ApiProblem(ProblemKind.path_refused, f"{relative!r} goes through a symlink")
        resolved = candidate.resolve()
    except OSError as exc:  # e.g. a name longer than the filesystem allows
        raise ApiProblem(ProblemKind.not_found, f"no file {relative!r}: {exc.strerror}") from exc
    if not resolved.is_relative_to(root):
        raise ApiProblem(ProblemKind.path_refused, f"{relative!r} leaves the workspace")
    return resolved


def router() -> APIRouter:
    r = APIRouter(tags=["files"])

    @r.get(
        "/runs/{run_id}/files", operation_id="list_run_files",
        responses=responses(*COMMON, ProblemKind.not_found),
    )  # fmt: skip
    def list_files(run_id: str = RUN_ID, *, ctx: Context, _: auth.Reader) -> FileList:
        """Every regular file in the run's workspace."""
        root = run_root(ctx, run_id)
        found: list[FileEntry] = []
        truncated = False
        for path in sorted(root.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            if any(p.is_symlink() for p in path.relative_to(root).parents if str(p) != "."):
                continue
            if len(found) >= MAX_LISTED:
                truncated = True
                break
            found.append(
                FileEntry(path=path.relative_to(root).as_posix(), size=path.stat().st_size)
            )
        return FileList(run_id=run_id, files=found, truncated=truncated)

    @r.get(
        "/runs/{run_id}/files/{path:path}", operation_id="get_run_file",
        response_class=FileResponse,
        responses={
            200: {"content": {"application/octet-stream": {"schema": {"type": "string",
                                                                     "format": "binary"}}},
                  "description": "The file's bytes."},
            **responses(*COMMON, ProblemKind.not_found, ProblemKind.path_refused),
        },
    )  # fmt: skip
    def get_file(
        run_id: str = RUN_ID,
        path: str = Path(min_length=1, max_length=1000, description="Relative file path."),
        *,
        ctx: Context,
        _: auth.Reader,
    ) -> FileResponse:
        """Download one file of the run's workspace."""
        root = run_root(ctx, run_id)
        target = resolve_inside(root, path)
        if not target.is_file():
            raise ApiProblem(ProblemKind.not_found, f"no file {path!r} in run {run_id!r}")
        return FileResponse(target, media_type="application/octet-stream", filename=target.name)

    return r
