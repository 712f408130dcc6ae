"""The compose files are valid and run Redis so that no held comment is lost or evicted:
docker-compose.yml (one Redis) and docker-compose.cluster.yml (a Redis Cluster, two instances
behind HAProxy)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose_config(file: str = "docker-compose.yml") -> str:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]):
            # COMPOSE_FILE is `-f` for both: docker's own flag parser would take a -f
            # meant for a compose plugin that is not installed.
            result = subprocess.run([*command, "config"], cwd=ROOT, capture_output=True,
                                    text=True, env={**os.environ, "COMPOSE_FILE": file})
            if result.returncode == 0:
                return result.stdout
            if "unknown command" not in result.stderr and "is not a docker command" not in \
                    result.stderr:
                pytest.fail(f"{' '.join(command)} config failed:\n{result.stderr}")
    pytest.fail("neither `docker compose` nor `docker-compose` is installed "
                "(scripts/test.sh installs Debian's docker-compose)")


def test_compose_file_is_valid_and_redis_is_durable_and_never_evicts():
    config = _compose_config()
    for setting in ("--appendonly", "--appendfsync", "everysec", "--maxmemory-policy",
                    "noeviction", "healthcheck", "redis-data", "REDIS_URL: redis://redis:6379/0"):
        assert setting in config, setting



def test_cluster_compose_file_runs_six_durable_nodes_two_instances_and_a_load_balancer():
    config = yaml.safe_load(_compose_config("docker-compose.cluster.yml"))
    services = config["services"]

    nodes = [name for name in services if name.startswith("redis-")]
    assert len(nodes) == 6
    for name in nodes:
        command = " ".join(services[name]["command"])
        for setting in ("--cluster-enabled yes", "--appendonly yes", "--appendfsync everysec",
                        "--maxmemory-policy noeviction"):
            assert setting in command, (name, setting)
        assert services[name]["volumes"], name  # its data outlives the container
    create = " ".join(services["cluster-create"]["command"])
    assert "--cluster create" in create and "--cluster-replicas 1" in create
    assert set(services["cluster-create"]["depends_on"]) == set(nodes)

    instances = [name for name in services if name.startswith("hakam-")]
    assert len(instances) == 2
    for name in instances:
        environment = services[name]["environment"]
        assert environment["REDIS_URL"].startswith("redis+cluster://")
        assert environment["HAKAM_REPLICA_ACKS"] == "1"
        assert services[name]["depends_on"]["cluster-create"]["condition"] == \
            "service_completed_successfully"

    balancer = services["load-balancer"]
    assert balancer["image"].startswith("haproxy")
    haproxy_cfg = (ROOT / "deploy" / "haproxy.cfg").read_text()
    assert all(f"server {name} {name}:8000 check" in haproxy_cfg for name in instances)
    assert "option httpchk GET /readyz" in haproxy_cfg
