"""Export a training checkpoint to a self-describing model directory.

``unspin export runs/minilm/best -o src/unspin/data/models/default [--data PATH]``

1. ONNX: the legacy exporter (``dynamo=False``, opset 17) from eager attention, with dynamic
   batch and sequence axes; outputs token probabilities and hidden states.
2. ONNX Runtime's transformer optimizer (attention and GELU fusion; residual adds and LayerNorms
   stay unfused, see :func:`optimize_and_quantize`).
3. Dynamic int8 quantisation, per channel (the shipped file).
4. On the checkpoint's validation articles, with the int8 model: tune span post-processing,
   per-technique thresholds and score calibration; measure fp32 and int8 metrics.
5. Write model.json (with sha256 of every file), head.npz, tokenizer.json and the model card.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def export_onnx(checkpoint: Path, out_file: Path) -> dict[str, Any]:
    """Write the fp32 ONNX graph of a checkpoint; returns its meta.json."""
    import torch

    from unspin.training.model import Exportable
    from unspin.training.train import load_checkpoint

    model, meta = load_checkpoint(checkpoint)
    model.eval()
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            Exportable(model),
            (ids, mask),
            str(out_file),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask"],
            output_names=["token_probs", "hidden"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "token_probs": {0: "batch", 1: "seq"},
                "hidden": {0: "batch", 1: "seq"},
            },
        )
    return meta


def optimize_and_quantize(
    fp32: Path, opt_file: Path, int8_file: Path, num_heads: int, hidden: int
) -> None:
    from onnxruntime.transformers.fusion_options import FusionOptions
    from onnxruntime.transformers.optimizer import optimize_model

    # Residual adds and LayerNorms stay unfused: ONNX Runtime's CPU SkipLayerNormalization
    # kernel is about 7x slower than Add + LayerNormalization on [7, 256, 384] (3.4 vs
    # 0.45 ms), and the twelve of them took 16 % of a 1,000-word article.
    # unspin.model.onnx_backend keeps ONNX Runtime from fusing them again at load time.
    options = FusionOptions("bert")
    options.enable_skip_layer_norm = False
    opt = optimize_model(
        str(fp32),
        model_type="bert",
        num_heads=num_heads,
        hidden_size=hidden,
        optimization_options=options,
    )
    opt.save_model_to_file(str(opt_file))
    quantize_int8(opt_file, int8_file)


def export_graphs(checkpoint: Path, work: Path, enc_cfg: dict[str, Any], log=print) -> None:  # type: ignore[no-untyped-def]
    """``work/fp32.onnx``, ``work/opt.onnx`` (optimised fp32) and ``work/int8.onnx`` of a
    checkpoint whose encoder has the Hugging Face config ``enc_cfg``."""
    log("exporting ONNX (fp32)…")
    export_onnx(checkpoint, work / "fp32.onnx")
    log("optimizing and quantizing (int8, per channel)…")
    optimize_and_quantize(
        work / "fp32.onnx",
        work / "opt.onnx",
        work / "int8.onnx",
        enc_cfg["num_attention_heads"],
        enc_cfg["hidden_size"],
    )


def quantize_int8(opt_file: Path, int8_file: Path, **options: Any) -> None:
    """Dynamic int8 quantisation, per channel, as shipped; ``options`` go to ONNX Runtime's
    ``quantize_dynamic`` (``reduce_range``, ``op_types_to_quantize``: variants that
    ``bench/bench_int8.py`` compares)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(opt_file),
        str(int8_file),
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        **options,
    )


