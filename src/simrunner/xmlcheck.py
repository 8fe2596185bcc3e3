"""Reading MJCF written by anyone: well-formedness, size limits, includes, assets, numbers
(the subset's schema is ``simrunner.subset``).

MuJoCo's own XML reader is lenient (it accepts some documents that are not well-formed),
so every file is first read by a real XML parser, with entity expansion, DTDs and network
access off. ``<include>`` elements are expanded here only for inspection; MuJoCo still
compiles the original files.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from arena_core.events.sim import ValidationFailure, ValidationFailureKind
from simrunner.limits import Limits
from simrunner.subset import check_schema

Kind = ValidationFailureKind

_ASSET_FILE_ATTRIBUTES = (
    "file",
    "fileright",
    "fileleft",
    "fileup",
    "filedown",
    "filefront",
    "fileback",
)
"""Attributes of asset elements that name a file."""
_NAME_ATTRIBUTES = frozenset(
    {
        "name",
        "class",
        "childclass",
        "mesh",
        "material",
        "texture",
        "hfield",
        "skin",
        "joint",
        "joint1",
        "joint2",
        "body",
        "body1",
        "body2",
        "site",
        "geom",
        "geom1",
        "geom2",
        "actuator",
        "tendon",
        "objname",
        "refname",
        "target",
        "prefix",
        "model",
        "meshdir",
        "texturedir",
        "assetdir",
        "content_type",
        "key",
        "data",
        "type",
        "objtype",
        "reftype",
        "cranksite",
        "slidersite",
        "jointinparent",
    }
) | frozenset(_ASSET_FILE_ATTRIBUTES)
"""Attributes holding names or words, never numbers (``name="inf"`` is a fine name)."""
_NON_FINITE = frozenset(
    {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
)


@dataclass
class Document:
    """An MJCF file read for inspection, includes expanded."""

    path: Path
    root: etree._Element | None = None
    files: list[Path] = field(default_factory=list)
    """The main file and every included file."""
    assets: list[Path] = field(default_factory=list)
    """Referenced asset files (meshes, textures, height fields)."""
    failures: list[ValidationFailure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    outside_subset: list[str] = field(default_factory=list)

    def fail(
        self, kind: ValidationFailureKind, message: str, *subjects: str, line: int | None = None
    ) -> None:
        self.failures.append(
            ValidationFailure(kind=kind, message=message[:4000], subjects=subjects, line=line)
        )

    @property
    def usable(self) -> bool:
        """False when a failure stops every later check (unreadable, too big, not XML)."""
        blocking = {Kind.xml_syntax, Kind.resource_limit}
        return self.root is not None and not any(f.kind in blocking for f in self.failures)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def _read(doc: Document, path: Path, limits: Limits, what: str) -> etree._Element | None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        doc.fail(Kind.missing_asset, f"{what} {path} cannot be read: {exc.strerror}", str(path))
        return None
    if size > limits.max_file_bytes:
        doc.fail(
            Kind.resource_limit,
            f"{what} {path.name} is {size} bytes; the limit is {limits.max_file_bytes}",
            str(path),
        )
        return None
    try:
        return etree.fromstring(path.read_bytes(), _parser())
    except etree.XMLSyntaxError as exc:
        message = str(exc.msg) if exc.msg else str(exc)
        deep = "depth" in message.lower()
        problem = "is nested too deeply" if deep else "is not well-formed XML"
        kind = Kind.resource_limit if deep else Kind.xml_syntax
        doc.fail(kind, f"{what} {path.name} {problem}: {message}", str(path), line=exc.lineno)
        return None


def _expand_includes(
    doc: Document, element: etree._Element, base: Path, limits: Limits, chain: tuple[Path, ...]
) -> None:
    for include in list(element.iter("include")):
        name = include.get("file")
        parent = include.getparent()
        if name is None or parent is None:
            continue
        target = (base / name).resolve()
        if target in chain:
            doc.fail(Kind.compile, f"include cycle through {name}", name, line=include.sourceline)
            parent.remove(include)
            continue
        if len(chain) > limits.max_include_depth:
            doc.fail(
                Kind.resource_limit, f"includes nested deeper than {limits.max_include_depth}", name
            )
            parent.remove(include)
            continue
        if not target.is_file():
            doc.fail(
                Kind.missing_asset,
                f"included file {name} does not exist (looked in {base})",
                name,
                line=include.sourceline,
            )
            parent.remove(include)
            continue
        included = _read(doc, target, limits, "included file")
        doc.files.append(target)
        if included is None:
            parent.remove(include)
            continue
        _expand_includes(doc, included, base, limits, (*chain, target))
        index = parent.index(include)
        parent.remove(include)
        for offset, child in enumerate(list(included)):
            parent.insert(index + offset, child)


def _check_shape(doc: Document, root: etree._Element, limits: Limits) -> bool:
    count = 0
    deepest = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        deepest = max(deepest, depth)
        if count > limits.max_elements:
            doc.fail(Kind.resource_limit, f"more than {limits.max_elements} XML elements")
            return False
        if depth > limits.max_depth:
            doc.fail(
                Kind.resource_limit,
                f"XML nested deeper than {limits.max_depth} levels",
                line=element.sourceline,
            )
            return False
        stack.extend((child, depth + 1) for child in element)
    return True


def _check_assets(doc: Document, root: etree._Element, base: Path, limits: Limits) -> None:
    compiler: dict[str, str] = {}
    for element in root.iter("compiler"):
        compiler.update({k: v for k, v in element.attrib.items() if k.endswith("dir")})
    asset_dir = compiler.get("assetdir", "")
    folders = {
        "mesh": compiler.get("meshdir", asset_dir),
        "skin": compiler.get("meshdir", asset_dir),
        "hfield": compiler.get("meshdir", asset_dir),
        "texture": compiler.get("texturedir", asset_dir),
    }
    total = 0
    for tag, folder in folders.items():
        for element in root.iter(tag):
            for attribute in _ASSET_FILE_ATTRIBUTES:
                name = element.get(attribute)
                if not name:
                    continue
                path = Path(name) if Path(name).is_absolute() else base / folder / name
                if not path.is_file():
                    doc.fail(
                        Kind.missing_asset,
                        f"{tag} file {name} not found at {path}",
                        name,
                        line=element.sourceline,
                    )
                    continue
                doc.assets.append(path)
                total += path.stat().st_size
    if total > limits.max_asset_bytes:
        doc.fail(
            Kind.resource_limit,
            f"asset files total {total} bytes; the limit is {limits.max_asset_bytes}",
        )


def _check_numbers(doc: Document, root: etree._Element) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in element.attrib.items():
            if attribute in _NAME_ATTRIBUTES:
                continue
            words = value.split()
            if any(w.lower() in _NON_FINITE for w in words):
                doc.fail(
                    Kind.schema,
                    f'non-finite number in <{element.tag} {attribute}="{value[:80]}">',
                    f"{element.tag}@{attribute}",
                    line=element.sourceline,
                )
            elif any(_huge(w) for w in words):
                doc.fail(
                    Kind.schema,
                    f'number out of range in <{element.tag} {attribute}="{value[:80]}">',
                    f"{element.tag}@{attribute}",
                    line=element.sourceline,
                )


def _huge(word: str) -> bool:
    try:
        return math.isinf(float(word))
    except ValueError:
        return False


def read_document(path: Path, limits: Limits, *, strict_schema: bool) -> Document:
    """Read ``path`` and run every check that needs no MuJoCo."""
    doc = Document(path=path)
    root = _read(doc, path, limits, "model file")
    if root is None:
        return doc
    doc.files.append(path)
    if root.tag != "mujoco":
        doc.fail(
            Kind.schema,
            f"root element is <{root.tag}>, not <mujoco>",
            str(root.tag),
            line=root.sourceline,
        )
        doc.root = root
        return doc  # not MJCF at all: the subset checks would only add noise
    base = path.parent
    _expand_includes(doc, root, base, limits, (path.resolve(),))
    doc.root = root
    if not _check_shape(doc, root, limits):
        return doc
    _check_assets(doc, root, base, limits)
    _check_numbers(doc, root)
    failures, doc.outside_subset = check_schema(root, strict_schema)
    doc.failures.extend(failures)
    return doc
