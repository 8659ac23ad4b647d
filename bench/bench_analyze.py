#!/usr/bin/env python
"""Analysis speed: unspin's ``Analyzer.analyze`` against the baseline a user would otherwise
pick, and against the physical floor of this machine.

    .venv/bin/python bench/bench_analyze.py                       # default model, 1 and 2 threads
    .venv/bin/python bench/bench_analyze.py --model /tmp/fixture --no-baseline --limit 20
    .venv/bin/python bench/bench_analyze.py --json results.json   # also write the figures as JSON

Three measurements, each in a fresh subprocess (clean load time and peak RSS; numpy/ORT
thread pools sized before import):

1. ``analyze`` over the PTC dev articles, one article per call, with 1 and 2 ONNX Runtime
   threads (after 2 warm-up articles): articles/s, tokens/s, p50/p95 latency, peak RSS, model
   load time; and the p50 latency of a 1,000-word article (dev articles concatenated, cut at
   1,000 words).
2. The baseline: a ``transformers`` ``pipeline("token-classification")`` on a randomly
   initialised MPNet-base (110M parameters), PyTorch eager fp32, 2 threads, with ``stride`` so
   long articles are processed whole. It is slow, so by default it runs on an evenly spaced
   subset and its time for all articles is extrapolated per token (labelled as such).
3. The floor: the model's FLOPs per token (see :func:`flops_per_token`) times the article
   tokens, divided by the GEMM throughput measured on this machine (fp32: numpy and ORT
   MatMul; int8: ORT ``MatMulInteger`` and ``DynamicQuantizeMatMul``), with 1 and 2 threads.

Figures are noisy on a shared 2-core machine: compare them as ratios within one run. The 1-minute
load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ARTICLES = "/work/shared/data/ptc-semeval2020/dev-articles"
TARGET_P50_MS = 150.0  # 1,000-word article, 2 threads
TARGET_RSS_MB = 600.0
TARGET_SPEEDUP = 10.0
N_LABELS = 15  # token head: outside + 14 techniques


# -- helpers -------------------------------------------------------------------------------
def read_articles(pattern_dir: str, limit: int | None) -> list[tuple[str, str]]:
    files = sorted(glob.glob(os.path.join(pattern_dir, "*.txt")))
    if not files:
        sys.exit(f"error: no *.txt articles in {pattern_dir} (set --articles)")
    files = files[:limit] if limit else files
    return [(Path(f).stem, Path(f).read_text(encoding="utf-8")) for f in files]


def thousand_words(texts: list[str], n_words: int = 1000) -> str:
    """Dev articles joined by blank lines, cut right after the ``n_words``-th word."""
    import re

    joined = "\n\n".join(t.strip() for t in texts)
    words = list(re.finditer(r"\S+", joined))
    if len(words) < n_words:
        joined = "\n\n".join([joined] * (n_words // max(len(words), 1) + 1))
        words = list(re.finditer(r"\S+", joined))
    return joined[: words[n_words - 1].end()]


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def flops_per_token(layers: int, hidden: int, window: int) -> float:
    """Encoder FLOPs per token (a multiply-add counts 2), FFN = 4 x hidden:

    * Q, K, V and output projections: 4 H^2 multiply-adds = 8 H^2 FLOPs
    * FFN up and down (H x 4H, 4H x H): 8 H^2 multiply-adds = 16 H^2 FLOPs
    * attention scores Q K^T and the weighted sum A V against a window of W tokens:
      2 W H multiply-adds = 4 W H FLOPs

    so ``L x (24 H^2 + 4 W H)``. Embeddings, layer norms, softmax, GELU and the small heads are
    left out (memory-bound and small), so the floor is optimistic."""
    return float(layers * (24 * hidden * hidden + 4 * window * hidden))


def machine() -> dict[str, Any]:
    name, flags = platform.processor() or "?", set()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name") and name in ("?", ""):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        pass
    isa = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx_vnni", "amx_int8") if f in flags]
    return {"cpu": name, "cores": os.cpu_count(), "isa": isa, "python": platform.python_version()}


def run_worker(kind: str, args: argparse.Namespace, threads: int) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter; it prints one JSON line last."""
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        kind,
        "--threads",
        str(threads),
        "--model",
        str(args.model),
        "--articles",
        args.articles,
        "--runs-1k",
        str(args.runs_1k),
        "--repeat",
        str(args.repeat),
        "--baseline-limit",
        str(args.baseline_limit),
        "--baseline-runs-1k",
        str(args.baseline_runs_1k),
        "--baseline-window",
        str(args.baseline_window),
        "--baseline-stride",
        str(args.baseline_stride),
    ]
    if args.limit:
        cmd += ["--limit", str(args.limit)]
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env["TOKENIZERS_PARALLELISM"] = "false"
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        sys.exit(f"error: the {kind} worker ({threads} threads) failed (exit {proc.returncode})")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- 1. analyze ------------------------------------------------------------------------------
def worker_analyze(args: argparse.Namespace) -> dict[str, Any]:
    t0 = time.perf_counter()
    from unspin.model import MAX_CHUNK_CHARS, load_model
    from unspin.offsets import chunks, windows
    from unspin.pipeline import Analyzer

    import_s = time.perf_counter() - t0
    rss_before = rss_mb()
    t0 = time.perf_counter()
    model = load_model(args.model, threads=args.threads)
    analyzer = Analyzer(model)
    load_s = time.perf_counter() - t0
    rss_loaded = rss_mb()
    run_encoder, in_encoder = model.backend, [0.0]

    def timed_encoder(ids: Any, mask: Any) -> Any:  # time spent inside ONNX Runtime
        t = time.perf_counter()
        try:
            return run_encoder(ids, mask)
        finally:
            in_encoder[0] += time.perf_counter() - t

    model.backend = timed_encoder
    arts = read_articles(args.articles, args.limit)
    texts = [t for _, t in arts]
    tok = model.tokenizer
    n_tokens, n_encoder = [], 0
    for text in texts:
        n = 0
        for cs, ce in chunks(text, MAX_CHUNK_CHARS):
            k = len(tok.encode(text[cs:ce], add_special_tokens=False).ids)
            n += k
            n_encoder += sum(e - s + 2 for s, e in windows(k, model.window - 2, model.overlap))
        n_tokens.append(n)
    long_text = thousand_words(texts)
    long_tokens = len(tok.encode(long_text, add_special_tokens=False).ids)

    for text in texts[:2]:  # warm-up
        analyzer.analyze(text)
    best: tuple[float, float, list[float], int, float] | None = None
    for _ in range(max(args.repeat, 1)):  # keep the fastest pass (the least disturbed)
        lat, n_spans = [], 0
        in_encoder[0] = 0.0
        c0, t0 = cpu_s(), time.perf_counter()
        for text in texts:
            t1 = time.perf_counter()
            n_spans += len(analyzer.analyze(text).techniques)
            lat.append(time.perf_counter() - t1)
        wall, cpu = time.perf_counter() - t0, cpu_s() - c0
        if best is None or wall < best[0]:
            best = (wall, cpu, lat, n_spans, in_encoder[0])
    assert best is not None
    wall, cpu, lat, n_spans, encoder_s = best
    long_lat = []
    for _ in range(args.runs_1k):
        t1 = time.perf_counter()
        analyzer.analyze(long_text)
        long_lat.append(time.perf_counter() - t1)
    return {
        "threads": args.threads,
        "passes": max(args.repeat, 1),
        "articles": len(texts),
        "tokens": sum(n_tokens),
        "encoder_tokens": n_encoder,
        "spans": n_spans,
        "import_s": import_s,
        "load_s": load_s,
        "wall_s": wall,
        "encoder_s": encoder_s,
        "encoder_share": encoder_s / wall,
        "cpu_s": cpu,
        "articles_per_s": len(texts) / wall,
        "tokens_per_s": sum(n_tokens) / wall,
        "tokens_per_cpu_s": sum(n_tokens) / cpu,
        "p50_ms": 1e3 * pct(lat, 0.5),
        "p95_ms": 1e3 * pct(lat, 0.95),
        "max_ms": 1e3 * max(lat),
        "long_words": 1000,
        "long_tokens": long_tokens,
        "long_runs": len(long_lat),
        "long_p50_ms": 1e3 * statistics.median(long_lat),
        "long_min_ms": 1e3 * min(long_lat),
        "rss_before_load_mb": rss_before,
        "rss_after_load_mb": rss_loaded,
        "peak_rss_mb": peak_rss_mb(),
    }


