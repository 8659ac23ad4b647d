#!/usr/bin/env python
"""How many spans a model flags on the blind PTC dev and test articles, next to how many the
annotators marked there — counts published with the corpus, not labels.

    .venv/bin/python bench/bench_counts.py                                  # default model
    .venv/bin/python bench/bench_counts.py --model runs/kdu-f0/model --model default

The dev and test gold is held out from us, but its size is public (the task paper, and
``SOURCE.md`` of the data folder): 940 SI spans (overlaps merged) in the 75 dev articles, and
1,790 technique spans (one per label, so a fragment with two techniques counts twice) in the
90 test articles. In the training gold, merged SI spans are 0.892 of technique spans
(5,468 / 6,128), so the test articles hold about 1,600 SI spans.

For every model it writes SI predictions (``unspin predict --format si``: spans merged) and
prints spans and spans per 100 words (whitespace words) on the dev and test articles, their
ratio to the gold count, and the same on the model's own held-out training articles (where
the ratio goes with the SI precision and recall the model card reports). A ratio far from the
validation one would mean the operating point behaves differently on the blind sets. It is a
diagnostic: nothing is tuned on these counts.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from unspin.formats.articles import read_articles
from unspin.model import read_meta
from unspin.pipeline import Analyzer
from unspin.predict import predict_spans
from unspin.training.data import load_ptc
from unspin.types import Article

DATA = Path("/work/shared/data/ptc-semeval2020")
# published sizes of the held-out gold (SOURCE.md; Da San Martino et al., 2020)
DEV_SI_SPANS = 940
TEST_TC_SPANS = 1790


def count(analyzer: Analyzer, texts: dict[str, str]) -> int:
    return sum(
        1 for _ in predict_spans(analyzer, (Article(text=t, id=i) for i, t in texts.items()))
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the ptc-semeval2020 folder")
    ap.add_argument("--model", action="append", help="model name or directory (repeatable)")
    args = ap.parse_args()
    docs, _ = load_ptc(args.data)
    by_id = {d.id: d for d in docs}
    tc_spans = sum(len(d.tc) for d in docs)
    si_spans = sum(len(d.si) for d in docs)
    si_per_tc = si_spans / tc_spans
    sets = {
        "dev": (read_articles(args.data / "dev-articles"), DEV_SI_SPANS),
        "test": (read_articles(args.data / "test-articles"), TEST_TC_SPANS * si_per_tc),
    }
    print(
        f"training gold: {si_spans} SI spans / {tc_spans} technique spans = {si_per_tc:.3f}; "
        f"test SI spans estimated {TEST_TC_SPANS} x {si_per_tc:.3f} = "
        f"{TEST_TC_SPANS * si_per_tc:.0f}"
    )
    print(f"{'model':<34} {'articles':<12} {'spans':>6} {'per 100 w':>9} {'gold':>6} {'ratio':>6}")
    for name in args.model or ["default"]:
        analyzer = Analyzer(name)
        rows: list[tuple[str, dict[str, str], float]] = []
        ids = (read_meta(Path(name)) if Path(name).is_dir() else {}).get("training", {})
        val = ids.get("validation_articles") or []
        if val:
            texts = {i: by_id[i].text for i in val}
            rows.append((f"held-out ({len(val)})", texts, sum(len(by_id[i].si) for i in val)))
        rows += [(k, t, g) for k, (t, g) in sets.items()]
        for label, texts, gold in rows:
            n = count(analyzer, texts)
            words = sum(len(t.split()) for t in texts.values())
            print(
                f"{name:<34} {label:<12} {n:>6} {100 * n / words:>9.2f} {gold:>6.0f} "
                f"{n / gold:>6.2f}"
            )


if __name__ == "__main__":
    main()
