"""One error tree: every exception class defined under ``src/`` derives from ``ArenaError``."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

from arena_core.errors import ArenaError

PACKAGES = ("arena_core", "generator", "engineer", "simrunner", "optimizer", "batcher")
STANDALONE = {"arena_core.sandbox.runtime"}
"""Modules that run in a bare interpreter (standard library only), outside the tree."""


def _modules() -> list[str]:
    names: list[str] = []
    for root in PACKAGES:
        package = importlib.import_module(root)
        names.append(root)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, f"{root}.")]
    return [n for n in names if n not in STANDALONE and not n.endswith(".__main__")]


def _defined_errors() -> list[type[BaseException]]:
    found: list[type[BaseException]] = []
    for name in _modules():
        module = importlib.import_module(name)
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == name:
                found.append(obj)
    return found


ERRORS = _defined_errors()


def test_the_tree_is_found() -> None:
    assert len(ERRORS) >= 40


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: f"{e.__module__}.{e.__qualname__}")
def test_every_error_roots_at_arena_error_with_a_docstring(error: type[BaseException]) -> None:
    assert issubclass(error, ArenaError)
    assert error.__doc__ and error.__doc__.strip()
    assert len(error.__doc__.strip().splitlines()[0]) > 10
