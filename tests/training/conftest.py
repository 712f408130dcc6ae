"""Small models trained once per test session on the made-up corpus in fixtures.py."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from hakam.service.cli import main

from .fixtures import make_datasets, make_more_sources, write_recipe


def run_hakam(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path, monkeypatch):
    """Promotions write the active-model pointer here, never in the user's real data dir."""
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path / "hakam-data"))
    return tmp_path / "hakam-data"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return make_datasets(tmp_path_factory.mktemp("datasets"))


@pytest.fixture(scope="session")
def recipe(tmp_path_factory):
    return write_recipe(tmp_path_factory.mktemp("recipe") / "small.toml")


def _train(tmp_path_factory, data, recipe, name):
    out = tmp_path_factory.mktemp(name) / "model"
    result = run_hakam("train", "--recipe", str(recipe), "--data", str(data), "--out", str(out),
                       "--quiet")
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def trained_model(tmp_path_factory, corpus, recipe):
    return _train(tmp_path_factory, corpus, recipe, "trained")


@pytest.fixture(scope="session")
def other_good_model(tmp_path_factory, corpus):
    recipe = write_recipe(tmp_path_factory.mktemp("recipe2") / "other.toml", spam_c=2.0,
                          abuse_c=8.0)
    return _train(tmp_path_factory, corpus, recipe, "other")


@pytest.fixture(scope="session")
def shuffled_model(tmp_path_factory, recipe):
    data = make_datasets(tmp_path_factory.mktemp("shuffled"), shuffle_labels=True)
    return _train(tmp_path_factory, data, recipe, "shuffled")


@pytest.fixture(scope="session")
def wider_corpus(tmp_path_factory):
    """Two abuse sources (news comments, Levantine tweets), Tunisian ham and a HateCheck
    suite: enough for a source group to be held out."""
    root = make_datasets(tmp_path_factory.mktemp("wider"))
    return make_more_sources(root)


@pytest.fixture(scope="session")
def wider_recipe(tmp_path_factory):
    return write_recipe(tmp_path_factory.mktemp("recipe3") / "wider.toml", more_sources=True)


@pytest.fixture(scope="session")
def cross_source_model(tmp_path_factory, wider_corpus, wider_recipe):
    out = tmp_path_factory.mktemp("cross") / "model"
    result = run_hakam("train", "--recipe", str(wider_recipe), "--data", str(wider_corpus),
                       "--out", str(out), "--cross-source", "--jobs", "2", "--quiet")
    assert result.exit_code == 0, result.output
    return out
