"""The retrieval index over every article's title and example questions: lexical, character and dense."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import bm25s
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu.text import lemmas, normalize
from nlu.tfidf import FastTfidf

# bm25s logs every empty query at INFO; an empty lemma list is routine here.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Query:
    """One text prepared for every part of the index."""

    normalized: str
    lemmas: list[str]
    vector: np.ndarray  # unit row from the encoder
    # Unit row from the multilingual encoder; None when that part is switched off.
    ml_vector: np.ndarray | None = None


@dataclass(frozen=True)
class Document:
    """One example question (or title) of one article in one language."""

    article: int  # position in ``Index.article_ids``
    language: str
    text: str
    normalized: str
    lemmas: list[str]


def char_vectorizer() -> TfidfVectorizer:
    """Return the character n-gram vectoriser: robust to typos, surzhyk and what the lemmatiser misses."""
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1, dtype=np.float32
    )


def word_vectorizer() -> TfidfVectorizer:
    """Return the lemma unigram+bigram vectoriser used by the per-article classifier."""
    return TfidfVectorizer(
        analyzer=str.split, sublinear_tf=True, dtype=np.float32, token_pattern=None, lowercase=False
    )


@dataclass(frozen=True)
class DensePart:
    """One encoder's vectors in the index: cosine to each document and to each article's centroid."""

    name: str  # the per-document part
    centroid_name: str  # the per-article centroid part
    query_attribute: str  # the :class:`Query` field holding this encoder's row
    rows: np.ndarray  # unit rows, one per document
    centroids: np.ndarray  # unit rows, one per article


class Index:
    """Scores a query against every document; parts: BM25 over lemmas, char n-grams, dense vectors.

    Documents are stored grouped by article so per-article maxima are one ``np.maximum.reduceat``.

    Args:
        article_ids: Article slugs, in index order.
        documents: Documents grouped by article (every article has at least one).
        vectors: Unit encoder rows, one per document.
        ml_vectors: Unit multilingual encoder rows, one per document; None to leave that part out.
    """

    def __init__(
        self,
        article_ids: list[str],
        documents: list[Document],
        vectors: np.ndarray,
        ml_vectors: np.ndarray | None = None,
    ) -> None:
        self.article_ids = article_ids
        self.documents = documents
        self.doc_article = np.array([d.article for d in documents], dtype=np.int64)
        self.starts = np.searchsorted(self.doc_article, np.arange(len(article_ids)))
        self.dense_parts = [DensePart("dense", "centroid", "vector", vectors, self._centroids(vectors))]
        if ml_vectors is not None:
            self.dense_parts.append(
                DensePart("dense_ml", "centroid_ml", "ml_vector", ml_vectors, self._centroids(ml_vectors))
            )
        self.vectors = vectors
        vectorizer = char_vectorizer()
        self.char_matrix = vectorizer.fit_transform([d.normalized for d in documents])
        self.chars = FastTfidf(vectorizer)
        # Transposed once here rather than converted on every query.
        self._char_matrix_t = self.char_matrix.T.tocsr()
        self._bm25 = bm25s.BM25()
        # An empty document still needs a token for bm25s; "" never occurs in a query.
        self._bm25.index([d.lemmas or [""] for d in documents], show_progress=False)
        self._token_max = _token_maxima(self._bm25)
        self._typical_token = (
            float(np.median(self._token_max[self._token_max > 0])) if self._token_max.any() else 1.0
        )

    def __len__(self) -> int:
        return len(self.documents)

    def doc_scores(self, queries: list[Query]) -> dict[str, np.ndarray]:
        """Score each query against each document.

        Returns:
            ``{"dense", "char", "bm25"}`` (and ``"dense_ml"`` with the multilingual vectors) ->
            ``len(queries) x len(documents)`` float32 matrices, and each dense part's centroid part
            (``"centroid"``, ``"centroid_ml"``) -> ``len(queries) x articles``; all in [0, 1] (cosines
            clipped at 0).
        """
        scores = {}
        for part in self.dense_parts:
            q_vectors = np.stack([getattr(q, part.query_attribute) for q in queries]).astype(np.float32)
            scores[part.name] = np.clip(q_vectors @ part.rows.T, 0.0, 1.0)
            scores[part.centroid_name] = np.clip(q_vectors @ part.centroids.T, 0.0, 1.0)
        q_chars = self.chars.transform([q.normalized for q in queries])
        scores["char"] = (q_chars @ self._char_matrix_t).toarray().astype(np.float32, copy=False)
        scores["bm25"] = np.stack([self._bm25_normalized(q.lemmas) for q in queries])
        return scores

    def document_query(self, position: int) -> Query:
        """The document at ``position`` as a query (calibration scores example questions like messages)."""
        document = self.documents[position]
        rows = {part.query_attribute: part.rows[position] for part in self.dense_parts}
        return Query(document.normalized, document.lemmas, **rows)

    @property
    def centroid_parts(self) -> tuple[str, ...]:
        """The names of the per-article (not per-document) parts :meth:`doc_scores` returns."""
        return tuple(part.centroid_name for part in self.dense_parts)

    def _centroids(self, vectors: np.ndarray) -> np.ndarray:
        return _unit(np.add.reduceat(vectors, self.starts, axis=0))

    def _bm25_normalized(self, tokens: list[str]) -> np.ndarray:
        ids = self._bm25.get_tokens_ids(tokens)
        if not ids:
            return np.zeros(len(self.documents), dtype=np.float32)
        raw = self._bm25.get_scores_from_ids(ids)
        # Divide by the best each query token could score anywhere, and charge unknown words the
        # weight of a typical word, so "1.0" means every word of the query matched as well as it can.
        ceiling = self._token_max[ids].sum() + (len(tokens) - len(ids)) * self._typical_token
        return np.clip(raw / max(ceiling, 1e-9), 0.0, 1.0).astype(np.float32)

    def per_article_max(self, doc_matrix: np.ndarray) -> np.ndarray:
        """Reduce a ``queries x documents`` matrix to ``queries x articles`` by taking each article's best."""
        return np.maximum.reduceat(doc_matrix, self.starts, axis=1)


def prepare_documents(article_ids: list[str], grouped: dict[str, list[tuple[str, str]]]) -> list[Document]:
    """Turn ``{article_id: [(language, text), ...]}`` into de-duplicated documents grouped by article."""
    documents: list[Document] = []
    for position, article_id in enumerate(article_ids):
        seen: set[str] = set()
        for language, text in grouped[article_id]:
            normalized = normalize(text)
            if normalized in seen:
                continue
            seen.add(normalized)
            documents.append(Document(position, language, text, normalized, lemmas(normalized, language)))
    return documents


def _unit(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.maximum(norms, 1e-9)).astype(np.float32)


def _token_maxima(bm25: bm25s.BM25) -> np.ndarray:
    # bm25s keeps a token-major sparse matrix of per-document contributions; a token's ceiling is its
    # largest contribution to any document.
    data, indptr = bm25.scores["data"], bm25.scores["indptr"]
    maxima = np.zeros(len(indptr) - 1, dtype=np.float32)
    nonempty = np.diff(indptr) > 0
    if nonempty.any():
        maxima[nonempty] = np.maximum.reduceat(data, indptr[:-1][nonempty])
    return maxima


def stack_sparse(blocks: list) -> sparse.csr_matrix:
    """Join feature blocks (dense arrays or sparse matrices) side by side into one CSR matrix."""
    return sparse.hstack([sparse.csr_matrix(b) for b in blocks], format="csr")
