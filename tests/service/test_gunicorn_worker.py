"""The worker `hakam serve` runs loads on every gunicorn pyproject allows (22 and later)."""

from __future__ import annotations

import importlib

import pytest
from gunicorn.http import errors as http_errors
from gunicorn.workers.sync import SyncWorker

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
