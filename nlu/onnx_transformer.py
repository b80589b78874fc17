"""Runs the transformer of a sentence-transformers model in ONNX Runtime, int8-quantised, instead of
PyTorch eager.

For one short shopper message, PyTorch spends most of its time in per-operator overhead and fp32
matrix products; ONNX Runtime with int8 weights (dynamic quantisation, per channel) encodes it about
three to four times faster. The quantised graph is checked against PyTorch before it is used (the
sentence vectors must stay within a cosine of ``_MIN_COSINE``), and it is kept in a cache directory so
that later starts skip the export.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

# Inputs a BERT-like encoder may take; the export uses those the tokenizer produces.
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# Per-channel int8 weights keep all-MiniLM-L6-v2's vectors at a cosine of about 0.98-0.995 from fp32;
# below this the export (or the model) is not what we think it is.
_MIN_COSINE = 0.97
_PROBE = ["a", "where is my order?", "Коли приїде моє замовлення і скільки коштує доставка додому"]
# Bump when the export or quantisation changes, so that old cached graphs are not reused.
_FORMAT = "int8-per-channel-1"


class OnnxTransformer:
    """The first module of a sentence-transformers model (token embeddings), run by ONNX Runtime.

    Build it with :meth:`load`; it returns None when the model cannot be exported faithfully, and the
    caller keeps using PyTorch.
    """

    def __init__(self, session, input_names: tuple[str, ...]) -> None:
        self._session = session
        self._inputs = input_names

    @classmethod
    def load(cls, model, model_name: str) -> OnnxTransformer | None:
        """Load the cached int8 graph of ``model[0]``, or export and cache it; check it against PyTorch.

        Args:
            model: A loaded ``SentenceTransformer`` whose first module is a text transformer.
            model_name: The path or name it was loaded from (part of the cache key).

        Returns:
            The runtime, or None (with a logged reason) when export or the check fails.
        """
        try:
            sample = _sample_inputs(model)
            path = _cached_graph(model, model_name, sample)
            runtime = cls(_session(path), tuple(sample))
            cosine = runtime._agreement_with_torch(model)
        except Exception as exc:  # noqa: BLE001 - any export failure means: stay on PyTorch
            log.warning("ONNX export of the encoder failed, using PyTorch: %s", exc)
            return None
        if cosine < _MIN_COSINE:
            log.warning("ONNX encoder is off PyTorch (cosine %.3f), using PyTorch", cosine)
            return None
        return runtime

    def token_embeddings(self, features: dict) -> np.ndarray:
        """Return ``batch x tokens x dim`` token embeddings for preprocessed features."""
        feed = {name: features[name].numpy().astype(np.int64, copy=False) for name in self._inputs}
        return self._session.run(None, feed)[0]

    def _agreement_with_torch(self, model) -> float:
        """Return the lowest cosine between mean-pooled token embeddings of ours and PyTorch's."""
        import torch

        features = model.preprocess(_PROBE)
        with torch.inference_mode():
            expected = model[0](dict(features))["token_embeddings"].numpy()
        got = self.token_embeddings(features)
        mask = features["attention_mask"].numpy()[..., None].astype(np.float32)
        a, b = (expected * mask).sum(axis=1), (got * mask).sum(axis=1)
        cosines = (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        return float(cosines.min())


def _sample_inputs(model) -> dict:
    """The tokenizer's tensors for a sample text, limited to the inputs the graph takes (in order)."""
    sample = model.preprocess(["hello world"])
    return {name: sample[name] for name in _INPUTS if name in sample}


def _cached_graph(model, model_name: str, sample: dict) -> Path:
    """Return the path of the int8 graph, exporting it into the cache when it is not there yet."""
    import onnxruntime
    import torch

    key = hashlib.sha256(
        "|".join([_FORMAT, _model_identity(model_name), torch.__version__, onnxruntime.__version__]).encode()
    ).hexdigest()[:24]
    cache = _cache_dir()
    target = cache / f"encoder-{key}.onnx"
    if target.exists():
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as work:
        fp32, int8 = Path(work) / "fp32.onnx", Path(work) / "int8.onnx"
        _export(model, sample, fp32)
        _quantize(fp32, int8)
        # Atomic: a concurrent start (two processes) sees either no file or a whole one.
        os.replace(int8, target)
    return target


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "relaydesk"


def _model_identity(model_name: str) -> str:
    # A local model directory is identified by its files too, so replacing the weights re-exports.
    path = Path(model_name)
    if not path.is_dir():
        return model_name
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return model_name + "".join(f"|{p.relative_to(path)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)


def _export(model, sample: dict, path: Path) -> None:
    import torch

    names = tuple(sample)
    with warnings.catch_warnings(), torch.inference_mode(False):
        # The exporter warns about traced Python conditions that do not depend on the input.
        warnings.simplefilter("ignore")
        # The exporter restores the wrapper's train/eval mode afterwards, recursively: it must be
        # eval, or dropout would be left switched on in the PyTorch model.
        torch.onnx.export(
            _hidden_states_module(model[0].model, names).eval(),
            tuple(sample.values()),
            str(path),
            input_names=list(names),
            output_names=["token_embeddings"],
            dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*names, "token_embeddings")},
            opset_version=17,
            dynamo=False,
        )


def _quantize(fp32: Path, int8: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser logs a line per tensor at INFO on the root logger (hundreds on first start); only
    # its warnings are worth a server log, so INFO is held back for these few seconds.
    logging.disable(logging.INFO)
    try:
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        logging.disable(logging.NOTSET)


def _session(path: Path):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    # One thread, like PyTorch here: a second one spins against other processes on a busy host.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _hidden_states_module(transformer, names: tuple[str, ...]):
    """Wrap the Hugging Face model so that the exporter sees positional inputs and one output."""
    import torch

    class HiddenStates(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, *inputs):
            return self.transformer(**dict(zip(names, inputs, strict=True))).last_hidden_state

    return HiddenStates()
