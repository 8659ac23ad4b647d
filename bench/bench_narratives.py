"""Benchmark the narrative layer: indexing speed, matching cost per article, false matches.

    .venv/bin/python bench/bench_narratives.py [--data /work/shared/data] [--runs 7]

Prints figures, asserts nothing. Uses a throwaway data dir, so your catalogues are untouched.

1. index the 10,892 EUvsDisinfo case titles (cknabs ``posts.csv``) with the shipped encoder;
2. time ``Analyzer(model=None)`` on a ~1,000-word article with and without the narrative
   layer (claim matching against that catalogue + narrative classification), wall and CPU;
   then the same with the default technique model loaded (what ``unspin analyze
   --narratives`` runs);
3. count sentences of SemEval-2025 English documents labelled only ``Other`` (plain news on
   the same topics) that resemble a catalogue claim at the calibrated threshold, against
   documents labelled with a Ukraine-war narrative.

Wall-clock figures depend on what else runs on the machine: the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, runs: int):  # type: ignore[no-untyped-def]
    walls, cpus = [], []
    out = None
    for _ in range(runs):
        w, c = time.perf_counter(), time.process_time()
        out = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    return statistics.median(walls) * 1000, statistics.median(cpus) * 1000, out


def article(words: int = 1000) -> str:
    parts = [
        (ROOT / "examples" / "sample.txt").read_text(encoding="utf-8"),
        (ROOT / "examples" / "neutral.txt").read_text(encoding="utf-8"),
    ]
    text = ""
    while len(text.split()) < words:
        text += "\n\n".join(parts) + "\n\n"
    out = []
    for line in text.splitlines():
        out.append(line)
        if len("\n".join(out).split()) >= words:
            break
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    os.environ["UNSPIN_DATA_DIR"] = tempfile.mkdtemp(prefix="unspin-bench-")

    from unspin.narratives import NarrativeLayer
    from unspin.narratives.catalog import import_file
    from unspin.narratives.encoder import load_encoder
    from unspin.pipeline import Analyzer
    from unspin.segment import sentences

    print(f"load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    enc = load_encoder()
    enc.encode(["warm up"])

    posts = args.data / "euvsdisinfo" / "cknabs-EUvsDisinfo" / "data" / "posts.csv"
    w, c = time.perf_counter(), time.process_time()
    cat, rep = import_file("euvsdisinfo", posts, name="titles")
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    print(
        f"index {rep.total} titles: {wall:.1f} s wall, {cpu:.1f} s CPU "
        f"({rep.total / wall:.0f} titles/s wall)"
    )
    w = time.perf_counter()
    _, rep2 = import_file("euvsdisinfo", posts, name="titles")
    print(
        f"re-import (idempotent, {rep2.unchanged} unchanged, {rep2.embedded} embedded): "
        f"{time.perf_counter() - w:.1f} s"
    )

    text = article(1000)
    n_sent = len(sentences(text))
    plain = Analyzer(model=None)
    layer = NarrativeLayer(catalogs=["titles"])
    full = Analyzer(model=None, components=[layer])
    full(text)  # warm up
    bw, bc, _ = timed(lambda: plain(text), args.runs)
    fw, fc, a = timed(lambda: full(text), args.runs)
    print(f"article: {len(text.split())} words, {n_sent} sentences")
    print(f"  analyze without narratives: {bw:.1f} ms wall, {bc:.1f} ms CPU")
    print(
        f"  analyze with narratives:    {fw:.1f} ms wall, {fc:.1f} ms CPU "
        f"(+{fw - bw:.1f} ms wall, +{fc - bc:.1f} ms CPU; median of {args.runs})"
    )
    try:  # the same, next to the technique model, as `unspin analyze --narratives` runs
        from unspin.model import load_model

        model = load_model("default")
    except Exception as err:  # noqa: BLE001 - no default model installed: skip the row
        print(f"  (no technique model: {err})")
    else:
        tm = Analyzer(model=model)
        tm_full = Analyzer(model=model, components=[layer])
        tm_full(text)
        mw, mc, _ = timed(lambda: tm(text), args.runs)
        nw, nc, _ = timed(lambda: tm_full(text), args.runs)
        print(
            f"  with the technique model ({model.info.name} {model.info.version}): "
            f"{mw:.1f} ms wall without narratives, {nw:.1f} ms with "
            f"(+{nw - mw:.1f} ms wall, +{nc - mc:.1f} ms CPU)"
        )
    spans = sentences(text)
    sents = [text[s:e] for s, e in spans]
    ew, ec, vecs = timed(lambda: enc.encode(sents), args.runs)
    sw, sc, _ = timed(lambda: cat.search_vectors(vecs, k=3, threshold=layer.threshold), args.runs)
    assert layer.classifier is not None
    cw, cc, _ = timed(lambda: layer.classifier.predict(vecs), args.runs)
    print(
        f"  of which: encode {ew:.1f} ms wall / {ec:.1f} ms CPU; search {sw:.2f} ms; "
        f"classifier {cw:.2f} ms"
    )
    print(
        f"  claims matched: {len(a.claims or ())}; narratives: "
        f"{[n.label for n in a.narratives or ()][:4]}"
    )

    semeval = args.data / "semeval2025-task10" / "data" / "dez06release" / "EN"
    ann = semeval / "subtask-2-annotations.txt"
    if ann.is_file():
        from unspin.narratives.scoring import read_annotations

        coarse, _ = read_annotations(str(ann))
        groups: dict[str, list[str]] = {"Other only": [], "URW narrative": []}
        for doc, labels in coarse.items():
            if labels == {"Other"}:
                groups["Other only"].append(doc)
            elif any(x.startswith("URW") for x in labels):
                groups["URW narrative"].append(doc)
        for name, docs in groups.items():
            texts = [(semeval / "raw-documents" / d).read_text(encoding="utf-8-sig") for d in docs]
            t0 = time.perf_counter()
            res = list(Analyzer(model=None, components=[layer]).pipe(texts))
            n = sum(
                len([x for x in sentences(t) if len(t[x[0] : x[1]].split()) >= 5]) for t in texts
            )
            m = sum(len(r.claims or ()) for r in res)
            hit_docs = sum(1 for r in res if r.claims)
            print(
                f"SemEval EN, {name}: {len(docs)} documents, {n} sentences; "
                f"{m} sentences resemble a catalogue title ({m / max(n, 1):.2%}); "
                f"documents with a match: {hit_docs} ({time.perf_counter() - t0:.0f} s)"
            )
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
