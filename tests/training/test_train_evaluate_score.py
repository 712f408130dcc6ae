"""`hakam train` → `hakam evaluate` → `hakam score` on a small made-up corpus, and the
compiled scorer against the scikit-learn pipeline it was compiled from."""

from __future__ import annotations

import json
import random

import joblib
import numpy as np

from hakam.model import Scorer

from .conftest import run_hakam
from .fixtures import ARABIC_ABUSIVE, ARABIC_CLEAN, ENGLISH_HAM, ENGLISH_SPAM


def test_training_writes_model_report_and_card(trained_model):
    for name in ("model.joblib", "evaluation.json", "evaluation.md", "MODEL_CARD.md"):
        assert (trained_model / name).is_file(), name
    report = json.loads((trained_model / "evaluation.json").read_text())
    assert report["slices"]["abuse/ar"]["model"]["roc_auc"] > 0.95
    assert report["slices"]["spam/en"]["model"]["roc_auc"] > 0.95
    assert "baseline" in report["slices"]["abuse/ar"]
    card = (trained_model / "MODEL_CARD.md").read_text()
    assert "mubarak2017-aljazeera-comments" in card and "abuse_hold" in card


def test_evaluate_prints_per_dataset_and_language_metrics(trained_model, corpus):
    result = run_hakam("evaluate", "--model", str(trained_model), "--data", str(corpus),
                       "--quiet")
    assert result.exit_code == 0, result.output
    for slice_name in ("abuse/ar", "abuse/dataset:mubarak2017-aljazeera-comments", "spam/en",
                       "spam/dataset:youtube-spam"):
        assert slice_name in result.output
    assert "ROC-AUC" in result.output and "PR-AUC" in result.output


def test_score_round_trip_keeps_order_and_flags_abuse_and_spam(trained_model):
    lines = [
        {"text": "كلب حمار غبي حقير"},
        {"text": "شكرا على المقال الرائع"},
        {"text": "check out my channel subscribe free money http://bit.ly/win"},
        {"text": "love this song great video"},
    ]
    result = run_hakam("score", "--model", str(trained_model), "--explain",
                       input="".join(json.dumps(line, ensure_ascii=False) + "\n"
                                     for line in lines))
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    abusive, clean, spam, ham = out
    assert abusive["abuse"] > clean["abuse"] + 0.3
    assert spam["spam"] > ham["spam"] + 0.3
    assert spam["decision"] in ("spam", "pending") and ham["decision"] == "approved"
    assert abusive["decision"] == "pending"
    reason = next(r for r in abusive["reasons"] if r["task"] == "abuse")
    text = lines[0]["text"]
    highlighted = {text[s:e] for s, e in reason["spans"]}
    assert highlighted & set(ARABIC_ABUSIVE), reason


def test_a_bad_line_gets_an_error_line_and_the_stream_goes_on(trained_model):
    source = '{"text": "love this song"}\nnot json\n{"no_text": 1}\n\n{"text": "كلب حقير"}\n'
    result = run_hakam("score", "--model", str(trained_model), input=source)
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4  # the blank line is skipped
    assert "spam" in out[0] and "error" in out[1] and "error" in out[2] and "abuse" in out[3]
    assert "line 2" in out[1]["error"]


def _varied_texts(count: int) -> list[str]:
    rng = random.Random(11)
    vocabulary = ARABIC_ABUSIVE + ARABIC_CLEAN + ENGLISH_HAM + ENGLISH_SPAM
    noise = ["\u064e", "\u0640", "!!!", "😂", "ـــ", "\u200b", "FREE", "WIN", "123", "٣٤٥",
             "http://x.co/a", "mail@site.com", "+44 7700 900123", "ك", "ی", "аррle", "  ", "\n",
             "", "www.", "loooool", "ههههه"]
    texts = []
    for _ in range(count):
        parts = [rng.choice(vocabulary if rng.random() < 0.7 else noise)
                 for _ in range(rng.randint(0, 14))]
        if rng.random() < 0.2:  # words glued or cut: n-grams the vocabulary half knows
            parts = ["".join(parts)[: rng.randint(0, 40)]]
        texts.append(" ".join(parts))
    return texts


