"""Dataset loaders honour each SOURCE.md's quirks; dedupe and the hash split keep near-identical
texts on one side of the train/evaluation line."""

from __future__ import annotations

from collections import Counter

import pytest

from hakam.training import datasets
from tests.shared_datasets import ABSENT_REASON, DATASETS

needs_data = pytest.mark.skipif(not DATASETS.is_dir(), reason=ABSENT_REASON)


@needs_data
@pytest.mark.parametrize("name, rows, positives", [
    ("sms-spam-collection", 5574, 747),  # the mirror's header line is not a message
    ("youtube-spam", 1586, 831),
    ("mubarak2017-arabic-tweets", 1100, 647),  # split files only, never the union file too
    ("l-hsab-levantine", 5846, 2196),  # quoted newlines inside three tweets
])
def test_loaders_read_every_row_once_with_the_documented_labels(name, rows, positives):
    examples = datasets.load_dataset(DATASETS, name)
    assert len(examples) == rows
    assert sum(e.label for e in examples) == positives


def test_near_identical_texts_are_one_example_in_one_split():
    rows = [
        datasets.Example("انت كلب!!", "abuse", 1, "a"),
        datasets.Example("أنت  كَلْب", "abuse", 1, "b"),  # diacritics, spacing, hamza
        datasets.Example("انت كلب", "spam", 0, "c"),  # another task keeps its own copy
        datasets.Example("Hello There", "abuse", 0, "a"),
    ]
    prepared = datasets.prepare(rows)
    assert [(e.dataset, e.task) for e in prepared] == [("a", "abuse"), ("c", "spam"),
                                                        ("a", "abuse")]
    assert prepared[0].split == prepared[1].split
    assert prepared[0].language == "ar" and prepared[2].language == "en"


def test_the_split_is_stable_and_close_to_the_documented_shares():
    keys = [f"comment number {i}" for i in range(20000)]
    splits = Counter(datasets.split_of(k) for k in keys)
    assert abs(splits["evaluation"] / 20000 - 0.20) < 0.01
    assert abs(splits["calibration"] / 20000 - 0.10) < 0.01
    assert [datasets.split_of(k) for k in keys[:50]] == [datasets.split_of(k) for k in keys[:50]]


def test_extra_files_accept_moderator_labels_in_csv_and_jsonl(tmp_path):
    (tmp_path / "labels.jsonl").write_text(
        '{"text": "buy now", "task": "spam", "label": 1, "source": "moderator"}\n'
        '{"text": "nice", "task": "abuse", "label": "0"}\nnot json\n', encoding="utf-8")
    (tmp_path / "more.csv").write_text("text,task,label\nيا حمار,abuse,1\nok,weird,1\n",
                                       encoding="utf-8")
    jsonl = datasets.load_extra(tmp_path / "labels.jsonl")
    csv_rows = datasets.load_extra(tmp_path / "more.csv")
    assert [(e.text, e.task, e.label) for e in jsonl] == [("buy now", "spam", 1),
                                                          ("nice", "abuse", 0)]
    assert [(e.text, e.label) for e in csv_rows] == [("يا حمار", 1)]


def test_the_hand_written_seed_set_loads_from_the_repository_whatever_the_data_folder(
        tmp_path):
    rows = datasets.load_dataset(tmp_path, "hakam-comment-spam-seeds")  # an empty data folder
    by_label = Counter((datasets.language_of(row.text), row.label) for row in rows)
    # spam and its look-alikes, in both languages, in about equal numbers
    assert set(by_label) == {("ar", 0), ("ar", 1), ("en", 0), ("en", 1)}
    assert min(by_label.values()) > 150
    assert all(row.task == "spam" for row in rows)
