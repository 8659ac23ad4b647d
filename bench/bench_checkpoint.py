#!/usr/bin/env python
"""Score a training checkpoint in torch on its own validation articles: SI F1 with the span
decoding tuned on them (as a checkpoint teacher is run, ``unspin.training.distill``), TC
micro-F1 and per-technique F1 (docs/experiments.md, the larger teacher).

    .venv/bin/python bench/bench_checkpoint.py runs/mpnet/best --data PTC

For a model that will never be exported (a large teacher, whose int8 graph would be poor), this
is the figure to compare with an exported student's ``unspin evaluate``; like the exported
models' validation scores, the decoding is tuned on the articles it is scored on. Needs the
``train`` extra; runs under bf16 autocast where the checkpoint trained so.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from unspin.errors import UnspinError
from unspin.training.distill import checkpoint_model
from unspin.training.evaluate import encode_all, metrics_from_encoded, tune_decode


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("checkpoint", type=Path, help="a training checkpoint (meta.json + weights)")
    ap.add_argument("--data", type=Path, required=True, help="the ptc-semeval2020 folder")
    a = ap.parse_args()
    try:
        model, val = checkpoint_model(a.checkpoint, a.data)
    except UnspinError as e:
        raise SystemExit(str(e)) from None
    t = time.perf_counter()
    encoded = encode_all(model, val)
    dt = time.perf_counter() - t
    params, _ = tune_decode(model, val, encoded)
    m = metrics_from_encoded(model, val, encoded, params)
    name = model.meta["name"]
    print(f"{a.checkpoint} ({name}): {len(val)} validation articles, encoded in {dt:.0f} s")
    print(f"decoding tuned on them: {params.to_dict()}")
    print(
        f"SI F1 {m['si_f1']:.4f} (P {m['si_precision']:.4f}, R {m['si_recall']:.4f}); "
        f"TC micro-F1 {m['tc_micro_f1']:.4f}"
    )
    for label, f1 in m["tc_per_technique"].items():
        print(f"  {label:40s} {f1:.4f}")


if __name__ == "__main__":
    main()
