"""Data in, model out: fit every head from a recipe, calibrate, choose thresholds, compile.

Owns the scikit-learn pipeline (`Pipeline`: normalise → char and word TF-IDF (+ side signals for
spam) → logistic regression → Platt sigmoid fitted on the held-out calibration split), the plain
baseline it must beat, threshold selection, and compiling the pipeline into the dictionary that
`hakam.model.Scorer` loads. Never touches the service; never writes outside the output folder.
"""

from __future__ import annotations

import sys
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import minimize
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from tqdm import tqdm

from hakam.model.attributes import ATTRIBUTE_LANGUAGES, ATTRIBUTES
from hakam.model.features import (
    SIDE_SIGNALS,
    char_grams,
    side_signals,
    without_spans,
    word_grams,
)
from hakam.model.language import language_of
from hakam.model.normalize import normalize, trusted_set
from hakam.model.scorer import FORMAT, counts_links_per_word, vocabulary_list
from hakam.model.thresholds import Thresholds

from . import datasets, identity_columns
from .datasets import Example

DEFAULT_RECIPE = Path(__file__).parent / "recipes" / "default.toml"
PIPELINE_FILE = "pipeline.joblib"  # the scikit-learn pipeline, for the equality test and bench
TASKS = datasets.TASKS
HEADS = datasets.HEADS  # the two deciding heads, then the attributes


def load_recipe(path: str | Path | None = None) -> dict:
    with open(path or DEFAULT_RECIPE, "rb") as handle:
        return tomllib.load(handle)


def _progress(iterable, description: str, total: int | None = None, quiet: bool = False):
    return tqdm(iterable, desc=description, total=total, file=sys.stderr, disable=quiet,
                leave=False, mininterval=0.5)


# --- the pipeline ---------------------------------------------------------------------------

def _side_matrix(texts: list[str], links_per_word: bool = True) -> sparse.csr_matrix:
    return sparse.csr_matrix(np.array([side_signals(t, links_per_word) for t in texts],
                                      dtype=np.float64).reshape(len(texts), -1))


def _cited_out(texts: list[str], trusted_domains) -> tuple[list[str], list[str]]:
    """Normal forms, and the texts the side signals measure, with links to trusted domains
    left out (as the compiled scorer does with `trusted_domains`)."""
    trusted = trusted_set(trusted_domains)
    norms = [normalize(t, trusted_domains=trusted) for t in texts]
    return [n.text for n in norms], [without_spans(t, n.cited) for t, n in zip(texts, norms,
                                                                                 strict=True)]


