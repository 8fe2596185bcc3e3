"""JSON Schema per event type and an AsyncAPI 3.0 document, generated from the models."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import orjson
import yaml

from arena_core import __version__
from arena_core.events import EventRegistry, registry, subject_for


def event_schema(event_type: str, events: EventRegistry = registry) -> dict[str, Any]:
    """The JSON Schema of a whole envelope of ``event_type`` (what travels on the wire)."""
    schema = events.envelope_model(event_type).model_json_schema(mode="serialization")
    schema["title"] = event_type
    schema["properties"]["type"] = {"const": event_type, "title": "Type", "type": "string"}
    model = events.model(event_type)
    if model.__doc__:
        schema["description"] = model.__doc__.strip()
    schema["x-subject"] = subject_for(event_type)
    return schema


def asyncapi(events: EventRegistry = registry) -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for event_type in events:
        key = event_type.replace(".", "_")
        schema = event_schema(event_type, events)
        messages[key] = {
            "name": event_type,
            "title": event_type,
            "summary": schema.get("description", event_type).splitlines()[0],
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    "Nats-Msg-Id": {"type": "string", "description": "envelope id"},
                    "Arena-Type": {"type": "string", "const": event_type},
                    "Arena-Run-Id": {"type": "string"},
                    "Arena-Correlation-Id": {"type": "string"},
                    "Arena-Causation-Id": {"type": "string"},
                },
            },
            "payload": schema,
        }
        channels[key] = {
            "address": subject_for(event_type),
            "messages": {key: {"$ref": f"#/components/messages/{key}"}},
        }
        operations[f"publish_{key}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{key}"},
            "messages": [{"$ref": f"#/channels/{key}/messages/{key}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Arena events",
            "version": __version__,
            "description": "Every message on the Arena bus: subject arena.<type>, one envelope.",
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {"host": "127.0.0.1:4222", "protocol": "nats", "description": "embedded"}
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def openapi_json() -> bytes:
    """The HTTP API's OpenAPI document (built from the same payload models)."""
    from arena_core.api import openapi_for

    return orjson.dumps(openapi_for(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def render(events: EventRegistry = registry) -> dict[str, bytes]:
    """File name -> exact bytes of every generated schema file."""
    files = {
        f"{t}.json": orjson.dumps(
            event_schema(t, events), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
        )
        + b"\n"
        for t in events
    }
    files["openapi.json"] = openapi_json()
    files["asyncapi.yaml"] = yaml.dump(  # libyaml's emitter: the pure-Python one is 3x slower
        asyncapi(events), Dumper=yaml.CSafeDumper, sort_keys=True, allow_unicode=True, width=100
    ).encode()
    return files


def write(out: Path, events: EventRegistry = registry) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files = render(events)
    for stale in out.iterdir():
        if stale.is_file() and stale.name not in files and stale.suffix in {".json", ".yaml"}:
            stale.unlink()
    written = []
    for name, data in files.items():
        path = out / name
        path.write_bytes(data)
        written.append(path)
    return written


def check(out: Path, events: EventRegistry = registry) -> list[str]:
    """Differences between ``out`` and what the code generates (empty when current)."""
    problems = []
    files = render(events)
    existing = (
        {p.name for p in out.glob("*") if p.suffix in {".json", ".yaml"}} if out.is_dir() else set()
    )
    for name in sorted(existing - files.keys()):
        problems.append(f"{name}: no longer generated (stale)")
    for name, data in files.items():
        path = out / name
        if not path.is_file():
            problems.append(f"{name}: missing")
            continue
        have = path.read_bytes()
        if have != data:
            diff = difflib.unified_diff(
                have.decode().splitlines(), data.decode().splitlines(), lineterm="", n=1
            )
            problems.append(f"{name}: differs\n" + "\n".join(list(diff)[:20]))
    return problems
