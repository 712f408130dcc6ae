"""A site's labels in, a site's adapter out: fit, cross-validate, gate, choose the hold threshold.

For each head the site has decisions for, a logistic regression on the shipped model's own
features (`Scorer.features`) with the shipped logit z as a feature:

    logit = alpha + beta · z + w · x,   minimise  C · Σ logloss + ½ ‖w‖²

alpha (the site's intercept) and beta are not penalised; w is, with C chosen by stratified
cross-validation on the site's labels (out-of-fold log loss). scikit-learn's LogisticRegression
penalises every coefficient alike, so the fit is this objective minimised directly by scipy's
Newton-CG (exact gradient and Hessian products); tests/training/test_adapt.py checks it
against scikit-learn on the same features (with z scaled so far that its penalty vanishes) and
checks the compiled scorer against scikit-learn's probabilities for the fitted coefficients.

The gate: a head's adapter is used only if its out-of-fold ROC-AUC beats the shipped model's on
the same labels by a margin DeLong's test for paired AUCs finds significant (one-sided p below
`P_VALUE`), and if on the newest labels held out in time order (fitted on the older ones) it is
not significantly worse (p below `HOLDOUT_P_VALUE`: the site's line moved). Labels drawn at
random from the text teach nothing and are refused; noisy labels with a real signal pass.

The hold threshold for an adapted site is chosen on out-of-fold probabilities (never on the
scores the adapter was fitted to): to hold `recall_target` of the site's abusive comments once
it has `MIN_ABUSIVE_FOR_THRESHOLD` abusive labels; before that it is the shipped threshold,
lowered where the adapter's rescaled scores would hold a smaller share of the site's abusive
labels than the shipped model does (the number itself means another share on them). Audit
labels weigh 1 / their sampling rate, since each stands for that many published comments.
Imports hakam.model only; never the service.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import norm
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from hakam.model.adapter import Adapter, HeadAdapter

C_GRID = (0.3, 1.0, 3.0, 10.0, 30.0)
FOLDS = 5
P_VALUE = 0.01  # one-sided DeLong p-value an adapter's gain must reach
HOLDOUT_SHARE = 0.2  # newest labels held out in time order
HOLDOUT_P_VALUE = 0.05  # how sure a worse hold-out must be to refuse (noise must not flip it)
MIN_LABELS = 30  # per head, and at least MIN_CLASS of each class
MIN_CLASS = 10
MIN_ABUSIVE_FOR_THRESHOLD = 100
MAX_AUDIT_WEIGHT = 100.0
CV_TOLERANCE = 1e-5  # the folds' fits only rank the C values: they need not be as exact


@dataclass(frozen=True)
class SiteLabel:
    """One label of the site's stream (service/store/labels.py `site_labels`)."""

    text: str
    task: str
    label: int
    at: float = 0.0
    source: str = ""
    comment_id: str | None = None
    audit_rate: float | None = None

    @property
    def weight(self) -> float:
        """How many of the site's comments this label stands for: an audit label was drawn
        from the published comments at its rate."""
        if self.audit_rate:
            return min(1.0 / self.audit_rate, MAX_AUDIT_WEIGHT)
        return 1.0


def latest_labels(labels: list[SiteLabel], task: str) -> list[SiteLabel]:
    """The head's labels, one per comment (or per text, for labels without a comment): the
    latest wins, since a later verdict on the same comment (an editor's "not spam" after a
    moderator's "spam") corrects the earlier one. Oldest first."""
    latest: dict[str, SiteLabel] = {}
    for label in sorted((x for x in labels if x.task == task), key=lambda x: x.at):
        latest[label.comment_id or "text:" + label.text] = label
    return sorted(latest.values(), key=lambda x: x.at)


# --- the design matrix ----------------------------------------------------------------------

@dataclass
class Design:
    """A head's labelled comments as the fit sees them: X over the features any of them holds
    (`columns` maps X's columns to the scorer's feature indexes; for spam the side signals
    follow as columns `feature_count + k`), the shipped logit z and the labels."""

    X: sparse.csr_matrix
    columns: np.ndarray
    z: np.ndarray
    y: np.ndarray
    weights: np.ndarray
    at: np.ndarray


