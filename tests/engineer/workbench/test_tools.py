"""The workbench as LLM tools: schemas, results and typed errors through a ToolRegistry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from arena_core.cad import CadPart, CadResult
from arena_core.events.agent import ToolErrorKind
from arena_core.llm import ToolRegistry, ToolUseBlock
from arena_core.spec import ProcessRules
from engineer.workbench import workbench_tools

TOOL_NAMES = {"check_manufacturability", "estimate_cost", "estimate_mass", "render_preview"}


def registry(
    parts: list[CadPart], tmp_path: Path, rules: ProcessRules | None = None
) -> ToolRegistry:
    return ToolRegistry(
        workbench_tools(lambda: parts, preview_dir=tmp_path / "previews", process_rules=rules)
    )


def call(name: str, **arguments: object) -> ToolUseBlock:
    return ToolUseBlock(id="toolu_1", name=name, input=arguments)


def test_every_tool_offers_a_json_schema_with_described_fields(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    schemas = {s.name: s for s in registry(cad_parts.parts, tmp_path).schemas()}

    assert set(schemas) == TOOL_NAMES
    cost: Any = schemas["estimate_cost"].input_schema
    assert cost["required"] == ["material"]
    assert "setup and tooling" in cost["properties"]["quantity"]["description"]


async def test_the_check_uses_the_benchmark_process_by_default(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    tools = registry(cad_parts.parts, tmp_path, ProcessRules.fdm())

    outcome = await tools.execute(call("check_manufacturability", parts=["thin_cup", "thick_cup"]))

    result = json.loads(outcome.result)
    assert not outcome.is_error
    assert not result["manufacturable"]
    thin, thick = result["reports"]
    assert thin["process"] == "fdm_3d_print"
    assert [v["kind"] for v in thin["violations"]] == ["thin_wall"]
    assert thick["manufacturable"]


async def test_a_tool_axis_and_radius_can_be_chosen_for_cnc(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    tools = registry(cad_parts.parts, tmp_path)

    outcome = await tools.execute(
        call(
            "check_manufacturability",
            parts=["tight_pocket"],
            process="cnc_milling",
            direction=[0, 0, 2],
            tool_radius_m=0.0015,
        )
    )

    assert json.loads(outcome.result)["manufacturable"], outcome.result


async def test_cost_totals_add_up_the_parts(cad_parts: CadResult, tmp_path: Path) -> None:
    tools = registry(cad_parts.parts, tmp_path)

    outcome = await tools.execute(
        call(
            "estimate_cost",
            parts=["thick_cup", "long_bar"],
            process="cnc_milling",
            material="aluminium",
            quantity=10,
        )
    )

    result = json.loads(outcome.result)
    assert result["total_unit_cost"] == pytest.approx(
        sum(b["unit_cost"] for b in result["breakdowns"])
    )
    assert all(b["quantity"] == 10 for b in result["breakdowns"])


async def test_mass_of_every_part_when_none_is_named(cad_parts: CadResult, tmp_path: Path) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(
        call("estimate_mass", material="pla")
    )

    result = json.loads(outcome.result)
    assert [e["part"] for e in result["estimates"]] == [p.name for p in cad_parts.parts]


async def test_the_preview_tool_writes_a_png_and_names_its_renderer(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(
        call("render_preview", parts=["filleted_pocket"], views=["iso"], size_px=256)
    )

    result = json.loads(outcome.result)
    assert result["renderer"] == "matplotlib"
    (image,) = result["images"]
    assert Path(image["path"]).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


async def test_an_unknown_part_is_a_tool_error_naming_the_parts(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(
        call("estimate_mass", parts=["ghost"], material="pla")
    )

    assert outcome.error_kind is ToolErrorKind.tool_error
    assert "ghost" in outcome.result and "thick_cup" in outcome.result


async def test_an_unknown_material_is_a_tool_error(cad_parts: CadResult, tmp_path: Path) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(
        call("estimate_mass", material="unobtainium")
    )

    assert outcome.error_kind is ToolErrorKind.tool_error
    assert "pla" in outcome.result


async def test_before_any_cad_run_the_tools_ask_for_one(tmp_path: Path) -> None:
    outcome = await registry([], tmp_path).execute(call("estimate_mass", material="pla"))

    assert outcome.error_kind is ToolErrorKind.tool_error
    assert "run the CAD code first" in outcome.result


async def test_without_a_benchmark_process_the_check_asks_for_one(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(call("check_manufacturability"))

    assert outcome.error_kind is ToolErrorKind.tool_error
    assert "injection_moulding" in outcome.result


async def test_a_zero_quantity_is_invalid_arguments(cad_parts: CadResult, tmp_path: Path) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(
        call("estimate_cost", material="pla", process="fdm_3d_print", quantity=0)
    )

    assert outcome.error_kind is ToolErrorKind.invalid_arguments


async def test_a_tool_radius_for_a_printer_is_a_tool_error(
    cad_parts: CadResult, tmp_path: Path
) -> None:
    outcome = await registry(cad_parts.parts, tmp_path).execute(
        call("check_manufacturability", process="fdm_3d_print", tool_radius_m=0.002)
    )

    assert outcome.error_kind is ToolErrorKind.tool_error
