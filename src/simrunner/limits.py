"""The limits and tolerances every check uses, in one documented place."""

from __future__ import annotations

from dataclasses import dataclass

from arena_core.settings import Settings


@dataclass(frozen=True)
class Limits:
    """What the validator and the simulator accept, and how strict they are."""

    max_file_bytes: int = 8_000_000
    """Largest MJCF file (and each included file) read, in bytes."""
    max_depth: int = 128
    """Deepest XML element nesting accepted (includes expanded)."""
    max_elements: int = 50_000
    """Most XML elements accepted (includes expanded)."""
    max_include_depth: int = 8
    """Deepest chain of ``<include>`` files."""
    max_asset_bytes: int = 64_000_000
    """Largest total size of referenced asset files (meshes, textures)."""
    penetration_tolerance_m: float = 0.002
    """Contacts deeper than this at t=0 are interpenetration; shallower is resting contact."""
    volume_tolerance_m3: float = 1e-7
    """Estimated intersection volume of two solids above which they interpenetrate."""
    volume_samples: int = 4096
    """Sample points per overlapping pair in the intersection-volume estimate."""
    validate_frames: int = 300
    """Frames simulated from rest to check stability."""
    max_speed: float = 100.0
    """Largest |qvel| (m/s or rad/s) before motion counts as runaway."""
    motor_probe_s: float = 0.2
    """Simulated time each actuator is driven to see that it moves something."""
    motor_min_motion: float = 1e-5
    """Smallest change of any joint coordinate that counts as moving something."""
    overload_fraction: float = 0.95
    """A motor at or above this fraction of its torque limit is saturated."""
    overload_s: float = 0.5
    """How long a motor may stay saturated before ``motor_overload``."""
    forbid_touch_m: float = 1e-4
    """Distance to a forbid zone at or below which an object touches it."""
    wall_limit_s: float = 120.0
    """Wall-clock budget of one validation or one sim job."""

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            penetration_tolerance_m=settings.sim_penetration_tolerance_m,
            validate_frames=settings.sim_validate_frames,
            max_file_bytes=settings.sim_max_file_bytes,
            wall_limit_s=settings.sim_wall_limit_s,
        )
