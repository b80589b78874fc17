"""Fuses the per-part scores of each (query, article) pair into one probability that the article is right."""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression

# Parts of the score, grouped as the engine switches them (for ablations and for tiny knowledge bases).
PART_GROUPS = {
    "lexical": ("bm25", "char"),
    "dense": ("dense", "centroid"),
    "multilingual": ("dense_ml", "centroid_ml"),
    "classifier": ("clf",),
}


def pair_features(parts: dict[str, np.ndarray], names: tuple[str, ...], excluded: np.ndarray) -> np.ndarray:
    """Build features for every (query, article) pair.

    For each part: the article's score and its lead over the best *other* article (negative when
    another article scores higher). The lead is what separates "clearly this one" from "one of several".

    Args:
        parts: Part name -> ``queries x articles`` scores in [0, 1].
        names: The parts to use, in a fixed order.
        excluded: ``queries x articles`` booleans; excluded articles are ignored (treated as absent).

    Returns:
        ``queries x articles x (2 * len(names))`` float32 features.
    """
    blocks = []
    for name in names:
        scores = np.where(excluded, -1.0, parts[name]).astype(np.float32)
        order = np.argsort(-scores, axis=1)[:, :2]
        rows = np.arange(scores.shape[0])
        top1 = scores[rows, order[:, 0]]
        top2 = scores[rows, order[:, 1]] if scores.shape[1] > 1 else np.zeros_like(top1)
        top2 = np.maximum(top2, 0.0)
        best_other = np.where(
            np.arange(scores.shape[1])[None, :] == order[:, :1], top2[:, None], top1[:, None]
        )
        clean = np.maximum(scores, 0.0)
        blocks += [clean, clean - best_other]
    return np.stack(blocks, axis=2)


class Fusion:
    """A logistic model over :func:`pair_features`, fitted on leave-out samples of the knowledge base.

    Before fitting (or when the knowledge base is too small to fit on), it averages the parts' scores
    with fixed weights: a reasonable, uncalibrated fusion.

    Args:
        names: The parts to fuse.
    """

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        # The fitted logistic model as plain arrays (empty before fitting): scoring one message skips
        # scikit-learn's input validation.
        self._coef = np.zeros(0, dtype=np.float32)
        self._intercept = 0.0

    @property
    def fitted(self) -> bool:
        """Whether the weights were learnt from the knowledge base."""
        return self._coef.size > 0

    def fit(self, features: np.ndarray, labels: np.ndarray) -> Fusion:
        """Learn the weights from pair features (``pairs x features``) and 0/1 labels. Returns self."""
        if len(np.unique(labels)) < 2:
            return self
        model = LogisticRegression(C=1.0, max_iter=500)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(features, labels)
        self._coef = model.coef_[0].astype(np.float32)
        self._intercept = float(model.intercept_[0])
        return self

    def score(self, parts: dict[str, np.ndarray], excluded: np.ndarray) -> np.ndarray:
        """Return ``queries x articles`` fused scores in [0, 1]; excluded articles score 0."""
        features = pair_features(parts, self.names, excluded)
        if not self.fitted:
            fused = features[:, :, 0::2].mean(axis=2)
        else:
            fused = 1.0 / (1.0 + np.exp(-(features @ self._coef + self._intercept)))
        return np.where(excluded, 0.0, fused).astype(np.float32)

    def weights(self) -> dict[str, float]:
        """Return the learnt weight per feature (empty before fitting), for the editors' explanation."""
        if not self.fitted:
            return {}
        labels = [f"{name}{suffix}" for name in self.names for suffix in ("", "_lead")]
        return {label: round(float(w), 3) for label, w in zip(labels, self._coef, strict=True)}
