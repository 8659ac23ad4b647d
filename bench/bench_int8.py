#!/usr/bin/env python
"""How far int8 is from fp32, and how much that depends on the CPU (docs/experiments.md).

    # int8 variants of a validated run against its fp32 graph, on its held-out articles
    .venv/bin/python bench/bench_int8.py variants runs/extra-f2 --data PTC
    # a model directory as shipped, on the validation articles it records (or its release
    # run's): run it on two machines and compare
    .venv/bin/python bench/bench_int8.py check src/unspin/data/models/default --data PTC

``variants`` needs a run folder holding ``best/`` (the checkpoint) and ``model/`` (its export,
whose decoding and thresholds are used) and the ``train`` extra. It writes the fp32 graph, the
optimised fp32 graph and three int8 graphs into ``--work`` (default ``RUN/int8-variants``):
the shipped per-channel quantisation, the same with ``reduce_range`` (7-bit weights, the
ONNX Runtime advice for CPUs without VNNI) and one that quantises the plain MatMuls only
(attention stays fp32). For each graph it prints the encoder time, SI F1 at the export's
decoding and with the decoding re-tuned, TC micro-F1, and how far its token probabilities
("inside a span") are from the fp32 graph's.

``check`` runs one model directory as shipped (int8 on ONNX Runtime, no torch) and prints
the CPU's int8 features with the scores, so the same command on two machines shows what the
CPU changes. A release model has seen those articles in training: only differences count.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from bench_analyze import machine  # the same CPU facts as the speed benchmark

from unspin.model import TechniqueModel, load_head, load_model, load_tokenizer, onnx_backend
from unspin.training.data import Doc, load_ptc
from unspin.training.evaluate import encode_all, metrics_from_encoded, tune_decode


def cpu_flags() -> str:
    m = machine()
    return f"{m['cpu']}; {' '.join(m['isa']) or 'no avx2'}"


def validation_docs(meta: dict[str, Any], data: Path) -> list[Doc]:
    ids = meta.get("training", {}).get("validation_articles") or meta.get("release", {}).get(
        "tuning_from", {}
    ).get("validation_articles")
    if not ids:
        raise SystemExit("the model records no validation articles (nor a release run's)")
    wanted = set(ids)
    return [d for d in load_ptc(data)[0] if d.id in wanted]


def probs0(encoded: list[list[Any]]) -> np.ndarray:
    return np.concatenate([e.probs[:, 0] for doc in encoded for e in doc])


def variants(run: Path, data: Path, work: Path) -> None:
    from unspin.training.config import TrainConfig, encoder_path
    from unspin.training.export import export_onnx, optimize_and_quantize, quantize_int8

    mdir = run / "model"
    meta = json.loads((mdir / "model.json").read_text())
    cfg = TrainConfig.from_dict(meta["training"]["config"])
    enc_cfg = json.loads((Path(encoder_path(cfg.encoder)) / "config.json").read_text())
    work.mkdir(parents=True, exist_ok=True)
    heads, hidden = enc_cfg["num_attention_heads"], enc_cfg["hidden_size"]
    if not (work / "opt.onnx").exists():  # the shipped recipe: fp32 → optimised → int8
        export_onnx(run / "best", work / "fp32.onnx")
        graphs = [work / f for f in ("fp32.onnx", "opt.onnx", "int8.onnx")]
        optimize_and_quantize(*graphs, heads, hidden)
    extra: dict[str, dict[str, Any]] = {
        "int8_reduce_range.onnx": {"reduce_range": True},
        "int8_matmul_only.onnx": {"op_types_to_quantize": ["MatMul"]},
    }
    for name, kw in extra.items():
        if not (work / name).exists():
            quantize_int8(work / "opt.onnx", work / name, **kw)
    tok = load_tokenizer(mdir / "tokenizer.json")
    head = load_head(mdir / "head.npz")
    docs = validation_docs(meta, data)
    print(f"{run}: {len(docs)} validation articles; CPU {cpu_flags()}")
    print(
        f"{'graph':24s} {'encode s':>8s} {'SI export dec.':>14s} {'SI re-tuned':>11s} "
        f"{'TC':>6s} {'mean|dp|':>8s} {'p99|dp|':>8s} {'max|dp|':>8s}"
    )
    ref: np.ndarray | None = None
    for name in ["opt.onnx", "int8.onnx", *extra]:
        model = TechniqueModel(onnx_backend(work / name), tok, head, meta)
        t = time.perf_counter()
        encoded = encode_all(model, docs)
        dt = time.perf_counter() - t
        m = metrics_from_encoded(model, docs, encoded, model.decode)
        _, tuned = tune_decode(model, docs, encoded)
        p = probs0(encoded)
        ref = p if ref is None else ref
        d = np.abs(p - ref)  # zero for the fp32 graph itself
        devs = (f"{d.mean():.4f}", f"{np.quantile(d, 0.99):.4f}", f"{d.max():.4f}")
        print(
            f"{name:24s} {dt:8.1f} {m['si_f1']:14.4f} {tuned:11.4f} {m['tc_micro_f1']:6.4f} "
            f"{devs[0]:>8s} {devs[1]:>8s} {devs[2]:>8s}"
        )


def check(model_dir: Path, data: Path) -> None:
    model = load_model(model_dir)
    docs = validation_docs(model.meta, data)
    m = metrics_from_encoded(model, docs, encode_all(model, docs), model.decode)
    print(f"{model_dir} ({model.meta.get('name')} {model.meta.get('version')})")
    print(f"CPU: {cpu_flags()}")
    print(
        f"{len(docs)} articles: SI F1 {m['si_f1']:.4f} (P {m['si_precision']:.4f}, "
        f"R {m['si_recall']:.4f}), TC micro-F1 {m['tc_micro_f1']:.4f}"
    )
    qc = model.meta.get("release", {}).get("quantisation_check")
    if qc:
        print(f"recorded at export: int8 {qc['int8']}, fp32 {qc['fp32']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("variants", help="int8 variants of a validated run against fp32")
    v.add_argument("run", type=Path, help="a run folder with best/ and model/")
    v.add_argument("--data", type=Path, required=True, help="the ptc-semeval2020 folder")
    v.add_argument("--work", type=Path, help="where the graphs go (default RUN/int8-variants)")
    c = sub.add_parser("check", help="a model directory as shipped, on this CPU")
    c.add_argument("model", type=Path)
    c.add_argument("--data", type=Path, required=True, help="the ptc-semeval2020 folder")
    a = ap.parse_args()
    if a.cmd == "variants":
        variants(a.run, a.data, a.work or a.run / "int8-variants")
    else:
        check(a.model, a.data)


if __name__ == "__main__":
    main()