# -- 2. baseline -----------------------------------------------------------------------------
def subset(n: int, k: int) -> list[int]:
    """``k`` evenly spaced indices out of ``n`` (all of them when ``k`` is 0 or >= n)."""
    if k <= 0 or k >= n:
        return list(range(n))
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)}) if k > 1 else [0]


def worker_baseline(args: argparse.Namespace) -> dict[str, Any]:
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    t0 = time.perf_counter()
    import torch
    import transformers
    from tokenizers import Tokenizer
    from transformers import (
        MPNetConfig,
        MPNetForTokenClassification,
        PreTrainedTokenizerFast,
        pipeline,
    )

    from unspin.model import model_path

    transformers.logging.set_verbosity_error()
    logging.getLogger("transformers").setLevel(logging.ERROR)
    import_s = time.perf_counter() - t0
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    # microsoft/mpnet-base's shape: 12 layers x 768, vocab 30527, 514 positions (2 + 512)
    cfg = MPNetConfig(  # type: ignore[call-arg]
        num_labels=N_LABELS, max_position_embeddings=args.baseline_window + 2
    )
    model = MPNetForTokenClassification(cfg).eval()
    n_params = sum(p.numel() for p in model.parameters())
    tok_file = str(model_path(args.model) / "tokenizer.json")
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_file=tok_file,
        model_max_length=args.baseline_window,
        cls_token="[CLS]",
        sep_token="[SEP]",
        pad_token="[PAD]",
        unk_token="[UNK]",
        mask_token="[MASK]",
    )
    pipe = pipeline(
        "token-classification",
        model=model,
        tokenizer=tokenizer,
        device="cpu",
        aggregation_strategy="simple",
        stride=args.baseline_stride,
    )
    build_s = time.perf_counter() - t0

    count = Tokenizer.from_file(tok_file)
    count.no_truncation()
    count.no_padding()
    arts = read_articles(args.articles, args.limit)
    texts = [t for _, t in arts]
    idx = subset(len(texts), args.baseline_limit)
    tokens_all = [len(count.encode(t, add_special_tokens=False).ids) for t in texts]
    long_text = thousand_words(texts)

    for text in texts[:2]:
        pipe(text)
    lat = []
    c0, t0 = cpu_s(), time.perf_counter()
    for i in idx:
        t1 = time.perf_counter()
        pipe(texts[i])
        lat.append(time.perf_counter() - t1)
    wall, cpu = time.perf_counter() - t0, cpu_s() - c0
    long_lat = []
    for _ in range(args.baseline_runs_1k):
        t1 = time.perf_counter()
        pipe(long_text)
        long_lat.append(time.perf_counter() - t1)
    sub_tokens = sum(tokens_all[i] for i in idx)
    tps = sub_tokens / wall
    return {
        "threads": args.threads,
        "params": n_params,
        "window": args.baseline_window,
        "stride": args.baseline_stride,
        "layers": cfg.num_hidden_layers,
        "hidden": cfg.hidden_size,
        "attn": getattr(model.config, "_attn_implementation", "?"),
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "articles": len(idx),
        "articles_total": len(texts),
        "tokens": sub_tokens,
        "tokens_total": sum(tokens_all),
        "extrapolated": len(idx) < len(texts),
        "import_s": import_s,
        "build_s": build_s,
        "wall_s": wall,
        "cpu_s": cpu,
        "tokens_per_s": tps,
        "tokens_per_cpu_s": sub_tokens / cpu,
        "est_total_s": sum(tokens_all) / tps,
        "articles_per_s": len(texts) / (sum(tokens_all) / tps),
        "p50_ms": 1e3 * pct(lat, 0.5),
        "p95_ms": 1e3 * pct(lat, 0.95),
        "long_runs": len(long_lat),
        "long_p50_ms": 1e3 * statistics.median(long_lat) if long_lat else None,
        "peak_rss_mb": peak_rss_mb(),
    }


