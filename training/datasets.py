"""Labelled examples from the public datasets and from extra files, deduplicated and split.

Owns: one loader per dataset folder (each quirk its SOURCE.md documents is handled here and
nowhere else), reading extra `text,task,label` CSV/JSONL files (the format `hakam labels export`
writes), deduplication on normalised text, language tagging and the fixed evaluation split.
Never fits anything and never writes into a dataset folder.

The split: every example's *dedupe key* (its normalised text with punctuation and spacing
removed) is hashed; the hash picks the split. The same text therefore always lands in the same
split, whichever dataset it came from and however much data is added later, and near-identical
texts (differing only in spacing, punctuation, diacritics, case) can never sit on both sides of
the train/evaluation line. Because the hash ignores the label, every class of every dataset is
split in the same proportions (stratified in expectation): 20% evaluation, 10% calibration
(held out from fitting, used for Platt scaling and for choosing thresholds), 70% training.
Rows of extra files (sites' labels) are not split: every one trains (see `prepare`).
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hakam.model.attributes import ATTRIBUTES
from hakam.model.language import language_of
from hakam.model.normalize import normalize

TASKS = ("spam", "abuse")
# every head: the two that decide, then the Perspective-style attributes (hakam.model.ATTRIBUTES)
HEADS = TASKS + ATTRIBUTES
EVALUATION_SHARE = 0.20
CALIBRATION_SHARE = 0.10

csv.field_size_limit(sys.maxsize)


@dataclass(frozen=True)
class Example:
    text: str
    task: str  # "spam" | "abuse"
    label: int  # 1 = spam/abusive, 0 = clean
    dataset: str  # folder name, or "extra:<file name>"
    language: str = ""  # "ar" | "en", filled by `tag_language`
    split: str = ""  # "train" | "calibration" | "evaluation", filled by `assign_split`
    key: str = ""  # dedupe key
    part: str = ""  # a dataset's own sub-collection (Vanetik's "ID11"), "" for most

    @property
    def source(self) -> str:
        """The dataset, or dataset/part where a dataset gathers several collections: what the
        cross-source evaluation holds out."""
        return f"{self.dataset}/{self.part}" if self.part else self.dataset


class DatasetError(ValueError):
    """A dataset folder or extra file is missing or unreadable; the message names it."""


# --- one loader per dataset folder --------------------------------------------------------

def _tsv(path: Path, *, quoting=csv.QUOTE_NONE) -> Iterator[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        yield from csv.reader(handle, delimiter="\t", quoting=quoting)


def _csv_dicts(path: Path) -> Iterator[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            yield {(key or "").strip(): value for key, value in row.items()}


def _youtube_spam(folder: Path) -> Iterator[tuple[str, int]]:
    for path in sorted(folder.glob("Youtube*.csv")):
        for row in _csv_dicts(path):
            # CONTENT carries HTML (<br />, <a href=...>, &#39;): keep the link target as text
            # because links are what spam is made of.
            text = re.sub(r"<a [^>]*href=\"([^\"]*)\"[^>]*>", r" \1 ", row["CONTENT"])
            text = html.unescape(re.sub(r"<[^>]+>", " ", text))
            yield text, int(row["CLASS"])


def _sms_spam(folder: Path) -> Iterator[tuple[str, int]]:
    for index, row in enumerate(_tsv(folder / "SMSSpamCollection")):
        if index == 0 and row[0] == "output":  # header added by the mirror, not in the original
            continue
        yield row[1], int(row[0] == "spam")


def _arabic_spam_tweets(folder: Path) -> Iterator[tuple[str, int]]:
    for row in _csv_dicts(folder / "Augmented_SpamHamTweets.derived.csv"):
        yield row["Tweet Text"], int(row["Label"].strip() == "Spam")


def _davidson(folder: Path) -> Iterator[tuple[str, int]]:
    for row in _csv_dicts(folder / "labeled_data.csv"):
        yield html.unescape(row["tweet"]), int(row["class"] in ("0", "1"))  # hate or offensive


def _olid(folder: Path) -> Iterator[tuple[str, int]]:
    for index, row in enumerate(_tsv(folder / "olid-training-v1.0.tsv")):
        if index == 0:
            continue
        yield row[1], int(row[2] == "OFF")


def _mlma(folder: Path) -> Iterator[tuple[str, int, str]]:
    for name in ("ar_dataset.csv", "en_dataset.csv"):
        for row in _csv_dicts(folder / name):
            # README's convention; the part (ar, en) says which language's tweets it is
            yield row["tweet"], int(row["sentiment"].strip() != "normal"), name[:2]


def _mubarak(folder: Path, names: Iterable[str]) -> Iterator[tuple[str, int]]:
    for name in names:
        for index, row in enumerate(_tsv(folder / name)):
            if index == 0:
                continue
            # level 0 clean, -1 offensive, -2 obscene
            yield row[1], int(row[2].strip() != "0")


def _aljazeera(folder: Path) -> Iterator[tuple[str, int]]:
    return _mubarak(folder, ("AJ-train.tsv", "AJ-dev.tsv", "AJ-test.tsv"))


def _mubarak_tweets(folder: Path) -> Iterator[tuple[str, int]]:
    # tweet-classification.tsv is the union of these three: never read both.
    return _mubarak(folder, ("tweet-train.tsv", "tweet-dev.tsv", "tweet-test.tsv"))


def _osact(folder: Path) -> Iterator[tuple[str, int]]:
    for name in ("OSACT2020-sharedTask-train.txt", "OSACT2020-sharedTask-dev.txt"):
        for row in _tsv(folder / name):
            yield row[0].replace("<LF>", "\n"), int(row[1] == "OFF")


def _l_hsab(folder: Path) -> Iterator[tuple[str, int]]:
    for text, label in _l_hsab_classes(folder):
        yield text, int(label != "normal")


def _vanetik(folder: Path) -> Iterator[tuple[str, int, str]]:
    for path in sorted(folder.glob("arabic_off_lang_dataset_ID*.derived.csv")):
        # the original collection (ID11 = Moroccan OMCD comments, ID14 = Levantine Let-Mi,
        # ...): the cross-source evaluation holds some of them out with their dialect group
        part = re.search(r"ID\d+", path.name).group(0)
        repaired = part == "ID16"  # its `text` is cp1256 mis-decoded as cp1252
        for row in _csv_dicts(path):
            label = row.get("offensive", "").strip()
            if label not in ("0", "1"):
                continue  # `null`: not annotated
            text = row["text_repaired_cp1256"] if repaired else row["text"]
            text = text.replace("_x000D_", "")  # Excel's escaped carriage return
            if text.strip():
                yield text, int(label), part


def _labelled_json_lines(path: Path) -> Iterator[tuple[str, int]]:
    """(text, label) of each line of a JSON-lines file with `text` and a 0/1 `label`."""
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                yield row["text"], int(row["label"])


def _fox_news(folder: Path) -> Iterator[tuple[str, int]]:
    # `label` 1 = hateful (broad: attacks on groups or people, insults)
    return _labelled_json_lines(folder / "fox-news-comments.json")


def _stormfront(folder: Path) -> Iterator[tuple[str, int]]:
    for row in _csv_dicts(folder / "stormfront_sentences.derived.csv"):
        label = row["label"].strip()
        # `relation` is hateful only with its neighbouring sentences, `idk/skip` unjudged
        if label in ("hate", "noHate"):
            yield row["text"], int(label == "hate")


def _tsac(folder: Path) -> Iterator[tuple[str, int]]:
    # Genuine Tunisian comments labelled for sentiment, not abuse: spam-head ham only (a
    # negative comment is often an insult, so neither polarity is a clean-comment label)
    for name in ("train_pos", "train_neg", "test_pos", "test_neg"):
        with open(folder / f"{name}.decontaminated.txt", encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    yield line.rstrip("\n"), 0


_GOEMOTIONS_MASKS = re.compile(r"\[(?:NAME|RELIGION)\]")


def _goemotions(folder: Path) -> Iterator[tuple[str, int]]:
    # Reddit comments, all genuine: spam-head ham only (its SOURCE.md: profanity and insults
    # remain, so never clean abuse labels). The masks [NAME] and [RELIGION] are taken out so
    # that the head does not learn the bracketed tokens as a sign of ham.
    for name in ("train", "dev", "test"):
        for row in _tsv(folder / f"{name}.decontaminated.tsv"):
            text = re.sub(r"\s{2,}", " ", _GOEMOTIONS_MASKS.sub("", row[0])).strip()
            if text:
                yield text, 0


def _comment_spam_seeds(folder: Path) -> Iterator[tuple[str, int]]:
    return _labelled_json_lines(folder / "comments.jsonl")


def _toxic_spans(folder: Path) -> Iterator[tuple[str, int]]:
    # Civil Comments news-site comments, every one toxic and none spam: spam-head ham only
    for row in _csv_dicts(folder / "toxic_spans_comment_types.derived.csv"):
        yield row["text"], 0


LOADERS: dict[str, tuple[str, Callable[[Path], Iterable[tuple[str, int]]]]] = {
    "youtube-spam": ("spam", _youtube_spam),
    "sms-spam-collection": ("spam", _sms_spam),
    "arabic-spam-tweets": ("spam", _arabic_spam_tweets),
    "davidson-hate-offensive": ("abuse", _davidson),
    "olid-english-offensive": ("abuse", _olid),
    "mlma-hate-speech": ("abuse", _mlma),
    "mubarak2017-aljazeera-comments": ("abuse", _aljazeera),
    "mubarak2017-arabic-tweets": ("abuse", _mubarak_tweets),
    "osact2020-arabic-offensive": ("abuse", _osact),
    "l-hsab-levantine": ("abuse", _l_hsab),
    "vanetik-arabic-offensive-collection": ("abuse", _vanetik),
    "fox-news-comments-hate": ("abuse", _fox_news),
    "stormfront-hate-speech": ("abuse", _stormfront),
    # ham only: a spam dataset whose every row is a genuine comment (never an abuse label)
    "tsac-tunisian-sentiment": ("spam", _tsac),
    "goemotions-reddit-comments": ("spam", _goemotions),
    "toxic-spans-civil-comments": ("spam", _toxic_spans),
    # hand-written for this project (its SOURCE.md): comment-section spam (pharmacy, SEO,
    # scams, service adverts) and the comments that look like it but are not
    "hakam-comment-spam-seeds": ("spam", _comment_spam_seeds),
}

# Seed sets written for this project live in the repository (training/seeds/<name>/, each
# with its SOURCE.md), not in the data folder of public datasets.
BUNDLED = Path(__file__).parent / "seeds"
BUNDLED_NAMES = frozenset({"hakam-comment-spam-seeds"})


# --- attribute labels: what some abuse datasets say about the kind of abuse ---------------
# Each loader yields (text, {attribute: 0/1}, part) for the attributes its labels tell apart;
# read each dataset's SOURCE.md for the levels. A row that says nothing about an attribute
# (toxic-spans posts with a minority of raters marking it) is left out of that head.

IDENTITY_TARGETS = frozenset({"origin", "religion", "gender", "sexual_orientation",
                              "disability"})


def _l_hsab_attributes(folder: Path):
    for text, label in _l_hsab_classes(folder):
        # hate: a group attacked for who it is; abusive and hate both insult
        yield text, {"identity_attack": int(label == "hate"),
                     "insult": int(label != "normal")}, ""


def _l_hsab_classes(folder: Path) -> Iterator[tuple[str, str]]:
    # three tweets hold newlines inside quotes: default quoting, not a line split
    for index, row in enumerate(_tsv(folder / "L-HSAB", quoting=csv.QUOTE_MINIMAL)):
        if index == 0 or len(row) < 2:
            continue
        yield row[0], row[1].strip()


def _osact_attributes(folder: Path):
    for name in ("OSACT2020-sharedTask-train.txt", "OSACT2020-sharedTask-dev.txt"):
        for row in _tsv(folder / name):
            if len(row) >= 3:
                yield row[0].replace("<LF>", "\n"), {"identity_attack": int(row[2] == "HS"),
                                                     "insult": int(row[1] == "OFF")}, ""


def _mlma_attributes(folder: Path):
    for name in ("ar_dataset.csv", "en_dataset.csv"):
        for row in _csv_dicts(folder / name):
            sentiment = row["sentiment"].strip()
            target = row["target"].strip()
            yield row["tweet"], {
                "identity_attack": int("hateful" in sentiment and target in IDENTITY_TARGETS),
                "insult": int(sentiment != "normal")}, name[:2]


def _mubarak_attributes(folder: Path, names):
    for name in names:
        for index, row in enumerate(_tsv(folder / name)):
            if index == 0:
                continue
            level = row[2].strip()  # 0 clean, -1 offensive, -2 obscene
            yield row[1], {"profanity": int(level == "-2"), "insult": int(level != "0")}, ""


def _olid_attributes(folder: Path):
    for index, row in enumerate(_tsv(folder / "olid-training-v1.0.tsv")):
        if index == 0:
            continue
        # level B: TIN targeted insult or threat; level C: GRP a group targeted
        labels = {"insult": int(row[3] == "TIN"), "identity_attack": int(row[4] == "GRP")}
        if row[2] == "NOT":  # not offensive: no threat or profanity either (TIN mixes
            labels["threat"] = labels["profanity"] = 0  # insults and threats)
        yield row[1], labels, ""


def _davidson_attributes(folder: Path):
    for row in _csv_dicts(folder / "labeled_data.csv"):
        yield html.unescape(row["tweet"]), {"identity_attack": int(row["class"] == "0")}, ""


def _toxic_spans_attributes(folder: Path):
    # every post toxic; an attribute is 1 where at least half the raters marked a span of
    # its type, 0 where no rater did, and unsaid in between (the types are noisy)
    for row in _csv_dicts(folder / "toxic_spans_comment_types.derived.csv"):
        raters = int(row["n_raters"])
        labels = {}
        for name in ATTRIBUTES:
            votes = int(row[f"{name}_votes"])
            if votes * 2 >= raters:
                labels[name] = 1
            elif votes == 0:
                labels[name] = 0
        yield row["text"], labels, ""


def _fox_news_attributes(folder: Path):
    # its clean comments: none of the attributes (English news comments)
    for text, label in _fox_news(folder):
        if not label:
            yield text, dict.fromkeys(ATTRIBUTES, 0), ""


ATTRIBUTE_LOADERS = {
    "l-hsab-levantine": _l_hsab_attributes,
    "osact2020-arabic-offensive": _osact_attributes,
    "mlma-hate-speech": _mlma_attributes,
    "mubarak2017-aljazeera-comments": lambda folder: _mubarak_attributes(
        folder, ("AJ-train.tsv", "AJ-dev.tsv", "AJ-test.tsv")),
    "mubarak2017-arabic-tweets": lambda folder: _mubarak_attributes(
        folder, ("tweet-train.tsv", "tweet-dev.tsv", "tweet-test.tsv")),
    "olid-english-offensive": _olid_attributes,
    "davidson-hate-offensive": _davidson_attributes,
    "toxic-spans-civil-comments": _toxic_spans_attributes,
    "fox-news-comments-hate": _fox_news_attributes,
}


def load_attribute_labels(data_dir: str | Path, name: str,
                          attribute: str) -> list[Example]:
    """A dataset's rows labelled for one attribute (task = the attribute's name)."""
    if name not in ATTRIBUTE_LOADERS:
        raise DatasetError(f"{name} has no attribute labels; those that do: "
                           f"{', '.join(sorted(ATTRIBUTE_LOADERS))}")
    folder = Path(data_dir) / name
    if not folder.is_dir():
        raise DatasetError(f"dataset folder {folder} does not exist")
    try:
        return [Example(text, attribute, labels[attribute], name, part=part)
                for text, labels, part in ATTRIBUTE_LOADERS[name](folder)
                if text and text.strip() and attribute in labels]
    except (OSError, KeyError, IndexError, ValueError) as error:
        raise DatasetError(f"cannot read dataset {name} in {folder}: {error!r}") from error


def dataset_folder(data_dir: str | Path, name: str) -> Path:
    """Where a dataset's files are: this repository's own seed sets (`BUNDLED`) whatever the
    data folder, every other dataset in the data folder."""
    return BUNDLED / name if name in BUNDLED_NAMES else Path(data_dir) / name


def load_dataset(data_dir: str | Path, name: str) -> list[Example]:
    if name not in LOADERS:
        raise DatasetError(f"unknown dataset {name!r}; known: {', '.join(sorted(LOADERS))}")
    folder = dataset_folder(data_dir, name)
    if not folder.is_dir():
        raise DatasetError(f"dataset folder {folder} does not exist")
    task, loader = LOADERS[name]
    try:
        return [Example(text, task, label, name, part=part[0] if part else "")
                for text, label, *part in loader(folder) if text and text.strip()]
    except (OSError, KeyError, IndexError, ValueError) as error:
        raise DatasetError(f"cannot read dataset {name} in {folder}: {error!r}") from error


# Datasets whose clean rows are not readers' comments (SMS messages, news accounts' headlines):
# every other dataset's clean rows are genuine comments, which `spam_reject` must spare.
NOT_COMMENTS = frozenset({"sms-spam-collection", "arabic-spam-tweets"})


def as_negatives(rows: list[Example], task: str) -> list[Example]:
    """Real comments from an abuse dataset, every one of them a negative for the spam head:
    readers' comments and tweets, abusive or not, are not spam. Without them the Arabic spam
    data (synthetic adverts against news headlines) teaches that any Arabic comment is spam."""
    if task != "spam" or any(row.task != "abuse" for row in rows):
        raise DatasetError("only abuse datasets can serve as negatives, and only for spam")
    return [Example(row.text, "spam", 0, row.dataset, part=row.part) for row in rows]


def identity_negatives(rows: list[Example], mentions: Callable[[str], bool]) -> list[Example]:
    """Clean texts of a spam dataset (news headlines, genuine comments) that name a group of
    people, as abuse negatives: what a neutral mention of a group looks like. Without them the
    abuse head learns group nouns from the abuse datasets alone, where they are mostly
    targets. `mentions(text)` says whether a text names a group (hakam.model.identity_terms)."""
    return [Example(row.text, "abuse", 0, row.dataset, part=IDENTITY_NEUTRAL)
            for row in rows if row.task == "spam" and row.label == 0 and mentions(row.text)]


# the part of an identity-neutral row (`identity_negatives`): trained on, never evaluated
IDENTITY_NEUTRAL = "identity-neutral"


def is_identity_neutral(example: Example) -> bool:
    return example.part == IDENTITY_NEUTRAL


# --- extra files (CSV or JSONL with text, task, label) ------------------------------------

_POSITIVE = {"1", "true", "yes", "spam", "abuse", "abusive", "offensive", "rejected"}
_NEGATIVE = {"0", "false", "no", "ham", "clean", "approved", "ok", "not"}


def _label(value) -> int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return int(value > 0)
    text = str(value).strip().lower()
    if text in _POSITIVE:
        return 1
    if text in _NEGATIVE:
        return 0
    return None


def load_extra(path: str | Path) -> list[Example]:
    """Rows of `text,task,label` from a CSV (with header) or JSONL file; rows with an unknown
    task or label are skipped and counted on standard error."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"extra file {path} does not exist")
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        rows = []
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    try:
                        rows.append(json.loads(line))
                    except json.JSONDecodeError:
                        rows.append({})
    else:
        rows = list(_csv_dicts(path))
    examples, skipped = [], 0
    for row in rows:
        text, task, label = row.get("text"), str(row.get("task", "")).strip(), _label(
            row.get("label", ""))
        if not isinstance(text, str) or not text.strip() or task not in TASKS or label is None:
            skipped += 1
            continue
        site = row.get("site")
        # the site a label came from (`hakam labels export` names it): a source of its own
        examples.append(Example(text, task, label, f"extra:{path.name}",
                                part=site if isinstance(site, str) else ""))
    if skipped:
        print(f"{path}: skipped {skipped} rows without text, a known task or a 0/1 label",
              file=sys.stderr)
    return examples


