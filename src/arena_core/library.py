"""Benchmarks as solvers name them: a library id (or a unique prefix of one) or a
built-in example ``example:<name>[:<seed>]``, and what the team may see of one.

Nothing here reads the recording: the library answers over NATS (``SelectionQuery``
and ``TargetsQuery`` of ``arena_core.query``), so a solver on any node names benchmarks
the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from arena_core.errors import ArenaError
from arena_core.events.sim import MeshBlob
from arena_core.spec import BenchmarkSpec, examples


class UnknownBenchmark(ArenaError, LookupError):
    """An id names no benchmark of the library (or several) and no built-in example."""


@dataclass(frozen=True)
class Target:
    """A benchmark as the team may see it: id, spec and scene meshes (no reference)."""

    benchmark_id: str
    """Library id, or ``example:<name>:<seed>``."""
    spec: BenchmarkSpec
    """The spec."""
    meshes: tuple[MeshBlob, ...] = ()
    """The scene's meshes."""

    @classmethod
    def example(cls, name: str, seed: int = 0) -> Target:
        """The built-in example ``name`` at ``seed``."""
        return example(f"example:{name}:{seed}")


def example(benchmark_id: str) -> Target:
    """The built-in example ``example:<name>[:<seed>]``."""
    name, _, seed = benchmark_id.removeprefix("example:").partition(":")
    make = getattr(examples, name, None)
    if name.startswith("_") or not callable(make) or not (seed or "0").isdigit():
        raise UnknownBenchmark(f"no example {benchmark_id!r}; the examples: ball_to_goal")
    spec = make(int(seed or 0))
    if not isinstance(spec, BenchmarkSpec):
        raise UnknownBenchmark(f"{benchmark_id!r} is not a benchmark example")
    return Target(f"example:{name}:{int(seed or 0)}", spec)
