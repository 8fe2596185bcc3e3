"""The engineer's workbench: can a part be made, what does it cost, what does it weigh.

Every analysis runs on the triangle meshes the CAD sandbox exported (never on the
code that made them), with numpy only::

    from engineer.workbench import (FdmRules, check_manufacturability, estimate_cost,
                                    estimate_mass, read_stl)

    mesh = read_stl(cad_result.part("bracket").mesh_stl)
    report = check_manufacturability(mesh, FdmRules(), part="bracket", material="pla")
    for violation in report.violations:       # typed: kind, value, limit, location, ...
        print(violation.kind, violation.message)
    cost = estimate_cost(mesh, MouldingRules(), pla, quantity=1000)   # per-unit lines

Processes: ``FdmRules`` (FDM printing), ``CncRules`` (3-axis milling),
``MouldingRules`` (injection moulding), ``LaserRules`` (laser cutting); ``rules_for``
turns a benchmark's ``ProcessRules`` into one. ``workbench_tools`` exposes the
workbench and previews as LLM tools.
"""

from arena_core.cad.mesh import Mesh, MeshError, load_mesh, read_stl
from engineer.workbench.bench import check_manufacturability, estimate_cost, estimate_mass
from engineer.workbench.report import (
    CostBreakdown,
    ManufacturabilityReport,
    MassEstimate,
    Measurements,
    ProcessName,
    Region,
    Violation,
    ViolationKind,
)
from engineer.workbench.rules import (
    AnyRules,
    CncRules,
    FdmRules,
    LaserRules,
    MouldingRules,
    WorkbenchRules,
    default_rules,
    rules_for,
)
from engineer.workbench.tools import (
    CostInput,
    CostResult,
    CurrentParts,
    ManufacturabilityInput,
    ManufacturabilityResult,
    MassInput,
    MassResult,
    PreviewInput,
    workbench_tools,
)

__all__ = [
    "AnyRules",
    "CncRules",
    "CostBreakdown",
    "CostInput",
    "CostResult",
    "CurrentParts",
    "FdmRules",
    "LaserRules",
    "ManufacturabilityInput",
    "ManufacturabilityReport",
    "ManufacturabilityResult",
    "MassEstimate",
    "MassInput",
    "MassResult",
    "Measurements",
    "Mesh",
    "MeshError",
    "MouldingRules",
    "PreviewInput",
    "ProcessName",
    "Region",
    "Violation",
    "ViolationKind",
    "WorkbenchRules",
    "check_manufacturability",
    "default_rules",
    "estimate_cost",
    "estimate_mass",
    "load_mesh",
    "read_stl",
    "rules_for",
    "workbench_tools",
]