def design(scorer, labels: list[SiteLabel], task: str, trusted_domains=(),
           cache: dict | None = None) -> Design:
    """`cache` maps text → Scorer.features, shared by both heads of one fit."""
    cache = {} if cache is None else cache
    rows, columns, values, z = [], [], [], []
    side = task == "spam"
    for row, label in enumerate(labels):
        features = cache.get(label.text)
        if features is None:
            features = cache[label.text] = scorer.features(label.text,
                                                           trusted_domains=trusted_domains)
        indexes, data = features.indexes, features.values
        if side:
            indexes = np.concatenate([indexes, scorer.feature_count + np.arange(
                len(features.side))])
            data = np.concatenate([data, features.side])
        rows.append(np.full(len(indexes), row))
        columns.append(indexes)
        values.append(data)
        z.append(scorer.logit(task, features.spam if side else features.abuse))
    rows_all = np.concatenate(rows) if rows else np.empty(0, dtype=np.int64)
    columns_all = np.concatenate(columns) if columns else np.empty(0, dtype=np.int64)
    values_all = np.concatenate(values) if values else np.empty(0)
    used, compact = np.unique(columns_all, return_inverse=True)
    X = sparse.csr_matrix((values_all, (rows_all, compact)), shape=(len(labels), len(used)))
    X.sum_duplicates()
    return Design(X, used, np.asarray(z, dtype=np.float64),
                  np.array([x.label for x in labels], dtype=np.float64),
                  np.array([x.weight for x in labels]), np.array([x.at for x in labels]))


# --- the fit --------------------------------------------------------------------------------

@dataclass
class Fit:
    alpha: float
    beta: float
    w: np.ndarray
    iterations: int = 0

    def logit(self, X, z) -> np.ndarray:
        return self.alpha + self.beta * z + X @ self.w


def fit_residual(X, z: np.ndarray, y: np.ndarray, C: float, start: Fit | None = None,
                 tolerance: float = 1e-9) -> Fit:
    """Minimise C · Σ [log(1 + e^m) − y·m] + ½‖w‖² over alpha, beta, w, for m = alpha + beta·z
    + X·w. Starts from `start`, else from the shipped model itself (alpha 0, beta 1, w 0).

    Newton's method with conjugate-gradient steps (scipy's Newton-CG), given the exact gradient
    and Hessian-vector products: a site has a few thousand labels and tens of thousands of
    features, where L-BFGS spent more time in its own bookkeeping over every weight than in
    the products with X (0.5–1 s a fit against 0.1–0.2 s). `tolerance`: the mean relative
    change of the weights at which it stops."""
    design = sparse.hstack([np.ones((len(y), 1)), z[:, None], sparse.csr_matrix(X)],
                           format="csr")
    transposed = design.T.tocsr()
    penalised = np.ones(design.shape[1])
    penalised[:2] = 0.0  # alpha and beta
    curvature: dict[str, np.ndarray] = {}

    def objective(theta):
        m = design @ theta
        p = expit(m)
        curvature["d"] = C * p * (1.0 - p)
        loss = C * float(np.sum(np.logaddexp(0.0, m) - y * m))
        loss += 0.5 * float((penalised * theta) @ theta)
        return loss, transposed @ (C * (p - y)) + penalised * theta

    def hessian_times(_theta, vector):
        return transposed @ (curvature["d"] * (design @ vector)) + penalised * vector

    theta = np.concatenate([[0.0, 1.0], np.zeros(X.shape[1])]) if start is None else \
        np.concatenate([[start.alpha, start.beta], start.w])
    result = minimize(objective, theta, jac=True, hessp=hessian_times, method="Newton-CG",
                      options={"xtol": tolerance, "maxiter": 200})
    return Fit(float(result.x[0]), float(result.x[1]), result.x[2:].copy(), int(result.nit))


def _log_loss(y: np.ndarray, logits: np.ndarray) -> float:
    return float(np.mean(np.logaddexp(0.0, logits) - y * logits))