def platt_fit(values: np.ndarray, labels: np.ndarray, weights: np.ndarray) -> tuple[float, float]:
    """Platt's sigmoid p = 1 / (1 + exp(a·f + b)) fitted by weighted log loss on his smoothed
    targets (the same method as scikit-learn's `CalibratedClassifierCV(method="sigmoid")`)."""
    positives = weights[labels == 1].sum()
    negatives = weights[labels == 0].sum()
    target = np.where(labels == 1, (positives + 1) / (positives + 2), 1 / (negatives + 2))

    def loss(params):
        a, b = params
        z = a * values + b
        # log(1 + exp(z)) - (1 - t) * z, stable
        losses = np.logaddexp(0, z) - (1 - target) * z
        p = 1 / (1 + np.exp(z))  # predicted positive probability
        grad = (target - p) * weights  # d/dz of loss is (1 - p) - (1 - t) = t - p
        return (losses * weights).sum(), np.array([(grad * values).sum(), grad.sum()])

    start = np.array([0.0, np.log((negatives + 1) / (positives + 1))])
    result = minimize(loss, start, jac=True, method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def platt_apply(values: np.ndarray, platt: tuple[float, float]) -> np.ndarray:
    z = platt[0] * values + platt[1]
    return np.where(z >= 0, np.exp(-np.abs(z)) / (1 + np.exp(-np.abs(z))),
                    1 / (1 + np.exp(-np.abs(z))))


@dataclass
class Member:
    """One logistic regression of a head, over features optionally scaled by naive-Bayes
    log-count ratios (NB-LR, Wang & Manning 2012)."""

    regression: LogisticRegression
    nb_ratios: np.ndarray | None = None
    # each extra source's (site's) own intercept, learned beside the weights and then left out
    # of the model: what the site's base rate taught instead of its words
    site_bias: dict[str, float] = field(default_factory=dict)
    # the same for each dataset (recipe `[bias] dataset_intercepts`)
    dataset_bias: dict[str, float] = field(default_factory=dict)

    def scaled(self, features):
        if self.nb_ratios is None:
            return features
        scale = np.ones(features.shape[1])
        scale[:len(self.nb_ratios)] = self.nb_ratios
        return features @ sparse.diags(scale)

    def decision(self, features) -> np.ndarray:
        return self.regression.decision_function(self.scaled(features))

    def coefficients(self) -> np.ndarray:
        """The weights on the unscaled features (the NB ratios folded in)."""
        coefficients = self.regression.coef_[0].astype(np.float64).copy()
        if self.nb_ratios is not None:
            coefficients[:len(self.nb_ratios)] *= self.nb_ratios
        return coefficients


@dataclass
class Pipeline:
    """The trained scikit-learn model; `predict` is what the compiled scorer must reproduce.

    A head is the mean decision value of its members (a linear model again, so the ensemble
    compiles to one weight per feature), calibrated by a Platt sigmoid."""

    char_vectorizer: TfidfVectorizer
    word_vectorizer: TfidfVectorizer
    heads: dict  # task -> list[Member]
    platt: dict  # task -> (a, b)
    # task -> language -> added to the head's decision value for a text in that language
    # (`language_of`): each language's hold line where the recipe puts it (`language_offsets`)
    language_offset: dict = field(default_factory=dict)
    # how the spam head's side signals count links (features.side_signals): per word since
    # model format 4; a pipeline rebuilt from an older model counts as it was trained
    links_per_word: bool = True

    def text_features(self, normalized: list[str]):
        return sparse.hstack([self.char_vectorizer.transform(normalized),
                              self.word_vectorizer.transform(normalized)], format="csr")

    def features(self, texts: list[str], task: str, normalized: list[str] | None = None,
                 text_features=None):
        normalized = normalized if normalized is not None else [normalize(t).text for t in texts]
        blocks = [text_features if text_features is not None
                  else self.text_features(normalized)]
        if task == "spam":
            blocks.append(_side_matrix(texts, self.links_per_word))
        return sparse.hstack(blocks, format="csr")

    def decision(self, texts, task, normalized=None, features=None) -> np.ndarray:
        features = features if features is not None else self.features(texts, task, normalized)
        values = np.mean([member.decision(features) for member in self.heads[task]], axis=0)
        offsets = self.language_offset.get(task)
        if offsets:
            values = values + np.array([offsets.get(language_of(text), 0.0) for text in texts])
        return values

    def predict(self, texts: list[str], normalized: list[str] | None = None,
                trusted_domains=()) -> dict:
        languages_of = texts  # the language is the written text's, cited links and all
        if trusted_domains:
            normalized, texts = _cited_out(texts, trusted_domains)
        normalized = normalized if normalized is not None else [normalize(t).text for t in texts]
        result = {}
        for task in HEADS:
            if task not in self.heads:
                continue
            values = self.decision(languages_of, task, normalized,
                                   self.features(texts, task, normalized))
            result[task] = platt_apply(values, self.platt[task])
        return result

    @classmethod
    def from_compiled(cls, model: dict) -> Pipeline:
        """Rebuild the scikit-learn pipeline from a compiled model (exactly: same vocabulary,
        idf and coefficients), so a shipped model needs no second, larger copy for the
        equality test and the latency bench."""
        recipe = model["metadata"].get("recipe", {}).get("features", {})
        vectorizers = []
        for kind, analyzer in (("char", char_grams), ("word", word_grams)):
            part = model[kind]
            vectorizer = TfidfVectorizer(
                analyzer=analyzer, lowercase=False, sublinear_tf=recipe.get("sublinear_tf", True),
                vocabulary={term: i for i, term in enumerate(vocabulary_list(part))})
            vectorizer._validate_vocabulary()
            vectorizer.idf_ = part["idf"]
            vectorizers.append(vectorizer)
        heads = {}
        tasks = TASKS + tuple(model.get("attributes", {}))
        for task in tasks:
            coefficients = [model["char"][task], model["word"][task]]
            if task == "spam":
                coefficients.append(model["side"]["spam"])
            head = LogisticRegression()
            head.classes_ = np.array([0, 1])
            head.coef_ = np.concatenate(coefficients)[None, :]
            head.intercept_ = np.array([model["intercept"][task]])
            heads[task] = [Member(head)]
        return cls(vectorizers[0], vectorizers[1], heads,
                   {task: tuple(model["platt"][task]) for task in tasks},
                   {task: dict(offsets) for task, offsets
                    in model.get("language_offset", {}).items()},
                   links_per_word=counts_links_per_word(model))


@dataclass
class Baseline:
    """Plain TF-IDF (word and char n-grams of the raw text, no normalisation) + logistic
    regression, trained on the same rows without weights: the bar the model must clear."""

    vectorizers: list
    heads: dict

    def predict(self, texts: list[str]) -> dict:
        features = sparse.hstack([v.transform(texts) for v in self.vectorizers], format="csr")
        return {task: head.decision_function(features) for task, head in self.heads.items()}


def _vectorizer(analyzer, max_features: int, recipe: dict) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=analyzer, lowercase=False, min_df=recipe.get("min_df", 2),
                           max_features=max_features, sublinear_tf=recipe.get("sublinear_tf", True),
                           dtype=np.float64)