def raw_examples(data_dir, heads: dict, extras=(), say=None,
                 neutral: Iterable[str] = ()) -> list[Example]:
    """Every row the recipe's `[datasets.<task>]` tables name (an abuse dataset under spam
    gives spam negatives), the identity-neutral abuse negatives of the `neutral` datasets'
    clean rows (`identity_negatives`), then the extra files; not yet deduplicated or split."""
    raw: list[Example] = []
    loaded: dict[str, list[Example]] = {}
    for task in TASKS:
        for name in heads.get(task, {}):
            if data_dir is None:
                raise DatasetError("the recipe names datasets but no dataset folder was given")
            if name not in loaded:
                loaded[name] = load_dataset(data_dir, name)
                if say:
                    say(f"{name}: {len(loaded[name])} rows")
            rows = loaded[name]
            if rows and rows[0].task != task and rows[0].task != "abuse":
                raise DatasetError(f"{name} holds {rows[0].task} labels only and cannot train "
                                   f"the {task} head (its rows are not {task} labels)")
            raw.extend(as_negatives(rows, task) if rows and rows[0].task != task else rows)
    for attribute in ATTRIBUTES:
        for name in heads.get(attribute, {}):
            if data_dir is None:
                raise DatasetError("the recipe names datasets but no dataset folder was given")
            raw.extend(load_attribute_labels(data_dir, name, attribute))
    if neutral:
        from hakam.model.identity_terms import mentioned

        for name in neutral:
            if name not in loaded:
                loaded[name] = load_dataset(data_dir, name)
            found = identity_negatives(loaded[name], lambda text: bool(mentioned(text)))
            if say:
                say(f"{name}: {len(found)} clean rows naming a group, as abuse negatives")
            raw.extend(found)
    for path in extras:
        raw.extend(load_extra(path))
    return raw


