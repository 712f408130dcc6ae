"""After a reader's erasure, the labels made from their comments are gone from `hakam labels
export`, so a model trained on that export cannot have seen their words."""

from __future__ import annotations

import joblib
import pytest
from click.testing import CliRunner

from hakam.model.features import word_grams
from hakam.model.scorer import MODEL_FILE, vocabulary_list
from hakam.service.cli import main
from tests.factories import a_comment

ERASED_WORD = "zorblaxqua"  # made up: appears only in the erased reader's comments
KEPT_WORD = "quillfennok"  # made up: appears only in the other reader's


@pytest.fixture
def hakam(redis_url, monkeypatch, tmp_path):
    monkeypatch.setenv("REDIS_URL", redis_url)

    def run(*args: str):
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result

    return run


def test_a_model_trained_after_erasure_never_saw_the_erased_comments(
        hakam, client, store, site_headers, corpus, recipe, tmp_path):
    store.flood_seconds = 0
    for reader, word in (("erased@example.com", ERASED_WORD), ("kept@example.com", KEPT_WORD)):
        for n in range(6):
            posted = client.post("/v1/comments", headers=site_headers, json=a_comment(
                comment=f"يا {word} انت {word} رقم {n} حقير", email=reader)).get_json()
            client.post(f"/v1/comments/{posted['id']}/feedback", headers=site_headers,
                        json={"label": "abuse"})
    hakam("readers", "erase", "Erased@Example.com", "--yes")

    export = tmp_path / "labels.jsonl"
    export.write_text(hakam("labels", "export").stdout, encoding="utf-8")
    assert ERASED_WORD not in export.read_text(encoding="utf-8")
    assert export.read_text(encoding="utf-8").count(KEPT_WORD) == 12
    out = tmp_path / "model"
    hakam("train", "--recipe", str(recipe), "--data", str(corpus), "--extra", str(export),
          "--out", str(out), "--quiet")

    words = vocabulary_list(joblib.load(out / MODEL_FILE)["word"])
    # the vocabulary holds words as the model sees them (repeated letters folded)
    erased, kept = word_grams(ERASED_WORD)[0], word_grams(KEPT_WORD)[0]
    assert not [term for term in words if erased in term]
    assert [term for term in words if kept in term]  # the export did train the model