def _fit_vectorizer(vectorizer: TfidfVectorizer, texts: list[str]) -> TfidfVectorizer:
    vectorizer.fit(texts)
    vectorizer.stop_words_ = None  # the pruned n-grams: large and never needed again
    return vectorizer


def nb_ratios(features, labels: np.ndarray, smoothing: float,
              binary: bool = False, weights: np.ndarray | None = None) -> np.ndarray:
    """log(p(feature | positive) / p(feature | negative)) with additive smoothing, from the
    features' summed values, or with `binary` from how many texts of each class hold each
    feature (Wang & Manning's binarised counts: every text holding an n-gram counts once,
    whereas TF-IDF rows are L2-normalised, so an n-gram counts for less in a long text).
    `weights`: how much each text counts (1 each by default)."""
    if binary:
        features = (features > 0).astype(np.float64)
    if weights is not None:
        features = sparse.diags(weights) @ features
    positive = np.asarray(features[labels == 1].sum(axis=0)).ravel() + smoothing
    negative = np.asarray(features[labels == 0].sum(axis=0)).ravel() + smoothing
    return np.log((positive / positive.sum()) / (negative / negative.sum()))


def nb_count_weights(rows: list[Example], even: float = 0.0) -> np.ndarray | None:
    """How much each text counts toward the NB ratios. An extra source's (a site's) rows so
    that its positives and its negatives count half of it each: a word seen only on one site
    then gets no ratio from the site's base rate (NB ratios are class frequencies, so a site's
    reply-mention token would otherwise be scaled as strong evidence of "clean" just because
    the site's comments mostly are).

    `even` (0 to 1) does the same to the datasets, by degrees: each dataset's positives and
    negatives are weighted by (n / 2·n_label) ** even, so at 1 they count half of it each and
    the Aljazeera comments' four-in-five abusive base rate no longer makes the topic words of a
    news comment section (sects, peoples, the displaced) look abusive; at 0 rows count 1 each.
    Identity-neutral rows count 1. None when every row counts 1."""
    if not even and not any(datasets.is_extra(row) for row in rows):
        return None
    per_source = Counter(row.source for row in rows)
    per_label = Counter((row.source, row.label) for row in rows)
    per_dataset = Counter(row.dataset for row in rows if not datasets.is_identity_neutral(row))
    per_dataset_label = Counter((row.dataset, row.label) for row in rows
                                if not datasets.is_identity_neutral(row))
    weights = []
    for row in rows:
        if datasets.is_extra(row):
            weights.append(per_source[row.source] / (2 * per_label[(row.source, row.label)]))
        elif even and not datasets.is_identity_neutral(row) and \
                per_dataset_label[(row.dataset, 1 - row.label)]:
            weights.append((per_dataset[row.dataset]
                            / (2 * per_dataset_label[(row.dataset, row.label)])) ** even)
        else:
            weights.append(1.0)
    return np.array(weights)


def row_weights(rows: list[Example], recipe: dict, task: str,
                balance: bool = False) -> np.ndarray:
    """Each dataset gets its recipe share of the head's total weight; the mean row weighs 1.

    `balance`: within each dataset that has both labels, its abusive and its clean rows get
    half of its share each, so that no dataset's base rate (Aljazeera's deleted comments are
    four in five abusive, OSACT's tweets one in five) teaches the head that a style of text
    is abusive in itself."""
    shares = recipe.get("datasets", {}).get(task, {})
    counts = Counter(r.dataset for r in rows if not r.dataset.startswith("extra:")
                     and not datasets.is_identity_neutral(r))
    by_label = Counter((r.dataset, r.label) for r in rows if not datasets.is_identity_neutral(r))
    total_share = sum(shares.get(name, 1.0) for name in counts) or 1.0
    dataset_rows = sum(counts.values())
    extra_weight = recipe.get("extra", {}).get("row_weight", 2.0)
    neutral_weight = recipe.get("identity_negatives", {}).get("row_weight", 1.0)
    weights = []
    for row in rows:
        if row.dataset.startswith("extra:"):
            weights.append(extra_weight)
            continue
        if datasets.is_identity_neutral(row):
            weights.append(neutral_weight)
            continue
        share = shares.get(row.dataset, 1.0) / total_share
        both = by_label[(row.dataset, 0)] and by_label[(row.dataset, 1)]
        if balance and both:
            weights.append(share * dataset_rows / (2 * by_label[(row.dataset, row.label)]))
        else:
            weights.append(share * dataset_rows / counts[row.dataset])
    return np.asarray(weights, dtype=np.float64)


