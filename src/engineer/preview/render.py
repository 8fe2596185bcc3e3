"""PNG previews of triangle meshes with matplotlib's Agg backend.

Triangles are projected orthographically, back faces dropped, the rest painted far to
near with Lambert shading: no OpenGL, so it runs in any service process, and the same
meshes give the same PNG bytes. (MuJoCo's offscreen renderer lives in the simrunner.)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Literal, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Polygon
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from engineer.preview.views import ALL_VIEWS, VIEWS, View, ViewName

Layout = Literal["sheet", "separate"]
"""``sheet``: every view in one PNG; ``separate``: one PNG per view."""

RGBA = tuple[float, float, float, float]

PALETTE: tuple[RGBA, ...] = (
    (0.90, 0.50, 0.10, 1.0),
    (0.20, 0.45, 0.80, 1.0),
    (0.30, 0.65, 0.30, 1.0),
    (0.75, 0.25, 0.35, 1.0),
    (0.55, 0.40, 0.75, 1.0),
    (0.50, 0.50, 0.50, 1.0),
)
"""Colours given to parts that bring none, in order."""

MIN_SIZE_PX = 96
MAX_SIZE_PX = 2048
_DPI = 100
_AMBIENT = 0.35
_DIFFUSE = 0.65


class Shape(Protocol):
    """A triangle mesh: anything with per-triangle corners and outward unit normals."""

    @property
    def corners(self) -> NDArray[np.float64]:
        """``(f, 3, 3)`` corner coordinates of each triangle."""
        ...

    @property
    def normals(self) -> NDArray[np.float64]:
        """``(f, 3)`` outward unit normal of each triangle."""
        ...


@dataclass(frozen=True)
class PreviewZone:
    """A box of the benchmark drawn behind the parts: build zone, goal or forbidden zone."""

    name: str
    """Shown in the legend."""
    low: tuple[float, float, float]
    """Corner with the smallest x, y and z (metres, the scene's frame)."""
    high: tuple[float, float, float]
    """Corner with the largest x, y and z."""
    rgba: RGBA
    """Its colour (translucent)."""


@dataclass(frozen=True)
class PreviewPart:
    """One part to draw."""

    name: str
    """Shown in the legend."""
    shape: Shape
    """Its triangles, in the scene's frame (metres)."""
    rgba: RGBA | None = None
    """Its colour; None takes the next colour of ``PALETTE``."""


class PreviewImage(BaseModel):
    """One PNG written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    views: tuple[ViewName, ...]
    """The views it shows."""
    path: Path
    """Where it was written."""
    width_px: int
    """Width in pixels."""
    height_px: int
    """Height in pixels."""
    bytes: int
    """File size."""
    sha256: str
    """Hex SHA-256 of the file (its content address)."""


class PreviewResult(BaseModel):
    """The images of one preview and how they were made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    renderer: Literal["matplotlib"] = "matplotlib"
    """What drew them (MuJoCo renders come from the simrunner)."""
    images: tuple[PreviewImage, ...]
    """The PNGs, in view order."""
    parts: tuple[str, ...]
    """The parts drawn."""
    triangles: int = Field(ge=0)
    """Triangles in the scene."""
    extent_m: tuple[float, float, float]
    """Size of the scene's bounding box along x, y, z."""


@dataclass(frozen=True)
class _Scene:
    corners: NDArray[np.float64]
    normals: NDArray[np.float64]
    colours: NDArray[np.float64]
    names: tuple[str, ...]
    swatches: tuple[RGBA, ...]
    zones: tuple[PreviewZone, ...] = ()

    def points(self) -> NDArray[np.float64]:
        """Every corner of the parts and the zones (what the views must hold)."""
        boxes = [_box_corners(z) for z in self.zones]
        return np.concatenate([self.corners.reshape(-1, 3), *boxes])


def _box_corners(zone: PreviewZone) -> NDArray[np.float64]:
    low, high = np.asarray(zone.low), np.asarray(zone.high)
    picks = np.array([[i, j, k] for i in (0, 1) for j in (0, 1) for k in (0, 1)], dtype=bool)
    return np.where(picks, high, low)


def _hull(points: NDArray[np.float64]) -> NDArray[np.float64]:
    """Convex hull of 2-D points, counter-clockwise (monotone chain)."""
    ordered = sorted({(round(float(x), 12), round(float(y), 12)) for x, y in points})
    if len(ordered) < 3:
        return np.array(ordered)

    def half(seq: list[tuple[float, float]]) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        for p in seq:
            while (
                len(out) >= 2
                and (
                    (out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                    - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])
                )
                <= 0
            ):
                out.pop()
            out.append(p)
        return out

    return np.array(half(ordered)[:-1] + half(ordered[::-1])[:-1])


def _scene(parts: Sequence[PreviewPart], zones: Sequence[PreviewZone] = ()) -> _Scene:
    if not parts:
        raise ValueError("a preview needs at least one part")
    corners, normals, colours, swatches = [], [], [], []
    for index, part in enumerate(parts):
        rgba = part.rgba or PALETTE[index % len(PALETTE)]
        count = len(part.shape.corners)
        corners.append(np.asarray(part.shape.corners, dtype=np.float64))
        normals.append(np.asarray(part.shape.normals, dtype=np.float64))
        colours.append(np.tile(np.asarray(rgba[:3]), (count, 1)))
        swatches.append(rgba)
    return _Scene(
        corners=np.concatenate(corners),
        normals=np.concatenate(normals),
        colours=np.concatenate(colours),
        names=tuple(p.name for p in parts),
        swatches=tuple(swatches),
        zones=tuple(zones),
    )


