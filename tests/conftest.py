"""Shared fixtures: a real throwaway Redis per session (flushed for every test), a real Redis
Cluster (three masters, three replicas) for the modules marked `single_and_cluster`, the app
built from the factory with test config, and clients authenticated as a site or a moderator.

A module marked `pytestmark = pytest.mark.single_and_cluster` runs each of its tests that
touches Redis twice, on the single Redis and on the cluster."""

from __future__ import annotations

import pytest
import redis

from hakam.service import create_app
from hakam.service.config import Config
from hakam.service.store import Store
from tests.redis_harness import ThrowawayRedis, ThrowawayRedisCluster


def pytest_generate_tests(metafunc):
    if metafunc.definition.get_closest_marker("single_and_cluster") and \
            "redis_url" in metafunc.fixturenames:
        metafunc.parametrize("redis_url", ["single", "cluster"], indirect=True)


@pytest.fixture(scope="session")
def redis_server():
    server = ThrowawayRedis().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster():
    cluster = ThrowawayRedisCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture
def redis_url(request, redis_server) -> str:
    if getattr(request, "param", "single") == "cluster":
        cluster = request.getfixturevalue("redis_cluster")
        cluster.flushall()
        return cluster.url
    redis.Redis.from_url(redis_server.url).flushall()
    return redis_server.url


@pytest.fixture
def config(redis_url, tmp_path) -> Config:
    # no audit items unless a test asks a site for them: a test counting what is queued
    # would otherwise find a published comment there at random
    return Config(redis_url=redis_url, data_dir=str(tmp_path), testing=True, flood_seconds=15,
                  audit_rate=0.0)


@pytest.fixture
def scorer():
    from tests.service.scripted_scorer import ScriptedScorer

    return ScriptedScorer()


@pytest.fixture
def app(config, scorer):
    app = create_app(config, scorer=scorer, start_workers=False)
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app) -> Store:
    return app.extensions["hakam.store"]


@pytest.fixture
def site_key(store) -> str:
    api_key, _secret = store.create_site("akhbar", language="ar")
    return api_key


@pytest.fixture
def site_headers(site_key) -> dict[str, str]:
    return {"Authorization": f"Bearer {site_key}"}


@pytest.fixture
def moderator_token(store) -> str:
    return store.create_moderator("salma")


@pytest.fixture
def moderator_headers(moderator_token) -> dict[str, str]:
    return {"Authorization": f"Bearer {moderator_token}"}

