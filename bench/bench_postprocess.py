#!/usr/bin/env python
"""Post-processing ideas for span identification, scored on a validated model's held-out
articles (what we tried before keeping the plain decoder; docs/experiments.md has the figures).

    .venv/bin/python bench/bench_postprocess.py --data PTC runs/self/model

The encoder runs once; every variant re-decodes its token probabilities. For each variant the
decoding (token threshold, join gap, minimum length, hysteresis) is re-tuned on the same
articles, so all rows share the same optimism and only their differences mean something.

0. **diagnosis**: per technique, the mean share of a gold span that the model's own spans cover
   and the share of gold spans they miss entirely; the share of predicted spans that touch no
   gold span; and, over all training articles, how Repetition is annotated (how often an
   annotated fragment occurs in its article, how often the annotation is its first occurrence).
1. **baseline**: the model's tagger probabilities, decoding re-tuned.
2. **repeat-words**: a word that the tagger flags somewhere is flagged at its other occurrences
   in the article too (probability ``max(p, a * p_elsewhere)``; stop words excluded) — the
   Repetition technique is a property of the article, which a window cannot see.
3. **span filters**: decoded spans are dropped when their peak token probability, the span
   classifier's top probability or their length is below a cut (cuts at quantiles).
4. **token rescoring** (needs scikit-learn, the ``train`` extra): a logistic regression and a
   gradient-boosted tree model predict "inside a gold span" per token from the tagger's 15
   probabilities and article-level features (occurrences of the token's word in the article,
   the tagger's peak probability at its other occurrences, neighbourhood and line averages).
   Scored by 4-fold cross-validation over the held-out articles, so no article scores a model
   fitted on it.
5. **longer join gaps**: the grid's join gaps extended to 25, 60, 90 and 150 characters (runs
   on one line closer than that become one span); the best score for each gap.
6. **article-adaptive threshold**: token probabilities scaled by (the article's mean
   probability / the mean over articles) ** gamma, so articles the tagger finds dense in
   techniques are flagged more readily and sparse ones less.
7. **technique-aware splitting**: a decoded span whose top technique is Loaded_Language or
   Name_Calling (short fragments in gold: a word or two) is replaced by the runs a small join
   gap gives inside it.

``--skip-rescoring`` leaves out 4 (the slowest part).
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any

import numpy as np

from unspin.decode import DecodeParams, decode_spans
from unspin.model import load_model, read_meta
from unspin.training.data import load_ptc
from unspin.training.evaluate import _merge, _si_prf, encode_all
from unspin.training.tune import _candidates, _overlap_credit

_WORD = re.compile(r"\w+")
STOP = frozenset(
    re.findall(
        r"\w+",
        """
    a an the and or but if of to in on at by for with from as is are was were be been being it
    its this that these those he she they we you i his her their our your my me him them us not
    no so than then there here what which who whom whose when where why how all any some such
    can could would should will may might must do does did has have had also just more most
    very into about over after before up down out one two new said says
