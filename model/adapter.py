"""A site's adapter: what one site's own labels add to the shipped model, as data the scorer runs.

Each adapted head is a logistic regression on the shipped model's own features with the shipped
logit as one more feature, fitted on the site's labels (`hakam.training.adapt`):

    logit_site(x) = alpha + beta · logit_shipped(x) + w · x

x is what the scorer already computes for a comment (character and word TF-IDF, each
l2-normalised, and for spam the side signals), so an adapter is small: alpha, beta and the
weights of the features the site's labelled comments hold (every other weight is exactly 0
under the fit's L2 penalty). `Scorer.compile_adapter` turns it into the site's own weight columns,
beside the shipped idf, so a site's comment costs what any comment costs and one gather more.

An adapter belongs to one base model (`base_version`): its weights mean nothing on top of
another, so a scorer refuses to compile it. This module holds no fitting code and never
imports scikit-learn, Flask or Redis.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field

import numpy as np

FORMAT = 1


@dataclass(frozen=True)
class HeadAdapter:
    """One head's residual: logit = alpha + beta · shipped logit + Σ weights · features.

    `indexes` are feature indexes in the scorer's space (character n-grams, then word n-grams);
    `side` the weights of the spam head's side signals (empty for abuse)."""

    alpha: float
    beta: float
    indexes: np.ndarray  # int64, sorted
    weights: np.ndarray  # float64, one per index
    side: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        if len(self.indexes) != len(self.weights):
            raise ValueError("an adapter needs one weight per feature index")


@dataclass(frozen=True)
class Adapter:
    """A site's fitted adapter: the heads it changes, the hold threshold chosen for it (None:
    keep the shipped one) and the report of the fit that made it."""

    site: str
    base_version: str
    generation: int
    heads: dict[str, HeadAdapter]
    abuse_hold: float | None = None
    report: dict = field(default_factory=dict)

    @property
    def version(self) -> str:
        """What answers name as their model_version: `<base>+<site>.<generation>`."""
        return f"{self.base_version}+{self.site}.{self.generation}"

    # -- storage: one self-contained string (numpy's npz, no pickle, in base64) -------------

    def to_text(self) -> str:
        arrays: dict[str, np.ndarray] = {}
        meta = {"format": FORMAT, "site": self.site, "base_version": self.base_version,
                "generation": self.generation, "abuse_hold": self.abuse_hold,
                "report": self.report, "heads": {}}
        for task, head in self.heads.items():
            meta["heads"][task] = {"alpha": head.alpha, "beta": head.beta,
                                   "side": list(head.side)}
            arrays[f"{task}_indexes"] = np.asarray(head.indexes, dtype=np.int64)
            arrays[f"{task}_weights"] = np.asarray(head.weights, dtype=np.float64)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return base64.b64encode(buffer.getvalue()).decode("ascii")

    @classmethod
    def from_text(cls, text: str) -> Adapter:
        """The adapter `to_text` wrote; ValueError for a text that is not one (cut short,
        changed, of another format), whatever layer of it (base64, zip, deflate, npy, JSON)
        notices."""
        try:
            with np.load(io.BytesIO(base64.b64decode(text)), allow_pickle=False) as arrays:
                meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
                if meta.get("format") != FORMAT:
                    raise ValueError(f"adapter format {meta.get('format')!r} is not {FORMAT}")
                heads = {task: HeadAdapter(alpha=float(head["alpha"]), beta=float(head["beta"]),
                                           indexes=arrays[f"{task}_indexes"].copy(),
                                           weights=arrays[f"{task}_weights"].copy(),
                                           side=tuple(map(float, head["side"])))
                         for task, head in meta["heads"].items()}
            return cls(site=meta["site"], base_version=meta["base_version"],
                       generation=int(meta["generation"]), heads=heads,
                       abuse_hold=meta.get("abuse_hold"), report=meta.get("report") or {})
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, TypeError,
                AttributeError) as error:
            # ValueError itself (base64, JSON, the format) goes as it is
            raise ValueError(f"not an adapter ({type(error).__name__}: {error})") from error


@dataclass(frozen=True)
class SiteColumns:
    """An adapter compiled against one scorer (`Scorer.compile_adapter`).

    Per head h, with the shipped decision value f (the scorer's logit before Platt scaling),
    the site's decision value is f' = beta_h · f + x · rho_h + gamma_h, and the shipped Platt
    sigmoid turns f' into the site's probability. rho_h = w_h / (−a_h) and gamma_h =
    (alpha_h − beta_h·b_h + b_h) / (−a_h) for the head's Platt slope a_h and offset b_h: that is
    the adapter's logit exactly, in the units the scorer's pushes (and explanations) use.

    `table` is the scorer's idf, spam and abuse columns with the site's weights, beta × the
    shipped one plus rho, in place of the shipped ones: a site's comment gathers its rows of it
    over the scorer's own (whose other columns, the attribute heads, no adapter changes; three
    columns, not all of them: what a site costs a worker does not grow with the heads), then
    takes the very same product as any comment, and the words its explanations name are the
    ones behind the site's score (word n-grams are rows of it like the character n-grams).
    `side` and `intercept` are the site's whole weights of the side signals and the heads'
    intercepts. A head the adapter leaves alone has beta 1 and nothing of its own: the shipped
    head exactly.
    """

    version: str
    base_version: str
    table: np.ndarray  # (features + 1) × 3: idf, the site's spam and abuse weights
    side: tuple[float, ...]
    beta: tuple[float, float]  # spam, abuse
    intercept: tuple[float, float]
    abuse_hold: float | None = None