# --- thresholds -----------------------------------------------------------------------------

def _lowest_threshold_with_precision(probs, labels, precision) -> float | None:
    """Lowest t such that the comments scoring above t are positive with at least `precision`
    (None when no cut reaches it)."""
    order = np.argsort(-probs, kind="stable")
    sorted_probs, sorted_labels = probs[order], labels[order]
    cut_precision = np.cumsum(sorted_labels) / np.arange(1, len(probs) + 1)
    # a cut is only possible between distinct scores
    distinct = np.append(sorted_probs[1:] != sorted_probs[:-1], True)
    good = np.flatnonzero((cut_precision >= precision) & distinct)
    if len(good) == 0:
        return None
    last = good[-1]
    return float(sorted_probs[last + 1]) if last + 1 < len(probs) else 0.0


def choose_thresholds(calibration: dict, recipe: dict) -> tuple[Thresholds, dict]:
    """Pick the thresholds on the calibration split (never the evaluation split).

    `calibration[task]` = (probabilities, labels, datasets)."""
    settings = recipe.get("thresholds", {})
    notes: dict = {}
    spam_reject, spam_hold = _spam_thresholds(calibration, settings, notes) \
        if "spam" in calibration else (Thresholds.spam_reject, Thresholds.spam_hold)
    abuse_hold = _abuse_threshold(calibration, settings, notes) \
        if "abuse" in calibration else Thresholds.abuse_hold
    attribute_hold = {name: _attribute_threshold(calibration[name], settings)
                      for name in ATTRIBUTES if name in calibration}
    return Thresholds(spam_reject=float(spam_reject), spam_hold=float(spam_hold),
                      abuse_hold=float(abuse_hold), attribute_hold=attribute_hold), notes


def _attribute_threshold(calibration: tuple, settings: dict) -> float:
    """An attribute's hold line: the lowest score above which its calibration rows are the
    attribute with `attribute_hold_precision` (a site holding on it asked for that kind of
    comment, so most of what it holds should be), kept within the floor and ceiling."""
    probs, labels, _ = calibration
    found = _lowest_threshold_with_precision(
        probs, labels, settings.get("attribute_hold_precision", 0.7))
    clean_share = settings.get("attribute_hold_clean_share")
    if clean_share is not None and (labels == 0).any():
        # and above all but this share of the clean rows: the attributes' data is mostly
        # abusive (Aljazeera's deleted comments), so precision alone drew the insult line at
        # the floor, where it named words on most ordinary comments
        above_clean = float(np.quantile(probs[labels == 0], 1 - clean_share))
        found = above_clean if found is None else max(found, above_clean)
    floor = settings.get("attribute_hold_floor", 0.3)
    ceiling = settings.get("attribute_hold_ceiling", 0.9)
    return float(min(max(found if found is not None else ceiling, floor), ceiling))