# -- 3. GEMM throughput (the floor) ------------------------------------------------------------
def _ort_session(graph: Any, threads: int) -> Any:
    import onnx
    import onnxruntime as ort

    model = onnx.helper.make_model(
        graph,
        opset_imports=[
            onnx.helper.make_opsetid("", 17),
            onnx.helper.make_opsetid("com.microsoft", 1),
        ],
    )
    model.ir_version = 8
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def _best_time(fn: Any, min_s: float = 0.6, min_reps: int = 3) -> float:
    fn()  # warm-up
    times: list[float] = []
    start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - start < min_s:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if len(times) >= 50:
            break
    return min(times)


def worker_gemm(args: argparse.Namespace) -> dict[str, Any]:
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    from unspin.model import model_path, read_meta

    meta = read_meta(model_path(args.model))
    hidden = int(meta["encoder"]["hidden"])
    window = int(meta.get("window", 256))
    rng = np.random.default_rng(0)
    shapes = {
        "large": (2048, 2048, 2048),
        "model": (16 * window, hidden, 4 * hidden),
    }  # one batch of windows, FFN up
    out: dict[str, Any] = {"threads": args.threads, "shapes": {}, "gflops": {}}
    for sname, (m, k, n) in shapes.items():
        out["shapes"][sname] = [m, k, n]
        flop = 2.0 * m * k * n
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        res = {"numpy fp32": flop / _best_time(lambda a=a, b=b: a @ b)}

        g = helper.make_graph(
            [helper.make_node("MatMul", ["A", "B"], ["Y"])],
            "mm",
            [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
            [numpy_helper.from_array(b, "B")],
        )
        s = _ort_session(g, args.threads)
        res["ORT MatMul fp32"] = flop / _best_time(lambda s=s, a=a: s.run(None, {"A": a}))

        a8 = rng.integers(0, 255, (m, k), dtype=np.uint8)
        b8 = rng.integers(-127, 127, (k, n), dtype=np.int8)
        g = helper.make_graph(
            [helper.make_node("MatMulInteger", ["A", "B", "az", "bz"], ["Y"])],
            "mmi",
            [helper.make_tensor_value_info("A", TensorProto.UINT8, [m, k])],
            [helper.make_tensor_value_info("Y", TensorProto.INT32, [m, n])],
            [
                numpy_helper.from_array(b8, "B"),
                numpy_helper.from_array(np.array(128, dtype=np.uint8), "az"),
                numpy_helper.from_array(np.array(0, dtype=np.int8), "bz"),
            ],
        )
        s = _ort_session(g, args.threads)
        res["ORT MatMulInteger u8s8"] = flop / _best_time(lambda s=s, a8=a8: s.run(None, {"A": a8}))

        scale = (rng.random(n, dtype=np.float32) * 0.01 + 0.001).astype(np.float32)
        g = helper.make_graph(
            [
                helper.make_node(
                    "DynamicQuantizeMatMul", ["A", "B", "bs", "bz"], ["Y"], domain="com.microsoft"
                )
            ],
            "dqmm",
            [helper.make_tensor_value_info("A", TensorProto.FLOAT, [m, k])],
            [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [m, n])],
            [
                numpy_helper.from_array(b8, "B"),
                numpy_helper.from_array(scale, "bs"),
                numpy_helper.from_array(np.zeros(n, dtype=np.int8), "bz"),
            ],
        )
        s = _ort_session(g, args.threads)
        res["ORT DynamicQuantizeMatMul"] = flop / _best_time(lambda s=s, a=a: s.run(None, {"A": a}))
        out["gflops"][sname] = {op: v / 1e9 for op, v in res.items()}
    return out


