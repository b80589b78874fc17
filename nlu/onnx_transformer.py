"""Runs the transformer of a sentence-transformers model in ONNX Runtime instead of PyTorch eager.

For one short shopper message, PyTorch spends most of its time in per-operator overhead; ONNX
Runtime runs the same fp32 graph with fused kernels about two to three times faster, and with
exactly the same embeddings (the export is checked against PyTorch before it is used).
"""

from __future__ import annotations

import io
import logging
import warnings

import numpy as np

log = logging.getLogger(__name__)

# Inputs a BERT-like encoder may take; the export uses those the tokenizer produces.
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
# fp32 graphs agree with PyTorch to about 1e-6; anything far above that is a broken export.
_TOLERANCE = 1e-3
_PROBE = ["a", "where is my order?", "Коли приїде моє замовлення і скільки коштує доставка додому"]


class OnnxTransformer:
    """The first module of a sentence-transformers model (token embeddings), run by ONNX Runtime.

    Build it with :meth:`export`; it returns None when the model cannot be exported faithfully,
    and the caller keeps using PyTorch.
    """

    def __init__(self, session, input_names: tuple[str, ...]) -> None:
        self._session = session
        self._inputs = input_names

    @classmethod
    def export(cls, model) -> OnnxTransformer | None:
        """Export ``model[0]`` to an in-memory ONNX graph and check it against PyTorch.

        Args:
            model: A loaded ``SentenceTransformer`` whose first module is a text transformer.

        Returns:
            The runtime, or None (with a logged reason) when export or the check fails.
        """
        try:
            runtime = cls._exported(model)
            features = model.preprocess(_PROBE)
            expected = _torch_token_embeddings(model, features)
            got = runtime.token_embeddings(features)
            mask = features["attention_mask"].numpy().astype(bool)
            error = float(np.abs(expected[mask] - got[mask]).max())
        except Exception as exc:  # noqa: BLE001 - any export failure means: stay on PyTorch
            log.warning("ONNX export of the encoder failed, using PyTorch: %s", exc)
            return None
        if error > _TOLERANCE:
            log.warning("ONNX encoder differs from PyTorch by %.2g, using PyTorch", error)
            return None
        return runtime

    @classmethod
    def _exported(cls, model) -> OnnxTransformer:
        import onnxruntime
        import torch

        transformer = model[0].model
        sample = model.preprocess(["hello world"])
        names = tuple(name for name in _INPUTS if name in sample)
        buffer = io.BytesIO()
        with warnings.catch_warnings(), torch.inference_mode(False):
            # The exporter warns about traced Python conditions that do not depend on the input.
            warnings.simplefilter("ignore")
            # The exporter restores the wrapper's train/eval mode afterwards, recursively: it must be
            # eval, or dropout would be left switched on in the PyTorch model.
            torch.onnx.export(
                _hidden_states_module(transformer, names).eval(),
                tuple(sample[name] for name in names),
                buffer,
                input_names=list(names),
                output_names=["token_embeddings"],
                dynamic_axes={name: {0: "batch", 1: "tokens"} for name in (*names, "token_embeddings")},
                opset_version=17,
                dynamo=False,
            )
        options = onnxruntime.SessionOptions()
        # One thread, like PyTorch here: a second one spins against other processes on a busy host.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(
            buffer.getvalue(), options, providers=["CPUExecutionProvider"]
        )
        return cls(session, names)

    def token_embeddings(self, features: dict) -> np.ndarray:
        """Return ``batch x tokens x dim`` token embeddings for preprocessed features."""
        feed = {name: features[name].numpy().astype(np.int64, copy=False) for name in self._inputs}
        return self._session.run(None, feed)[0]


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


def _torch_token_embeddings(model, features: dict) -> np.ndarray:
    import torch

    with torch.inference_mode():
        return model[0](dict(features))["token_embeddings"].numpy()
