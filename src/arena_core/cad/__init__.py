"""The CAD contract: a script builds named parts; the sandbox measures and meshes them.

A CAD script (written by a procedural generator or by an LLM) is plain Python that
defines ``build()`` returning a list of ``Part``::

    from build123d import Box, Cylinder, Pos
    from arena_cad import Part

    def build():
        base = Box(0.20, 0.10, 0.02)                    # metres
        peg = Pos(0, 0, 0.04) * Cylinder(0.01, 0.06)
        return [
            Part("base", base, role="static", density=2700.0),   # kg/m^3
            Part("peg", peg, role="dynamic", density=1240.0),
        ]

Rules:

* Units are SI: lengths in metres, densities in kg/m^3; results are in m, m^3, kg,
  kg m^2. MuJoCo uses the same units, so meshes need no scaling.
* ``arena_cad`` exists only inside the sandbox; it provides ``Part(name, shape, *,
  role, density)``. Names are unique lowercase identifiers; roles are lowercase
  identifiers whose meaning belongs to the caller (``static``, ``dynamic``, ...).
* Each shape must be one or more closed, valid, manifold build123d solids with a
  non-zero volume. Anything else is a ``CadRejection`` with a ``RejectReason``.

``await run_cad(code, sandbox=...)`` runs the script in the sandbox, checks every
part, exports a binary STL per part at the given tolerance and returns a
``CadResult``: the accepted ``CadPart``s (volume, mass, centre of mass, inertia,
bounding box, mesh path and SHA-256) and the rejections.
"""

from arena_core.cad.models import CadPart, CadRejection, CadResult, RejectReason
from arena_core.cad.run import DEFAULT_ANGULAR_TOLERANCE_RAD, DEFAULT_TOLERANCE_M, run_cad

__all__ = [
    "DEFAULT_ANGULAR_TOLERANCE_RAD",
    "DEFAULT_TOLERANCE_M",
    "CadPart",
    "CadRejection",
    "CadResult",
    "RejectReason",
    "run_cad",
]