# -- report ----------------------------------------------------------------------------------
def model_facts(path: Path) -> dict[str, Any]:
    from unspin.model import read_meta

    meta = read_meta(path)
    enc = meta.get("encoder", {})
    onnx_file = path / meta.get("onnx", "model.onnx")
    ops: dict[str, int] = {}
    try:
        import onnx

        for node in onnx.load(str(onnx_file), load_external_data=False).graph.node:
            ops[node.op_type] = ops.get(node.op_type, 0) + 1
    except ImportError:
        pass
    int8_ops = {
        k: v
        for k, v in ops.items()
        if k
        in (
            "MatMulInteger",
            "DynamicQuantizeMatMul",
            "QAttention",
            "MatMulIntegerToFloat",
            "DynamicQuantizeLinear",
        )
    }
    return {
        "path": str(path),
        "name": meta.get("name"),
        "version": meta.get("version"),
        "window": int(meta.get("window", 256)),
        "overlap": int(meta.get("overlap", 64)),
        "layers": int(enc["layers"]),
        "hidden": int(enc["hidden"]),
        "heads": int(enc.get("heads", 0)),
        "vocab": int(enc.get("vocab", 0)),
        "onnx_mb": onnx_file.stat().st_size / 2**20,
        "int8": bool(int8_ops),
        "int8_ops": int8_ops,
    }