def _spam_thresholds(calibration: dict, settings: dict, notes: dict) -> tuple[float, float]:
    probs, labels, names = calibration["spam"]
    reject_precision = settings.get("spam_reject_precision", 0.98)
    candidates = [settings.get("spam_reject_floor", 0.95)]
    pooled = _lowest_threshold_with_precision(probs, labels, reject_precision)
    candidates.append(pooled if pooled is not None else 0.999)
    for name in sorted(set(names)):
        mask = names == name
        if mask.sum() >= 100 and labels[mask].sum() >= 20:
            found = _lowest_threshold_with_precision(probs[mask], labels[mask], reject_precision)
            candidates.append(found if found is not None else 0.999)
    if settings.get("spam_reject_spares_comments", False):
        # above every genuine comment of the calibration split (a rejected reader never
        # reaches a moderator), whichever comment source it came from
        genuine = (labels == 0) & ~np.isin(names, sorted(datasets.NOT_COMMENTS))
        if genuine.any():
            top = float(probs[genuine].max())
            notes["spam_reject_above_comment"] = round(top, 6)
            # a margin in log-odds above it: comments from sources the calibration split
            # lacks score higher still (held-out Arabic tweets did, at the bare maximum)
            margin = float(settings.get("spam_reject_margin", 0.0))
            logit = np.log(top / (1 - top)) if top < 1 else np.inf
            candidates.append(float(1 / (1 + np.exp(-(logit + margin)))))
    spam_reject = min(max(candidates), settings.get("spam_reject_ceiling", 0.999))
    hold = _lowest_threshold_with_precision(probs, labels, settings.get("spam_hold_precision", 0.9))
    spam_hold = min(max(hold if hold is not None else 0.5, 0.3), spam_reject)
    notes["spam_reject_candidates"] = [round(c, 4) for c in candidates]
    return spam_reject, spam_hold


def _abuse_threshold(calibration: dict, settings: dict, notes: dict) -> float:
    probs, labels, names = calibration["abuse"]
    target = settings.get("abuse_hold_recall", 0.82)
    anchor = settings.get("abuse_hold_dataset", "mubarak2017-aljazeera-comments")
    mask = names == anchor
    if mask.sum() == 0 or labels[mask].sum() == 0:
        mask = np.ones_like(labels, dtype=bool)
        notes["abuse_hold_anchor"] = "all abuse calibration rows (anchor dataset absent)"
    else:
        notes["abuse_hold_anchor"] = anchor
    # hold everything scoring above the score that keeps back `target` of its abusive rows
    return float(np.nextafter(_keeping_back(probs[mask & (labels == 1)], target), -1.0))


def _keeping_back(positives: np.ndarray, recall: float) -> float:
    """The score of the abusive row at which `recall` of `positives` (their scores) score as
    high or higher: the needed-th highest."""
    needed = max(int(np.ceil(recall * len(positives))), 1)
    return float(np.sort(positives)[::-1][needed - 1])


# --- compile ---------------------------------------------------------------------------------

def compile_model(pipeline: Pipeline, thresholds: Thresholds, metadata: dict,
                  languages: dict | None = None) -> dict:
    """The dictionary `hakam.model.Scorer` loads: vocabulary, idf and every head's weights.
    `languages`: attribute -> the languages its labels came in (default ATTRIBUTE_LANGUAGES)."""
    languages = languages or {}
    model: dict = {"format": FORMAT, "thresholds": thresholds.as_dict(), "metadata": metadata}
    offset = 0
    text_size = (len(pipeline.char_vectorizer.vocabulary_)
                 + len(pipeline.word_vectorizer.vocabulary_))
    # members' NB ratios fold into their coefficients, and the mean of linear models is linear
    heads = [task for task in HEADS if task in pipeline.heads]
    effective = {task: np.mean([m.coefficients() for m in pipeline.heads[task]], axis=0)
                 for task in heads}
    assert all(len(effective[task]) >= text_size for task in heads)
    for kind, vectorizer in (("char", pipeline.char_vectorizer),
                             ("word", pipeline.word_vectorizer)):
        size = len(vectorizer.vocabulary_)
        vocabulary = [""] * size
        for term, index in vectorizer.vocabulary_.items():
            vocabulary[index] = term
        assert not any("\n" in term for term in vocabulary)  # n-grams never hold a newline
        model[kind] = {
            # one string, split at load: unpickling 200,000 small strings takes most of a second
            "vocabulary": "\n".join(vocabulary),
            "idf": np.asarray(vectorizer.idf_, dtype=np.float64),
            **{task: effective[task][offset:offset + size] for task in heads},
        }
        offset += size
    model["side"] = {"names": list(SIDE_SIGNALS), "spam": effective["spam"][offset:]}
    model["intercept"] = {
        task: float(np.mean([m.regression.intercept_[0] for m in pipeline.heads[task]]))
        for task in heads}
    model["platt"] = {task: list(pipeline.platt[task]) for task in heads}
    model["language_offset"] = {task: dict(offsets) for task, offsets
                                in pipeline.language_offset.items() if offsets}
    # each attribute head and the languages it reads (its labels' languages)
    model["attributes"] = {task: sorted(languages.get(task, ATTRIBUTE_LANGUAGES[task]))
                           for task in heads if task in ATTRIBUTES}
    return model


# --- the whole run ---------------------------------------------------------------------------