# --- language, dedupe key, split ----------------------------------------------------------

_NOT_WORD = re.compile(r"[\W_]+")


def dedupe_key(text: str) -> str:
    # without the words of links, so that every text keeps the split it had before they were kept
    return _NOT_WORD.sub("", normalize(text, link_words=False).text)


def split_of(key: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") / 2**64
    if bucket < EVALUATION_SHARE:
        return "evaluation"
    if bucket < EVALUATION_SHARE + CALIBRATION_SHARE:
        return "calibration"
    return "train"


def is_extra(example: Example) -> bool:
    return example.dataset.startswith("extra:")


def prepare(examples: Iterable[Example]) -> list[Example]:
    """Deduplicate per task, drop texts whose key is empty, tag language and split.

    Among datasets the first occurrence wins, so recipe order decides which dataset keeps a
    text shared by two. Rows of extra files (sites' labels) all train: the hash split is for
    the datasets, whose evaluation split must stay fixed, and a site's few thousand labels are
    worth more trained on than held out (its own adapter measures them out of fold). A text
    a dataset holds stays the dataset's (so no site label lands in the fixed evaluation
    split), and of an extra text labelled twice the later label wins, as a later verdict on a
    comment corrects an earlier one."""
    examples = list(examples)
    keys = [dedupe_key(example.text) for example in examples]
    last_extra = {(example.task, key): index for index, (example, key)
                  in enumerate(zip(examples, keys, strict=True)) if is_extra(example)}
    seen: set[tuple[str, str]] = set()
    kept = []
    for index, (example, key) in enumerate(zip(examples, keys, strict=True)):
        if not key or (example.task, key) in seen:
            continue
        extra = is_extra(example)
        if extra and last_extra[(example.task, key)] != index:
            continue  # a later label of the same text follows
        seen.add((example.task, key))
        kept.append(Example(example.text, example.task, example.label, example.dataset,
                            language_of(example.text), "train" if extra else split_of(key),
                            key, example.part))
    return kept
