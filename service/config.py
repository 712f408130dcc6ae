"""One Config, read from the environment and checked before the first request."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import platformdirs


class ConfigError(ValueError):
    """A setting is wrong; the message names the variable and what was wrong."""


def _default_data_dir() -> str:
    return platformdirs.user_data_dir("hakam", appauthor=False)


def _cluster_nodes_are_valid(url: str) -> bool:
    hosts = url.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].rpartition("@")[2]
    for node in hosts.split(","):
        host, _, port = node.strip().rpartition(":")
        if not host or not (port.isascii() and port.isdigit()) or not 0 < int(port) < 65536:
            return False
    return True


@dataclass(frozen=True)
class Config:
    redis_url: str | None = None  # None: use the embedded Redis (see service/embedded.py)
    # HAKAM_REPLICA_ACKS: replicas that must confirm each comment and decision before it is
    # answered; None: 1 on a cluster or a Redis that has replicas, else 0 (off).
    replica_acks: int | None = None
    replica_timeout_ms: int = 250  # HAKAM_REPLICA_TIMEOUT_MS: how long to wait for them
    data_dir: str = field(default_factory=_default_data_dir)  # HAKAM_DATA_DIR
    model_path: str | None = None  # HAKAM_MODEL: None means the shipped model
    secret_key: str | None = None  # HAKAM_SECRET_KEY: signs moderator sessions; generated if unset
    max_body_bytes: int = 256 * 1024  # HAKAM_MAX_BODY_BYTES
    # A key derived from secret material keeps reader emails and IPs hashed, never stored raw.
    flood_seconds: int = 15  # HAKAM_FLOOD_SECONDS: WordPress's comment flood interval
    lease_seconds: int = 300  # HAKAM_LEASE_SECONDS: how long a moderator's claim lasts
    # HAKAM_AUDIT_RATE: share of approved comments queued as audit items, for every site that
    # sets no rate of its own (`hakam sites configure --audit-rate`)
    audit_rate: float = 0.02
    # HAKAM_ADAPT_LOCK_SECONDS: how long a site's adapter fit holds its lock without renewing
    # it (a fit renews it every third of that; one killed frees it after this long)
    adapt_lock_seconds: int = 30
    # HAKAM_RETENTION_SWEEP_SECONDS: how often each worker looks for comments past their site's
    # retention period (one worker sweeps a site per interval)
    retention_sweep_seconds: int = 60
    webhook_timeout: float = 5.0
    webhook_max_attempts: int = 8
    secure_cookies: bool = False  # HAKAM_SECURE_COOKIES: set when served behind HTTPS
    testing: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Config:
        values: dict = {}
        if env.get("REDIS_URL"):
            url = env["REDIS_URL"]
            if not url.startswith(("redis://", "rediss://", "unix://", "redis+cluster://",
                                   "rediss+cluster://")):
                scheme = url.partition("://")[0] if "://" in url else ""
                raise ConfigError(  # only the scheme is echoed: the rest may hold a password
                    "REDIS_URL must start with redis://, rediss://, unix://, redis+cluster:// "
                    f"or rediss+cluster://, got {scheme + '://' if scheme else 'no scheme'}"
                )
            if "+cluster://" in url and not _cluster_nodes_are_valid(url):
                raise ConfigError(  # the URL itself is not echoed: it may hold a password
                    "REDIS_URL must list the cluster's nodes as host:port[,host:port…] after "
                    "redis+cluster://")
            values["redis_url"] = url
        if env.get("HAKAM_DATA_DIR"):
            values["data_dir"] = env["HAKAM_DATA_DIR"]
        if env.get("HAKAM_MODEL"):
            path = env["HAKAM_MODEL"]
            if not Path(path).exists():
                raise ConfigError(f"HAKAM_MODEL points at {path!r}, which does not exist")
            values["model_path"] = path
        if env.get("HAKAM_SECRET_KEY"):
            values["secret_key"] = env["HAKAM_SECRET_KEY"]
        for name, attr in (
            ("HAKAM_MAX_BODY_BYTES", "max_body_bytes"),
            ("HAKAM_FLOOD_SECONDS", "flood_seconds"),
            ("HAKAM_LEASE_SECONDS", "lease_seconds"),
            ("HAKAM_REPLICA_ACKS", "replica_acks"),
            ("HAKAM_REPLICA_TIMEOUT_MS", "replica_timeout_ms"),
            ("HAKAM_ADAPT_LOCK_SECONDS", "adapt_lock_seconds"),
            ("HAKAM_RETENTION_SWEEP_SECONDS", "retention_sweep_seconds"),
        ):
            if env.get(name):
                try:
                    number = int(env[name])
                except ValueError:
                    raise ConfigError(f"{name} must be a whole number, got {env[name]!r}") from None
                if number < 0:
                    raise ConfigError(f"{name} must not be negative, got {number}")
                values[attr] = number
        if values.get("retention_sweep_seconds") == 0:
            raise ConfigError("HAKAM_RETENTION_SWEEP_SECONDS must be at least 1")
        if values.get("adapt_lock_seconds") == 0:
            raise ConfigError("HAKAM_ADAPT_LOCK_SECONDS must be at least 1")
        if values.get("replica_timeout_ms") == 0:  # WAIT's 0 means forever
            raise ConfigError("HAKAM_REPLICA_TIMEOUT_MS must be at least 1")
        if env.get("HAKAM_AUDIT_RATE"):
            try:
                rate = float(env["HAKAM_AUDIT_RATE"])
            except ValueError:
                rate = -1.0
            if not 0.0 <= rate <= 1.0:
                raise ConfigError("HAKAM_AUDIT_RATE must be a share between 0 and 1, got "
                                  f"{env['HAKAM_AUDIT_RATE']!r}")
            values["audit_rate"] = rate
        if env.get("HAKAM_SECURE_COOKIES"):
            values["secure_cookies"] = env["HAKAM_SECURE_COOKIES"].lower() in ("1", "true", "yes")
        return cls(**values)

    def with_(self, **changes) -> Config:
        return replace(self, **changes)
