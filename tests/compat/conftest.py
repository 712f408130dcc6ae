"""Fixtures for the Perspective and Akismet protocols: the app with the shipped model (the
protocols' numbers are the model's, and Coral's threshold is checked against the real one),
and a real `hakam serve` for the real client libraries, which speak HTTP."""

from __future__ import annotations

import itertools
import tempfile
from pathlib import Path

import pytest

from hakam.model import Scorer
from hakam.service.store import Store
from tests.hakam_server import HakamServer
from tests.redis_harness import ThrowawayRedis


@pytest.fixture(scope="session")
def shipped_scorer() -> Scorer:
    return Scorer.load()


@pytest.fixture
def scorer(shipped_scorer):
    """Overrides the scripted scorer of tests/conftest.py: these routes answer the model's own
    numbers."""
    return shipped_scorer


@pytest.fixture(scope="module")
def served():
    """`hakam serve` (gunicorn, the shipped model) on a Redis of its own for this module;
    yields (server, store). Tests make sites of their own names, since it is not flushed."""
    redis_server = ThrowawayRedis().start()
    data_dir = Path(tempfile.mkdtemp(prefix="hakam-compat-"))
    server = HakamServer(redis_server.url, data_dir, workers=1).start()
    try:
        yield server, Store.from_url(redis_server.url)
    finally:
        server.stop()
        redis_server.stop()


_names = itertools.count(1)


@pytest.fixture
def served_site(served) -> tuple[str, str]:
    """A fresh site on the served Hakam: (name, key)."""
    _server, store = served
    name = f"site-{next(_names)}"
    key, _secret = store.create_site(name, language="ar")
    return name, key
