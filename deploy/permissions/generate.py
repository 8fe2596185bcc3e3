"""Write the NATS users file (``users.conf``) from ``services.toml``.

    python deploy/permissions/generate.py [services.toml] > deploy/permissions/users.conf

Every user gets exactly the subjects its role needs: its own events, its durable
consumer's JetStream API and ack subjects, and its own inbox replies. Passwords are not
in the file: each is the server's environment variable ``ARENA_NATS_PASSWORD_<USER>``.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
EVENT_PREFIX = "arena."
HEALTH_SUBJECT = "_ARENA.health"
QUERY_SUBJECTS = "_ARENA.query.>"
"""Queries of the recording (``arena_core.query``): services ask, the recorder answers."""
REQUEST_FAILURES = ("error.invalid_message", "error.dead_letter")
"""Events a request/response waiter also listens for (rejections and dead letters)."""
SERVICE_EVENTS = ("system.service.>", "error.>")
"""Every service announces its lifecycle and may report bad input or dead letters."""
STATE_BUCKETS = ("arena_prompts", "arena_skills", "arena_profiles")
"""Key-value buckets of shared state (``arena_core.state``): the recorder writes them."""
CONTROL_BUCKETS = ("arena_job_controls",)
"""Batch controls (``arena_core.bus.controls``): every worker reads them, the API writes."""


@dataclass(frozen=True)
class User:
    """One NATS user and what it may do."""

    name: str
    consumer: str | None = None
    resets_consumer: bool = False
    publishes: tuple[str, ...] = ()
    awaits: tuple[str, ...] = ()
    probes_health: bool = False
    state: str | None = None
    """``read``: may read the shared-state buckets; ``write``: may also create and fill them."""
    controls: str | None = None
    queries: str | None = None
    """``ask``: may query the recording; ``answer``: answers those queries (the recorder)."""
    """``write``: may create and fill the batch-controls bucket (every consumer reads it)."""
    admin: bool = False

    def password_variable(self) -> str:
        return "ARENA_NATS_PASSWORD_" + self.name.upper().replace("-", "_")


def permissions(user: User, stream: str) -> tuple[list[str], list[str]]:
    """Subjects ``user`` may publish to and subscribe to."""
    api = "$JS.API"
    publish = [f"{api}.INFO", f"{api}.STREAM.INFO.{stream}"]
    subscribe = ["_INBOX.>"]  # JetStream API answers, pull deliveries, request replies
    events = list(user.publishes)
    if user.consumer:
        durable = user.consumer
        events += SERVICE_EVENTS
        publish += [
            f"{api}.STREAM.CREATE.{stream}",
            f"{api}.STREAM.UPDATE.{stream}",
            f"{api}.STREAM.MSG.GET.{stream}",
            f"{api}.DIRECT.GET.{stream}",
            f"{api}.DIRECT.GET.{stream}.>",
            f"{api}.CONSUMER.CREATE.{stream}.{durable}",
            f"{api}.CONSUMER.CREATE.{stream}.{durable}.>",
            f"{api}.CONSUMER.DURABLE.CREATE.{stream}.{durable}",
            f"{api}.CONSUMER.INFO.{stream}.{durable}",
            f"{api}.CONSUMER.MSG.NEXT.{stream}.{durable}",
            f"$JS.ACK.{stream}.{durable}.>",
        ]
        if user.resets_consumer:
            publish.append(f"{api}.CONSUMER.DELETE.{stream}.{durable}")
        subscribe += [
            HEALTH_SUBJECT,
            f"$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.{stream}.{durable}",
        ]
    if user.state in ("read", "write"):
        publish += _bucket_subjects(api, STATE_BUCKETS, write=user.state == "write")
    if user.consumer or user.controls == "write":
        publish += _bucket_subjects(api, CONTROL_BUCKETS, write=user.controls == "write")
    if user.probes_health:
        publish.append(HEALTH_SUBJECT)
    if user.queries == "ask":
        publish.append(QUERY_SUBJECTS)
    elif user.queries == "answer":
        subscribe.append(QUERY_SUBJECTS)
    awaits = list(user.awaits)
    if awaits:
        awaits += REQUEST_FAILURES
    publish += [EVENT_PREFIX + e for e in events]
    subscribe += [EVENT_PREFIX + e for e in awaits]
    return _unique(publish), _unique(subscribe)


def _bucket_subjects(api: str, buckets: tuple[str, ...], *, write: bool) -> list[str]:
    """Reading a bucket: its info, direct gets, watchers (ordered consumers); writing:
    creating it and putting or deleting keys."""
    subjects = []
    for bucket in buckets:
        kv = f"KV_{bucket}"
        subjects += [
            f"{api}.STREAM.INFO.{kv}",
            f"{api}.STREAM.MSG.GET.{kv}",
            f"{api}.DIRECT.GET.{kv}",
            f"{api}.DIRECT.GET.{kv}.>",
            f"{api}.CONSUMER.CREATE.{kv}",
            f"{api}.CONSUMER.CREATE.{kv}.>",
            f"{api}.CONSUMER.INFO.{kv}.>",
            f"{api}.CONSUMER.DELETE.{kv}.>",
            f"$JS.FC.{kv}.>",
        ]
        if write:
            subjects += [f"{api}.STREAM.CREATE.{kv}", f"$KV.{bucket}.>"]
    return subjects


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def load(path: Path) -> tuple[str, list[User]]:
    data = tomllib.loads(path.read_text())
    users = []
    for name, spec in data.get("users", {}).items():
        unknown = set(spec) - {
            "consumer", "resets_consumer", "publishes", "awaits", "probes_health", "state",
            "controls", "queries", "admin",
        }  # fmt: skip
        if unknown:
            raise SystemExit(f"{path}: user {name}: unknown keys {sorted(unknown)}")
        users.append(
            User(
                name=name,
                consumer=spec.get("consumer"),
                resets_consumer=bool(spec.get("resets_consumer", False)),
                publishes=tuple(spec.get("publishes", ())),
                awaits=tuple(spec.get("awaits", ())),
                probes_health=bool(spec.get("probes_health", False)),
                state=spec.get("state"),
                controls=spec.get("controls"),
                queries=spec.get("queries"),
                admin=bool(spec.get("admin", False)),
            )
        )
    return str(data.get("stream", "ARENA")), users


def _list(subjects: list[str], indent: str) -> str:
    inner = "".join(f'{indent}  "{s}"\n' for s in subjects)
    return f"[\n{inner}{indent}]"


def render(stream: str, users: list[User]) -> str:
    out = [
        "# Generated by deploy/permissions/generate.py from services.toml: edit that file",
        "# and regenerate. Passwords come from the server's environment, one variable per",
        "# user (ARENA_NATS_PASSWORD_<USER>); clients put them in their URL:",
        "#   ARENA_NATS_URL=nats://simrunner:$PASSWORD@nats:4222",
        "authorization {",
        "  users: [",
    ]
    for user in users:
        out += ["    {", f"      user: {user.name}", f"      password: ${user.password_variable()}"]
        if not user.admin:
            publish, subscribe = permissions(user, stream)
            out += [
                "      permissions: {",
                f"        publish: {{ allow: {_list(publish, '        ')} }}",
                f"        subscribe: {{ allow: {_list(subscribe, '        ')} }}",
            ]
            if user.consumer:
                out.append("        allow_responses: true  # answer health probes")
            out.append("      }")
        out.append("    }")
    out += ["  ]", "}"]
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> None:
    source = Path(argv[1]) if len(argv) > 1 else HERE / "services.toml"
    stream, users = load(source)
    sys.stdout.write(render(stream, users))


if __name__ == "__main__":
    main(sys.argv)