def gather(data_dir: str | Path | None, recipe: dict, extras=(), quiet=False) -> list[Example]:
    say = None if quiet else (lambda message: print(message, file=sys.stderr))
    raw = datasets.raw_examples(data_dir, recipe.get("datasets", {}), extras, say,
                                neutral=recipe.get("identity_negatives", {}).get("datasets", ()))
    prepared = datasets.prepare(_progress(raw, "deduplicating", total=len(raw), quiet=quiet))
    read = sum(1 for row in raw if datasets.is_extra(row))
    if read and say:
        kept = sum(1 for row in prepared if datasets.is_extra(row))
        say(f"extra labels: {read} read, {kept} train (the others repeat a dataset's text, "
            "which keeps its own label, or a text labelled again later, whose last label "
            "counts)")
    return prepared


def head_members(recipe: dict, task: str) -> list[dict]:
    """A head's members: `[[heads.<task>.members]]` tables, or the head's own table alone."""
    head = recipe.get("heads", {}).get(task, {})
    return head.get("members") or [head]


def site_bias_columns(rows: list[Example], value: float, datasets_too: bool = False,
                      by_part: bool = True, single_label: bool = True,
                      shared: dict[str, str] | None = None
                      ) -> tuple[list[str], sparse.csr_matrix | None]:
    """One indicator column per extra source (a site's labels: `extra:<file>/<site>`), `value`
    on that source's rows: the source's own intercept. A site whose comments are mostly fine
    (or mostly not) then has its base rate explained by its column, not by the words common on
    it and rare elsewhere (a reply-mention token that would otherwise learn "clean" and push
    abusive replies everywhere down).

    `datasets_too`: every dataset source (dataset, or dataset/part) gets its column as well,
    for the same reason: the Aljazeera comments are four in five abusive and OSACT's tweets one
    in five, and without its own intercept a dataset's base rate is learned by its topic words
    (the peoples and sects a news comment section names). Identity-neutral rows get none:
    what they teach is that naming a group is not abuse, which an intercept would absorb.
    `by_part` False: a dataset gathering several collections (Vanetik's) gets one column.
    `single_label` False: a dataset whose rows here all have one label (the comments every
    abuse dataset lends the spam head as not spam, GoEmotions' Reddit comments) gets none, for
    the identity-neutral rows' reason: it has no base rate to explain, and its column would
    absorb what it is there to teach (that such texts are not spam).
    `shared`: dataset source -> the source whose column its rows go into instead of their own
    (GoEmotions' Reddit comments, all ham, into YouTube's comment-section column): the two
    then have one base rate, and the ham's words must tell it from the spam it shares it
    with. Applied before `single_label`, so a shared column is judged by all its rows."""
    def source(row: Example) -> str:
        name = row.source if by_part or datasets.is_extra(row) else row.dataset
        return name if not shared or datasets.is_extra(row) else shared.get(name, name)

    # each row that has a column, and its column's name: found once for all that follows
    owned = [(index, source(row)) for index, row in enumerate(rows)
             if datasets.is_extra(row)
             or (datasets_too and not datasets.is_identity_neutral(row))]
    sources = sorted({name for _, name in owned})
    if datasets_too and not single_label:
        labels: dict[str, set[int]] = {}  # a dataset's labels (a site keeps its column)
        for index, name in owned:
            if not datasets.is_extra(rows[index]):
                labels.setdefault(name, set()).add(rows[index].label)
        sources = [name for name in sources if name not in labels or len(labels[name]) > 1]
    if not sources:
        return [], None
    column = {name: index for index, name in enumerate(sources)}
    marked = [(index, column[name]) for index, name in owned if name in column]
    matrix = sparse.csr_matrix((np.full(len(marked), value),
                                ([i for i, _ in marked], [j for _, j in marked])),
                               shape=(len(rows), len(sources)))
    return sources, matrix


def _intercepts_by_part(recipe: dict) -> bool:
    """`[bias] intercepts_by`: "source" (default: one intercept per part of a dataset gathering
    several collections, Vanetik's) or "dataset" (one per dataset); a misspelt value would
    otherwise silently train the other way."""
    by = recipe.get("bias", {}).get("intercepts_by", "source")
    if by not in ("source", "dataset"):
        raise datasets.DatasetError(
            f'[bias] intercepts_by is "source" or "dataset", not {by!r}')
    return by == "source"


def _without_columns(features, masked: np.ndarray):
    """`features` with the `masked` columns (of its first len(masked)) zeroed."""
    keep = np.ones(features.shape[1])
    keep[:len(masked)][masked] = 0.0
    return features @ sparse.diags(keep)


