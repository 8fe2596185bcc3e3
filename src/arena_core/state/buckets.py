"""The key-value buckets that carry shared state to every node.

Both are projections the recorder keeps equal to the database after each commit:

- ``arena_prompts``: key ``<role>.<tag>`` -> the ``Prompt`` that tag points at.
- ``arena_skills``: key ``<role>.<slug>`` -> the latest ``Skill`` version of that slug.
- ``arena_profiles``: key ``<role>.<tag>`` -> the ``Profile`` that tag points at (``prod``:
  the approved profile whose settings and template the role's runs use).
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BucketNotFoundError
from nats.js.kv import KeyValue

READ_TIMEOUT_S = 10.0
"""How long a read of a bucket's values waits for the next one before it fails."""

PROMPTS = "arena_prompts"
SKILLS = "arena_skills"
PROFILES = "arena_profiles"
BUCKETS = (PROMPTS, SKILLS, PROFILES)


def prompt_key(role: str, tag: str) -> str:
    return f"{role}.{tag}"


def profile_key(role: str, tag: str) -> str:
    return f"{role}.{tag}"


def skill_key(role: str, slug: str) -> str:
    return f"{role}.{slug}"


async def open_bucket(js: JetStreamContext, name: str) -> KeyValue | None:
    """The bucket, or None while no recorder has created it (nothing recorded yet)."""
    try:
        return await js.key_value(name)
    except BucketNotFoundError:
        return None


async def ensure_bucket(js: JetStreamContext, name: str, *, replicas: int = 1) -> KeyValue:
    """Create the bucket (one value per key, file storage) or open the existing one."""
    kv = await open_bucket(js, name)
    if kv is not None:
        return kv
    return await js.create_key_value(
        KeyValueConfig(
            bucket=name,
            history=1,
            storage=StorageType.FILE,
            replicas=replicas,
            description="arena shared state (a projection of the recording)",
        )
    )


async def live_values(js: JetStreamContext, name: str, keys: str = ">") -> dict[str, bytes]:
    """Key -> value of every key of bucket ``name`` matching ``keys`` that holds a value
    (deleted keys left out); empty while the bucket does not exist.

    nats-py's watch marks the end of the current values with None when its consumer
    reports nothing pending, and under load that marker can come before values already
    on their way: a bucket would read as empty. So the values end with the one that
    leaves nothing pending (``delta == 0``), and a None ends them only when the stream
    holds nothing under ``keys``."""
    kv = await open_bucket(js, name)
    if kv is None:
        return {}
    watcher = await kv.watch(keys)  # deletes too: they count in what is pending
    found: dict[str, bytes] = {}
    try:
        while True:
            entry = await watcher.updates(timeout=READ_TIMEOUT_S)  # type: ignore[no-untyped-call]
            if entry is None:
                info = await js.stream_info(f"KV_{name}", subjects_filter=f"$KV.{name}.{keys}")
                if not info.state.subjects:
                    break
                continue
            if entry.operation is None and entry.value:
                found[entry.key] = entry.value
            else:
                found.pop(entry.key, None)
            if entry.delta == 0:
                break
    finally:
        await watcher.stop()  # type: ignore[no-untyped-call]
    return found