def floor_for(res: dict[str, Any], model: dict[str, Any], gemm: dict[str, Any]) -> dict[str, Any]:
    """Floor time for ``res["tokens"]`` article tokens: linear layers at the best measured
    int8 (quantized model) or fp32 rate, attention matmuls at the best fp32 rate."""
    L, H, W = model["layers"], model["hidden"], model["window"]
    rates = [v for shape in gemm["gflops"].values() for v in shape.items()]
    fp32 = max(v for op, v in rates if "fp32" in op) * 1e9
    int8 = max(v for op, v in rates if "fp32" not in op) * 1e9
    linear_rate = int8 if model["int8"] else fp32
    per_token_s = L * (24 * H * H / linear_rate + 4 * W * H / fp32)
    floor_s = res["tokens"] * per_token_s
    return {
        "flops_per_token": flops_per_token(L, H, W),
        "linear_gops": linear_rate / 1e9,
        "attn_gflops": fp32 / 1e9,
        "floor_s": floor_s,
        "analyze_s": res["wall_s"],
        "ratio": res["wall_s"] / floor_s,
        "encoder_overhead": res["encoder_tokens"] / max(res["tokens"], 1),
    }


def fmt(x: float | None, nd: int = 1) -> str:
    if x is None:
        return "-"
    return f"{x:,.{nd}f}"


