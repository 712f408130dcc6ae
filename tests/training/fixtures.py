"""A tiny labelled corpus in the layout of ../shared/datasets, made up here (never copied from
the real datasets): Arabic news comments for the abuse head, English YouTube comments for the
spam head. Classes use different vocabularies, so a correct model separates them cleanly and a
model trained on shuffled labels cannot."""

from __future__ import annotations

import csv
import random
from pathlib import Path

ARABIC_CLEAN = ["شكرا", "على", "المقال", "الرائع", "تحليل", "ممتاز", "الحكومة", "الاقتصاد",
                "نتمنى", "السلام", "للجميع", "مفيد", "الخبر", "الكاتب", "احترم", "رأيك"]
ARABIC_ABUSIVE = ["كلب", "حمار", "غبي", "حقير", "وسخ", "تافه", "منحط", "خنزير", "يلعن",
                  "حثالة", "جاهل", "قذر"]
ENGLISH_HAM = ["love", "this", "song", "great", "video", "beautiful", "voice", "memories",
               "best", "music", "ever", "amazing", "lyrics", "dance"]
ENGLISH_SPAM = ["check", "out", "my", "channel", "subscribe", "free", "money", "click",
                "http://bit.ly/win", "giftcard", "earn", "cash", "promo", "www.deals.com"]

RECIPE = """
[features]
char_max_features = 20000
word_max_features = 5000
min_df = 1

# two members averaged: plain and NB-weighted, as the shipped recipe may do (the spam head's
# NB ratios from binarised counts, the abuse head's from summed TF-IDF)
[[heads.spam.members]]
C = {spam_c}

[[heads.spam.members]]
C = {spam_c}
nb = 1.0
nb_binary = true

[[heads.abuse.members]]
C = {abuse_c}

[[heads.abuse.members]]
C = {abuse_c}
nb = 1.0

[datasets.spam]
"youtube-spam" = 1.0

[datasets.abuse]
"mubarak2017-aljazeera-comments" = 1.0

[thresholds]
spam_reject_floor = 0.8
"""


def _sentence(rng: random.Random, words: list[str], filler: list[str]) -> str:
    picked = rng.sample(words, 3) + rng.sample(filler, 2)
    rng.shuffle(picked)
    return " ".join(picked)


def make_datasets(root: Path, *, shuffle_labels: bool = False, rows: int = 240) -> Path:
    """Write youtube-spam/ and mubarak2017-aljazeera-comments/ under `root`; return `root`."""
    rng = random.Random(7)
    abuse = [(_sentence(rng, ARABIC_ABUSIVE, ARABIC_CLEAN), "-1") for _ in range(rows // 2)]
    abuse += [(_sentence(rng, ARABIC_CLEAN, ARABIC_CLEAN), "0") for _ in range(rows // 2)]
    spam = [(_sentence(rng, ENGLISH_SPAM, ENGLISH_HAM), "1") for _ in range(rows // 2)]
    spam += [(_sentence(rng, ENGLISH_HAM, ENGLISH_HAM), "0") for _ in range(rows // 2)]
    if shuffle_labels:
        for table in (abuse, spam):
            labels = [label for _, label in table]
            rng.shuffle(labels)
            table[:] = [(text, label) for (text, _), label in zip(table, labels, strict=True)]
    folder = root / "mubarak2017-aljazeera-comments"
    folder.mkdir(parents=True, exist_ok=True)
    thirds = [abuse[0::3], abuse[1::3], abuse[2::3]]
    for name, part in zip(("AJ-train.tsv", "AJ-dev.tsv", "AJ-test.tsv"), thirds, strict=True):
        with open(folder / name, "w", encoding="utf-8") as handle:
            handle.write("\ttext\tlevel\n")
            for text, level in part:
                handle.write(f"\t{text}\t{level}\n")
    folder = root / "youtube-spam"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "Youtube01-Psy.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["COMMENT_ID", "AUTHOR", "DATE", "CONTENT", "CLASS"])
        for index, (text, label) in enumerate(spam):
            writer.writerow([f"id{index}", "someone", "2013-11-07T06:20:48", text, label])
    return root


def write_recipe(path: Path, *, spam_c: float = 4.0, abuse_c: float = 4.0,
                 more_sources: bool = False) -> Path:
    recipe = RECIPE.format(spam_c=spam_c, abuse_c=abuse_c)
    if more_sources:  # the folders make_more_sources writes, lent to the spam head too
        recipe = recipe.replace('"youtube-spam" = 1.0', '"youtube-spam" = 1.0\n'
                                '"tsac-tunisian-sentiment" = 0.5\n"l-hsab-levantine" = 0.5')
        recipe = recipe.replace('"mubarak2017-aljazeera-comments" = 1.0',
                                '"mubarak2017-aljazeera-comments" = 1.0\n'
                                '"l-hsab-levantine" = 1.0')
    path.write_text(recipe, encoding="utf-8")
    return path


def make_more_sources(root: Path, rows: int = 120) -> Path:
    """Beside make_datasets' folders: Levantine tweets (abuse), Tunisian comments (ham only)
    and a HateCheck-style Arabic suite, all made up from the same vocabularies."""
    rng = random.Random(9)
    folder = root / "l-hsab-levantine"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "L-HSAB", "w", encoding="utf-8") as handle:
        handle.write("Tweet\tClass\n")
        for index in range(rows):
            abusive = index % 2 == 0
            words = ARABIC_ABUSIVE if abusive else ARABIC_CLEAN
            handle.write(f"{_sentence(rng, words, ARABIC_CLEAN)} {index}\t"
                         f"{'abusive' if abusive else 'normal'}\n")
    folder = root / "tsac-tunisian-sentiment"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("train_pos", "train_neg", "test_pos", "test_neg"):
        lines = [_sentence(rng, ARABIC_CLEAN, ARABIC_CLEAN) for _ in range(rows // 4)]
        (folder / f"{name}.decontaminated.txt").write_text("\n".join(lines) + "\n",
                                                           encoding="utf-8")
    folder = root / "multilingual-hatecheck-arabic"
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "hatecheck_cases_final_arabic.csv", "w", encoding="utf-8",
              newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["mhc_case_id", "functionality", "test_case", "label_gold"])
        cases = [("derog_h", " ".join(rng.sample(ARABIC_ABUSIVE, 3)), "hateful")
                 for _ in range(20)]
        cases += [("ident_neutral_nh", " ".join(rng.sample(ARABIC_CLEAN, 3)), "non-hateful")
                  for _ in range(20)]
        cases += [("target_obj_nh", "كلب حمار", "non-hateful")]  # left out by the mapping
        for index, (functionality, text, label) in enumerate(cases):
            writer.writerow([f"arabic-{index}", functionality, text, label])
    return root
