"""A site adapter's probability computed with scikit-learn, for the tests that hold the compiled
scorer to it: the adapter's coefficients in a LogisticRegression over the shipped logit (from
the scikit-learn pipeline the shipped model was compiled from) and the pipeline's features."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
from sklearn.linear_model import LogisticRegression

from hakam.model.adapter import HeadAdapter


def scikit_learn_probability(pipeline, text: str, task: str, head: HeadAdapter,
                              columns: int) -> float:
    """The adapter computed with scikit-learn: its coefficients in a LogisticRegression over
    the shipped logit (from the scikit-learn pipeline) and the pipeline's own features."""
    features = pipeline.features([text], task)
    logit = -(pipeline.platt[task][0] * pipeline.decision([text], task, features=features)
              + pipeline.platt[task][1])
    coefficients = np.zeros(features.shape[1])
    coefficients[head.indexes] = head.weights
    if task == "spam":
        coefficients[columns:] = head.side
    model = LogisticRegression()
    model.classes_ = np.array([0, 1])
    model.coef_ = np.concatenate([[head.beta], coefficients])[None, :]
    model.intercept_ = np.array([head.alpha])
    return float(model.predict_proba(sparse.hstack([logit[:, None], features],
                                                   format="csr"))[0, 1])