def print_report(r: dict[str, Any]) -> None:
    m, mach = r["model"], r["machine"]
    an = r["analyze"]
    first = next(iter(an.values()))
    print()
    print(f"unspin analysis speed  ({r['started']})")
    print(
        f"machine  {mach['cpu']}, {mach['cores']} cores [{' '.join(mach['isa'])}], "
        f"Python {mach['python']}, onnxruntime {r['versions']['onnxruntime']}"
    )
    print(
        f"load     1-min load average {r['load_start']:.2f} at start, {r['load_end']:.2f} at end"
        "  (other jobs share the cores: compare ratios within this run)"
    )
    q = "int8 " + "+".join(f"{k}x{v}" for k, v in m["int8_ops"].items()) if m["int8"] else "fp32"
    print(
        f"model    {m['name']} {m['version']}  {m['path']}  ({m['layers']} layers x "
        f"{m['hidden']}, window {m['window']}/overlap {m['overlap']}, {q}, "
        f"{m['onnx_mb']:.1f} MB ONNX)"
    )
    if m["name"] == "fixture":
        print(
            "         THE FIXTURE MODEL (tiny, random weights): these figures test the script,"
            " they say nothing about the real model"
        )
    print(
        f"articles {first['articles']} from {r['articles_dir']}: {first['tokens']:,} tokens "
        f"(the encoder sees {first['encoder_tokens']:,} with window overlap and [CLS]/[SEP]); "
        f"1,000-word article = {first['long_tokens']:,} tokens"
    )
    print()
    cols = list(an)
    head = f"{'analyze (ONNX Runtime)':<34}" + "".join(f"{c + ' thr':>14}" for c in cols)
    rows = [
        ("model load (s)", "load_s", 2),
        ("articles/s", "articles_per_s", 2),
        ("tokens/s", "tokens_per_s", 0),
        ("latency p50 (ms)", "p50_ms", 1),
        ("latency p95 (ms)", "p95_ms", 1),
        ("latency max (ms)", "max_ms", 1),
        ("1,000 words p50 (ms)", "long_p50_ms", 1),
        ("1,000 words min (ms)", "long_min_ms", 1),
        ("RSS after load (MB)", "rss_after_load_mb", 0),
        ("peak RSS (MB)", "peak_rss_mb", 0),
        ("time in the encoder (ORT) (%)", "encoder_pct", 0),
        ("tokens per CPU-second", "tokens_per_cpu_s", 0),
        ("CPU cores busy (cpu s / wall s)", None, 2),
    ]
    if r.get("floor"):
        rows.append(("time / floor (x)", "floor_ratio", 1))
    print(head)
    print("-" * len(head))
    for label, key, nd in rows:
        vals = []
        for c in cols:
            res = an[c]
            if key is None:
                v = res["cpu_s"] / res["wall_s"]
            elif key == "floor_ratio":
                v = r["floor"][c]["ratio"]
            elif key == "encoder_pct":
                v = 100 * res["encoder_share"]
            else:
                v = res[key]
            vals.append(f"{fmt(v, nd):>14}")
        print(f"{label:<34}" + "".join(vals))
    print(
        f"(passes over the articles: {first['passes']}, fastest kept; "
        f"runs of the 1,000-word article: {first['long_runs']}; spans found in the "
        f"{first['articles']} articles: {first['spans']})"
    )

    b = r.get("baseline")
    if b:
        print()
        sub = (
            f"{b['articles']} of {b['articles_total']} articles (evenly spaced), "
            f"{b['tokens']:,} tokens; all-article figures EXTRAPOLATED per token"
            if b["extrapolated"]
            else f"all {b['articles']} articles"
        )
        print(
            f"baseline: transformers {b['transformers']} pipeline('token-classification', "
            f"aggregation_strategy='simple', stride={b['stride']}), MPNetForTokenClassification"
            f" random init ({b['params'] / 1e6:.0f}M params, {b['layers']} x {b['hidden']}, "
            f"window {b['window']}), torch {b['torch']} eager fp32 ({b['attn']} attention), "
            f"{b['threads']} threads; {sub}"
        )
        a2 = an.get(str(b["threads"]), first)
        print(
            f"  tokens/s {fmt(b['tokens_per_s'], 0)}   articles/s "
            f"{fmt(b['articles_per_s'], 3)}   p50 {fmt(b['p50_ms'], 0)} ms   p95 "
            f"{fmt(b['p95_ms'], 0)} ms   1,000 words p50 {fmt(b['long_p50_ms'], 0)} ms "
            f"({b['long_runs']} runs)   peak RSS {fmt(b['peak_rss_mb'], 0)} MB   "
            f"model build {fmt(b['build_s'], 1)} s"
        )
        print(
            f"  tokens per CPU-second {fmt(b['tokens_per_cpu_s'], 0)}   CPU cores busy "
            f"{b['cpu_s'] / b['wall_s']:.2f} (analyze: {a2['cpu_s'] / a2['wall_s']:.2f})"
        )
        print(
            f"  time for all {b['articles_total']} articles: analyze {a2['wall_s']:.1f} s, "
            f"baseline {b['est_total_s']:.1f} s" + (" (extrapolated)" if b["extrapolated"] else "")
        )
        print(
            f"  throughput analyze/baseline ({a2['threads']} threads, tokens/s): "
            f"{r['speedup']:.1f}x   (1,000-word latency ratio "
            f"{fmt(r.get('speedup_1k'), 1)}x; per CPU-second, which discounts the cores other jobs "
            f"took: {r['speedup_cpu']:.1f}x)"
        )

    g = r.get("gemm")
    if g:
        print()
        print(
            f"floor: FLOPs/token = L x (24 H^2 + 4 W H) = {m['layers']} x (24 x {m['hidden']}^2"
            f" + 4 x {m['window']} x {m['hidden']}) = "
            f"{flops_per_token(m['layers'], m['hidden'], m['window']) / 1e6:.1f} MFLOP"
        )
        ops = list(next(iter(next(iter(g.values()))["gflops"].values())))
        hdr = f"{'GEMM throughput (GFLOP/s, GOP/s)':<34}" + "".join(
            f"{s + ' ' + t + 'thr':>16}" for t in g for s in g[t]["gflops"]
        )
        print(hdr)
        print("-" * len(hdr))
        for op in ops:
            print(
                f"{op:<34}"
                + "".join(f"{fmt(g[t]['gflops'][s][op], 1):>16}" for t in g for s in g[t]["gflops"])
            )
        t0 = next(iter(g))
        print(
            "  shapes (M x K x N): "
            + ", ".join(f"{s} {'x'.join(map(str, v))}" for s, v in g[t0]["shapes"].items())
        )
        for t, f in r["floor"].items():
            print(
                f"  {t} thr: floor {f['floor_s']:.2f} s for {first['tokens']:,} tokens "
                f"(linear layers at {f['linear_gops']:.0f} G/s, attention at "
                f"{f['attn_gflops']:.0f} GFLOP/s); analyze {f['analyze_s']:.2f} s = "
                f"{f['ratio']:.1f}x the floor (window overlap alone: "
                f"{f['encoder_overhead']:.2f}x)"
            )

    print()
    print("targets")
    two = an.get("2")
    if two:
        ok = two["long_p50_ms"] <= TARGET_P50_MS
        print(
            f"  1,000-word article p50, 2 threads <= {TARGET_P50_MS:.0f} ms: "
            f"{two['long_p50_ms']:.1f} ms  {'met' if ok else 'NOT met'}"
        )
    peak = max(v["peak_rss_mb"] for v in an.values())
    print(
        f"  peak RSS <= {TARGET_RSS_MB:.0f} MB: {peak:.0f} MB  "
        f"{'met' if peak <= TARGET_RSS_MB else 'NOT met'}"
    )
    if b:
        print(
            f"  throughput >= {TARGET_SPEEDUP:.0f}x baseline: {r['speedup']:.1f}x  "
            f"{'met' if r['speedup'] >= TARGET_SPEEDUP else 'NOT met'}"
        )
    print()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--model", default="default", help="model name or directory [default]")
    p.add_argument("--articles", default=ARTICLES, help="directory of *.txt articles")
    p.add_argument("--threads", default="1,2", help="ONNX Runtime thread counts [1,2]")
    p.add_argument("--limit", type=int, default=0, help="use only the first N articles")
    p.add_argument(
        "--baseline",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run the transformers baseline (needs the train extra) [on]",
    )
    p.add_argument(
        "--baseline-limit",
        type=int,
        default=10,
        help="baseline on N evenly spaced articles, 0 = all [10]",
    )
    p.add_argument("--baseline-threads", type=int, default=2)
    p.add_argument("--baseline-window", type=int, default=512)
    p.add_argument("--baseline-stride", type=int, default=128)
    p.add_argument("--baseline-runs-1k", type=int, default=2)
    p.add_argument(
        "--floor",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure GEMM throughput and the floor [on]",
    )
    p.add_argument(
        "--runs-1k", type=int, default=20, help="runs of the 1,000-word article (>= 10) [20]"
    )
    p.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="passes over the articles per thread count; the fastest is kept [1]",
    )
    p.add_argument("--json", metavar="FILE", help="also write the figures as JSON ('-': stdout)")
    p.add_argument("--worker", choices=("analyze", "baseline", "gemm"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        args.threads = int(args.threads)
        fn = {"analyze": worker_analyze, "baseline": worker_baseline, "gemm": worker_gemm}
        print(json.dumps(fn[args.worker](args)))
        return

    import onnxruntime

    from unspin.errors import UnspinError
    from unspin.model import model_path

    try:
        path = model_path(args.model)
        facts = model_facts(path)
    except UnspinError as err:
        sys.exit(
            f"error: {err}\n(no trained model? build the test one with "
            "`.venv/bin/python scripts/build_fixture_model.py /tmp/fixture` and pass "
            "--model /tmp/fixture)"
        )
    args.model = path
    threads = [int(t) for t in args.threads.split(",") if t.strip()]
    r: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "load_start": os.getloadavg()[0],
        "model": facts,
        "articles_dir": args.articles,
        "versions": {"onnxruntime": onnxruntime.__version__},
    }

    def say(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    r["analyze"] = {}
    for t in threads:
        say(f"analyze, {t} thread(s)…")
        r["analyze"][str(t)] = run_worker("analyze", args, t)
    if args.baseline:
        say(f"baseline, {args.baseline_threads} threads (slow)…")
        r["baseline"] = run_worker("baseline", args, args.baseline_threads)
        a = r["analyze"].get(str(args.baseline_threads), next(iter(r["analyze"].values())))
        r["speedup"] = a["tokens_per_s"] / r["baseline"]["tokens_per_s"]
        r["speedup_cpu"] = a["tokens_per_cpu_s"] / r["baseline"]["tokens_per_cpu_s"]
        if r["baseline"]["long_p50_ms"]:
            r["speedup_1k"] = r["baseline"]["long_p50_ms"] / a["long_p50_ms"]
    if args.floor:
        r["gemm"], r["floor"] = {}, {}
        for t in threads:
            say(f"GEMM throughput, {t} thread(s)…")
            r["gemm"][str(t)] = run_worker("gemm", args, t)
            r["floor"][str(t)] = floor_for(r["analyze"][str(t)], facts, r["gemm"][str(t)])
    r["load_end"] = os.getloadavg()[0]
    print_report(r)
    if args.json:
        text = json.dumps(r, indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n")


if __name__ == "__main__":
    main()