def head_from_checkpoint(checkpoint: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    w = load_file(str(checkpoint / "model.safetensors"))
    return {
        "w1": w["span_fc1.weight"].T.astype(np.float32).copy(),
        "b1": w["span_fc1.bias"].astype(np.float32),
        "w2": w["span_fc2.weight"].T.astype(np.float32).copy(),
        "b2": w["span_fc2.bias"].astype(np.float32),
    }


TUNED_KEYS = ("decode", "label_thresholds", "propagate_repetition", "calibration", "metrics")


def read_tuning(source: Path) -> dict[str, Any]:
    """The tuned post-processing and validation metrics of an exported, validated model
    (its directory or its ``model.json``), for a release run that held nothing out."""
    from unspin.errors import FormatError

    path = Path(source)
    path = path / "model.json" if path.is_dir() else path
    if not path.is_file():
        raise FormatError(
            f"{source}: no model.json", expected="an exported model directory", found="nothing"
        )
    ref = json.loads(path.read_text(encoding="utf-8"))
    missing = [k for k in TUNED_KEYS if k not in ref]
    if missing or not ref.get("training", {}).get("validation_articles"):
        raise FormatError(
            f"{source} is not a validated model",
            expected=f"model.json with {', '.join(TUNED_KEYS)} and validation articles",
            found=f"missing {missing or ['training.validation_articles']}",
        )
    return ref


def _source(ref: dict[str, Any]) -> dict[str, Any]:
    """What model.json of a release records of a validated run it took its tuning from."""
    return {
        "name": ref.get("name"),
        "version": ref.get("version"),
        "train_articles": ref["training"].get("train_articles"),
        "validation_articles": ref["training"]["validation_articles"],
        "config": ref["training"].get("config"),
    }


def tuning_sources(meta: dict[str, Any]) -> list[dict[str, Any]]:
    """The validated runs a release model's tuning came from (one, or several folds pooled)."""
    src = meta.get("release", {}).get("tuning_from")
    if not src:
        return []
    return src if isinstance(src, list) else [src]


def release_check(int8, fp32, data: Path, ref: dict[str, Any], log=print) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """int8 against fp32 on the reference run's validation articles. A release model has
    seen those articles in training, so the scores only compare the two runtimes."""
    from unspin.training.data import load_ptc
    from unspin.training.evaluate import encode_all, metrics_from_encoded

    ids = set(ref["training"]["validation_articles"])
    docs = [d for d in load_ptc(data)[0] if d.id in ids]
    out: dict[str, Any] = {"articles": len(docs)}
    for tag, model in (("int8", int8), ("fp32", fp32)):
        m = metrics_from_encoded(model, docs, encode_all(model, docs), model.decode)
        out[tag] = {k: m[k] for k in ("si_precision", "si_recall", "si_f1", "tc_micro_f1")}
        log(f"{tag} (articles seen in training): SI F1 {m['si_f1']:.4f} TC {m['tc_micro_f1']:.4f}")
    return out


def export_model(  # type: ignore[no-untyped-def]
    checkpoint: Path,
    out_dir: Path,
    data: Path | None = None,
    log=print,
    tuning_from: Path | Sequence[Path] | None = None,
    runtime: str = "int8",
    version: str | None = None,
) -> Path:
    """Export ``checkpoint`` to ``out_dir`` (see the module docstring).

    ``runtime`` = "fp32" ships the optimised fp32 graph instead of the int8 one and tunes on
    it (MPNet-base loses 3 TC points in dynamic int8); both are still measured.

    A checkpoint trained without a hold-out (``val_fraction = 0``) cannot tune itself: give
    ``tuning_from``, a validated model of the same recipe whose decoding, thresholds,
    calibration and validation metrics it takes over (recorded as such in model.json).
    Several validated runs (folds of the recipe, disjoint held-out articles) are pooled: the
    operating point is tuned again on all their held-out articles, each decoded by its own
    run, and the pooled scores become the model's metrics (:func:`tune.tune_pooled`).

    ``version`` replaces the checkpoint's version in model.json: the same weights exported
    with another operating point are another model version."""
    from unspin.errors import UnspinError
    from unspin.model import TechniqueModel, load_tokenizer, onnx_backend, sha256_file
    from unspin.training.config import TrainConfig, encoder_path
    from unspin.training.tune import tune_and_measure

    checkpoint = Path(checkpoint)
    out_dir = Path(out_dir)
    meta = json.loads((checkpoint / "meta.json").read_text())
    held_out = bool(meta["training"].get("validation_articles"))
    if held_out and tuning_from is not None:
        raise UnspinError(
            "this checkpoint has validation articles: it tunes itself",
            hint="drop --tuning-from",
        )
    if not held_out and tuning_from is None:
        raise UnspinError(
            "this checkpoint was trained on every article (no validation split)",
            hint="give --tuning-from DIR: a validated export of the same recipe",
        )
    if isinstance(tuning_from, (str, Path)):
        tuning_from = [Path(tuning_from)]
    refs = [Path(r) for r in tuning_from or []]
    ref_metas = [read_tuning(r) for r in refs]
    ref = ref_metas[0] if ref_metas else None
    cfg = TrainConfig.from_dict(meta["training"]["config"])
    enc_dir = Path(encoder_path(cfg.encoder))
    enc_cfg = json.loads((enc_dir / "config.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="unspin-export-"))
    try:
        export_graphs(checkpoint, work, enc_cfg, log)
        out_dir.mkdir(parents=True, exist_ok=True)
        shipped = work / ("opt.onnx" if runtime == "fp32" else "int8.onnx")
        shutil.copy(shipped, out_dir / "model.onnx")
        shutil.copy(enc_dir / "tokenizer.json", out_dir / "tokenizer.json")
        head = head_from_checkpoint(checkpoint)
        np.savez(out_dir / "head.npz", **head)  # type: ignore[arg-type]
        meta.pop("validation", None)
        meta["onnx"] = "model.onnx"
        if version is not None:
            meta["version"] = version
        if runtime != "int8":
            meta["runtime"] = runtime
        meta["encoder"] = {
            "package": cfg.encoder,
            "layers": enc_cfg["num_hidden_layers"],
            "hidden": enc_cfg["hidden_size"],
            "heads": enc_cfg["num_attention_heads"],
            "vocab": enc_cfg["vocab_size"],
        }

        tok = load_tokenizer(out_dir / "tokenizer.json")
        data_path = Path(data or meta["training"]["data"])
        if len(refs) > 1:
            from unspin.training.tune import tune_pooled

            log(f"tuning on the pooled held-out articles of {len(refs)} validated runs…")
            meta.update(tune_pooled(refs, data_path, log=log))
        elif ref is not None:
            meta.update({k: ref[k] for k in TUNED_KEYS})

        def session(onnx_file: Path) -> TechniqueModel:
            return TechniqueModel(onnx_backend(onnx_file), tok, head, meta)

        int8, fp32 = session(work / "int8.onnx"), session(work / "opt.onnx")
        if ref is None:
            log(f"tuning thresholds on the validation articles in {data_path}…")
            meta.update(tune_and_measure(int8, fp32, data_path, meta, log=log, tune_on=runtime))
        else:
            sources = [_source(m) for m in ref_metas]
            seen = [i for src in sources for i in src["validation_articles"]]
            check = {"training": {"validation_articles": seen}}
            meta["release"] = {
                "tuning_from": sources[0] if len(sources) == 1 else sources,
                "quantisation_check": release_check(int8, fp32, data_path, check, log=log),
            }
        meta["files"] = {
            name: sha256_file(out_dir / name)
            for name in ("model.onnx", "head.npz", "tokenizer.json")
        }
        (out_dir / "model.json").write_text(json.dumps(meta, indent=2) + "\n")
        from unspin.training.card import write_card

        write_card(out_dir)
        log(f"wrote {out_dir}")
        return out_dir
    finally:
        shutil.rmtree(work, ignore_errors=True)
