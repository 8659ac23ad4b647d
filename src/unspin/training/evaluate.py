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

# (model, its held-out articles, their encoder outputs): one validated run
Run = tuple[Any, Sequence[Doc], list[list[Any]]]


def _si_prf(
    gold: dict[str, list[tuple[int, int]]], pred: dict[str, list[tuple[int, int]]]
) -> tuple[float, float, float]:
    """SemEval-2020 SI precision, recall, F1 (:func:`unspin.scoring.score_si`)."""
    from unspin.formats import Annotation
    from unspin.scoring import score_si

    g = [Annotation(k, s, e) for k, v in gold.items() for s, e in v]
    p = [Annotation(k, s, e) for k, v in pred.items() for s, e in v]
    r = score_si(g, p, articles=set(gold), merge_pred=True)
    return r.precision, r.recall, r.f1


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    from unspin.types import merge_spans

    return merge_spans(spans)


def encode_all(model, docs: Sequence[Doc], batch: int = 8) -> list[list[Any]]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(0, len(docs), batch):
        out.extend(model.encode([d.text for d in docs[i : i + batch]]))
    return out


def tc_predictions(
    model,
    docs: Sequence[Doc],
    encoded: list[list[Any]],  # type: ignore[no-untyped-def]
) -> tuple[list[Any], list[Any]]:
    """Gold and predicted TC annotations over the gold spans: a span with k gold labels gets
    the model's top-k labels (what ``unspin predict --format tc`` writes)."""
    from unspin.formats import Annotation

    gold_anns: list[Annotation] = []
    pred_anns: list[Annotation] = []
    for d, encs in zip(docs, encoded, strict=True):
        groups: dict[tuple[int, int], list[str]] = defaultdict(list)
        for s, e, name in d.tc:
            groups[(s, e)].append(name)
        keys = sorted(groups)
        probs = model.span_probs_in(d.text, encs, keys)
        for (s, e), p in zip(keys, probs, strict=True):
            gold_anns.extend(Annotation(d.id, s, e, name) for name in groups[(s, e)])
            top = np.argsort(-p)[: len(groups[(s, e)])]
            pred_anns.extend(Annotation(d.id, s, e, LABELS[k]) for k in top)
    return gold_anns, pred_anns


def si_predictions(
    model,
    docs,
    encoded,
    params: DecodeParams,  # type: ignore[no-untyped-def]
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


def validate(
    model,
    docs: Sequence[Doc],
    params: DecodeParams | None = None,  # type: ignore[no-untyped-def]
) -> dict[str, Any]:
    """SI precision/recall/F1 and TC micro-F1 on ``docs``."""
    encoded = encode_all(model, docs)
    return metrics_from_encoded(model, docs, encoded, params or model.decode)


def metrics_from_encoded(
    model,
    docs,
    encoded,
    params: DecodeParams,  # type: ignore[no-untyped-def]
) -> dict[str, Any]:
    return metrics_from_runs([(model, docs, encoded)], params)


def metrics_from_runs(runs: Sequence[Run], params: DecodeParams) -> dict[str, Any]:
    """SI precision/recall/F1 and TC micro-F1 over the held-out articles of several runs,
    each scored by its own model (one run: :func:`metrics_from_encoded`)."""
    from unspin.scoring import score_tc

    gold = {d.id: [(s, e) for s, e in d.si] for _, docs, _ in runs for d in docs}
    pred = {
        k: _merge([(s, e) for s, e, _ in v])
        for model, docs, encoded in runs
        for k, v in si_predictions(model, docs, encoded, params).items()
    }
    p, r, f = _si_prf(gold, pred)
    tc_gold: list[Any] = []
    tc_pred: list[Any] = []
    for model, docs, encoded in runs:
        g, q = tc_predictions(model, docs, encoded)
        tc_gold += g
        tc_pred += q
    tc = score_tc(tc_gold, tc_pred)
    return {
        "si_precision": round(p, 4),
        "si_recall": round(r, 4),
        "si_f1": round(f, 4),
        "tc_micro_f1": round(tc.micro_f1, 4),
        "tc_per_technique": {k: round(v.f1, 4) for k, v in tc.per_technique.items()},
    }


def tune_decode(model, docs, encoded) -> tuple[DecodeParams, float]:  # type: ignore[no-untyped-def]
    """Grid-search the span post-processing for the best validation SI F1."""
    return tune_decode_runs([(model, docs, encoded)])


def tune_decode_runs(runs: Sequence[Run]) -> tuple[DecodeParams, float]:
    """:func:`tune_decode` over several validated runs at once: each run's model decodes its
    own held-out articles, and the grid point with the best SI F1 over all of them wins (the
    articles must be disjoint: folds of one recipe)."""
    gold = {d.id: [(s, e) for s, e in d.si] for _, docs, _ in runs for d in docs}
    best = (DecodeParams(), -1.0)
    grid = [
        DecodeParams(thr, gap, mn, high)
        for thr in (0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
        for gap in (3, 8, 15, 25, 40)
        for mn in (4, 8, 12)
        for high in (0.0, 0.5, 0.55, 0.6, 0.65, 0.7)
        if high == 0.0 or high > thr
    ]
    for params in grid:
        pred = {
            k: _merge([(s, e) for s, e, _ in v])
            for model, docs, encoded in runs
            for k, v in si_predictions(model, docs, encoded, params).items()
        }
        f = _si_prf(gold, pred)[2]
        if f > best[1]:
            best = (params, f)
    return best