""",
    )
)
GRID = [
    DecodeParams(t, g, mn, h)
    for t in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
    for g in (3, 15, 40)
    for mn in (4, 8, 12)
    for h in (0.0, 0.5, 0.6, 0.7)
    if h == 0 or h > t
]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-5, 1 - 1e-5)
    return np.log(p / (1 - p))


class Doc:
    """One held-out article: its text, gold spans, token offsets, probabilities, features."""

    def __init__(self, doc: Any, encs: list[Any]) -> None:
        used = [e for e in encs if len(e.offsets)]
        self.id, self.text, self.gold = doc.id, doc.text, list(doc.si)
        self.offsets = np.concatenate([e.offsets for e in used])
        self.probs = np.concatenate([e.probs for e in used])
        words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(self.text)]
        ends = np.array([w[1] for w in words])
        wi = np.clip(np.searchsorted(ends, self.offsets[:, 0], side="right"), 0, len(words) - 1)
        p = self.probs[:, 0]
        peak = np.zeros(len(words))
        np.maximum.at(peak, wi, p)
        occ: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            occ.setdefault(w[2], []).append(i)
        n = len(p)
        key = [words[i][2] for i in wi]
        self.count = np.array([len(occ[k]) for k in key], dtype=float)
        self.stop = np.array([k in STOP or len(k) <= 2 or k.isdigit() for k in key], dtype=float)
        self.elsewhere = np.zeros(n)  # the tagger's peak at the word's other occurrences
        elsewhere_mean = np.zeros(n)
        for t in range(n):
            other = [j for j in occ[key[t]] if j != wi[t]]
            if other:
                self.elsewhere[t] = peak[other].max()
                elsewhere_mean[t] = peak[other].mean()
        cap = np.array([self.text[s : s + 1].isupper() for s in self.offsets[:, 0]], dtype=float)
        line = np.cumsum([c == "\n" for c in self.text])[
            np.clip(self.offsets[:, 0], 0, len(self.text) - 1)
        ]
        lmax, lmean = np.zeros(n), np.zeros(n)
        for k in np.unique(line):
            m = line == k
            lmax[m], lmean[m] = p[m].max(), p[m].mean()
        self.features = np.column_stack(
            [
                _logit(p),
                _logit(self.probs[:, 1:]),
                np.log1p(self.count - 1),
                self.elsewhere * (1 - self.stop),
                elsewhere_mean * (1 - self.stop),
                self.stop,
                cap,
                _smooth(p, 2),
                _smooth(p, 8),
                lmax,
                lmean,
            ]
        )
        self.target = np.zeros(n)
        for s, e in self.gold:
            self.target[(self.offsets[:, 1] > s) & (self.offsets[:, 0] < e)] = 1


def _smooth(x: np.ndarray, r: int) -> np.ndarray:
    n = len(x)
    c = np.concatenate([[0.0], np.cumsum(x)])
    lo, hi = np.clip(np.arange(n) - r, 0, n), np.clip(np.arange(n) + r + 1, 0, n)
    return (c[hi] - c[lo]) / (hi - lo)


def si(docs: list[Doc], probs: list[np.ndarray], params: DecodeParams) -> float:
    gold = {d.id: d.gold for d in docs}
    pred = {
        d.id: _merge([(s, e) for s, e, _ in decode_spans(d.text, d.offsets, p, params)])
        for d, p in zip(docs, probs, strict=True)
    }
    return _si_prf(gold, pred)[2]


def tuned(docs: list[Doc], probs: list[np.ndarray]) -> tuple[float, DecodeParams]:
    return max(((si(docs, probs, p), p) for p in GRID), key=lambda x: x[0])


def diagnose(model: Any, val: list[Any], encoded: list[Any], train: list[Any]) -> None:
    from unspin.training.evaluate import si_predictions

    pred = {
        k: _merge([(s, e) for s, e, _ in v])
        for k, v in si_predictions(model, val, encoded, model.decode).items()
    }
    cover: dict[str, list[float]] = {}
    touching = total = 0
    for d in val:
        spans = pred[d.id]
        for s, e, label in d.tc:
            cover.setdefault(label, []).append(_overlap_credit(s, e, spans))
        for ps, pe in spans:
            total += 1
            touching += _overlap_credit(ps, pe, list(d.si)) > 0
    print("gold spans found by the model's own decoding (held-out articles):")
    for label, v in sorted(cover.items(), key=lambda x: -len(x[1])):
        a = np.array(v)
        print(
            f"  {label:<38} {len(a):>4} spans  covered {a.mean():.3f}  missed {(a == 0).mean():.2f}"
        )
    print(f"predicted spans touching no gold span: {1 - touching / max(1, total):.2f} of {total}")
    occurrences, first = [], 0
    for d in train:
        low = d.text.lower()
        for s, e, label in d.tc:
            if label != "Repetition":
                continue
            pattern = r"(?<!\w)" + re.escape(d.text[s:e].lower()) + r"(?!\w)"
            hits = [m.start() for m in re.finditer(pattern, low)]
            occurrences.append(len(hits))
            first += bool(hits) and hits[0] == s
    n = np.array(occurrences)
    print(
        f"training Repetition spans: {len(n)}; fragment occurs once in its article "
        f"{(n <= 1).mean():.2f}, 3+ times {(n >= 3).mean():.2f}; "
        f"the annotation is the first occurrence {first / max(1, len(n)):.2f}"
    )


SHORT = ("Loaded_Language", "Name_Calling,Labeling")


def decode_variants(
    model: Any, docs: list[Doc], encoded: list[Any], base: list[np.ndarray]
) -> None:
    """Variants 5-7 of the module docstring."""
    from unspin.labels import LABELS

    wide = [
        DecodeParams(t, g, mn, h)
        for t in (0.3, 0.35, 0.4, 0.45, 0.5)
        for g in (15, 25, 40, 60, 90, 150)
        for mn in (4, 8, 12)
        for h in (0.0, 0.5, 0.55, 0.6, 0.7)
        if h == 0 or h > t
    ]
    scored = [(si(docs, base, p), p) for p in wide]
    for gap in (15, 25, 40, 60, 90, 150):
        f, p = max((x for x in scored if x[1].join_gap == gap), key=lambda x: x[0])
        print(f"longer join gaps: gap {gap:<4}     SI F1 {f:.4f}  {p.to_dict()}")
    top = [p for _, p in sorted(scored, key=lambda x: -x[0])[:20]]
    means = np.array([d.probs[:, 0].mean() for d in docs])
    for gamma in (0.25, 0.5, 1.0):
        probs = [
            np.clip(p * (m / means.mean()) ** gamma, 0, 1) for p, m in zip(base, means, strict=True)
        ]
        f, p = max(((si(docs, probs, q), q) for q in top), key=lambda x: x[0])
        print(f"article threshold gamma {gamma:<4} SI F1 {f:.4f}  {p.to_dict()}")
    gold = {d.id: d.gold for d in docs}
    for small_gap in (3, 8, 15):
        best = -1.0, top[0]
        for params in top[:10]:
            small = DecodeParams(params.threshold, small_gap, params.min_chars, params.high)
            runs = {
                d.id: [
                    (a, b)
                    for enc in encs
                    if len(enc.offsets)
                    for a, b, _ in decode_spans(d.text, enc.offsets, enc.probs[:, 0], small)
                ]
                for d, encs in zip(docs, encoded, strict=True)
            }
            pred: dict[str, list[tuple[int, int]]] = {d.id: [] for d in docs}
            for did, s, e, _, p in _candidates(model, docs, encoded, params):  # type: ignore[arg-type]
                inner = [(a, b) for a, b in runs[did] if s <= a and b <= e]
                short = LABELS[int(np.argmax(p))] in SHORT
                pred[did].extend(inner if short and inner else [(s, e)])
            f = _si_prf(gold, {k: _merge(v) for k, v in pred.items()})[2]
            if f > best[0]:
                best = f, params
        print(f"split short techniques gap {small_gap:<3} SI F1 {best[0]:.4f}  {best[1].to_dict()}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", help="an exported, validated model directory")
    ap.add_argument("--data", type=Path, required=True, help="PTC SemEval-2020 folder")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--skip-rescoring", action="store_true", help="leave out token rescoring")
    args = ap.parse_args()
    by_id = {d.id: d for d in load_ptc(args.data)[0]}
    meta = read_meta(Path(args.model))
    val = [by_id[i] for i in meta["training"]["validation_articles"]]
    model = load_model(args.model, threads=args.threads or None, check=False)
    encoded = encode_all(model, val)
    docs = [Doc(d, e) for d, e in zip(val, encoded, strict=True)]
    diagnose(model, val, encoded, list(by_id.values()))
    base = [d.probs[:, 0] for d in docs]
    f0, p0 = tuned(docs, base)
    print(f"{len(docs)} held-out articles of {args.model}")
    print(f"baseline                      SI F1 {f0:.4f}  {p0.to_dict()}")

    for a in (0.6, 0.8, 1.0):
        probs = [
            np.where(d.count >= 2, np.maximum(d.probs[:, 0], a * d.elsewhere * (1 - d.stop)), p)
            for d, p in zip(docs, base, strict=True)
        ]
        f, params = tuned(docs, probs)
        print(f"repeat-words a={a:<4}          SI F1 {f:.4f}  {params.to_dict()}")

    # span filters, on the baseline's decoding: (doc index, start, end, peak token prob,
    # classifier top prob, length) per decoded span
    index = {d.id: k for k, d in enumerate(docs)}
    cands = []
    for did, s, e, _, p in _candidates(model, val, encoded, p0):
        d = docs[index[did]]
        a = int(np.searchsorted(d.offsets[:, 1], s, side="right"))
        b = max(a + 1, int(np.searchsorted(d.offsets[:, 0], e)))
        cands.append((index[did], s, e, float(d.probs[a:b, 0].max()), float(p.max()), e - s))
    X = np.array([c[3:] for c in cands])
    gold = {d.id: d.gold for d in docs}
    for name, col in (("peak token prob", 0), ("classifier prob", 1), ("length", 2)):
        best = (f0, "none")
        for q in np.quantile(X[:, col], [0.05, 0.1, 0.2, 0.3, 0.4]):
            pred: dict[str, list[tuple[int, int]]] = {d.id: [] for d in docs}
            for c, keep in zip(cands, X[:, col] >= q, strict=True):
                if keep:
                    pred[docs[c[0]].id].append((c[1], c[2]))
            f = _si_prf(gold, {k: _merge(v) for k, v in pred.items()})[2]
            if f > best[0]:
                best = (f, f">= {q:.3f}")
        print(f"span filter: {name:<17} SI F1 {best[0]:.4f}  best cut {best[1]}")

    decode_variants(model, docs, encoded, base)
    if args.skip_rescoring:
        return
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier
        from sklearn.linear_model import LogisticRegression
    except ImportError:
        print("token rescoring: skipped (scikit-learn not installed; pip install 'unspin[train]')")
        return
    order = np.random.RandomState(0).permutation(len(docs))
    out: dict[str, list[np.ndarray]] = {"logistic": list(base), "trees": list(base)}
    for k in range(4):
        test = set(order[k::4].tolist())
        train = [i for i in range(len(docs)) if i not in test]
        Xtr = np.concatenate([docs[i].features for i in train])
        ytr = np.concatenate([docs[i].target for i in train])
        fitted = {
            "logistic": LogisticRegression(max_iter=2000).fit(Xtr, ytr),
            "trees": HistGradientBoostingClassifier(
                max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0
            ).fit(Xtr, ytr),
        }
        for i in test:
            for name, m in fitted.items():
                out[name][i] = m.predict_proba(docs[i].features)[:, 1]
    for name, probs in out.items():
        f, params = tuned(docs, probs)
        print(f"token rescoring: {name:<13} SI F1 {f:.4f}  {params.to_dict()}")


if __name__ == "__main__":
    main()
