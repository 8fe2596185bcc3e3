"""Matplotlib previews: PNGs of the standard views, deterministic and showing the part."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

from engineer.preview import PreviewPart, render_preview
from engineer.workbench import Mesh


def pixels(path: Path) -> np.ndarray:
    return np.asarray(imread(path))[:, :, :3]


def test_a_sheet_holds_every_standard_view_in_one_png(pocket: Mesh, tmp_path: Path) -> None:
    result = render_preview([PreviewPart("pocket", pocket)], tmp_path, size_px=400)

    (image,) = result.images
    assert result.renderer == "matplotlib"
    assert image.views == ("front", "side", "top", "iso")
    assert pixels(image.path).shape == (400, 400, 3)
    assert image.bytes == image.path.stat().st_size


def test_separate_layout_writes_one_png_per_view(pocket: Mesh, tmp_path: Path) -> None:
    result = render_preview(
        [PreviewPart("pocket", pocket)], tmp_path, views=("front", "top"), layout="separate"
    )

    assert [image.views for image in result.images] == [("front",), ("top",)]
    assert len({image.sha256 for image in result.images}) == 2


def test_the_same_scene_gives_the_same_bytes(pocket: Mesh, tmp_path: Path) -> None:
    first = render_preview([PreviewPart("pocket", pocket)], tmp_path / "a")
    second = render_preview([PreviewPart("pocket", pocket)], tmp_path / "b")

    assert first.images[0].sha256 == second.images[0].sha256
    assert first.images[0].path.read_bytes() == second.images[0].path.read_bytes()


def test_the_part_is_drawn_in_its_colour_in_the_middle_of_the_view(
    pocket: Mesh, tmp_path: Path
) -> None:
    red = (1.0, 0.0, 0.0, 1.0)
    result = render_preview(
        [PreviewPart("pocket", pocket, rgba=red)], tmp_path, views=("front",), size_px=200
    )

    image = pixels(result.images[0].path)
    centre, corner = image[100, 100], image[8, 8]
    assert centre[0] > 0.3 and centre[1] < 0.05 and centre[2] < 0.05
    assert corner.min() > 0.95  # background stays white


def test_a_long_bar_fills_the_front_view_across_but_not_up(bar: Mesh, tmp_path: Path) -> None:
    result = render_preview([PreviewPart("bar", bar)], tmp_path, views=("front",), size_px=200)

    image = pixels(result.images[0].path)
    drawn = image.max(axis=2) - image.min(axis=2) > 0.2  # coloured: not the grey frame or text
    rows, columns = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    # 300 mm across and 20 mm high: the shape is far wider than it is tall.
    assert (columns.max() - columns.min()) > 8 * (rows.max() - rows.min())


def test_several_parts_share_one_scene(pocket: Mesh, bar: Mesh, tmp_path: Path) -> None:
    result = render_preview([PreviewPart("pocket", pocket), PreviewPart("bar", bar)], tmp_path)

    assert result.parts == ("pocket", "bar")
    assert result.triangles == len(pocket.faces) + len(bar.faces)


def test_a_preview_without_parts_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one part"):
        render_preview([], tmp_path)


def test_an_unknown_view_is_refused(pocket: Mesh, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown views"):
        render_preview([PreviewPart("pocket", pocket)], tmp_path, views=("bottom",))  # type: ignore[arg-type]


def test_the_benchmarks_zones_are_drawn_around_the_placed_part(
    pocket: Mesh, tmp_path: Path
) -> None:
    from arena_core.spec import Pose
    from arena_core.spec.examples import ball_to_goal
    from engineer.preview import benchmark_zones, placed

    spec = ball_to_goal(0)
    zones = benchmark_zones(spec)
    assert [z.name.split()[0] for z in zones][:2] == ["build", "goal"]
    part = PreviewPart("pocket", placed(pocket, Pose.at(*spec.build_zone.low)))
    bare = render_preview([part], tmp_path / "bare", views=("top",), size_px=300)
    drawn = render_preview([part], tmp_path / "zones", views=("top",), size_px=300, zones=zones)

    image = pixels(drawn.images[0].path)
    greenish = (image[:, :, 1] > image[:, :, 0] + 0.1) & (image[:, :, 1] > image[:, :, 2] + 0.05)
    bluish = (image[:, :, 2] > image[:, :, 0] + 0.1) & (image[:, :, 2] > image[:, :, 1] + 0.05)
    assert greenish.sum() > 100 and bluish.sum() > 100  # the goal and the build zone
    assert bare.images[0].sha256 != drawn.images[0].sha256


def test_a_placed_part_moves_and_turns_with_its_pose(pocket: Mesh) -> None:
    from arena_core.spec import Pose
    from engineer.preview import placed

    moved = placed(pocket, Pose.at(1.0, 2.0, 3.0, euler=(0.0, 0.0, np.pi / 2)))
    centre = np.asarray(pocket.corners).reshape(-1, 3).mean(axis=0)
    turned = moved.corners.reshape(-1, 3).mean(axis=0)
    assert np.allclose(turned, [1.0 - centre[1], 2.0 + centre[0], 3.0 + centre[2]], atol=1e-9)
    assert np.allclose(np.linalg.norm(moved.normals, axis=1), 1.0)
