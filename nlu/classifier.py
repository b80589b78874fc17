"""A light per-article classifier trained on the example questions (a linear SVM, one-vs-rest)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from nlu.index import Index, Query, stack_sparse, word_vectorizer
from nlu.tfidf import FastTfidf

# The dense block is unit length like the two TF-IDF blocks; this weight keeps it from being drowned
# by the thousands of sparse columns.
_DENSE_WEIGHT = 2.0
_C = 0.5
# Margins of about ±1 map to about 0.95 / 0.05: scores stay absolute (an off-topic message scores low
# for every article) instead of being normalised across articles like a softmax would.
_MARGIN_SCALE = 3.0


class ArticleClassifier:
    """Scores, for a text, each article in [0, 1] from each encoder's embeddings, char n-grams and lemmas.

    A one-vs-rest linear SVM: on these few-example problems it ranks as well as logistic regression
    and trains ten times faster, which matters because calibration trains it once per fold.

    The vectorisers are fitted once on the index's documents; :meth:`fit` may then be called on any
    subset of those documents (cross-validation during calibration reuses the same features).

    Args:
        index: The index whose documents are the training examples.
    """

    def __init__(self, index: Index) -> None:
        self._index = index
        words = word_vectorizer()
        words.fit([" ".join(d.lemmas) for d in index.documents])
        self._words = FastTfidf(words)
        self.doc_features = self._features(
            [part.rows for part in index.dense_parts], index.char_matrix, [d.lemmas for d in index.documents]
        )
        # The fitted linear model as plain arrays: one matrix product per message, no validation.
        self._weights: np.ndarray | None = None
        self._intercept = np.zeros(0, dtype=np.float32)
        self._classes = np.zeros(0, dtype=np.int64)

    def _features(self, dense: list[np.ndarray], chars: sparse.spmatrix, lemma_lists: list[list[str]]):
        words = self._words.transform([" ".join(lemma_list) for lemma_list in lemma_lists])
        return stack_sparse([*(vectors * _DENSE_WEIGHT for vectors in dense), chars, words])

    def query_features(self, queries: list[Query]) -> sparse.csr_matrix:
        """Return the classifier's feature rows for ``queries``."""
        dense = [
            np.stack([getattr(q, part.query_attribute) for q in queries]) for part in self._index.dense_parts
        ]
        chars = self._index.chars.transform([q.normalized for q in queries])
        return self._features(dense, chars, [q.lemmas for q in queries])

    def fit(self, rows: np.ndarray | None = None) -> ArticleClassifier:
        """Train on the documents at ``rows`` (all documents when None). Returns self."""
        rows = np.arange(len(self._index)) if rows is None else rows
        labels = self._index.doc_article[rows]
        self._classes = np.unique(labels)
        if len(self._classes) < 2:
            # One article: nothing to tell apart; predict_proba gives it 1.
            self._weights = None
            return self
        model = LinearSVC(C=_C)
        with warnings.catch_warnings():
            # The default iteration cap is plenty for ranking; full convergence only costs time.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(self.doc_features[rows], labels)
        coef, intercept = model.coef_, model.intercept_
        if len(self._classes) == 2:  # sklearn keeps only the second class's margin for two classes
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        self._weights = np.ascontiguousarray(coef.T, dtype=np.float32)
        self._intercept = intercept.astype(np.float32)
        return self

    def predict_proba(self, features: sparse.csr_matrix) -> np.ndarray:
        """Return ``rows x articles`` scores in [0, 1] (articles not trained on get 0)."""
        out = np.zeros((features.shape[0], len(self._index.article_ids)), dtype=np.float32)
        if self._weights is None:
            out[:, self._classes] = 1.0
            return out
        margins = np.asarray(features @ self._weights) + self._intercept
        out[:, self._classes] = 1.0 / (1.0 + np.exp(-_MARGIN_SCALE * margins))
        return out
