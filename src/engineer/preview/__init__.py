"""Preview renders of parts and scenes: PNGs from the standard views, for agents and people.

    from engineer.preview import PreviewPart, render_preview

    result = render_preview([PreviewPart("arm", mesh)], Path("workspace/run/previews"),
                            views=("front", "iso"), size_px=512, layout="sheet")
    result.renderer            # "matplotlib"
    result.images[0].path      # preview-front-iso-<sha>.png

``zones=benchmark_zones(spec)`` draws the build zone, the goal and the forbidden zones
behind the parts, and ``placed(mesh, pose)`` puts a part where the design places it.

Any mesh with ``corners`` ``(f, 3, 3)`` and ``normals`` ``(f, 3)`` can be drawn, such
as ``engineer.workbench.Mesh``.
"""

from engineer.preview.render import (
    PALETTE,
    Layout,
    PreviewImage,
    PreviewPart,
    PreviewResult,
    PreviewZone,
    Shape,
    render_preview,
)
from engineer.preview.scene import benchmark_zones, placed
from engineer.preview.views import ALL_VIEWS, VIEWS, View, ViewName

__all__ = [
    "ALL_VIEWS",
    "PALETTE",
    "VIEWS",
    "Layout",
    "PreviewImage",
    "PreviewPart",
    "PreviewResult",
    "PreviewZone",
    "Shape",
    "View",
    "ViewName",
    "benchmark_zones",
    "placed",
    "render_preview",
]
