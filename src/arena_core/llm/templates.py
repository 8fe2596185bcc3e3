"""Prompt templates: Jinja2 with strict variables, sandboxed, checked before use."""

from __future__ import annotations

import re
from collections.abc import Iterable
from types import TracebackType
from typing import Any, Literal

import jinja2
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict

from arena_core.errors import ArenaError

_TEMPLATE_NAME = "<prompt>"
_TEMPLATE_FILENAME = "<template>"
"""The file name Jinja gives a template compiled from a string (seen in tracebacks)."""
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)

# Sandboxed: templates are data (mutated by the optimizer), not trusted code.
_env = SandboxedEnvironment(
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=True,
    trim_blocks=True,
    lstrip_blocks=True,
)


class TemplateProblem(BaseModel):
    """Something wrong with a prompt template, and where."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["syntax", "undefined_variable", "render"]
    """``syntax`` (does not parse), ``undefined_variable`` (uses an unknown name), ``render``."""
    line: int | None
    """1-based line in the template, when known."""
    message: str
    """What is wrong."""

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.message}"


class PromptRenderError(ArenaError, ValueError):
    """A template could not be rendered with the given variables."""

    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def check_template(template: str, variables: Iterable[str] | None = None) -> list[TemplateProblem]:
    """Problems of ``template``: its syntax error, or names it uses outside ``variables``.

    An empty list means it parses (and, when ``variables`` is given, uses only those).
    """
    try:
        ast = _env.parse(template, name=_TEMPLATE_NAME)
    except jinja2.TemplateSyntaxError as exc:
        return [TemplateProblem(kind="syntax", line=exc.lineno, message=exc.message or str(exc))]
    if variables is None:
        return []
    known = set(variables)
    unknown = meta.find_undeclared_variables(ast) - known
    problems = []
    reported: set[str] = set()
    for name in ast.find_all(nodes.Name):
        if name.ctx == "load" and name.name in unknown and name.name not in reported:
            reported.add(name.name)
            problems.append(
                TemplateProblem(
                    kind="undefined_variable",
                    line=name.lineno,
                    message=f"{name.name!r} is not a template variable "
                    f"(known: {', '.join(sorted(known)) or 'none'})",
                )
            )
    return sorted(problems, key=lambda p: (p.line or 0, p.message))


def render_prompt(template: str, /, **variables: Any) -> str:
    """Render ``template`` with ``variables``; any problem raises ``PromptRenderError``."""
    try:
        compiled = _env.from_string(template)
    except jinja2.TemplateSyntaxError as exc:
        raise PromptRenderError(
            TemplateProblem(kind="syntax", line=exc.lineno, message=exc.message or str(exc))
        ) from exc
    try:
        return compiled.render(**variables)
    except jinja2.UndefinedError as exc:
        raise PromptRenderError(
            TemplateProblem(
                kind="undefined_variable", line=_template_line(exc.__traceback__), message=str(exc)
            )
        ) from exc
    except Exception as exc:
        raise PromptRenderError(
            TemplateProblem(
                kind="render",
                line=_template_line(exc.__traceback__),
                message=f"{type(exc).__name__}: {exc}",
            )
        ) from exc


def is_semver(version: str) -> bool:
    """True when ``version`` is a semantic version such as ``1.4.0`` or ``2.0.0-rc.1``."""
    return bool(_SEMVER.match(version))


def _template_line(tb: TracebackType | None) -> int | None:
    # Jinja rewrites tracebacks so frames of the template carry its own line numbers.
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
