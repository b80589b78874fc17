"""TF-IDF rows for single texts, without scikit-learn's per-call overhead.

``TfidfVectorizer.transform`` validates its input and builds matrices for a whole batch: about a
millisecond for one short message, several times per message. A shopper's message is one text, so
the live path computes its row directly from the fitted vocabulary and idf weights; batches (the
knowledge base, calibration) still go through scikit-learn.
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

# The same message is transformed by the index and the classifier right after each other.
_REMEMBERED = 64


class FastTfidf:
    """Transforms texts with a fitted ``TfidfVectorizer`` (sublinear tf, idf, l2 norm), fast for one text.

    Args:
        vectorizer: A fitted vectoriser with ``sublinear_tf=True``, ``use_idf=True``, ``norm="l2"``.
    """

    def __init__(self, vectorizer: TfidfVectorizer) -> None:
        if not (vectorizer.sublinear_tf and vectorizer.use_idf and vectorizer.norm == "l2"):
            raise ValueError("FastTfidf reproduces sublinear tf, idf and l2 norm only")
        self._vectorizer = vectorizer
        self._analyzer = vectorizer.build_analyzer()
        self._vocabulary = vectorizer.vocabulary_
        self._idf = vectorizer.idf_.astype(np.float32)
        self._width = len(self._idf)
        self._row = lru_cache(maxsize=_REMEMBERED)(self._compute_row)

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        """Return the ``len(texts) x vocabulary`` TF-IDF matrix, equal to the vectoriser's own."""
        if len(texts) == 1:
            return self._row(texts[0])
        return self._vectorizer.transform(texts).astype(np.float32)

    def _compute_row(self, text: str) -> sparse.csr_matrix:
        counts = Counter(self._vocabulary[t] for t in self._analyzer(text) if t in self._vocabulary)
        columns = np.fromiter(sorted(counts), dtype=np.int32, count=len(counts))
        values = np.array([1.0 + math.log(counts[c]) for c in columns], dtype=np.float32)
        values *= self._idf[columns]
        norm = float(np.sqrt(values @ values))
        if norm > 0:
            values /= norm
        return sparse.csr_matrix(
            (values, columns, np.array([0, len(columns)], dtype=np.int32)), shape=(1, self._width)
        )