def test_compiled_scorer_gives_the_pipelines_probabilities(trained_model):
    pipeline = joblib.load(trained_model / "pipeline.joblib")
    scorer = Scorer.load(trained_model)
    texts = _varied_texts(10_000)
    expected = pipeline.predict(texts)
    scores = scorer.score_many(texts)
    spam = np.array([s.spam for s in scores])
    abuse = np.array([s.abuse for s in scores])
    assert np.abs(spam - expected["spam"]).max() <= 1e-6
    assert np.abs(abuse - expected["abuse"]).max() <= 1e-6
    assert spam.std() > 0.05 and abuse.std() > 0.05  # the texts really vary in score


def test_moderator_labels_train_alongside_the_datasets(tmp_path, corpus, recipe):
    labels = tmp_path / "labels.jsonl"
    rows = [{"text": f"اشتري الان ذهب رخيص رقم {i}", "task": "spam", "label": 1,
             "source": "moderator"} for i in range(30)]
    rows += [{"text": f"تعليق عادي عن الخبر {i}", "task": "spam", "label": 0,
              "source": "moderator"} for i in range(30)]
    labels.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                      encoding="utf-8")
    out = tmp_path / "model"
    result = run_hakam("train", "--recipe", str(recipe), "--data", str(corpus), "--extra",
                       str(labels), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    scorer = Scorer.load(out)
    assert scorer.metadata["extras"] == [str(labels.resolve())]
    assert "extra:labels.jsonl" in scorer.metadata["sizes"]["spam"]
    assert scorer.score("اشتري الان ذهب رخيص").spam > scorer.score("تعليق عادي عن الخبر").spam


def test_binarised_nb_ratios_count_texts_not_tfidf_weight():
    from scipy import sparse

    from hakam.training.train import nb_ratios

    labels = np.array([1, 0, 0])
    features = sparse.csr_matrix([[0.9, 0.0], [0.2, 0.0], [0.0, 0.7]])
    reweighted = sparse.csr_matrix([[0.1, 0.0], [0.8, 0.0], [0.0, 0.3]])
    # one spam text and one clean text hold the first n-gram, one clean text the second
    expected = np.log(np.array([2 / 3, 1 / 3]) / np.array([2 / 4, 2 / 4]))
    assert np.allclose(nb_ratios(features, labels, 1.0, binary=True), expected)
    assert np.allclose(nb_ratios(reweighted, labels, 1.0, binary=True), expected)
    assert not np.allclose(nb_ratios(features, labels, 1.0), expected)


def _site_export(path, rows: list[dict]):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                    encoding="utf-8")
    return path


