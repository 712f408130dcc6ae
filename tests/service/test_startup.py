"""What `hakam serve` refuses to start on, and says so in one sentence."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.redis_harness import ThrowawayRedis, free_port


def test_serve_refuses_a_redis_that_may_evict_held_comments(tmp_path):
    evicting = ThrowawayRedis("--maxmemory-policy", "allkeys-lru").start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "hakam.service.cli", "serve", "--port", str(free_port())],
            env={**os.environ, "REDIS_URL": evicting.url, "HAKAM_DATA_DIR": str(tmp_path)},
            capture_output=True, text=True, timeout=60)
    finally:
        evicting.stop()
    assert result.returncode != 0
    assert "noeviction" in result.stderr and "allkeys-lru" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_names_a_malformed_setting_without_echoing_its_password(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "hakam.service.cli", "serve", "--port", str(free_port())],
        env={**os.environ, "REDIS_URL": "http://hakam:s3cret-pass@wrong:6380",
             "HAKAM_DATA_DIR": str(tmp_path)},
        capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "REDIS_URL must start with redis://" in result.stderr
    assert "got http://" in result.stderr
    assert "s3cret-pass" not in result.stderr
    assert "Traceback" not in result.stderr
