"""Pack an encoder folder into small shards, and unpack it: how a base encoder that no
machine can download (it comes from PyPI here, and the GPU machine reaches no package index)
travels through a channel with a size limit per transfer.

``pack_encoder(src, out, bits=8, shard_bytes=18_000_000)`` writes ``out/manifest.json`` and
``out/shard-000.safetensors``, … Each large 2-D weight matrix is quantised symmetrically per
row (8 bits: one fp32 scale per row; 4 bits: one fp16 scale per block of 32 values, two values
a byte); biases, LayerNorms and small tensors stay fp32. The other files of the folder
(config, tokenizer, …) are copied as they are. ``unpack_encoder(out, dest)`` restores a Hugging
Face folder with an fp32 ``model.safetensors``.

The restored weights are a lossy copy, meant as the *starting point* of fine-tuning (a teacher
trained on a GPU), not as a model to run unchanged: 8 bits keep every weight within half a
quantisation step (1/254 of its row's largest magnitude), 4 bits within 1/14 of its block's.

    python -m unspin.training.transfer pack ~/.cache/unspin/encoders/all-mpnet-base-v2 .xfer
    python -m unspin.training.transfer unpack .xfer /tmp/all-mpnet-base-v2
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import FormatError

FORMAT = "unspin.encoder-pack/1"
BLOCK = 32  # values per scale at 4 bits
MIN_QUANT = 4096  # smaller tensors stay fp32


def quantise(w: np.ndarray, bits: int) -> dict[str, np.ndarray]:
    if bits == 8:
        scale = np.abs(w).max(axis=1, keepdims=True) / 127.0
        scale[scale == 0] = 1.0
        q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
        return {"q": q, "scale": scale.astype(np.float32)}
    flat = w.reshape(-1)
    pad = (-len(flat)) % BLOCK
    blocks = np.concatenate([flat, np.zeros(pad, flat.dtype)]).reshape(-1, BLOCK)
    scale = (np.abs(blocks).max(axis=1, keepdims=True) / 7.0).astype(np.float16)
    s32 = scale.astype(np.float32)
    s32[s32 == 0] = 1.0
    q = (np.clip(np.rint(blocks / s32), -7, 7).astype(np.int16) + 8).astype(np.uint8)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    return {"q": packed, "scale": scale}


def dequantise(parts: dict[str, np.ndarray], bits: int, shape: list[int]) -> np.ndarray:
    if bits == 8:
        return parts["q"].astype(np.float32) * parts["scale"]
    packed = parts["q"]
    q = np.empty((packed.shape[0], BLOCK), dtype=np.int16)
    q[:, 0::2] = packed & 0x0F
    q[:, 1::2] = packed >> 4
    scale = parts["scale"].astype(np.float32)
    scale[scale == 0] = 1.0
    w = ((q - 8).astype(np.float32) * scale).reshape(-1)
    return w[: int(np.prod(shape))].reshape(shape)


def pack_encoder(
    src: Path, out: Path, *, bits: int = 8, shard_bytes: int = 18_000_000
) -> dict[str, Any]:
    """Pack the Hugging Face folder ``src`` into shards under ``out``; returns the manifest."""
    from safetensors.numpy import load_file, save_file

    src, out = Path(src), Path(out)
    if bits not in (4, 8):
        raise FormatError("unsupported bit width", expected="8 or 4", found=str(bits))
    weights = src / "model.safetensors"
    if not weights.is_file():
        raise FormatError(
            f"{src}: no model.safetensors", expected="a Hugging Face model folder", found="none"
        )
    out.mkdir(parents=True, exist_ok=True)
    tensors = load_file(str(weights))
    manifest: dict[str, Any] = {"format": FORMAT, "bits": bits, "tensors": {}, "files": []}
    shard: dict[str, np.ndarray] = {}
    size, n_shard = 0, 0

    def flush() -> None:
        nonlocal shard, size, n_shard
        if shard:
            save_file(shard, str(out / f"shard-{n_shard:03d}.safetensors"))
            n_shard += 1
        shard, size = {}, 0

    for name in sorted(tensors):
        w = tensors[name]
        quant = w.ndim == 2 and w.size >= MIN_QUANT and np.issubdtype(w.dtype, np.floating)
        keep = w.astype(np.float32) if np.issubdtype(w.dtype, np.floating) else w
        parts = (
            quantise(w.astype(np.float32), bits)
            if quant
            else {"raw": np.ascontiguousarray(keep.reshape(-1))}  # any dtype and rank
        )
        # a tensor larger than a shard (an embedding matrix) is cut into pieces by rows
        rows = len(next(iter(parts.values())))
        row_bytes = sum(p.nbytes for p in parts.values()) / max(1, rows)
        step = rows if not quant else max(1, min(rows, int(shard_bytes // max(1.0, row_bytes))))
        pieces = []
        for k, r0 in enumerate(range(0, max(1, rows), step)):
            piece = {key: p[r0 : r0 + step] for key, p in parts.items()}
            nbytes = sum(p.nbytes for p in piece.values())
            if size and size + nbytes > shard_bytes:
                flush()
            for key, p in piece.items():
                shard[f"{name}::{key}::{k}"] = np.ascontiguousarray(p)
            size += nbytes
            pieces.append(n_shard)
        manifest["tensors"][name] = {
            "pieces": pieces,
            "quantised": bool(quant),
            "shape": list(w.shape),
        }
    flush()
    manifest["shards"] = n_shard
    for f in sorted(src.rglob("*")):
        if f.is_file() and f.name != "model.safetensors":
            rel = f.relative_to(src)
            (out / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(f, out / "files" / rel)
            manifest["files"].append(str(rel))
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return manifest


def unpack_encoder(packed: Path, dest: Path) -> Path:
    """Restore the folder packed by :func:`pack_encoder` (every shard must be there)."""
    from safetensors.numpy import load_file, save_file

    packed, dest = Path(packed), Path(dest)
    try:
        manifest = json.loads((packed / "manifest.json").read_text())
    except FileNotFoundError as err:
        raise FormatError(
            f"{packed}: no manifest.json", expected="a packed encoder", found="none"
        ) from err
    if manifest.get("format") != FORMAT:
        raise FormatError(
            "not an encoder pack", expected=FORMAT, found=repr(manifest.get("format"))
        )
    missing = [
        i for i in range(manifest["shards"]) if not (packed / f"shard-{i:03d}.safetensors").exists()
    ]
    if missing:
        raise FormatError(
            f"{packed}: {len(missing)} of {manifest['shards']} shards missing",
            expected=f"shard-000 … shard-{manifest['shards'] - 1:03d}.safetensors",
            found=f"none for {missing}",
        )
    shards = [
        load_file(str(packed / f"shard-{i:03d}.safetensors")) for i in range(manifest["shards"])
    ]
    out: dict[str, np.ndarray] = {}
    for name, info in manifest["tensors"].items():
        keys = ("q", "scale") if info["quantised"] else ("raw",)
        parts = {
            key: np.concatenate(
                [shards[sh][f"{name}::{key}::{k}"] for k, sh in enumerate(info["pieces"])]
            )
            for key in keys
        }
        if info["quantised"]:
            out[name] = dequantise(parts, manifest["bits"], info["shape"])
        else:
            out[name] = parts["raw"].reshape(info["shape"])
    dest.mkdir(parents=True, exist_ok=True)
    for rel in manifest["files"]:
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(packed / "files" / rel, dest / rel)
    save_file(out, str(dest / "model.safetensors"))
    return dest


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="Pack or unpack an encoder folder in shards.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("pack")
    p.add_argument("src", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--bits", type=int, default=8)
    p.add_argument("--shard-mb", type=float, default=18.0)
    u = sub.add_parser("unpack")
    u.add_argument("packed", type=Path)
    u.add_argument("dest", type=Path)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "pack":
            m = pack_encoder(
                args.src, args.out, bits=args.bits, shard_bytes=int(args.shard_mb * 1e6)
            )
            print(f"{args.out}: {m['shards']} shards, {len(m['tensors'])} tensors")
        else:
            print(unpack_encoder(args.packed, args.dest))
    except FormatError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
