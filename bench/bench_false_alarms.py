#!/usr/bin/env python
"""False alarms on plain reporting: how much the technique model flags on neutral wire-style
news, next to how much it flags on propaganda-prone news.

    .venv/bin/python bench/bench_false_alarms.py                      # default model
    .venv/bin/python bench/bench_false_alarms.py --threshold 0.1,0.2 --decode-threshold 0.3
    .venv/bin/python bench/bench_false_alarms.py --model /tmp/fixture --json -

Two corpora, each a directory of ``*.txt`` articles (title on line 1, blank line, body):

* neutral: ``bench/neutral/``, 20 short fictional agency-style reports written for unspin
  (see its README);
* propaganda: the PTC / SemEval-2020 Task 11 dev articles (``--propaganda``), news from outlets
  the organisers chose because they are prone to propaganda. Their labels are not used; the
  model was trained on the PTC *training* articles only, so these are unseen.

Every article goes through ``Analyzer(model).pipe`` once per operating point: the model's own
thresholds, then each ``--threshold`` (a minimum span score, default 0.5). Per corpus and
operating point it prints: articles, words, spans, spans per 100 words (mean and median over
articles, and pooled = all spans / all words), the share of sentences with a flag, the mean
overall score (share of characters covered), the share of articles with no flag at all, the
span scores (median, 90th percentile, max) and the most frequent techniques; then the ratio
propaganda / neutral of spans per 100 words (means, with a 95 % bootstrap interval over
articles), and the highest-scoring flags on the neutral corpus with their text, so a reader can
judge them. ``quoted`` marks flags inside quotation
marks (a heuristic): there the technique, if any, is the speaker's, not the reporter's.

``--decode-threshold P`` adds a *more sensitive* point (unspin models only): the span tagger
keeps tokens whose in-span probability is at least P instead of the tuned value (and, where the
model decodes with hysteresis, a run no longer has to peak above a higher value). It shows how
far the neutral corpus is from being flagged and what the near misses are, when the model's
own operating point flags nothing there. ``--control`` adds a positive control: the neutral
articles with one loaded sentence (:data:`CONTROL_SENTENCE`) appended, to show that the model
does flag opinion in this very format.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from unspin.pipeline import Analyzer
from unspin.types import Analysis, Article

HERE = Path(__file__).resolve().parent
NEUTRAL = HERE / "neutral"
PROPAGANDA = Path("/work/shared/data/ptc-semeval2020/dev-articles")
DEFAULT_THRESHOLDS = (0.5,)
BOOTSTRAP = 2000
# --control: one sentence a reporter would never write, appended to every neutral article
CONTROL_SENTENCE = (
    "This reckless and corrupt administration has once again betrayed hard-working families, "
    "and only a fool would believe its lies."
)
QUOTES_OPEN, QUOTES_CLOSE = "\u201c\u00ab", "\u201d\u00bb"


def read_corpus(directory: Path, limit: int = 0, max_words: int = 0) -> list[Article]:
    """Every ``*.txt`` in ``directory`` (sorted by name) as an :class:`Article` with the file
    stem as id; with ``max_words``, each cut at the end of the line holding that word."""
    files = sorted(directory.glob("*.txt"))
    if not files:
        raise SystemExit(f"error: no *.txt articles in {directory}")
    files = files[:limit] if limit else files
    texts = [f.read_text(encoding="utf-8") for f in files]
    if max_words:
        texts = [cut_words(t, max_words) for t in texts]
    return [Article(text=t, id=f.stem) for f, t in zip(files, texts, strict=True)]


def cut_words(text: str, n: int) -> str:
    r"""``text`` up to the end of the line that holds its ``n``-th word (all of it if shorter).

    >>> cut_words("Title\n\nOne two. Three four.\nFive six.", 3)
    'Title\n\nOne two. Three four.'
    """
    words = list(re.finditer(r"\S+", text))
    if len(words) <= n:
        return text
    end = text.find("\n", words[n - 1].end())
    return text if end < 0 else text[:end]


def with_control(articles: Sequence[Article]) -> list[Article]:
    """The articles with :data:`CONTROL_SENTENCE` appended as a last paragraph."""
    return [
        Article(text=a.text.rstrip("\n") + "\n\n" + CONTROL_SENTENCE + "\n", id=a.id)
        for a in articles
    ]


def control_stats(analyses: Sequence[Analysis]) -> dict[str, Any]:
    """How the control articles fare: flags in the added sentence and elsewhere."""
    hit, inside, outside = 0, 0, 0
    for a in analyses:
        cut = a.text.rfind(CONTROL_SENTENCE)
        here = [s for s in a.techniques if s.end > cut]
        hit += bool(here)
        inside += len(here)
        outside += len(a.techniques) - len(here)
    n = len(analyses)
    return {"hit_share": hit / n if n else 0.0, "spans_in": inside, "spans_elsewhere": outside}


def in_quote(text: str, start: int) -> bool:
    """Whether ``start`` lies inside quotation marks opened earlier in its paragraph."""
    para = text[text.rfind("\n", 0, start) + 1 : start]
    curly = sum(para.count(q) for q in QUOTES_OPEN) - sum(para.count(q) for q in QUOTES_CLOSE)
    return para.count('"') % 2 == 1 or curly > 0


def _quantile(xs: Sequence[float], q: float) -> float | None:
    """Linear-interpolated quantile of sorted ``xs`` (``None`` when empty)."""
    if not xs:
        return None
    k = (len(xs) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def corpus_stats(analyses: Sequence[Analysis]) -> dict[str, Any]:
    """The figures for one corpus at one operating point."""
    rates = [a.summary["spans_per_100_words"] for a in analyses]
    words = sum(a.summary["words"] for a in analyses)
    spans = sum(len(a.techniques) for a in analyses)
    sents = sum(len(a.sentences) for a in analyses)
    flagged = sum(1 for a in analyses for s in a.sentences if s.labels)
    counts: Counter[str] = Counter(s.label for a in analyses for s in a.techniques)
    scores = sorted(s.score for a in analyses for s in a.techniques)
    return {
        "articles": len(analyses),
        "words": words,
        "spans": spans,
        "spans_per_100_words_mean": statistics.fmean(rates) if rates else 0.0,
        "spans_per_100_words_median": statistics.median(rates) if rates else 0.0,
        "spans_per_100_words_pooled": 100.0 * spans / words if words else 0.0,
        "sentences": sents,
        "sentence_share": flagged / sents if sents else 0.0,
        "score_mean": statistics.fmean(a.summary["score"] for a in analyses) if analyses else 0.0,
        "zero_flag_share": (
            sum(1 for a in analyses if not a.techniques) / len(analyses) if analyses else 0.0
        ),
        "span_score_p50": _quantile(scores, 0.5),
        "span_score_p90": _quantile(scores, 0.9),
        "span_score_max": scores[-1] if scores else None,
        "technique_counts": dict(counts.most_common()),
        "per_article": {a.id: a.summary["spans_per_100_words"] for a in analyses},
    }


def ratio_interval(
    prop: Sequence[float], neut: Sequence[float], n: int = BOOTSTRAP, seed: int = 0
) -> tuple[float | None, float | None, float | None]:
    """Mean(prop) / mean(neut) and a 95 % percentile bootstrap interval, resampling the articles
    of each corpus independently. ``None`` where the neutral mean is 0 (the ratio is
    unbounded)."""
    import numpy as np

    p, q = np.asarray(prop, dtype=float), np.asarray(neut, dtype=float)
    if not len(p) or not len(q) or q.mean() == 0:
        return None, None, None
    rng = np.random.default_rng(seed)
    pm = p[rng.integers(0, len(p), (n, len(p)))].mean(1)
    qm = q[rng.integers(0, len(q), (n, len(q)))].mean(1)
    ok = qm > 0  # a resample of only zero-flag articles has no finite ratio: leave it out
    r = pm[ok] / qm[ok]
    return float(p.mean() / q.mean()), float(np.percentile(r, 2.5)), float(np.percentile(r, 97.5))


def top_flags(analyses: Iterable[Analysis], n: int) -> list[dict[str, Any]]:
    """The ``n`` highest-scoring spans, with their text."""
    rows: list[dict[str, Any]] = [
        {
            "article": a.id,
            "label": s.label,
            "score": s.score,
            "start": s.start,
            "end": s.end,
            "quoted": in_quote(a.text, s.start),
            "text": s.text(a.text),
        }
        for a in analyses
        for s in a.techniques
    ]
    rows.sort(key=lambda r: (-r["score"], r["article"], r["start"]))
    return rows[:n]


def point_name(threshold: float | None) -> str:
    return "model thresholds" if threshold is None else f"score >= {threshold:g}"


def measure(
    analyzer: Analyzer,
    corpora: dict[str, list[Article]],
    thresholds: Sequence[float | None],
    top: int = 10,
    variants: Mapping[str, Analyzer] | None = None,
) -> dict[str, Any]:
    """Run every corpus at every operating point; the figures as one JSON-ready dict.

    The points are ``analyzer`` at each of ``thresholds``, then each analyzer of ``variants``
    (name -> analyzer, e.g. the same model with a more sensitive span tagger) at its own
    thresholds."""
    todo: list[tuple[str, Analyzer, float | None]] = [
        (point_name(t), analyzer, t) for t in thresholds
    ]
    todo += [(name, an, None) for name, an in (variants or {}).items()]
    points = []
    for pname, an, thr in todo:
        t0 = time.perf_counter()
        runs = {name: list(an.pipe(arts, threshold=thr)) for name, arts in corpora.items()}
        stats = {name: corpus_stats(a) for name, a in runs.items()}
        point: dict[str, Any] = {
            "threshold": thr,
            "name": pname,
            "corpora": stats,
            "seconds": round(time.perf_counter() - t0, 2),
        }
        if "neutral" in stats and "propaganda" in stats:
            ratio, lo, hi = ratio_interval(
                list(stats["propaganda"]["per_article"].values()),
                list(stats["neutral"]["per_article"].values()),
            )
            p, q = stats["propaganda"], stats["neutral"]
            point["ratio"] = {
                "mean": ratio,
                "propaganda_mean": p["spans_per_100_words_mean"],
                "propaganda_pooled": p["spans_per_100_words_pooled"],
                "neutral_mean": q["spans_per_100_words_mean"],
                # no flag in all the neutral words: the rate's one-sided 95 % upper bound is
                # 3.0 flags in that many words (Poisson, "rule of three")
                "neutral_upper95": 300.0 / q["words"] if not q["spans"] and q["words"] else None,
                "ci95": [lo, hi] if ratio is not None else None,
                "pooled": (
                    p["spans_per_100_words_pooled"] / q["spans_per_100_words_pooled"]
                    if q["spans_per_100_words_pooled"]
                    else None
                ),
            }
        if "control" in runs:
            point["control"] = control_stats(runs["control"])
        if "neutral" in runs:
            point["top_neutral_flags"] = top_flags(runs["neutral"], top)
        points.append(point)
    return {"points": points}


# -- printing ------------------------------------------------------------------------------
ROWS = [
    ("articles", "articles", "{:,.0f}"),
    ("words", "words", "{:,.0f}"),
    ("spans", "spans", "{:,.0f}"),
    ("spans / 100 words, mean", "spans_per_100_words_mean", "{:.2f}"),
    ("spans / 100 words, median", "spans_per_100_words_median", "{:.2f}"),
    ("spans / 100 words, pooled", "spans_per_100_words_pooled", "{:.2f}"),
    ("sentences flagged", "sentence_share", "{:.1%}"),
    ("overall score, mean", "score_mean", "{:.3f}"),
    ("articles with zero flags", "zero_flag_share", "{:.0%}"),
    ("span score, median", "span_score_p50", "{:.3f}"),
    ("span score, 90th percentile", "span_score_p90", "{:.3f}"),
    ("span score, max", "span_score_max", "{:.3f}"),
]


def _cell(fmt: str, value: Any) -> str:
    return "-" if value is None else fmt.format(value)


def _fmt_ratio(r: dict[str, Any]) -> str:
    if r["mean"] is None:
        if r.get("propaganda_mean"):
            up = r.get("neutral_upper95")
            if up is None:
                return "unbounded (no flags on the neutral corpus)"
            return (
                f"unbounded (no flags on the neutral corpus; 95% upper bound on its rate "
                f"{up:.3f} per 100 words, so the pooled ratio is at least "
                f"{r['propaganda_pooled'] / up:.0f}x)"
            )
        return "undefined (no flags on either corpus)"
    lo, hi = r["ci95"]
    pooled = f"{r['pooled']:.1f}x" if r["pooled"] is not None else "n/a"
    return f"{r['mean']:.1f}x (95% bootstrap interval {lo:.1f}-{hi:.1f}x; pooled {pooled})"


def print_report(r: dict[str, Any], top_techniques: int = 5) -> None:
    print(f"model: {r['model']['name']} {r['model']['version']}  ({r['model']['path']})")
    for name, d in r["corpora"].items():
        print(f"{name}: {d}")
    if r.get("max_words"):
        print(f"articles cut after the line holding word {r['max_words']}")
    for pt in r["points"]:
        names = list(pt["corpora"])
        print()
        head = f"{'operating point: ' + pt['name']:<42}" + "".join(f"{n:>14}" for n in names)
        print(head)
        print("-" * len(head))
        for label, key, fmt in ROWS:
            print(
                f"{label:<42}" + "".join(f"{_cell(fmt, pt['corpora'][n][key]):>14}" for n in names)
            )
        if "ratio" in pt:
            print(f"ratio propaganda / neutral, spans per 100 words: {_fmt_ratio(pt['ratio'])}")
        if "control" in pt:
            c = pt["control"]
            print(
                f"control (neutral + one loaded sentence): the added sentence is flagged in "
                f"{c['hit_share']:.0%} of articles ({c['spans_in']} spans there, "
                f"{c['spans_elsewhere']} elsewhere)"
            )
        for n in names:
            counts = pt["corpora"][n]["technique_counts"]
            most = ", ".join(f"{k} {v}" for k, v in list(counts.items())[:top_techniques])
            print(f"most frequent on {n}: {most or '(none)'}")
        flags = pt.get("top_neutral_flags")
        if flags is not None:
            print(f"\nhighest-scoring flags on the neutral corpus ({pt['name']}):")
            if not flags:
                print("  (none)")
            for f in flags:
                text = " ".join(f["text"].split())
                text = text if len(text) <= 110 else text[:107] + "..."
                q = "quoted" if f["quoted"] else "      "
                print(f"  {f['score']:.3f}  {f['label']:<34} {f['article']:<26} {q}  {text!r}")
    print()


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", default="default", help="model name or directory [default]")
    p.add_argument("--neutral", type=Path, default=NEUTRAL, help=f"[{NEUTRAL}]")
    p.add_argument("--propaganda", type=Path, default=PROPAGANDA, help=f"[{PROPAGANDA}]")
    p.add_argument(
        "--threshold",
        action="append",
        metavar="T",
        help="an extra operating point: minimum span score in [0, 1]; repeat or give a "
        "comma-separated list; '' for none [0.5]",
    )
    p.add_argument(
        "--decode-threshold",
        action="append",
        metavar="P",
        help="an extra, usually more sensitive, operating point: the span tagger's token "
        "probability threshold set to P (unspin models only); repeat or comma-separate",
    )
    p.add_argument(
        "--max-words",
        type=int,
        default=0,
        metavar="N",
        help="cut every article after the line holding its N-th word (a length control)",
    )
    p.add_argument(
        "--control",
        action="store_true",
        help="add a positive control: the neutral articles with one loaded sentence appended",
    )
    p.add_argument("--limit", type=int, default=0, help="use only the first N propaganda articles")
    p.add_argument("--top", type=int, default=10, help="highest-scoring neutral flags to show")
    p.add_argument("--json", metavar="FILE", help="write the figures as JSON ('-': stdout only)")
    args = p.parse_args(argv)

    try:
        extra = [float(t) for arg in args.threshold or () for t in arg.split(",") if t.strip()]
    except ValueError as err:
        p.error(f"--threshold: {err}")
    try:
        loose = [float(t) for a in args.decode_threshold or () for t in a.split(",") if t.strip()]
    except ValueError as err:
        p.error(f"--decode-threshold: {err}")
    if any(not 0.0 <= t <= 1.0 for t in extra + loose):
        p.error("--threshold, --decode-threshold: expected numbers in [0, 1]")
    thresholds: list[float | None] = [None, *(extra if args.threshold else DEFAULT_THRESHOLDS)]

    from unspin.decode import DecodeParams
    from unspin.errors import UnspinError
    from unspin.model import load_model, model_path

    try:
        path = model_path(args.model)
        model = load_model(path)
    except UnspinError as err:
        raise SystemExit(
            f"error: {err}\n(no trained model yet? build the random test model with "
            "`.venv/bin/python scripts/build_fixture_model.py /tmp/fixture` and pass "
            "--model /tmp/fixture; its figures mean nothing)"
        ) from err
    corpora = {
        "neutral": read_corpus(args.neutral, max_words=args.max_words),
        "propaganda": read_corpus(args.propaganda, args.limit, args.max_words),
    }
    if args.control:
        corpora["control"] = with_control(corpora["neutral"])
    r: dict[str, Any] = {
        "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "model": {"name": model.info.name, "version": model.info.version, "path": str(path)},
        "corpora": {
            "neutral": str(args.neutral),
            "propaganda": str(args.propaganda) + (f" (first {args.limit})" if args.limit else ""),
        },
        "max_words": args.max_words or None,
    }
    variants = {}
    if loose and not isinstance(getattr(model, "decode", None), DecodeParams):
        raise SystemExit("error: --decode-threshold needs an unspin model directory")
    for t in loose:
        m = copy.copy(model)  # shares the ONNX session; only the span decoding differs
        was = f"tuned {model.decode.threshold:g}"
        change: dict[str, Any] = {"threshold": t}
        high = getattr(model.decode, "high", 0.0)
        if high > t:  # hysteresis: a run must also peak at `high`; lower that too
            change["high"] = t
            was += f", peak {high:g}"
        m.decode = dataclasses.replace(model.decode, **change)
        variants[f"tagger >= {t:g} ({was})"] = Analyzer(m)
    if loose:
        r["decode"] = model.decode.to_dict()
    r.update(measure(Analyzer(model), corpora, thresholds, args.top, variants))
    if args.json == "-":
        print(json.dumps(r, indent=2))
        return
    print_report(r)
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
