"""Typed tools: a pydantic input model is the JSON Schema the model sees."""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeAlias, TypeVar, get_type_hints

from pydantic import BaseModel, ValidationError

from arena_core.errors import ArenaError
from arena_core.events.agent import ToolErrorKind
from arena_core.events.llm import ToolSchema, ToolUseBlock
from arena_core.events.wire import validation_summary

ArgsT = TypeVar("ArgsT", bound=BaseModel)

ToolOutput: TypeAlias = str | BaseModel
"""What a tool returns: text, or a model sent to the LLM as JSON."""

ToolFunction: TypeAlias = Callable[[ArgsT], Awaitable[ToolOutput] | ToolOutput]
"""The implementation of a tool: validated arguments in, output out."""

_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class ToolError(ArenaError):
    """Raised by a tool for a failure the model should read and act on (not a crash)."""


@dataclass(frozen=True)
class Tool(Generic[ArgsT]):
    """A tool the model may call: name, description, argument model and implementation."""

    name: str
    """Name the model calls it by (letters, digits, ``_``, ``-``)."""
    description: str
    """What it does and when to use it; the model reads this."""
    input_model: type[ArgsT]
    """Arguments, validated before ``run`` is called."""
    run: ToolFunction[ArgsT]
    """The implementation."""

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"tool name {self.name!r} must match {_NAME.pattern}")

    def schema(self) -> ToolSchema:
        return ToolSchema(
            name=self.name,
            description=self.description,
            input_schema=self.input_model.model_json_schema(),
        )


@dataclass(frozen=True)
class ToolOutcome:
    """The result of one tool call, as it goes back to the model."""

    result: str
    """Text sent back in the ``tool_result`` block."""
    error_kind: ToolErrorKind | None = None
    """Why it failed, or None when it succeeded."""

    @property
    def is_error(self) -> bool:
        return self.error_kind is not None


class ToolRegistry:
    """The tools one agent offers the model."""

    def __init__(self, tools: Iterable[Tool[Any]] = ()) -> None:
        self._tools: dict[str, Tool[Any]] = {}
        for tool in tools:
            self.add(tool)

    def add(self, tool: Tool[Any]) -> None:
        if tool.name in self._tools:
            raise ValueError(f"tool {tool.name!r} is already registered")
        self._tools[tool.name] = tool

    def tool(
        self, name: str | None = None, description: str | None = None
    ) -> Callable[[ToolFunction[ArgsT]], ToolFunction[ArgsT]]:
        """Decorator: register a function whose one parameter is annotated with its input model.

        The name defaults to the function's, the description to its docstring.
        """

        def register(fn: ToolFunction[ArgsT]) -> ToolFunction[ArgsT]:
            params = list(inspect.signature(fn).parameters)
            hints = get_type_hints(fn)
            model = hints.get(params[0]) if len(params) == 1 else None
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                raise TypeError(
                    f"tool {fn!r} must take exactly one parameter annotated with a pydantic model"
                )
            self.add(
                Tool(
                    name=name or str(getattr(fn, "__name__", "")),
                    description=description or inspect.getdoc(fn) or "",
                    input_model=model,
                    run=fn,
                )
            )
            return fn

        return register

    def schemas(self) -> tuple[ToolSchema, ...]:
        return tuple(tool.schema() for tool in self._tools.values())

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    async def execute(self, call: ToolUseBlock) -> ToolOutcome:
        """Validate the arguments and run the tool; every failure becomes an error result."""
        tool = self._tools.get(call.name)
        if tool is None:
            return ToolOutcome(
                f"unknown tool {call.name!r}; available: {', '.join(sorted(self._tools))}",
                ToolErrorKind.unknown_tool,
            )
        try:
            arguments = tool.input_model.model_validate(call.input)
        except ValidationError as exc:
            return ToolOutcome(
                f"invalid arguments for {call.name}: {validation_summary(exc, limit=None)}",
                ToolErrorKind.invalid_arguments,
            )
        try:
            output = tool.run(arguments)
            if inspect.isawaitable(output):
                output = await output
        except ToolError as exc:
            return ToolOutcome(str(exc), ToolErrorKind.tool_error)
        except Exception as exc:
            # The model is told the tool broke so the conversation can go on; the
            # agent.tool.completed event keeps the kind for whoever debugs the tool.
            return ToolOutcome(
                f"{call.name} failed: {type(exc).__name__}: {exc}", ToolErrorKind.tool_crashed
            )
        if isinstance(output, BaseModel):
            return ToolOutcome(output.model_dump_json())
        return ToolOutcome(output)
