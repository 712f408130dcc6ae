"""Hakam works on the oldest version of each dependency pyproject.toml allows."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

import pytest
from gunicorn.http import errors as http_errors
from gunicorn.workers.sync import SyncWorker
from packaging.requirements import Requirement
from packaging.version import Version

from hakam.service import worker

# gunicorn 22 to 24 have none of these; 25 and 26 lack the response-header ones
LATER_ERRORS = ("InvalidResponseHeader", "InvalidResponseHeaderName", "ExpectationFailed")


@pytest.fixture
def older_gunicorn(monkeypatch):
    for name in LATER_ERRORS:
        monkeypatch.delattr(http_errors, name, raising=False)
    yield
    monkeypatch.undo()
    importlib.reload(worker)  # as it is with the gunicorn installed


def test_the_worker_loads_on_a_gunicorn_without_the_later_errors(older_gunicorn):
    older = importlib.reload(worker)

    assert issubclass(older.JsonErrorsWorker, SyncWorker)
    assert older.status_for(http_errors.LimitRequestLine(9000, 8190)) == 414
    assert older.status_for(http_errors.InvalidRequestLine("GET")) == 400
    assert older.status_for(RuntimeError("a bug")) == 500


def _floor(package: str) -> Version:
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    for line in project["project"]["dependencies"]:
        requirement = Requirement(line)
        if requirement.name == package:
            return min(Version(spec.version) for spec in requirement.specifier
                       if spec.operator == ">=")
    raise AssertionError(f"{package} is not a dependency")


def test_the_redis_client_allowed_can_run_a_transaction_on_a_cluster():
    # The store's pipelines with transaction=True (one site's keys, one slot: webhook
    # delivered, labels recorded together) raise RedisClusterException on a RedisCluster
    # before redis-py 6.1; a cluster install would answer them 503 for good.
    assert _floor("redis") >= Version("6.1")
