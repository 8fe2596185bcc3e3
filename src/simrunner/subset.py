"""The MJCF subset the simrunner emits: its XSD (shipped in the package), and checking a
document against it."""

from __future__ import annotations

import copy
import threading
from functools import cache
from importlib.resources import files

from lxml import etree

from arena_core.events.sim import ValidationFailure, ValidationFailureKind

Kind = ValidationFailureKind

_OUTSIDE_SUBSET_ERRORS = frozenset(
    {
        "SCHEMAV_ELEMENT_CONTENT",
        "SCHEMAV_CVC_COMPLEX_TYPE_3_2_1",
        "SCHEMAV_CVC_COMPLEX_TYPE_3_2_2",
        "SCHEMAV_CVC_COMPLEX_TYPE_4",
        "SCHEMAV_CVC_ENUMERATION_VALID",
        "SCHEMAV_CVC_ELT_1",
    }
)
"""XSD errors that mean "uses MJCF beyond the emitted subset" rather than "bad value"."""


_per_thread = threading.local()
_compiling = threading.Lock()
"""libxml2's schema parser is not thread-safe either: threads compile their copy in turn."""


def subset_schema() -> etree.XMLSchema:
    """The XSD of the MJCF subset the simrunner emits (shipped in the package).

    One compiled schema per thread: lxml's ``XMLSchema`` is not safe to use from two
    threads at once (the service validates in worker threads), and it fails with
    "Internal error in XML Schema validation" when shared.
    """
    schema: etree.XMLSchema | None = getattr(_per_thread, "schema", None)
    if schema is None:
        source = files("simrunner") / "schema" / "mjcf_subset.xsd"
        with _compiling:
            schema = etree.XMLSchema(etree.fromstring(source.read_bytes()))
        _per_thread.schema = schema
    return schema


@cache
def subset_elements() -> frozenset[str]:
    source = files("simrunner") / "schema" / "mjcf_subset.xsd"
    tree = etree.fromstring(source.read_bytes())
    ns = "{http://www.w3.org/2001/XMLSchema}element"
    return frozenset(str(e.get("name")) for e in tree.iter(ns) if e.get("name"))


def check_schema(root: etree._Element, strict: bool) -> tuple[list[ValidationFailure], list[str]]:
    """XSD-check the subset part of a document: its failures, and what it uses beyond the
    subset (a failure each when ``strict``). Elements beyond the subset are pruned first,
    so every subset element is still checked."""
    failures: list[ValidationFailure] = []
    known = subset_elements()
    pruned = copy.deepcopy(root)
    outside: set[str] = set()
    for element in list(pruned.iter()):
        if isinstance(element.tag, str) and element.tag not in known:
            outside.add(element.tag)
            parent = element.getparent()
            if parent is not None:
                if strict:
                    failures.append(
                        ValidationFailure(
                            kind=Kind.schema,
                            message=f"<{element.tag}> is outside the emitted MJCF subset",
                            subjects=(element.tag,),
                            line=element.sourceline,
                        )
                    )
                parent.remove(element)
    for element in pruned.iter():
        # MJCF ignores whitespace (and comments, already dropped) between elements; the
        # XSD would count it as content of elements declared empty, like <option>.
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    schema = subset_schema()
    if not schema.validate(pruned):
        for error in schema.error_log:
            if "nan" in error.message.lower() or "inf" in error.message.lower():
                continue  # already reported by the number check, with a clearer message
            if not strict and error.type_name in _OUTSIDE_SUBSET_ERRORS:
                outside.add(_subset_label(error))
                continue
            failures.append(
                ValidationFailure(kind=Kind.schema, message=error.message[:4000], line=error.line)
            )
    return failures, sorted(outside)


def _subset_label(error: etree._LogEntry) -> str:
    message = error.message
    # e.g. "Element 'geom', attribute 'solref': The attribute 'solref' is not allowed."
    parts = [p.split("'")[1] for p in message.split(",")[:2] if p.count("'") >= 2]
    if error.type_name == "SCHEMAV_CVC_ENUMERATION_VALID":
        # "Element 'geom', attribute 'type': [facet 'enumeration'] The value 'ellipsoid' ..."
        _, found, rest = message.partition("The value '")
        value = rest.split("'", 1)[0] if found else "?"
        return f"{'@'.join(parts[:2])}={value}"
    return "@".join(parts) or message[:80]