def render_preview(
    parts: Sequence[PreviewPart],
    out_dir: Path,
    *,
    views: Sequence[ViewName] = ALL_VIEWS,
    size_px: int = 512,
    layout: Layout = "sheet",
    zones: Sequence[PreviewZone] = (),
) -> PreviewResult:
    """Draw ``parts`` from ``views`` into PNGs under ``out_dir`` (named by their content),
    with ``zones`` drawn translucent behind them."""
    if not views:
        raise ValueError("a preview needs at least one view")
    if not MIN_SIZE_PX <= size_px <= MAX_SIZE_PX:
        raise ValueError(f"size_px must be between {MIN_SIZE_PX} and {MAX_SIZE_PX}")
    unknown = sorted(set(views) - set(VIEWS))
    if unknown:
        raise ValueError(f"unknown views {unknown}; views are {', '.join(ALL_VIEWS)}")
    scene = _scene(parts, zones)
    out_dir.mkdir(parents=True, exist_ok=True)
    ordered = tuple(dict.fromkeys(views))
    pages = [ordered] if layout == "sheet" else [(v,) for v in ordered]
    images = tuple(_write(scene, page, size_px, out_dir) for page in pages)
    points = scene.corners.reshape(-1, 3)
    extent = points.max(axis=0) - points.min(axis=0)
    return PreviewResult(
        images=images,
        parts=scene.names,
        triangles=len(scene.corners),
        extent_m=(float(extent[0]), float(extent[1]), float(extent[2])),
    )


def _write(scene: _Scene, views: tuple[ViewName, ...], size_px: int, out_dir: Path) -> PreviewImage:
    columns = 1 if len(views) == 1 else 2
    rows = math.ceil(len(views) / columns)
    width, height = size_px, size_px * rows // columns
    figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, facecolor="white")
    FigureCanvasAgg(figure)
    for index, name in enumerate(views):
        axes = figure.add_subplot(rows, columns, index + 1)
        _draw(axes, scene, VIEWS[name])
    bottom = 0.02
    if len(scene.names) + len(scene.zones) > 1:
        _legend(figure, scene)
        bottom = 0.08
    figure.subplots_adjust(left=0.02, right=0.98, bottom=bottom, top=0.94, wspace=0.05, hspace=0.12)
    buffer = BytesIO()
    # No Software/date metadata: equal scenes give byte-identical files.
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    path = out_dir / f"preview-{'-'.join(views)}-{digest[:16]}.png"
    if not path.exists():
        path.write_bytes(data)
    return PreviewImage(
        views=views, path=path, width_px=width, height_px=height, bytes=len(data), sha256=digest
    )


def _draw(axes: Axes, scene: _Scene, view: View) -> None:
    facing = scene.normals @ view.towards_viewer > 0
    corners = scene.corners[facing]
    screen = np.stack([corners @ view.right, corners @ view.up], axis=-1)
    depth = (corners @ view.towards_viewer).mean(axis=1)
    order = np.argsort(depth, kind="stable")
    light = view.towards_viewer + 0.5 * view.up + 0.3 * view.right
    light /= np.linalg.norm(light)
    shade = _AMBIENT + _DIFFUSE * np.clip(scene.normals[facing] @ light, 0.0, 1.0)
    colours = np.clip(scene.colours[facing] * shade[:, None], 0.0, 1.0)[order]
    polygons = PolyCollection(
        list(screen[order]), facecolors=colours, edgecolors=colours, linewidths=0.7
    )
    for zone in scene.zones:
        box = _box_corners(zone)
        outline = _hull(np.stack([box @ view.right, box @ view.up], axis=-1))
        axes.add_patch(
            Polygon(outline, closed=True, facecolor=zone.rgba, zorder=0,
                    edgecolor=(*zone.rgba[:3], min(1.0, zone.rgba[3] * 3)), linewidth=0.8)
        )  # fmt: skip
    polygons.set_zorder(1)
    axes.add_collection(polygons)
    everything = scene.points()
    xs, ys = everything @ view.right, everything @ view.up
    span = max(float(xs.max() - xs.min()), float(ys.max() - ys.min()), 1e-9)
    pad = 0.06 * span
    cx, cy = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2
    axes.set_xlim(cx - span / 2 - pad, cx + span / 2 + pad)
    axes.set_ylim(cy - span / 2 - pad, cy + span / 2 + pad)
    axes.set_aspect("equal")
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_color("#cccccc")
    axes.set_title(
        f"{view.name} ({view.axes_label}), {span * 1000:.0f} mm across", fontsize=7, pad=3
    )


def _legend(figure: Figure, scene: _Scene) -> None:
    handles = [
        Patch(color=rgba[:3], label=name)
        for name, rgba in zip(scene.names, scene.swatches, strict=True)
    ] + [Patch(color=z.rgba, label=z.name) for z in scene.zones]
    figure.legend(
        handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=7, frameon=False
    )