def _fit_member(X, y, text_features, rows, recipe, task, settings: dict,
                masked: np.ndarray | None = None) -> Member:
    """`masked`: text feature columns this head is trained without (their weights stay 0)."""
    if masked is not None:
        X, text_features = _without_columns(X, masked), _without_columns(text_features, masked)
    ratios = None
    if settings.get("nb"):
        ratios = nb_ratios(text_features, y, float(settings["nb"]),
                           binary=bool(settings.get("nb_binary", False)),
                           weights=nb_count_weights(rows, float(settings.get("nb_even", 0.0))))
    if "shares" in settings:  # this member weighs the datasets its own way
        recipe = {**recipe, "datasets": {**recipe.get("datasets", {}), task: settings["shares"]}}
    member = Member(LogisticRegression(C=settings.get("C", 2.0), solver="liblinear",
                                       max_iter=1000), ratios)
    bias_value = float(recipe.get("extra", {}).get("site_bias", 1.0))
    per_dataset = (task in recipe.get("bias", {}).get("dataset_intercepts", ())
                   and settings.get("dataset_intercepts", True))
    by_part = _intercepts_by_part(recipe)
    single_label = bool(recipe.get("bias", {}).get("single_label_intercepts", True))
    shared = recipe.get("bias", {}).get("shared_intercepts") or None
    sources, bias = (site_bias_columns(rows, bias_value, per_dataset, by_part, single_label,
                                       shared)
                     if bias_value else ([], None))
    features = X if bias is None else sparse.hstack([X, bias], format="csr")
    member.regression.fit(member.scaled(features), y, sample_weight=row_weights(
        rows, recipe, task, balance=bool(settings.get("balance", False))))
    if bias is not None:  # the model keeps the words' weights; the sites' intercepts go
        regression = member.regression
        member.site_bias = {source: float(weight) * bias_value for source, weight in
                            zip(sources, regression.coef_[0, -len(sources):], strict=True)
                            if source.startswith("extra:")}
        member.dataset_bias = {source: float(weight) * bias_value for source, weight in
                               zip(sources, regression.coef_[0, -len(sources):], strict=True)
                               if not source.startswith("extra:")}
        regression.coef_ = np.ascontiguousarray(regression.coef_[:, :-len(sources)])
        regression.n_features_in_ = X.shape[1]
    return member


@dataclass
class Fitted:
    """A pipeline fitted on the training split, calibrated and thresholded on the calibration
    split (`calibration[task]` = (probabilities, labels, datasets) of the calibration rows)."""

    pipeline: Pipeline
    thresholds: Thresholds
    threshold_notes: dict
    calibration: dict


