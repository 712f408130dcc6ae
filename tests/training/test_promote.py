"""The promotion gate: a worse model is refused with the slice named, an equal one accepted,
--force overrides and is recorded, and Scorer.load() follows the active model."""

from __future__ import annotations

import json

from hakam.model import Scorer

from .conftest import run_hakam


def _version(model_dir) -> str:
    return Scorer.load(model_dir).version


def test_promotion_gate(trained_model, other_good_model, shuffled_model, corpus,
                        isolated_data_dir):
    first = run_hakam("model", "promote", str(trained_model), "--data", str(corpus), "--force")
    assert first.exit_code == 0, first.output
    assert Scorer.load().version == _version(trained_model)

    refused = run_hakam("model", "promote", str(shuffled_model), "--data", str(corpus))
    assert refused.exit_code != 0
    assert "abuse/ar" in refused.output or "spam/en" in refused.output
    assert "not promoted" in refused.output
    assert Scorer.load().version == _version(trained_model)

    accepted = run_hakam("model", "promote", str(other_good_model), "--data", str(corpus))
    assert accepted.exit_code == 0, accepted.output
    assert Scorer.load().version == _version(other_good_model)

    forced = run_hakam("model", "promote", str(shuffled_model), "--data", str(corpus), "--force")
    assert forced.exit_code == 0, forced.output
    assert Scorer.load().version == _version(shuffled_model)
    log = [json.loads(line) for line in
           (isolated_data_dir / "promotions.jsonl").read_text().splitlines()]
    assert log[-1]["forced"] is True and log[-1]["overridden"]
    assert log[-2]["forced"] is False and log[-2]["version"] == _version(other_good_model)
    promoted = isolated_data_dir / "models" / _version(shuffled_model) / "promotion.json"
    assert json.loads(promoted.read_text())["forced"] is True


def test_an_explicit_path_wins_over_the_active_model(trained_model, other_good_model, corpus):
    run_hakam("model", "promote", str(trained_model), "--data", str(corpus), "--force")
    assert Scorer.load(other_good_model).version == _version(other_good_model)


def test_promotion_refuses_a_model_a_skewed_site_export_made_worse(
        trained_model, corpus, recipe, tmp_path, isolated_data_dir):
    import random

    from tests.training.fixtures import ARABIC_ABUSIVE, ARABIC_CLEAN

    promoted = run_hakam("model", "promote", str(trained_model), "--data", str(corpus),
                         "--force")
    assert promoted.exit_code == 0, promoted.output
    # a site export gone wrong: its labels say insults are fine and ordinary comments abusive
    rng = random.Random(5)
    rows = []
    for index in range(600):
        insult = index % 2 == 0
        words = rng.sample(ARABIC_ABUSIVE if insult else ARABIC_CLEAN, 3)
        rows.append({"text": " ".join(words + rng.sample(ARABIC_CLEAN, 2)) + f" {index}",
                     "task": "abuse", "label": 0 if insult else 1, "source": "moderator",
                     "site": "akhbar"})
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                      encoding="utf-8")
    out = tmp_path / "skewed"
    trained = run_hakam("train", "--recipe", str(recipe), "--data", str(corpus), "--extra",
                        str(labels), "--out", str(out), "--quiet")
    assert trained.exit_code == 0, trained.output

    refused = run_hakam("model", "promote", str(out), "--data", str(corpus))
    assert refused.exit_code != 0
    assert "worse on abuse/" in refused.output and "not promoted" in refused.output
    assert Scorer.load().version == _version(trained_model)


def test_a_drop_within_a_small_slices_sampling_noise_is_told_from_a_real_one():
    import numpy as np

    from hakam.training.evaluate import drop_within_noise

    rng = np.random.default_rng(3)
    labels = rng.integers(0, 2, 300)
    signal = labels + rng.normal(0, 0.9, 300)
    jitter = signal + rng.normal(0, 0.15, 300)  # about as good: any drop is noise
    assert drop_within_noise(labels, jitter, signal, "roc_auc", 0.005)
    worse = labels + rng.normal(0, 2.5, 300)  # far worse ranking
    assert not drop_within_noise(labels, worse, signal, "roc_auc", 0.005)
    # too few rows for a bootstrap to tell: the tolerance alone decides, as before
    assert not drop_within_noise(labels[:100], jitter[:100] - 5 * labels[:100],
                                 signal[:100], "roc_auc", 0.005)


def test_a_dataset_in_two_languages_is_compared_language_by_language():
    from hakam.training.promote import _small

    report = {"slices": {name: {"model": {"n": 100}} for name in (
        "abuse/ar", "abuse/dataset:mlma-hate-speech", "abuse/dataset:mlma-hate-speech/ar",
        "abuse/dataset:mlma-hate-speech/en", "abuse/dataset:olid-english-offensive")}}
    assert sorted(_small(report, frozenset({"abuse"}))["slices"]) == [
        "abuse/dataset:mlma-hate-speech/ar", "abuse/dataset:mlma-hate-speech/en",
        "abuse/dataset:olid-english-offensive"]
