"""deploy/: every nats-server config parses, the users file is current, compose is whole."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml

from arena_core.bus.artifacts import chunk_size
from arena_core.events.wire import decode
from tests.deploy.nodes import DEPLOY, check_config, password_env, service_users

CONFIGS = [DEPLOY / "nats-server.conf", *sorted((DEPLOY / "cluster").glob("node-*.conf"))]


def installed_services() -> list[str]:
    return sorted(ep.name for ep in entry_points(group="arena.services"))


def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())  # type: ignore[no-any-return]


def max_payload(config: Path) -> int:
    match = re.search(r"^max_payload:\s*(\d+)MB", config.read_text(), re.MULTILINE)
    assert match, f"{config.name} sets no max_payload"
    return int(match[1]) * 1024 * 1024


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_each_config_passes_the_nats_server_config_check(config: Path) -> None:
    result = check_config(config, {**os.environ, **password_env()})
    assert result.returncode == 0, result.stdout + result.stderr


def test_cluster_nodes_accept_the_per_service_users(tmp_path: Path) -> None:
    (tmp_path / "permissions").mkdir()
    (tmp_path / "permissions" / "users.conf").write_text(
        (DEPLOY / "permissions" / "users.conf").read_text()
    )
    node = tmp_path / "cluster" / "node-1.conf"
    node.parent.mkdir()
    text = (DEPLOY / "cluster" / "node-1.conf").read_text()
    node.write_text(text.replace("# include ../permissions", "include ../permissions"))
    result = check_config(node, {**os.environ, **password_env()})
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_server_without_a_users_password_refuses_to_start() -> None:
    env = {k: v for k, v in password_env().items() if not k.endswith("_SIMRUNNER")}
    result = check_config(DEPLOY / "nats-server.conf", env)
    assert result.returncode != 0
    assert "ARENA_NATS_PASSWORD_SIMRUNNER" in result.stdout + result.stderr


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: p.name)
def test_max_payload_holds_the_largest_message_a_worker_accepts(config: Path) -> None:
    accepted = inspect.signature(decode).parameters["max_bytes"].default
    assert max_payload(config) >= accepted
    assert chunk_size(max_payload(config)) > 0


def test_users_file_is_generated_from_services_toml() -> None:
    generated = subprocess.run(
        [sys.executable, str(DEPLOY / "permissions" / "generate.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    committed = (DEPLOY / "permissions" / "users.conf").read_text()
    assert generated == committed, (
        "deploy/permissions/users.conf is stale: run "
        "python deploy/permissions/generate.py > deploy/permissions/users.conf"
    )


def test_every_installed_service_has_a_nats_user_and_a_compose_worker() -> None:
    services = compose()["services"]
    for name in installed_services():
        assert name in service_users(), f"no NATS user for service {name}"
        assert name in services, f"compose.yaml runs no {name} worker"


def test_each_compose_worker_runs_its_service_as_its_own_user() -> None:
    services = compose()["services"]
    users = service_users()
    workers = {name: s for name, s in services.items() if name != "nats"}
    assert workers
    for name, service in workers.items():
        assert service["command"] == ["worker", name]
        url = service["environment"]["ARENA_NATS_URL"]
        assert url == f"nats://{name}:${{ARENA_NATS_PASSWORD_{name.upper()}}}@nats:4222"
        assert name in users
        # Scaling with --scale needs no fixed container name and no host port.
        assert "container_name" not in service and "ports" not in service
        assert service["depends_on"]["nats"]["condition"] == "service_healthy"


def test_compose_gives_the_server_every_password_and_its_config_files() -> None:
    nats = compose()["services"]["nats"]
    assert set(nats["environment"]) == set(password_env())
    for mount in nats["volumes"]:
        source = mount.split(":")[0]
        if source.startswith("./"):
            assert (DEPLOY / source).is_file(), f"compose mounts missing {source}"
    assert "/etc/nats/permissions/users.conf:ro" in " ".join(nats["volumes"])
    assert nats["command"][-1] == "/etc/nats/nats-server.conf"


def test_compose_builds_the_services_image_from_the_containerfile() -> None:
    data = compose()
    build = data["x-worker"]["build"]
    context = (DEPLOY / build["context"]).resolve()
    assert (context / build["dockerfile"]).is_file()
    assert (context / "pyproject.toml").is_file()
    declared = set(data["volumes"])
    for service in data["services"].values():
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source.startswith("./") or source in declared, f"undeclared volume {source}"


def test_only_one_recorder_runs_per_database() -> None:
    recorder = compose()["services"]["recorder"]
    assert recorder["deploy"]["replicas"] == 1
    assert recorder["environment"]["ARENA_DB_PATH"].startswith("/data/db/")
