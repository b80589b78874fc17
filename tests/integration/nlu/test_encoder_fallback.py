"""When the int8 ONNX graph cannot be made (here: the cache directory is not writable), the encoder
says so in the log and encodes with PyTorch, giving sentence-transformers' own vectors."""

import logging

import numpy as np
from sentence_transformers import SentenceTransformer

from nlu.encoder import Encoder, default_model_path


def test_unwritable_cache_falls_back_to_pytorch(tmp_path, monkeypatch, caplog):
    not_a_directory = tmp_path / "cache-is-a-file"
    not_a_directory.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(not_a_directory))
    with caplog.at_level(logging.WARNING, logger="nlu.onnx_transformer"):
        encoder = Encoder(default_model_path())
    assert encoder.runtime == "pytorch-float32"
    assert "using PyTorch" in caplog.text

    texts = ["Where is my order?", "Скільки коштує доставка?"]
    reference = SentenceTransformer(default_model_path(), device="cpu").encode(texts, normalize_embeddings=True)
    np.testing.assert_allclose(encoder.encode(texts), reference, atol=1e-5)
    np.testing.assert_allclose(encoder.encode(texts[:1])[0], reference[0], atol=1e-5)
