"""Who may import whom (see docs/architecture.md), read from the source of every module.

Every ``import`` counts, at module level or inside a function, so a lazy import cannot
hide a dependency.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGES = tuple(
    sorted({d.name for d in SRC.iterdir() if (d / "__init__.py").is_file()} - {"arena_core"})
)
"""The services (generator, engineer, simrunner, optimizer) and the other packages built on
``arena_core``: each imports ``arena_core`` and none of the others."""

RECORDING = ("arena_core.db", "arena_core.recorder")
"""The database and its one writer: no service imports them."""

QUERY_SERVER = ("arena_core.query.reads", "arena_core.query.responder")
"""The query responder's side, which reads the database: services only ``ask``."""

_PYPROJECT = tomllib.loads((SRC.parent / "pyproject.toml").read_text())
COMMANDS = frozenset(
    target.split(":")[0].replace(".", "/") + ".py"
    for target in _PYPROJECT["project"]["entry-points"]["arena.commands"].values()
)
"""Modules of ``arena`` subcommands that packages add: part of their package, so they too
ask the recording over NATS (the commands that read the database live in ``arena_core.cli``)."""

LAYERS: dict[str, frozenset[str]] = {
    "arena_core.events": frozenset({"errors", "ids", "settings", "spec"}),
    "arena_core.spec": frozenset({"errors", "ids"}),
    "arena_core.bus": frozenset({"errors", "events", "ids", "logging", "processes", "settings"}),
    "arena_core.db": frozenset(
        {"errors", "events", "ids", "profiles", "prompts", "settings", "spec"}
    ),
}
"""The lower layers of ``arena_core`` and the only parts of it they may import."""


@dataclass(frozen=True)
class Import:
    path: Path
    line: int
    module: str

    @property
    def package(self) -> str:
        """The importing file's top package, or ``arena_core.<part>`` inside the core."""
        parts = self.path.relative_to(SRC).with_suffix("").parts
        if parts[0] == "arena_core" and parts[1:] != ("__init__",):
            return f"arena_core.{parts[1]}"
        return parts[0]

    def __str__(self) -> str:
        return f"{self.path.relative_to(SRC.parent)}:{self.line} imports {self.module}"


def imports() -> Iterator[Import]:
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield Import(path, node.lineno, alias.name)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield Import(path, node.lineno, node.module)


IMPORTS = list(imports())


def top(module: str) -> str:
    return module.split(".", 1)[0]


def core_part(module: str) -> str:
    """``db`` for ``arena_core.db.tables``; ``""`` for ``arena_core`` itself."""
    return module.split(".")[1] if "." in module else ""


def test_the_sources_are_read() -> None:
    packages = {i.package for i in IMPORTS}
    assert {"arena_core.events", "arena_core.db", "engineer", "simrunner"} <= packages
    assert {"engineer", "generator", "optimizer", "simrunner"} <= set(PACKAGES)
    assert "engineer/cli.py" in COMMANDS
    assert any(i.module == "mujoco" for i in IMPORTS)


def test_arena_core_imports_no_service() -> None:
    bad = [i for i in IMPORTS if i.package.startswith("arena_core") and top(i.module) in PACKAGES]
    assert not bad, "\n".join(map(str, bad))


def test_services_import_no_other_service() -> None:
    bad = [
        i
        for i in IMPORTS
        if i.package in PACKAGES and top(i.module) in PACKAGES and top(i.module) != i.package
    ]
    assert not bad, "\n".join(map(str, bad))


def test_only_the_simrunner_imports_mujoco() -> None:
    bad = [i for i in IMPORTS if top(i.module) == "mujoco" and i.package != "simrunner"]
    assert not bad, "\n".join(map(str, bad))


def reaches_the_database(i: Import) -> bool:
    """A service or client module (an ``arena`` subcommand it adds included) importing the
    database or its writer."""
    return i.package in PACKAGES and f"arena_core.{core_part(i.module)}" in RECORDING


def test_no_service_opens_the_database() -> None:
    """The recorder alone writes SQLite; services, and the commands they add to ``arena``,
    get shared state over NATS."""
    bad = [i for i in IMPORTS if reaches_the_database(i)]
    assert not bad, "\n".join(map(str, bad))


def test_no_service_takes_the_database_from_the_container() -> None:
    """The container's ``db_engine`` is the recorder's: a service asking for it would open
    the database without importing it."""
    bad = [
        f"{path.relative_to(SRC.parent)}:{node.lineno}"
        for path in sorted(SRC.rglob("*.py"))
        if path.relative_to(SRC).parts[0] in PACKAGES
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Attribute) and node.attr == "db_engine"
    ]
    assert not bad, "\n".join(bad)


def test_a_command_a_service_adds_may_not_open_the_database_either() -> None:
    for module in sorted(COMMANDS):
        assert reaches_the_database(Import(SRC / module, 1, "arena_core.db.tables"))
    assert not reaches_the_database(Import(SRC / "arena_core/cli/runs.py", 1, "arena_core.db"))


def test_services_ask_the_recording_over_nats() -> None:
    """A service reaches the recording only through ``arena_core.query``'s client."""
    bad = [i for i in IMPORTS if i.package in PACKAGES and i.module.startswith(QUERY_SERVER)]
    assert not bad, "\n".join(map(str, bad))


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_lower_layers_import_only_what_lies_below(layer: str) -> None:
    allowed = LAYERS[layer]
    bad = [
        i
        for i in IMPORTS
        if i.package == layer
        and top(i.module) == "arena_core"
        and f"arena_core.{core_part(i.module)}" != layer
        and core_part(i.module) not in allowed
    ]
    assert not bad, "\n".join(map(str, bad))
