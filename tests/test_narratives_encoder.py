"""The shipped sentence encoder on ONNX Runtime."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import ModelError
from unspin.narratives.encoder import DEFAULT_ENCODER, Encoder, load_encoder


def test_embeddings_are_normalised_and_meaningful() -> None:
    enc = load_encoder()
    v = enc.encode(
        [
            "NATO is preparing to attack Russia.",
            "The alliance is getting ready for an assault on Russia.",
            "The bakery sells fresh bread every morning.",
        ]
    )
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > 0.6 > v[0] @ v[2]


def test_an_embedding_depends_only_on_its_own_text() -> None:
    texts = ["short", "a much longer sentence " * 20, "", "   ", "médium-length text, ünïcode ✓"]
    enc = load_encoder()
    together = enc.encode(texts)
    alone = np.vstack([enc.encode([t]) for t in texts])
    assert np.array_equal(together, alone)
    # batching is allowed for bulk work but only approximate (int8 activations per tensor)
    batched = Encoder(DEFAULT_ENCODER, batch_size=32).encode(texts)
    assert ((batched * alone).sum(axis=1) > 0.95).all()
    assert enc.encode([]).shape == (0, 384)


def test_encoder_identity_and_parity_record() -> None:
    enc = load_encoder()
    meta = json.loads((DEFAULT_ENCODER / "encoder.json").read_text())
    assert enc.id == f"{meta['name']}@{meta['onnx']['sha256'][:12]}"
    assert meta["name"].startswith("all-MiniLM-L6-v2")
    assert meta["parity"]["cosine_min"] > 0.97  # int8 vs torch, measured at build time
    assert (DEFAULT_ENCODER / "model.onnx").stat().st_size < 30_000_000


def test_missing_encoder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="build_sentence_encoder"):
        Encoder(tmp_path)


def test_narratives_import_no_torch() -> None:
    code = (
        "import sys, unspin.narratives, unspin.narratives.layer, unspin.cli.catalog;"
        "bad=[m for m in ('torch','sklearn','transformers') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
