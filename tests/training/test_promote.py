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
