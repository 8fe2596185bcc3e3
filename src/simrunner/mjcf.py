"""MJCF assembly: a benchmark spec (plus solution parts) as a MuJoCo scene, built with lxml.

Names in the emitted model say what each element is: ``static/<label>``,
``dynamic/<label>``, ``motor/<label>``, ``part/<name>``, ``zone/<label>``; sensors are
``forbid/<zone>/<body>`` (distance to a forbid zone) and ``force/<motor>``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from lxml import etree

from arena_core.spec import (
    BenchmarkSpec,
    Box,
    Capsule,
    Cylinder,
    Geometry,
    Material,
    Mesh,
    Motor,
    Plane,
    Pose,
    Solution,
    Sphere,
)
from arena_core.spec.base import quat_multiply
from simrunner.meshes import MeshLibrary

MESH_DIR = "meshes"
"""Folder of mesh files next to an emitted model."""
MODEL_FILE = "model.xml"
ZONE_GROUP = 4
"""Geom group of zone markers (hidden by default in viewers)."""
MISSING_MATERIAL = Material(name="missing", density=1000.0)


@dataclass(frozen=True)
class BuiltScene:
    """An emitted MJCF document and what the simulator needs to read its results."""

    xml: bytes
    """The MJCF text (UTF-8)."""
    mesh_sha256s: tuple[str, ...]
    """Meshes the document names (files ``meshes/<sha256>.stl``)."""
    dynamic_bodies: tuple[str, ...]
    """Body names of the dynamic objects, in spec order."""
    part_bodies: tuple[str, ...]
    """Body names of the solution parts."""
    motor_bodies: tuple[str, ...]
    """Body names of the motors' moving parts."""
    forbid_sensors: tuple[tuple[str, str], ...] = field(default=())
    """(zone label, body name) of each forbid-zone distance sensor, in sensor order."""
    force_sensors: tuple[str, ...] = field(default=())
    """Motor label of each actuator-force sensor, after the forbid sensors."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.xml).hexdigest()

    def write(self, folder: Path, meshes: MeshLibrary) -> Path:
        """Write ``model.xml`` and its meshes into ``folder``; missing meshes are skipped
        (the validator reports them as ``missing_asset``)."""
        folder.mkdir(parents=True, exist_ok=True)
        for sha in self.mesh_sha256s:
            if sha in meshes:
                meshes.write(sha, folder / MESH_DIR)
        path = folder / MODEL_FILE
        path.write_bytes(self.xml)
        return path


def _num(x: float) -> str:
    return f"{float(x):.10g}"


def _vec(values: tuple[float, ...] | list[float] | np.ndarray) -> str:
    return " ".join(_num(v) for v in values)


def _mesh_name(geometry: Mesh) -> str:
    return f"mesh/{geometry.sha256[:16]}x{_num(geometry.scale)}"


def _geom_attrs(geometry: Geometry) -> dict[str, str]:
    match geometry:
        case Box(half_size=h):
            return {"type": "box", "size": _vec(h)}
        case Sphere(radius=r):
            return {"type": "sphere", "size": _num(r)}
        case Cylinder(radius=r, half_length=h):
            return {"type": "cylinder", "size": _vec((r, h))}
        case Capsule(radius=r, half_length=h):
            return {"type": "capsule", "size": _vec((r, h))}
        case Plane():
            return {"type": "plane", "size": "0 0 0.05"}
        case Mesh():
            return {"type": "mesh", "mesh": _mesh_name(geometry)}
    raise TypeError(f"unknown geometry {geometry!r}")


def _pose_attrs(pose: Pose) -> dict[str, str]:
    attrs = {"pos": _vec(pose.pos)}
    if pose.quat != (1.0, 0.0, 0.0, 0.0):
        attrs["quat"] = _vec(pose.quat)
    return attrs


def _relative_pose(parent: Pose, child: Pose) -> Pose:
    """``child`` expressed in ``parent``'s frame."""
    rot = np.array(parent.rotation())
    pos = rot.T @ (np.array(child.pos) - np.array(parent.pos))
    w, x, y, z = parent.quat
    inverse = (w, -x, -y, -z)
    quat = quat_multiply(inverse, child.quat)
    return Pose(pos=(float(pos[0]), float(pos[1]), float(pos[2])), quat=quat)