def cross_validate(data: Design, grid=C_GRID, folds: int = FOLDS, seed: int = 0
                   ) -> tuple[float, np.ndarray, dict[float, float]]:
    """The C with the lowest out-of-fold log loss, the out-of-fold logits at it, and the loss
    of every C tried. Each fold walks the grid from strong to weak penalty, each fit starting
    where the last ended (a warm start: most of the cost)."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    out_of_fold = {C: np.empty(len(data.y)) for C in grid}
    for train, test in splitter.split(np.zeros(len(data.y)), data.y):
        X_train, X_test = data.X[train], data.X[test]
        start = None
        for C in sorted(grid):
            start = fit_residual(X_train, data.z[train], data.y[train], C, start,
                                 tolerance=CV_TOLERANCE)
            out_of_fold[C][test] = start.logit(X_test, data.z[test])
    losses = {C: _log_loss(data.y, logits) for C, logits in out_of_fold.items()}
    best = min(grid, key=lambda C: (losses[C], C))
    return best, out_of_fold[best], losses


# --- comparing two scorings of the same labels -----------------------------------------------

def _midranks(values: np.ndarray) -> np.ndarray:
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    ranks = np.empty(len(values))
    start = 0
    while start < len(values):
        end = start
        while end + 1 < len(values) and ordered[end + 1] == ordered[start]:
            end += 1
        ranks[order[start:end + 1]] = 0.5 * (start + end) + 1
        start = end + 1
    return ranks


def delong(y: np.ndarray, first: np.ndarray, second: np.ndarray) -> tuple[float, float, float]:
    """ROC-AUC of two scorings of the same labels and the one-sided p-value of DeLong's test
    that the first is no better than the second (DeLong, DeLong & Clarke-Pearson 1988, with
    Sun & Xu's midrank computation)."""
    positive = y == 1
    m, n = int(positive.sum()), int((~positive).sum())
    aucs, v10, v01 = [], [], []
    for scores in (first, second):
        tx, ty = _midranks(scores[positive]), _midranks(scores[~positive])
        tz = _midranks(np.concatenate([scores[positive], scores[~positive]]))
        auc = (tz[:m].sum() - m * (m + 1) / 2) / (m * n)
        aucs.append(auc)
        v10.append((tz[:m] - tx) / n)
        v01.append(1.0 - (tz[m:] - ty) / m)
    s10, s01 = np.cov(np.array(v10)), np.cov(np.array(v01))
    variance = ((s10[0, 0] + s10[1, 1] - 2 * s10[0, 1]) / m
                + (s01[0, 0] + s01[1, 1] - 2 * s01[0, 1]) / n)
    difference = aucs[0] - aucs[1]
    if variance <= 1e-18:
        p = 0.0 if difference > 0 else 1.0
    else:
        p = float(norm.sf(difference / math.sqrt(variance)))
    return float(aucs[0]), float(aucs[1]), p


def _auc(y: np.ndarray, scores: np.ndarray) -> float:
    first, _second, _p = delong(y, scores, scores)
    return first


def hold_threshold(y: np.ndarray, probabilities: np.ndarray, weights: np.ndarray,
                   recall: float) -> float:
    """The highest threshold holding (scoring above) `recall` of the abusive comments, each
    counted with its weight."""
    abusive = y == 1
    order = np.argsort(-probabilities[abusive], kind="stable")
    ranked, ranked_weights = probabilities[abusive][order], weights[abusive][order]
    held = np.cumsum(ranked_weights) / ranked_weights.sum()
    needed = int(np.searchsorted(held, recall - 1e-12))
    return float(np.nextafter(ranked[min(needed, len(ranked) - 1)], -1.0))


def weighted_recall(y: np.ndarray, probabilities: np.ndarray, weights: np.ndarray,
                    threshold: float) -> float:
    abusive = y == 1
    return float(weights[abusive & (probabilities > threshold)].sum() / weights[abusive].sum())


# --- one head, and a whole site ------------------------------------------------------------

@dataclass
class HeadResult:
    head: HeadAdapter | None  # None: the gate refused it, or too few labels
    report: dict
    out_of_fold: np.ndarray | None = None  # adapted probabilities, for the threshold
    data: Design | None = None


def _holdout(data: Design, C: float) -> dict | None:
    """Fit on the oldest labels, score the newest: the figures of a time-ordered hold-out
    (None when the newest labels lack either class in numbers that mean anything)."""
    order = np.argsort(data.at, kind="stable")
    cut = int(len(order) * (1 - HOLDOUT_SHARE))
    old, new = order[:cut], order[cut:]
    if min(data.y[new].sum(), (1 - data.y[new]).sum()) < 5 or \
            min(data.y[old].sum(), (1 - data.y[old]).sum()) < 5:
        return None
    fitted = fit_residual(data.X[old], data.z[old], data.y[old], C, tolerance=CV_TOLERANCE)
    adapted = fitted.logit(data.X[new], data.z[new])
    # p_worse: how unlikely the shipped model's lead on these labels is, if it has none
    base_auc, adapted_auc, p_worse = delong(data.y[new], data.z[new], adapted)
    return {"labels": int(len(new)), "base": round(base_auc, 4),
            "adapted": round(adapted_auc, 4), "p_worse": float(f"{p_worse:.3g}")}


def fit_head(scorer, labels: list[SiteLabel], task: str, trusted_domains=(),
             cache: dict | None = None) -> HeadResult:
    rows = latest_labels(labels, task)
    positives = sum(x.label for x in rows)
    counts = {"used": len(rows), "positive": positives, "negative": len(rows) - positives,
              "audit": sum(1 for x in rows if x.audit_rate),
              "sources": dict(Counter(x.source for x in rows))}
    report: dict = {"labels": counts, "active": False}
    if len(rows) < MIN_LABELS or min(positives, len(rows) - positives) < MIN_CLASS:
        report["reason"] = (f"too few labels: {len(rows)} ({positives} positive); an adapter "
                            f"needs {MIN_LABELS}, at least {MIN_CLASS} of each kind")
        # the reason as data too, for readers that word it in their own language
        report["refused"] = {"why": "too_few_labels", "needs": MIN_LABELS, "each": MIN_CLASS}
        return HeadResult(None, report)
    data = design(scorer, rows, task, trusted_domains, cache)
    C, out_of_fold, losses = cross_validate(data)
    adapted_auc, base_auc, p_value = delong(data.y, out_of_fold, data.z)
    holdout = _holdout(data, C)
    report.update({
        "C": C, "features": int(data.X.shape[1]),
        "roc_auc": {"base": round(base_auc, 4), "adapted": round(adapted_auc, 4),
                    "measured_on": "out-of-fold scores", "p_value": float(f"{p_value:.3g}")},
        "log_loss": {str(c): round(loss, 4) for c, loss in losses.items()},
        "holdout_roc_auc": holdout,
    })
    if not (adapted_auc > base_auc and p_value < P_VALUE):
        report["reason"] = (f"out-of-fold ROC-AUC {adapted_auc:.3f} against the shipped "
                            f"model's {base_auc:.3f} (p = {p_value:.2g}): not a significant "
                            "gain, so the shipped model stays")
        report["refused"] = {"why": "no_significant_gain"}
        return HeadResult(None, report, data=data)
    if holdout is not None and holdout["p_worse"] < HOLDOUT_P_VALUE:
        report["reason"] = (f"on the newest {holdout['labels']} labels, held out in time order, "
                            f"the adapter's ROC-AUC {holdout['adapted']:.3f} is below the "
                            f"shipped model's {holdout['base']:.3f} (p = "
                            f"{holdout['p_worse']:.2g}): the site's line moved")
        report["refused"] = {"why": "worse_on_newest"}
        return HeadResult(None, report, data=data)
    fitted = fit_residual(data.X, data.z, data.y, C)
    text_columns = data.columns < scorer.feature_count
    weights = fitted.w[text_columns]
    keep = weights != 0.0
    side = tuple(float(x) for x in fitted.w[~text_columns]) if task == "spam" else ()
    head = HeadAdapter(alpha=fitted.alpha, beta=fitted.beta,
                       indexes=data.columns[text_columns][keep].astype(np.int64),
                       weights=weights[keep], side=side)
    report.update({"active": True, "alpha": round(fitted.alpha, 4),
                   "beta": round(fitted.beta, 4)})
    return HeadResult(head, report, expit(out_of_fold), data)


def fit_site(scorer, site: str, labels: list[SiteLabel], *, generation: int,
             recall_target: float = 0.85, trusted_domains=()) -> tuple[Adapter | None, dict]:
    """Fit every head the site's labels allow; the adapter (None when no head passed the
    gate) and the report `hakam sites adapt` prints."""
    started = time.perf_counter()
    cache: dict = {}
    # one BLAS thread: the products are small, and a pool of threads per process only fights
    # the service's workers for the same cores
    with threadpool_limits(limits=1):
        results = {task: fit_head(scorer, labels, task, trusted_domains, cache)
                   for task in ("abuse", "spam")}
    heads = {task: result.head for task, result in results.items() if result.head is not None}
    abuse = results["abuse"]
    threshold_report = _threshold(scorer, abuse, recall_target)
    report = {
        "site": site, "base_version": scorer.version, "active": bool(heads),
        "labels": sum(result.report["labels"]["used"] for result in results.values()),
        "heads": {task: result.report for task, result in results.items()},
        "abuse_hold": threshold_report,
    }
    if not heads:
        report["reason"] = "; ".join(f"{task}: {result.report['reason']}"
                                     for task, result in results.items())
    adapter = None
    if heads:
        adapter = Adapter(site=site, base_version=scorer.version, generation=generation,
                          heads=heads, abuse_hold=threshold_report["threshold"], report={})
        report["model_version"] = adapter.version
    else:
        report["model_version"] = scorer.version
    report["seconds"] = round(time.perf_counter() - started, 3)
    if adapter is not None:
        adapter = Adapter(site=adapter.site, base_version=adapter.base_version,
                          generation=adapter.generation, heads=adapter.heads,
                          abuse_hold=adapter.abuse_hold, report=report)
    return adapter, report


def _threshold(scorer, abuse: HeadResult, recall_target: float) -> dict:
    """The adapted site's hold threshold. With MIN_ABUSIVE_FOR_THRESHOLD abusive labels, the
    one that holds the site's recall target on out-of-fold scores. Before that, too few to
    trust for a target of the site's own, the shipped threshold, lowered where the adapter's
    out-of-fold scores would hold a smaller share of the site's abusive comments than the
    shipped model holds: the adapter rescales the site's scores (its alpha and beta), and the
    shipped number alone held 11% of the abusive comments the shipped model held 45% of at 500
    Stormfront labels."""
    shipped = scorer.thresholds.abuse_hold
    figures: dict = {"threshold": None, "shipped": round(shipped, 4),
                     "recall_target": recall_target}
    data = abuse.data
    shipped_recall = None
    if data is not None and data.weights[data.y == 1].sum() > 0:
        shipped_recall = weighted_recall(data.y, expit(data.z), data.weights, shipped)
        figures["estimated_recall_shipped"] = round(shipped_recall, 4)
    if abuse.head is None:
        figures["reason"] = "no adapter for abuse: the shipped threshold"
        return figures
    abusive = int(data.y.sum())
    if abusive < MIN_ABUSIVE_FOR_THRESHOLD:
        kept = hold_threshold(data.y, abuse.out_of_fold, data.weights,
                              min(max(shipped_recall or 0.0, 0.01), 0.99))
        threshold = min(shipped, kept)
        lowered = (", lowered to hold on out-of-fold scores the share of abusive labels it "
                   "held") if kept < shipped else ""
        figures["chosen_on"] = (
            f"the shipped threshold{lowered} ({abusive} abusive labels, fewer than the "
            f"{MIN_ABUSIVE_FOR_THRESHOLD} a target of the site's own needs)")
    else:
        threshold = hold_threshold(data.y, abuse.out_of_fold, data.weights, recall_target)
        figures["chosen_on"] = "out-of-fold scores"
    figures.update({"threshold": threshold, "estimated_recall": round(weighted_recall(
        data.y, abuse.out_of_fold, data.weights, threshold), 4)})
    return figures
