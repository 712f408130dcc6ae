"""docker-compose.yml is valid and runs Redis so that no held comment is lost or evicted."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _compose_config() -> str:
    for command in (["docker", "compose"], ["docker-compose"]):
        if shutil.which(command[0]):
            result = subprocess.run([*command, "config"], cwd=ROOT, capture_output=True,
                                    text=True)
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

