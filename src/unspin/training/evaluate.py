"""Validation: run a :class:`unspin.model.TechniqueModel` (torch- or ONNX-backed) over
held-out articles and score it with the official-style scorers in :mod:`unspin.scoring`.

Also tunes the post-processing (token threshold, join gap, minimum length) and the
per-technique thresholds on encoded validation articles, so tuning never re-runs the encoder.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from unspin.decode import DecodeParams
from unspin.labels import LABELS
from unspin.training.data import Doc


def _si_prf(gold: dict[str, list[tuple[int, int]]], pred: dict[str, list[tuple[int, int]]]
            ) -> tuple[float, float, float]:
    # partial-overlap SI metric (see ../shared/data/ptc-semeval2020/SOURCE.md)
    pnum = rnum = 0.0
    n_pred = sum(len(v) for v in pred.values())
    n_gold = 0
    for did, g in gold.items():
        gm = _merge(g)
        n_gold += len(gm)
        for s, e in pred.get(did, []):
            for gs, ge in gm:
                inter = min(e, ge) - max(s, gs)
                if inter > 0:
                    pnum += inter / (e - s)
                    rnum += inter / (ge - gs)
    p = pnum / n_pred if n_pred else 0.0
    r = rnum / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p and r else 0.0
    return p, r, f


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    from unspin.types import merge_spans

    return merge_spans(spans)


def encode_all(model, docs: Sequence[Doc], batch: int = 8) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(0, len(docs), batch):
        out.extend(model.encode([d.text for d in docs[i : i + batch]]))
    return out


def tc_predictions(model, docs: Sequence[Doc], encoded: list[list[Any]]  # type: ignore[no-untyped-def]
                   ) -> list[tuple[str, str]]:
    """(gold, predicted) label pairs over gold spans; a span with k gold labels gets the model's
    top-k labels, matched as in the official scorer."""
    pairs = []
    for d, encs in zip(docs, encoded, strict=True):
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        for s, e, name in d.tc:
            groups[(s, e)].append(name)
        keys = sorted(groups)
        probs = _classify_encoded(model, d.text, encs, keys)
        for key, p in zip(keys, probs, strict=True):
            gold = groups[key]
            top = [LABELS[k] for k in np.argsort(-p)[: len(gold)]]
            remaining = list(gold)
            unmatched_pred = []
            for t in top:
                if t in remaining:
                    remaining.remove(t)
                    pairs.append((t, t))
                else:
                    unmatched_pred.append(t)
            pairs.extend(zip(remaining, unmatched_pred, strict=True))
    return pairs


def _classify_encoded(model, text: str, encs, spans):  # type: ignore[no-untyped-def]
    out = np.full((len(spans), len(LABELS)), 1.0 / len(LABELS), dtype=np.float32)
    for enc in encs:
        if not len(enc.offsets):
            continue
        lo, hi = enc.start, int(enc.offsets[-1][1])
        idx = [k for k, (s, e) in enumerate(spans) if s < hi and e > lo]
        if idx:
            out[idx] = model.span_probs(text, enc, [spans[k] for k in idx])
    return out


def si_predictions(model, docs, encoded, params: DecodeParams  # type: ignore[no-untyped-def]
                   ) -> dict[str, list[tuple[int, int, float]]]:
    from unspin.decode import decode_spans

    out = {}
    for d, encs in zip(docs, encoded, strict=True):
        spans: list[tuple[int, int, float]] = []
        for enc in encs:
            if len(enc.offsets):
                spans.extend(decode_spans(d.text, enc.offsets, enc.probs[:, 0], params))
        out[d.id] = spans
    return out


def validate(model, docs: Sequence[Doc], params: DecodeParams | None = None  # type: ignore[no-untyped-def]
             ) -> dict[str, Any]:
    """SI precision/recall/F1 and TC micro-F1 on ``docs``."""
    encoded = encode_all(model, docs)
    return metrics_from_encoded(model, docs, encoded, params or model.decode)


def metrics_from_encoded(model, docs, encoded, params: DecodeParams  # type: ignore[no-untyped-def]
                         ) -> dict[str, Any]:
    gold = {d.id: [(s, e) for s, e in d.si] for d in docs}
    pred = {k: _merge([(s, e) for s, e, _ in v])
            for k, v in si_predictions(model, docs, encoded, params).items()}
    p, r, f = _si_prf(gold, pred)
    pairs = tc_predictions(model, docs, encoded)
    acc = sum(g == q for g, q in pairs) / len(pairs) if pairs else 0.0
    per = {}
    for name in LABELS:
        tp = sum(g == q == name for g, q in pairs)
        fp = sum(q == name != g for g, q in pairs)
        fn = sum(g == name != q for g, q in pairs)
        per[name] = round(2 * tp / (2 * tp + fp + fn), 4) if tp else 0.0
    return {"si_precision": round(p, 4), "si_recall": round(r, 4), "si_f1": round(f, 4),
            "tc_micro_f1": round(acc, 4), "tc_per_technique": per}


def tune_decode(model, docs, encoded) -> tuple[DecodeParams, float]:  # type: ignore[no-untyped-def]
    """Grid-search the span post-processing for the best validation SI F1."""
    gold = {d.id: [(s, e) for s, e in d.si] for d in docs}
    best = (DecodeParams(), -1.0)
    for thr in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        for gap in (0, 3, 8):
            for mn in (1, 4, 8, 12):
                params = DecodeParams(thr, gap, mn)
                pred = {k: _merge([(s, e) for s, e, _ in v])
                        for k, v in si_predictions(model, docs, encoded, params).items()}
                f = _si_prf(gold, pred)[2]
                if f > best[1]:
                    best = (params, f)
    return best