def fit(examples: list[Example], normalized: dict, recipe: dict, quiet: bool = False,
        tasks: tuple[str, ...] = TASKS,
        vocabulary_tasks: tuple[str, ...] | None = None) -> Fitted:
    """Fit the vectorisers and `tasks`' heads on the training split of `examples`, Platt scaling
    and thresholds on their calibration split. `normalized` maps each text to its normal form.
    A task left out gets no head (the cross-source harness fits one head at a time).
    `vocabulary_tasks` (experiments only): fit the vectorisers on these tasks' training texts
    instead of `tasks'`, e.g. TASKS to fit one head on the vocabulary a full train gives it."""
    say = (lambda *a: None) if quiet else (lambda m: print(m, file=sys.stderr))
    for task in tasks:
        task_rows = [e for e in examples if e.task == task]
        if not task_rows or len({e.label for e in task_rows if e.split == "train"}) < 2:
            raise datasets.DatasetError(f"the {task} head needs training rows of both labels")
    train_rows = [e for e in examples if e.split == "train" and e.task in tasks]
    # the vocabulary comes from the deciding heads' texts (attribute rows repeat them, and
    # counting a text once per head would skew document frequencies)
    vocabulary_rows = train_rows if vocabulary_tasks is None else [
        e for e in examples if e.split == "train" and e.task in vocabulary_tasks]
    train_texts = [normalized[e.text] for e in vocabulary_rows if e.task in TASKS] or [
        normalized[e.text] for e in vocabulary_rows]
    features = recipe.get("features", {})
    say(f"fitting vectorisers on {len(train_texts)} training texts")
    char_vectorizer = _fit_vectorizer(
        _vectorizer(char_grams, features.get("char_max_features", 150000), features), train_texts)
    word_vectorizer = _fit_vectorizer(
        _vectorizer(word_grams, features.get("word_max_features", 60000), features), train_texts)
    pipeline = Pipeline(char_vectorizer, word_vectorizer, {}, {})
    masked_heads = recipe.get("bias", {}).get("identity_masked", ())
    group_columns = identity_columns.masked(char_vectorizer, word_vectorizer,
                                            len(train_texts)) if masked_heads else None

    calibration = {}
    for task in _progress(tasks, "fitting heads", quiet=quiet):
        rows = [e for e in train_rows if e.task == task]
        texts = [e.text for e in rows]
        y = np.array([e.label for e in rows])
        text_features = pipeline.text_features([normalized[e.text] for e in rows])
        X = pipeline.features(texts, task, [normalized[e.text] for e in rows], text_features)
        pipeline.heads[task] = [
            _fit_member(X, y, text_features, rows, recipe, task, settings,
                        group_columns if task in masked_heads else None)
            for settings in head_members(recipe, task)]
        held = [e for e in examples if e.task == task and e.split == "calibration"]
        if len({e.label for e in held}) < 2:  # tiny data: calibrate on training rows
            held = rows
        held_texts = [e.text for e in held]
        held_features = pipeline.features(held_texts, task, [normalized[t] for t in held_texts])
        values = pipeline.decision(held_texts, task, features=held_features)
        if task == "abuse":  # the offsets are chosen on the unshifted values, then applied
            pipeline.language_offset[task] = language_offsets(
                values, held, recipe.get("thresholds", {}))
            values = pipeline.decision(held_texts, task, features=held_features)
        held_labels = np.array([e.label for e in held])
        pipeline.platt[task] = platt_fit(values, held_labels, row_weights(held, recipe, task))
        calibration[task] = (platt_apply(values, pipeline.platt[task]), held_labels,
                             np.array([e.dataset for e in held]))
    thresholds, notes = choose_thresholds(calibration, recipe)
    return Fitted(pipeline, thresholds, notes, calibration)


def language_offsets(values: np.ndarray, held: list[Example], settings: dict) -> dict:
    """What each language's abuse decision values are shifted by, so that one abuse_hold
    keeps back `recall` of each language's anchor dataset's abusive comments
    (`[thresholds.abuse_hold_languages]`), as it does `abuse_hold_recall` of
    `abuse_hold_dataset`'s: trained with one intercept per dataset the head has no base rate
    of its own, and one line drawn on Aljazeera's comments held half the clean English
    tweets. A language whose anchor is missing from `held` (held out) is not shifted."""
    labels = np.array([e.label for e in held])
    names = np.array([e.dataset for e in held])

    def value_at(dataset: str, recall: float) -> float | None:
        positives = values[(names == dataset) & (labels == 1)]
        return _keeping_back(positives, recall) if len(positives) else None

    reference = value_at(settings.get("abuse_hold_dataset", "mubarak2017-aljazeera-comments"),
                         settings.get("abuse_hold_recall", 0.82))
    offsets = {}
    for language, anchor in settings.get("abuse_hold_languages", {}).items():
        own = value_at(anchor["dataset"], anchor["recall"])
        if reference is not None and own is not None:
            offsets[language] = reference - own
    return offsets


def normalize_all(examples: list[Example], quiet: bool = False) -> dict[str, str]:
    """Each distinct text of `examples` -> its normal form (a text in several datasets or
    both heads is normalised once)."""
    normalized: dict[str, str] = {}
    for e in _progress(examples, "normalising", quiet=quiet):
        if e.text not in normalized:
            normalized[e.text] = normalize(e.text).text
    return normalized


def train_baseline(train_rows: list[Example], features: dict, quiet=False,
                   tasks: tuple[str, ...] = TASKS) -> Baseline:
    train_rows = [e for e in train_rows if e.task in tasks]
    texts = [e.text for e in train_rows]
    vectorizers = [
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=features.get("min_df", 2),
                        max_features=features.get("char_max_features", 150000)),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=features.get("min_df", 2),
                        max_features=features.get("word_max_features", 60000)),
    ]
    for vectorizer in vectorizers:
        _fit_vectorizer(vectorizer, texts)
    heads = {}
    for task in tasks:
        rows = [e for e in train_rows if e.task == task]
        X = sparse.hstack([v.transform([e.text for e in rows]) for v in vectorizers],
                          format="csr")
        heads[task] = LogisticRegression(C=1.0, solver="liblinear").fit(
            X, [e.label for e in rows])
    return Baseline(vectorizers, heads)
