"""Packing an encoder folder into size-limited shards and restoring it (training.transfer)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import FormatError

pytest.importorskip("safetensors")


def _folder(tmp_path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    from safetensors.numpy import save_file

    rng = np.random.default_rng(0)
    tensors = {
        "embeddings.word_embeddings.weight": rng.normal(0, 0.05, (300, 48)).astype(np.float32),
        "encoder.layer.0.dense.weight": rng.normal(0, 0.02, (96, 48)).astype(np.float32),
        "encoder.layer.0.dense.bias": rng.normal(0, 0.02, (96,)).astype(np.float32),
        "encoder.layer.0.LayerNorm.weight": np.ones(48, np.float32),
        "position_ids": np.arange(16, dtype=np.int64)[None],
        "scalar": np.array(2.5, dtype=np.float32),
    }
    tensors["encoder.layer.0.dense.weight"][3] = 0.0  # an all-zero row
    src = tmp_path / "enc"
    (src / "1_Pooling").mkdir(parents=True)
    save_file(tensors, str(src / "model.safetensors"))
    (src / "config.json").write_text('{"hidden_size": 48}')
    (src / "1_Pooling" / "config.json").write_text("{}")
    return src, tensors


@pytest.mark.parametrize("bits", [8, 4])
def test_pack_and_unpack_round_trip_within_the_quantisation_step(tmp_path: Path, bits: int) -> None:
    from safetensors.numpy import load_file

    from unspin.training.transfer import pack_encoder, unpack_encoder

    src, tensors = _folder(tmp_path)
    manifest = pack_encoder(src, tmp_path / "pack", bits=bits, shard_bytes=10_000)
    assert manifest["shards"] >= 2  # the limit split the weights
    for f in (tmp_path / "pack").glob("shard-*.safetensors"):
        assert f.stat().st_size < 10_000 + 2_000  # headers only beyond the limit
    out = unpack_encoder(tmp_path / "pack", tmp_path / "restored")
    assert json.loads((out / "config.json").read_text()) == {"hidden_size": 48}
    assert (out / "1_Pooling" / "config.json").is_file()
    back = load_file(str(out / "model.safetensors"))
    assert set(back) == set(tensors)
    for name, w in tensors.items():
        assert back[name].shape == w.shape
        if not manifest["tensors"][name]["quantised"]:
            want = w.astype(np.float32) if w.dtype.kind == "f" else w
            assert back[name].dtype == want.dtype
            np.testing.assert_array_equal(back[name], want)
            continue
        # error within half a step: 1/254 of the row's max (8 bits), 1/14 of a block's (4 bits)
        err = np.abs(back[name] - w)
        limit = np.abs(w).max() / (254 if bits == 8 else 14) + 1e-6
        assert err.max() <= limit
        assert np.all(back[name][np.abs(w).max(axis=1) == 0] == 0)
    assert manifest["tensors"]["encoder.layer.0.dense.bias"]["quantised"] is False
    if bits == 8:  # the embedding matrix (14.4 kB) is larger than a shard: cut into pieces
        assert len(manifest["tensors"]["embeddings.word_embeddings.weight"]["pieces"]) >= 2


def test_unpack_names_missing_shards_and_bad_input(tmp_path: Path) -> None:
    from unspin.training.transfer import main, pack_encoder, unpack_encoder

    src, _ = _folder(tmp_path)
    pack_encoder(src, tmp_path / "pack", shard_bytes=10_000)
    (tmp_path / "pack" / "shard-001.safetensors").unlink()
    with pytest.raises(FormatError, match="shards missing") as err:
        unpack_encoder(tmp_path / "pack", tmp_path / "x")
    assert "[1]" in str(err.value.found)
    with pytest.raises(FormatError, match="no manifest"):
        unpack_encoder(tmp_path, tmp_path / "y")
    with pytest.raises(FormatError, match="bit width"):
        pack_encoder(src, tmp_path / "p2", bits=2)
    assert main(["unpack", str(tmp_path), str(tmp_path / "z")]) == 1
