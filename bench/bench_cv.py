#!/usr/bin/env python
"""How far can one validation split be trusted? Cross-validation and ensembles of validated
technique models (exported directories, int8 as shipped).

    # fold k of the recipe: a disjoint block of 56 held-out articles (fold 0 = runs/minilm)
    unspin train configs/default.toml --data PTC --out runs/cv256-f1 --set fold=1
    unspin export runs/cv256-f1/best -o runs/cv256-f1/model --data PTC
    .venv/bin/python bench/bench_cv.py --data PTC runs/minilm/model runs/cv256-f1/model ...
    .venv/bin/python bench/bench_cv.py --data PTC --ensemble runs/minilm/model runs/w512/model

Folds (default): each model is scored on its own held-out articles. Per model it prints SI
precision / recall / F1 and TC micro-F1 with the decoding the model was exported with (tuned on
those very articles, as the model card reports), then SI with the decoding tuned on the *other*
models' held-out articles — the held-out articles did not choose the operating point, so this
is the honest figure — and the mean and standard deviation over the folds.

``--ensemble``: models validated on the same articles (e.g. two recipes on fold 0). Their token
probabilities are averaged and the decoding re-tuned for every subset of them: the gain an
ensemble would bring, and so an upper bound on what distilling it into one model could bring.

Runs on ONNX Runtime (no torch). It reads the PTC gold of the *training* articles from
``--data``, nothing else.
"""

from __future__ import annotations

import argparse
import copy
import itertools
import statistics
from pathlib import Path
from typing import Any

import numpy as np

from unspin.model import TechniqueModel, load_model, read_meta
from unspin.training.data import Doc, load_ptc
from unspin.training.evaluate import encode_all, metrics_from_encoded, tune_decode, tune_decode_runs


def _load(
    path: str, docs: dict[str, Doc], threads: int | None
) -> tuple[TechniqueModel, list[Doc], Any]:
    meta = read_meta(Path(path))
    ids = meta.get("training", {}).get("validation_articles") or []
    if not ids:
        raise SystemExit(f"{path}: not a validated model (no validation articles in model.json)")
    val = [docs[i] for i in ids]
    model = load_model(path, threads=threads, check=False)
    return model, val, encode_all(model, val)


def folds(paths: list[str], docs: dict[str, Doc], threads: int | None) -> None:
    runs = [(p, *_load(p, docs, threads)) for p in paths]
    seen: set[str] = set()
    for p, _, val, _ in runs:
        overlap = seen & {d.id for d in val}
        if overlap:
            print(f"warning: {p} shares {len(overlap)} held-out articles with an earlier model")
        seen |= {d.id for d in val}
    rows = []
    print(f"{'model':<28} {'SI P':>6} {'SI R':>6} {'SI F1':>6} {'TC':>6} {'SI F1 other-tuned':>18}")
    for k, (p, model, val, enc) in enumerate(runs):
        own = metrics_from_encoded(model, val, enc, model.decode)
        others = [r for j, r in enumerate(runs) if j != k]
        honest = None
        if others:
            params, _ = tune_decode_runs([(m, v, e) for _, m, v, e in others])
            honest = metrics_from_encoded(model, val, enc, params)["si_f1"]
        rows.append((own, honest))
        h = f"{honest:.4f}" if honest is not None else "-"
        print(
            f"{str(Path(p).parent.name or p):<28} {own['si_precision']:>6.3f} "
            f"{own['si_recall']:>6.3f} {own['si_f1']:>6.4f} {own['tc_micro_f1']:>6.4f} {h:>18}"
        )
    if len(rows) > 1:
        for name, vals in (
            ("SI F1 (own tuning)", [r[0]["si_f1"] for r in rows]),
            ("SI F1 (other-tuned)", [r[1] for r in rows if r[1] is not None]),
            ("TC micro-F1", [r[0]["tc_micro_f1"] for r in rows]),
        ):
            print(
                f"{name:<22} mean {statistics.mean(vals):.4f}  sd {statistics.stdev(vals):.4f}  "
                f"min {min(vals):.4f}  max {max(vals):.4f}  ({len(vals)} folds)"
            )


def ensemble(paths: list[str], docs: dict[str, Doc], threads: int | None) -> None:
    runs = [(p, *_load(p, docs, threads)) for p in paths]
    val = runs[0][2]
    for p, _, v, _ in runs[1:]:
        if [d.id for d in v] != [d.id for d in val]:
            raise SystemExit(f"{p}: validated on other articles than {runs[0][0]}")
    for r in range(1, len(runs) + 1):
        for combo in itertools.combinations(range(len(runs)), r):
            enc = copy.deepcopy(runs[combo[0]][3])
            for di, chunks in enumerate(enc):
                for ci, chunk in enumerate(chunks):
                    chunk.probs = np.mean([runs[k][3][di][ci].probs for k in combo], axis=0)
            params, f = tune_decode(runs[combo[0]][1], val, enc)
            names = " + ".join(str(Path(runs[k][0]).parent.name) for k in combo)
            print(f"{names:<50} SI F1 {f:.4f}  {params.to_dict()}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="+", help="exported, validated model directories")
    ap.add_argument("--data", type=Path, required=True, help="PTC SemEval-2020 folder")
    ap.add_argument("--ensemble", action="store_true", help="average models of one split")
    ap.add_argument("--threads", type=int, default=0, help="ONNX Runtime threads (0: all)")
    args = ap.parse_args()
    docs = {d.id: d for d in load_ptc(args.data)[0]}
    (ensemble if args.ensemble else folds)(args.models, docs, args.threads or None)


if __name__ == "__main__":
    main()
