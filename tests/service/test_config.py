"""REDIS_URL is checked before anything connects: a cluster URL must name its nodes, and a
wrong one is a clear error that never echoes the URL (it may hold a password)."""

from __future__ import annotations

import pytest

from hakam.service.config import Config, ConfigError


@pytest.mark.parametrize("nodes", ["", "hakam-redis", "hakam-redis:", "hakam-redis:abc",
                                   "hakam-redis:0", "hakam-redis:70000", "hakam-redis:²",
                                   "hakam-redis:٦٣٧٩", "a:7000,b"])
def test_a_cluster_url_whose_nodes_are_not_host_port_is_a_config_error(nodes):
    url = f"redis+cluster://hakam:s3cret-pass@{nodes}"
    with pytest.raises(ConfigError) as refused:
        Config.from_env({"REDIS_URL": url})
    assert "s3cret-pass" not in str(refused.value)
    assert "host:port" in str(refused.value)


def test_a_cluster_url_of_several_nodes_is_taken_as_it_is():
    url = "rediss+cluster://hakam:s3cret-pass@10.0.0.1:7000,10.0.0.2:7001/0"
    assert Config.from_env({"REDIS_URL": url}).redis_url == url


def test_the_retention_sweep_interval_is_read_from_the_environment_and_never_zero():
    assert Config.from_env({}).retention_sweep_seconds == 60
    assert Config.from_env({"HAKAM_RETENTION_SWEEP_SECONDS": "5"}).retention_sweep_seconds == 5
    with pytest.raises(ConfigError, match="HAKAM_RETENTION_SWEEP_SECONDS must be at least 1"):
        Config.from_env({"HAKAM_RETENTION_SWEEP_SECONDS": "0"})
