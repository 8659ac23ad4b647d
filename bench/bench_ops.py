#!/usr/bin/env python
"""Where the encoder's time goes: ONNX Runtime's per-operator profile of one 1,000-word article,
and the residual + LayerNorm microbenchmark behind the export's choice not to fuse them.

    .venv/bin/python bench/bench_ops.py                     # the default model, 1 thread
    .venv/bin/python bench/bench_ops.py --model DIR --threads 2 --runs 10

1. Profile: the model's windows for the 1,000-word article (the PTC dev articles joined and cut
   at 1,000 words, as in bench_analyze.py) run ``--runs`` times through a session with
   ONNX Runtime's profiler on; kernel time is summed per operator type.
2. Microbenchmark on a [7, 256, 384] activation (the shape of one 1,000-word article's
   windows): ``SkipLayerNormalization`` (what the transformer optimizer fuses a residual add
   and LayerNorm into) against ``Add`` + ``LayerNormalization`` with that fusion disabled.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_analyze import ARTICLES, read_articles, thousand_words  # noqa: E402


def profile(model_dir: str, threads: int, runs: int) -> None:
    import onnxruntime as ort

    from unspin.model import SLOW_FUSIONS, load_model, model_path

    path = model_path(model_dir)
    model = load_model(path, threads=threads)
    text = thousand_words([t for _, t in read_articles(ARTICLES, None)])
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.enable_profiling = True
    opts.profile_file_prefix = os.path.join(tempfile.mkdtemp(), "ort")
    sess = ort.InferenceSession(
        str(path / model.meta.get("onnx", "model.onnx")),
        opts,
        providers=["CPUExecutionProvider"],
        disabled_optimizers=SLOW_FUSIONS,
    )
    model.backend = lambda ids, mask: tuple(  # type: ignore[assignment]
        sess.run(None, {"input_ids": ids, "attention_mask": mask})
    )
    model.encode([text])  # warm-up, profiled too: subtracted below by taking per-run means
    wall = []
    for _ in range(runs):
        t = time.perf_counter()
        model.encode([text])
        wall.append(time.perf_counter() - t)
    events = json.loads(Path(sess.end_profiling()).read_text())
    per_op: collections.Counter[str] = collections.Counter()
    for ev in events:
        if ev.get("cat") == "Node" and ev["name"].endswith("_kernel_time"):
            per_op[ev["args"]["op_name"]] += ev["dur"]
    total = sum(per_op.values())
    n = runs + 1
    print(f"model {model.info.name} {model.info.version} ({path}), {threads} thread(s)")
    print(f"1,000-word article: encode p50 {sorted(wall)[len(wall) // 2] * 1000:.1f} ms")
    print(f"{'operator':28s} {'ms per article':>15s} {'share':>7s}")
    for op, us in per_op.most_common():
        if us / total >= 0.001:
            print(f"{op:28s} {us / n / 1000:15.1f} {100 * us / total:6.1f}%")
    print(f"{'all kernels':28s} {total / n / 1000:15.1f}")


def layernorm_micro(threads: int, reps: int = 50) -> None:
    import numpy as np
    import onnxruntime as ort
    from onnx import TensorProto, helper

    H = 384
    rng = np.random.default_rng(0)

    def session(nodes: list, inits: list[str], disabled: list[str]) -> ort.InferenceSession:
        graph = helper.make_graph(
            nodes,
            "g",
            [
                helper.make_tensor_value_info("x", TensorProto.FLOAT, ["B", "T", H]),
                helper.make_tensor_value_info("skip", TensorProto.FLOAT, ["B", "T", H]),
            ],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["B", "T", H])],
            initializer=[
                helper.make_tensor(n, TensorProto.FLOAT, [H], rng.random(H, dtype=np.float32))
                for n in inits
            ],
        )
        m = helper.make_model(
            graph,
            opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)],
        )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        return ort.InferenceSession(
            m.SerializeToString(),
            opts,
            providers=["CPUExecutionProvider"],
            disabled_optimizers=disabled,
        )

    x = rng.random((7, 256, H), dtype=np.float32)
    skip = rng.random((7, 256, H), dtype=np.float32)
    add_ln = [
        helper.make_node("Add", ["x", "skip"], ["s"]),
        helper.make_node("LayerNormalization", ["s", "g", "b"], ["y"], axis=-1, epsilon=1e-12),
    ]
    cases = {
        "SkipLayerNormalization (fused)": session(
            [
                helper.make_node(
                    "SkipLayerNormalization",
                    ["x", "skip", "g", "b"],
                    ["y"],
                    domain="com.microsoft",
                    epsilon=1e-12,
                )
            ],
            ["g", "b"],
            [],
        ),
        "Add + LayerNormalization": session(add_ln, ["g", "b"], ["SkipLayerNormFusion"]),
    }
    print(f"\nresidual add + LayerNorm on [7, 256, {H}], {threads} thread(s), mean of {reps}:")
    for name, sess in cases.items():
        for _ in range(3):
            sess.run(None, {"x": x, "skip": skip})
        t = time.perf_counter()
        for _ in range(reps):
            sess.run(None, {"x": x, "skip": skip})
        print(f"  {name:32s} {(time.perf_counter() - t) / reps * 1000:6.2f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="default")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=8)
    args = ap.parse_args()
    import onnxruntime

    print(f"onnxruntime {onnxruntime.__version__}, load average {os.getloadavg()[0]:.2f}")
    profile(args.model, args.threads, args.runs)
    layernorm_micro(args.threads)


if __name__ == "__main__":
    main()