def _train_with(tmp_path, corpus, recipe, labels, name="model"):
    out = tmp_path / name
    result = run_hakam("train", "--recipe", str(recipe), "--data", str(corpus), "--extra",
                       str(labels), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    return out


def test_every_row_of_a_site_export_trains_none_lost_to_the_split(tmp_path, corpus, recipe):
    from tests.training.fixtures import ARABIC_ABUSIVE, ARABIC_CLEAN

    rows = [{"text": f"{ARABIC_ABUSIVE[i % 12]} {ARABIC_CLEAN[i % 16]} تعليق {i}", "task": "abuse",
             "label": i % 2, "source": "moderator", "site": "akhbar" if i % 3 else "jarida"}
            for i in range(200)]
    rows.append({**rows[0], "label": 1 - rows[0]["label"]})  # a later verdict on a text
    labels = _site_export(tmp_path / "labels.jsonl", rows)

    scorer = Scorer.load(_train_with(tmp_path, corpus, recipe, labels))

    sizes = scorer.metadata["sizes"]["abuse"]["extra:labels.jsonl"]
    assert set(sizes) <= {"train_positive", "train_negative"}  # none in calibration/evaluation
    assert sum(sizes.values()) == 200
    assert set(scorer.metadata["site_bias"]["abuse"]) == {"extra:labels.jsonl/akhbar",
                                                          "extra:labels.jsonl/jarida"}


def test_a_sites_base_rate_does_not_teach_the_model_its_reply_token(tmp_path, corpus, recipe):
    """A site whose readers reply to each other ("@رد") and whose moderators let most harsh
    replies stand: its labels are mostly "fine", and the token is on every one of them and
    nowhere else. Pooled into the global model, it must not learn that the token means fine."""
    import random

    from tests.training.fixtures import ARABIC_ABUSIVE, ARABIC_CLEAN

    rng = random.Random(3)
    rows = []
    for _ in range(300):
        abusive = rng.random() < 0.1
        words = rng.sample(ARABIC_ABUSIVE, 3 if abusive else 2) + rng.sample(ARABIC_CLEAN, 2)
        rows.append({"text": "@رد " + " ".join(words), "task": "abuse", "label": int(abusive),
                     "source": "moderator", "site": "akhbar"})
    scorer = Scorer.load(_train_with(tmp_path, corpus, recipe,
                                     _site_export(tmp_path / "labels.jsonl", rows)))

    insults = [" ".join(rng.sample(ARABIC_ABUSIVE, 3) + rng.sample(ARABIC_CLEAN, 2))
               for _ in range(30)]
    as_reply = np.mean([scorer.score("@رد " + text).abuse for text in insults])
    alone = np.mean([scorer.score(text).abuse for text in insults])
    assert alone > 0.8
    assert abs(as_reply - alone) < 0.1  # the site's base rate stayed the site's
    assert scorer.metadata["site_bias"]["abuse"]["extra:labels.jsonl/akhbar"] < 0


def test_a_languages_offset_moves_its_comments_alone_in_the_scorer_and_the_pipeline(
        trained_model):
    from hakam.model.language import language_of
    from hakam.model.scorer import MODEL_FILE

    model = joblib.load(trained_model / MODEL_FILE)
    pipeline = joblib.load(trained_model / "pipeline.joblib")
    texts = _varied_texts(2_000) + ["you are a stupid idiot", "this is a fine article"]
    before = Scorer(model, "before").score_many(texts)
    shifted = Scorer({**model, "language_offset": {"abuse": {"en": -2.0}}}, "shifted")
    pipeline.language_offset = {"abuse": {"en": -2.0}}
    after = shifted.score_many(texts)
    expected = pipeline.predict(texts)["abuse"]
    assert np.abs(np.array([s.abuse for s in after]) - expected).max() <= 1e-6
    english = np.array([language_of(text) == "en" for text in texts])
    moved = np.array([a.abuse - b.abuse for a, b in zip(after, before, strict=True)])
    assert english.any() and (~english).any()
    assert (moved[english] < 0).all()  # an offset below 0 lowers every English score
    assert (moved[~english] == 0).all()  # and leaves Arabic ones as they were


def test_one_head_fitted_alone_on_the_full_vocabulary_is_the_full_trains_head(corpus, recipe):
    """An experiment on one head (`fit(..., tasks=("spam",))`) gets a vocabulary of that
    head's texts alone, and so a head unlike the shipped one; with `vocabulary_tasks=TASKS` it
    gets a full train's vocabulary, and the same head a full train fits."""
    from hakam.training import train

    loaded = train.load_recipe(recipe)
    examples = train.gather(corpus, loaded, quiet=True)
    normalized = train.normalize_all(examples, quiet=True)
    full = train.fit(examples, normalized, loaded, quiet=True)
    alone = train.fit(examples, normalized, loaded, quiet=True, tasks=("spam",))
    matched = train.fit(examples, normalized, loaded, quiet=True, tasks=("spam",),
                        vocabulary_tasks=train.TASKS)
    vocabulary = full.pipeline.char_vectorizer.vocabulary_
    assert alone.pipeline.char_vectorizer.vocabulary_ != vocabulary
    assert matched.pipeline.char_vectorizer.vocabulary_ == vocabulary
    texts = ENGLISH_SPAM[:5] + ENGLISH_HAM[:5] + ARABIC_CLEAN[:5]
    assert np.allclose(matched.pipeline.predict(texts)["spam"],
                       full.pipeline.predict(texts)["spam"], atol=1e-12)
