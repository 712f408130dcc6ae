"""Verdicts given through the Perspective and Akismet protocols reach retraining: `hakam labels
export` lists them with their sources, and `hakam train --extra` trains on that export."""

from __future__ import annotations

import json

from click.testing import CliRunner

from hakam.model import Scorer
from hakam.service.cli import main
from tests.training.fixtures import make_datasets, write_recipe


def run_hakam(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_both_protocols_labels_are_exported_with_their_sources_and_train(
        client, site_key, redis_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("HAKAM_DATA_DIR", str(tmp_path / "data"))
    akismet_form = {"api_key": site_key, "blog": "https://news.example",
                    "user_ip": "203.0.113.9", "comment_author_email": "someone@example.com"}
    for n in range(20):
        client.post(f"/v1alpha1/comments:suggestscore?key={site_key}", json={
            "comment": {"text": f"يا حمار يا غبي انت رقم {n}"},
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1}}},
            "communityId": "Coral:https://talk.example", "clientToken": f"comment:{n}"})
        client.post("/1.1/submit-spam", data={
            **akismet_form, "comment_content": f"اشتري الان ذهب رخيص رقم {n}"})
        client.post("/1.1/submit-ham", data={
            **akismet_form, "comment_content": f"تعليق عادي عن الخبر {n}"})

    exported = run_hakam("labels", "export")
    rows = [json.loads(line) for line in exported.stdout.splitlines()]

    assert exported.exit_code == 0
    assert {(row["source"], row["task"], row["label"]) for row in rows} == {
        ("perspective", "abuse", 1), ("akismet", "spam", 1), ("akismet", "spam", 0)}
    assert len(rows) == 60 and {row["site"] for row in rows} == {"akhbar"}
    assert all(row["community_id"] == "Coral:https://talk.example"
               for row in rows if row["source"] == "perspective")
    assert "someone@example.com" not in exported.stdout and "203.0.113.9" not in exported.stdout

    labels = tmp_path / "labels.jsonl"
    labels.write_text(exported.stdout, encoding="utf-8")
    corpus = make_datasets(tmp_path / "datasets")
    recipe = write_recipe(tmp_path / "small.toml")
    out = tmp_path / "model"
    trained = run_hakam("train", "--recipe", str(recipe), "--data", str(corpus), "--extra",
                        str(labels), "--out", str(out), "--quiet")

    assert trained.exit_code == 0, trained.output
    sizes = Scorer.load(out).metadata["sizes"]
    assert "extra:labels.jsonl" in sizes["spam"] and "extra:labels.jsonl" in sizes["abuse"]
