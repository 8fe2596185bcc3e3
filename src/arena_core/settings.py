"""One settings object: environment variables ``ARENA_*`` over an optional TOML file.

The TOML file is ``$ARENA_CONFIG`` when set, else ``arena.toml`` in the working
directory when it exists. Environment variables win over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

LlmPolicyName = Literal["offline", "anthropic", "replay"]
SandboxMode = Literal["isolated", "unsafe-local", "podman"]


class Settings(BaseSettings):
    """Every setting of Arena; each field is the env var ``ARENA_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="ARENA_", extra="forbid", frozen=True, use_attribute_docstrings=True
    )

    nats_url: str | None = None
    """NATS server or cluster to join (comma-separated URLs). Unset: start an embedded one."""
    nats_connect_s: float = Field(default=30.0, gt=0)
    """How long a process waits for NATS to answer its first connection (the ``arena``
    commands a person types wait 3 s, services 30 s)."""
    home: Path = Path(".arena")
    """Where local state lives: embedded NATS store, SQLite database, logs."""
    nats_store: Path | None = None
    """JetStream store of the embedded server (default ``<home>/nats``)."""
    db_path: Path | None = None
    """SQLite database file (default ``<home>/arena.db``)."""
    workspace: Path = Path("workspace")
    """Per-run working files, mirrored artifacts and learned skills."""

    stream_name: str = "ARENA"
    """JetStream stream holding every ``arena.>`` message."""
    stream_max_age_s: float = Field(default=30 * 24 * 3600, gt=0)
    """How long the stream keeps messages (the SQLite recording keeps them forever)."""
    stream_replicas: int = Field(default=1, ge=1, le=5)
    """Stream replicas: 1 for one server, 3 in a cluster."""
    duplicate_window_s: float = Field(default=120, gt=0)
    """JetStream de-duplication window on ``Nats-Msg-Id``."""

    ack_wait_s: float = Field(default=3, gt=0)
    """Time a handler has before redelivery; it is also how soon the work of a killed process
    is redelivered. Pull workers heartbeat every message they still handle four times per
    ``ack_wait_s``, from a thread with its own NATS connection, so handlers of any length
    keep their message even while one holds the event loop; a process whose loop has not
    turned for 30 s lets its messages go."""
    max_deliver: int = Field(default=5, ge=1)
    """Deliveries of one message before it is dead-lettered."""
    max_ack_pending: int = Field(default=256, ge=1)
    """Unacked messages a service's consumer may have outstanding across all its processes."""
    fetch_batch: int = Field(default=64, ge=1)
    """Most messages one fetch asks for."""
    fetch_wait_s: float = Field(default=1.0, gt=0)
    """How long one pull request waits for messages; a draining service waits at most this
    long for its last pull request to expire."""
    nak_backoff_s: tuple[float, ...] = (0.5, 2.0, 8.0, 30.0)
    """Delay before redelivery after the 1st, 2nd, ... failure (last value repeats)."""
    request_timeout_s: float = Field(default=120, gt=0)
    """Default wait of the request/response helper."""

    recorder_batch: int = Field(default=1000, ge=1)
    """Most messages the recorder writes in one transaction."""
    artifact_inline_max_bytes: int = Field(default=64 * 1024, ge=0)
    """Files larger than this travel as artifacts (events carry an ``ArtifactRef``)."""

    llm: LlmPolicyName = "offline"
    """Agent policy: ``offline`` (deterministic algorithms), ``anthropic``, ``replay``."""
    anthropic_api_key: SecretStr | None = Field(default=None, validation_alias="ANTHROPIC_API_KEY")
    """Claude API key (read from ``ANTHROPIC_API_KEY``; never logged or recorded)."""
    llm_model: str = "claude-sonnet-4-6"
    """Model the agents ask (must be in the price table)."""
    llm_max_tokens: int = Field(default=4096, ge=1)
    """Default output token limit of one call."""
    llm_temperature: float | None = Field(default=None, ge=0, le=1)
    """Default sampling temperature; unset uses the model's default."""
    anthropic_base_url: str | None = None
    """Messages API base URL; unset uses Anthropic's (tests point it at a local server)."""
    llm_timeout_s: float = Field(default=120, gt=0)
    """Time one HTTP attempt may take."""
    llm_max_retries: int = Field(default=4, ge=0)
    """Retries after 429, 5xx, 529 (overloaded), timeouts and connection errors."""
    llm_retry_base_s: float = Field(default=1.0, ge=0)
    """First retry delay; it doubles on each retry (with jitter) up to ``llm_retry_max_s``."""
    llm_retry_max_s: float = Field(default=30.0, ge=0)
    """Longest wait between attempts, also caps a server's ``retry-after``."""
    llm_prompt_cache: bool = True
    """Mark the system prompt and tool definitions as a cacheable prefix."""
    llm_seed: int = 0
    """Seed of the offline policy's deciders: the same seed gives the same answers."""
    llm_replay_path: Path | None = None
    """JSONL of recorded calls the ``replay`` policy answers from."""
    run_max_tokens: int | None = Field(default=None, ge=1)
    """Token budget of one run (all LLM calls); unset means unlimited."""
    run_max_cost_usd: float | None = Field(default=None, gt=0)
    """Dollar budget of one run (all LLM calls); unset means unlimited."""
    sandbox: SandboxMode = "isolated"
    """How untrusted code runs: ``isolated`` (namespaces + rlimits), ``podman``, or
    ``unsafe-local`` (no isolation; development only)."""
    sandbox_pool_size: int = Field(default=2, ge=1)
    """Warm fork servers at most, i.e. sandbox jobs that run at once per process (one starts
    with the process, more while jobs wait)."""
    sandbox_preload: tuple[str, ...] = ("build123d",)
    """Modules the warm servers import once, so jobs start without paying for them."""
    sandbox_root: Path | None = None
    """Job workspaces and server state (default ``<workspace>/sandbox``)."""
    sandbox_uid: int = Field(default=65534, ge=1)
    """Uid jobs run as when Arena itself runs as root (root ignores process limits)."""
    sandbox_cgroup: Path | None = None
    """A cgroup v2 directory, delegated to Arena, whose ``cgroup.subtree_control`` enables
    memory, pids and cpu: each sandbox job then gets a leaf with whole-job limits. Unset,
    the server's own cgroup is tried, then per-process rlimits are the fallback."""
    sandbox_podman_image: str = "arena-sandbox:latest"
    """Image of the podman backend, built from ``deploy/Containerfile.sandbox``."""

    sim_penetration_tolerance_m: float = Field(default=0.002, ge=0)
    """Overlap depth at t=0 below which colliding geoms count as resting contact (metres)."""
    sim_validate_frames: int = Field(default=300, ge=1, le=100_000)
    """Frames the simrunner simulates from rest to check a scene's stability."""
    sim_max_file_bytes: int = Field(default=8_000_000, ge=1)
    """Largest MJCF file (and each included file) the validator reads."""
    sim_wall_limit_s: float = Field(default=120, gt=0)
    """Wall-clock budget of one validation or sim job."""

    optimize_max_usd_per_day: float = Field(default=20.0, ge=0)
    """Dollars the optimizer's experiments may spend per UTC day (0 stops scheduling)."""
    optimize_max_sim_s_per_day: float = Field(default=86_400.0, ge=0)
    """Simulated seconds the optimizer's experiments may spend per UTC day (0 stops it)."""

    api_max_body_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    """Largest request body the HTTP API accepts."""
    s3_endpoint_url: str | None = None
    """S3 endpoint of backups (unset: AWS's, from the region)."""
    s3_bucket: str | None = None
    """Bucket backups are uploaded to."""
    s3_prefix: str = "arena/backups/"
    """Key prefix of backup objects and manifests."""
    s3_region: str = "us-east-1"
    """Region of the bucket."""
    s3_access_key_id: SecretStr | None = None
    """Access key of the S3 endpoint (never logged)."""
    s3_secret_access_key: SecretStr | None = None
    """Secret key of the S3 endpoint (never logged)."""
    backup_keep: int = Field(default=7, ge=1)
    """Backups kept in the bucket (older ones are deleted after a successful upload)."""

    otel_endpoint: str | None = None
    """OTLP/HTTP traces endpoint (e.g. ``http://localhost:4318/v1/traces``) that
    ``arena telemetry`` sends GenAI spans to, live; unset: no live export."""

    log_json: bool = False
    """Structured JSON logs instead of human-readable lines."""
    log_level: str | None = None
    """Lowest level of log lines printed (DEBUG, INFO, WARNING, ERROR); unset: INFO for
    commands that serve (worker, up, api, nats, telemetry), WARNING for the others, so
    the services a command starts in its own process stay quiet."""

    @property
    def nats_store_dir(self) -> Path:
        return self.nats_store or self.home / "nats"

    @property
    def database_path(self) -> Path:
        return self.db_path or self.home / "arena.db"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = os.environ.get("ARENA_CONFIG")
        path = Path(config) if config else Path("arena.toml")
        if config and not path.is_file():
            raise FileNotFoundError(f"ARENA_CONFIG={config} does not exist")
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)


def env_name(field: str) -> str:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    return alias if isinstance(alias, str) else f"ARENA_{field.upper()}"


def settings_markdown() -> str:
    """The configuration table of the README, generated from the field docstrings."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, info in Settings.model_fields.items():
        default = info.default
        shown = "unset" if default is None else f"`{default}`"
        if isinstance(default, tuple):
            shown = f"`{list(default)}`"
        meaning = " ".join((info.description or "").split()).replace("``", "`")
        rows.append(f"| `{env_name(name)}` | {shown} | {meaning} |")
    return "\n".join(rows)