class _Builder:
    def __init__(self, spec: BenchmarkSpec, solution: Solution | None) -> None:
        self.spec = spec
        self.solution = solution or Solution()
        self.root = etree.Element("mujoco", model=f"{spec.family}-{spec.seed}")
        self.meshes: dict[str, Mesh] = {}
        self.materials_used: dict[str, Material] = {}

    def material(self, name: str) -> Material:
        found = self.spec.material(name) or MISSING_MATERIAL
        self.materials_used[found.name] = found
        return found

    def geom(
        self,
        parent: etree._Element,
        name: str,
        geometry: Geometry,
        material: str,
        pose: Pose | None = None,
    ) -> etree._Element:
        mat = self.material(material)
        attrs = {"name": name, **_geom_attrs(geometry)}
        if pose is not None:
            attrs.update(_pose_attrs(pose))
        attrs["material"] = f"mat/{mat.name}"
        attrs["density"] = _num(mat.density)
        attrs["friction"] = _vec((mat.friction, 0.005, 0.0001))
        if isinstance(geometry, Mesh):
            self.meshes[_mesh_name(geometry)] = geometry
        return etree.SubElement(parent, "geom", attrs)

    def build(self) -> BuiltScene:
        spec, root = self.spec, self.root
        etree.SubElement(root, "compiler", angle="radian", autolimits="true", meshdir=MESH_DIR)
        etree.SubElement(
            root,
            "option",
            timestep=_num(spec.timestep),
            gravity=_vec(spec.gravity),
            integrator="implicitfast",
        )
        asset = etree.SubElement(root, "asset")
        world = etree.SubElement(root, "worldbody")
        etree.SubElement(world, "light", name="sun", pos="0 0 4", dir="0 0 -1", directional="true")

        for obj in spec.static_objects:
            self.geom(world, f"static/{obj.label}", obj.geometry, obj.material, obj.pose)
        self.zones(world)

        dynamic = []
        for free in spec.dynamic_objects:
            name = f"dynamic/{free.label}"
            body = etree.SubElement(world, "body", name=name, **_pose_attrs(free.pose))
            etree.SubElement(body, "freejoint", name=name)
            self.geom(body, name, free.geometry, free.material)
            dynamic.append(name)

        motor_bodies: dict[str, tuple[etree._Element, Motor]] = {}
        for motor in spec.motors:
            name = f"motor/{motor.label}"
            body = etree.SubElement(world, "body", name=name, **_pose_attrs(motor.pose))
            joint = {"name": name, "type": motor.joint, "axis": _vec(motor.axis)}
            if motor.range is not None:
                joint["range"] = _vec(motor.range)
            if motor.damping > 0:
                joint["damping"] = _num(motor.damping)
            etree.SubElement(body, "joint", joint)
            self.geom(body, name, motor.geometry, motor.material)
            motor_bodies[motor.label] = (body, motor)

        parts = []
        for part in self.solution.parts:
            name = f"part/{part.name}"
            attached = motor_bodies.get(part.motor) if part.motor else None
            if attached is not None:
                parent, motor = attached
                pose = _relative_pose(motor.pose, part.pose)
            else:
                parent, pose = world, part.pose
            body = etree.SubElement(parent, "body", name=name, **_pose_attrs(pose))
            self.geom(body, name, part.geometry, part.material)
            parts.append(name)

        for mat in self.materials_used.values():
            etree.SubElement(asset, "material", name=f"mat/{mat.name}", rgba=_vec(mat.rgba))
        for mesh_name, mesh in sorted(self.meshes.items()):
            etree.SubElement(
                asset,
                "mesh",
                name=mesh_name,
                file=MeshLibrary.file_name(mesh.sha256),
                scale=_vec((mesh.scale,) * 3),
                inertia="exact",
            )
        if not len(asset):
            root.remove(asset)

        self.actuators()
        forbid, forces = self.sensors([*dynamic, *parts])
        xml = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="utf-8")
        return BuiltScene(
            xml=xml,
            mesh_sha256s=tuple(sorted({m.sha256 for m in self.meshes.values()})),
            dynamic_bodies=tuple(dynamic),
            part_bodies=tuple(parts),
            motor_bodies=tuple(f"motor/{m.label}" for m in spec.motors),
            forbid_sensors=forbid,
            force_sensors=forces,
        )

    def zones(self, world: etree._Element) -> None:
        spec = self.spec
        marked = [("build", spec.build_zone, "0.2 0.4 1 0.15")]
        if spec.goal.kind == "reach_zone":
            marked.append(("goal", spec.goal.zone, "0.2 1 0.2 0.25"))
        marked += [("forbid", z, "1 0.1 0.1 0.25") for z in spec.forbid_zones]
        for _, zone, rgba in marked:
            etree.SubElement(
                world,
                "geom",
                name=f"zone/{zone.label}",
                type="box",
                pos=_vec(zone.center),
                size=_vec(zone.half_size),
                contype="0",
                conaffinity="0",
                group=str(ZONE_GROUP),
                rgba=rgba,
            )

    def actuators(self) -> None:
        if not self.spec.motors:
            return
        actuator = etree.SubElement(self.root, "actuator")
        for motor in self.spec.motors:
            force = motor.torque_limit / motor.gear
            attrs = {
                "name": f"motor/{motor.label}",
                "joint": f"motor/{motor.label}",
                "gear": _num(motor.gear),
                "forcerange": _vec((-force, force)),
            }
            if motor.control == "torque":
                attrs["ctrlrange"] = _vec((-force, force))
                etree.SubElement(actuator, "motor", attrs)
            elif motor.control == "position":
                attrs["kp"] = _num(motor.gain)
                etree.SubElement(actuator, "position", attrs)
            else:
                attrs["kv"] = _num(motor.gain)
                etree.SubElement(actuator, "velocity", attrs)

    def sensors(self, tracked: list[str]) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
        forbid = tuple((z.label, body) for z in self.spec.forbid_zones for body in tracked)
        forces = tuple(m.label for m in self.spec.motors)
        if not forbid and not forces:
            return forbid, forces
        sensor = etree.SubElement(self.root, "sensor")
        for zone, body in forbid:
            etree.SubElement(
                sensor,
                "distance",
                name=f"forbid/{zone}/{body}",
                geom1=f"zone/{zone}",
                body2=body,
                cutoff="0.01",
            )
        for label in forces:
            etree.SubElement(
                sensor, "actuatorfrc", name=f"force/{label}", actuator=f"motor/{label}"
            )
        return forbid, forces


def build_mjcf(spec: BenchmarkSpec, solution: Solution | None = None) -> BuiltScene:
    """The MJCF scene of ``spec`` with ``solution``'s parts added.

    Parts with a ``motor`` ride on that motor's moving body; others are fixed to the world.
    The payload's jitter is not baked in: the simulator sets each copy's start state.
    """
    return _Builder(spec, solution).build()


def control_values(motor: Motor, times: np.ndarray) -> np.ndarray:
    """Actuator controls of ``motor`` at ``times`` (schedule values in joint units)."""
    if not motor.schedule:
        return np.zeros(len(times))
    t = np.array([k.t for k in motor.schedule])
    v = np.array([k.value for k in motor.schedule])
    values: np.ndarray = np.interp(times, t, v)
    if motor.control == "torque":
        limit = motor.torque_limit
        return np.asarray(np.clip(values, -limit, limit) / motor.gear)
    return values * motor.gear
