"""Tune a model's operating point on its validation articles and measure it.

Everything here works on encoder outputs computed once per model, so the grid searches are
cheap. The tuned values go into model.json:

* ``decode``: token threshold, join gap, minimum span length — best validation SI F1;
* ``label_thresholds``: per technique, the class probability above which a span gets that
  technique as an *additional* label (the top technique is always given) — best per-technique
  FLC F1;
* ``calibration``: Platt scaling of the raw span confidence ``sqrt(p_span * p_label)`` to the
  share of the span that gold marks with the same label, so a span's ``score`` reads as a
  precision estimate and ``--threshold`` is a precision/recall dial.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from unspin.decode import DecodeParams, decode_spans
from unspin.labels import LABELS
from unspin.training.data import Doc, load_ptc
from unspin.training.evaluate import Run, encode_all, metrics_from_runs, tune_decode_runs
from unspin.training.export import read_tuning


def _candidates(
    model,
    docs: Sequence[Doc],
    encoded,
    params: DecodeParams,  # type: ignore[no-untyped-def]
) -> list[tuple[str, int, int, float, np.ndarray]]:
    """(doc id, start, end, span prob, technique probs) for every decoded span."""
    out: list[tuple[str, int, int, float, np.ndarray]] = []
    for d, encs in zip(docs, encoded, strict=True):
        for enc in encs:
            if not len(enc.offsets):
                continue
            found = decode_spans(d.text, enc.offsets, enc.probs[:, 0], params)
            if not found:
                continue
            P = model.span_probs(d.text, enc, [(s, e) for s, e, _ in found])
            out.extend((d.id, s, e, si, p) for (s, e, si), p in zip(found, P, strict=True))
    return out


def _overlap_credit(s: int, e: int, gold: list[tuple[int, int]]) -> float:
    from unspin.types import merge_spans

    cov = 0
    for gs, ge in merge_spans(gold):
        cov += max(0, min(e, ge) - max(s, gs))
    return cov / (e - s)


def flc_scores(pred: dict[str, list[tuple[int, int, str]]], docs: list[Doc]) -> dict[str, Any]:
    """Per-technique labelled-span F1 (partial overlap credit, same-label gold merged)."""
    from unspin.formats import Annotation
    from unspin.scoring import score_flc

    gold = [Annotation(d.id, s, e, lab) for d in docs for s, e, lab in d.tc]
    p = [Annotation(k, s, e, lab) for k, v in pred.items() for s, e, lab in v]
    return score_flc(gold, p, articles={d.id for d in docs}, merge_pred=True).to_dict()


def _fit_platt(raw: np.ndarray, target: np.ndarray, steps: int = 2000) -> tuple[float, float]:
    x = np.log(np.clip(raw, 1e-6, 1 - 1e-6) / (1 - np.clip(raw, 1e-6, 1 - 1e-6)))
    a, b = 1.0, 0.0
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(a * x + b)))
        g = p - target
        a -= lr * float((g * x).mean())
        b -= lr * float(g.mean())
    return a, b


def _docs(runs: Sequence[Run]) -> list[Doc]:
    """The held-out articles of all runs."""
    return [d for _, docs, _ in runs for d in docs]


def _labelled_spans(runs: Sequence[Run]) -> dict[str, list[tuple[int, int, str]]]:
    """Every run's spans (with the decoding set on its model) on its own articles."""
    return {
        d.id: [(sp.start, sp.end, sp.label) for sp in model.spans_for(d.text, encs)]
        for model, docs, enc in runs
        for d, encs in zip(docs, enc, strict=True)
    }


def tune_runs(runs: Sequence[Run], log=print) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Tune decoding, per-technique thresholds, Repetition propagation and calibration on the
    held-out articles of one or more validated runs (each run's model decodes its own
    articles; several runs are folds of one recipe, pooled). The tuned values are set on
    every run's model and returned for model.json."""
    params, f = tune_decode_runs(runs)
    docs_all = _docs(runs)
    log(f"decode {params.to_dict()} → SI F1 {f:.4f} ({len(docs_all)} articles)")
    cands = [c for model, docs, enc in runs for c in _candidates(model, docs, enc, params)]
    gold_by_label: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for d in docs_all:
        for s, e, lab in d.tc:
            gold_by_label[(d.id, lab)].append((s, e))

    # per-technique thresholds for additional labels
    thresholds: dict[str, float] = {}
    for k, name in enumerate(LABELS):
        best_t, best_f = 1.01, -1.0
        for t in (1.01, 0.7, 0.6, 0.5, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15):
            pred = [(did, s, e) for did, s, e, _, p in cands if int(np.argmax(p)) == k or p[k] >= t]
            by_doc: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
            for did, s, e in pred:
                by_doc[did].append((s, e, name))
            res = flc_scores(by_doc, docs_all)
            fk = res["per_technique"].get(name, {}).get("f1", 0.0)
            if fk > best_f + 1e-9:
                best_t, best_f = t, fk
        thresholds[name] = best_t

    # calibration of span scores
    raws, targets = [], []
    for did, s, e, si, p in cands:
        for k in np.argsort(-p)[:3]:
            if k != int(np.argmax(p)) and p[k] < thresholds[LABELS[k]]:
                continue
            raws.append(np.sqrt(si * p[k]))
            targets.append(_overlap_credit(s, e, gold_by_label[(did, LABELS[k])]))
    a, b = _fit_platt(np.array(raws), np.array(targets)) if raws else (1.0, 0.0)
    for model, _, _ in runs:
        model.decode = params
        model.label_thresholds = np.array([thresholds[x] for x in LABELS])
        model.cal_a, model.cal_b = a, b
    # propagate Repetition to other occurrences? keep it if it helps validation FLC F1
    prop_scores = {}
    for flag in (False, True):
        for model, _, _ in runs:
            model.propagate_repetition = flag
        prop_scores[flag] = flc_scores(_labelled_spans(runs), docs_all)["f1"]
    propagate = prop_scores[True] > prop_scores[False]
    for model, _, _ in runs:
        model.propagate_repetition = propagate
    log(
        f"Repetition propagation: FLC F1 {prop_scores[False]:.4f} without, "
        f"{prop_scores[True]:.4f} with -> {'on' if propagate else 'off'}"
    )
    return {
        "decode": params.to_dict(),
        "label_thresholds": thresholds,
        "propagate_repetition": propagate,
        "calibration": {
            "a": round(a, 5),
            "b": round(b, 5),
            "meaning": "score = expected share of the span that annotators "
            "marked with the same technique",
        },
    }


def apply_tuning(model, tuned: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    """Set tuned values (as :func:`tune_runs` returns them) on a model."""
    model.decode = DecodeParams(**tuned["decode"])
    model.label_thresholds = np.array([tuned["label_thresholds"][x] for x in LABELS])
    model.cal_a, model.cal_b = tuned["calibration"]["a"], tuned["calibration"]["b"]
    model.propagate_repetition = tuned["propagate_repetition"]


def measure_runs(runs: Sequence[Run], points: bool = True) -> dict[str, Any]:
    """SI, TC and FLC (overall and per technique) over the runs' held-out articles with the
    decoding set on their models, and the ``--threshold`` operating points."""
    m = metrics_from_runs(runs, runs[0][0].decode)
    flc = flc_scores(_labelled_spans(runs), _docs(runs))
    m["flc_precision"], m["flc_recall"], m["flc_f1"] = (
        round(flc["precision"], 4),
        round(flc["recall"], 4),
        round(flc["f1"], 4),
    )
    m["flc_per_technique"] = {k: round(v["f1"], 4) for k, v in flc["per_technique"].items()}
    if points:
        m["operating_points"] = operating_points(runs)
    return m


def tune_and_measure(
    int8,
    fp32,
    data: Path,
    meta: dict[str, Any],
    log=print,  # type: ignore[no-untyped-def]
    tune_on: str = "int8",
) -> dict[str, Any]:
    """Tune decoding, per-technique thresholds and calibration on the validation articles
    with the graph that ships (``tune_on``: int8 or fp32), then measure both graphs."""
    docs, _ = load_ptc(data)
    val_ids = set(meta["training"]["validation_articles"])
    val = [d for d in docs if d.id in val_ids]
    shipped = fp32 if tune_on == "fp32" else int8
    enc8 = encode_all(shipped, val)
    tuned = tune_runs([(shipped, val, enc8)], log=log)
    apply_tuning(int8 if shipped is fp32 else fp32, tuned)
    metrics: dict[str, Any] = {}
    for tag, model in (("int8", int8), ("fp32", fp32)):
        enc = enc8 if model is shipped else encode_all(model, val)
        m = measure_runs([(model, val, enc)], points=tag == tune_on)
        metrics[tag] = m
        log(f"{tag}: SI F1 {m['si_f1']:.4f} TC {m['tc_micro_f1']:.4f} FLC {m['flc_f1']:.4f}")
    tuned["metrics"] = {"split": "validation", "articles": len(val), **metrics}
    return tuned


def tune_pooled(refs: Sequence[Path], data: Path, log=print) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Tune one operating point on the pooled held-out articles of several validated exports
    of one recipe (folds: disjoint validation articles), each run by its own shipped graph.

    Returns the tuned values and ``metrics``: the pooled scores with that operating point
    (the shipped graph's) and each fold's own, for model.json of a release model."""
    from unspin.errors import UnspinError
    from unspin.model import load_model

    docs = {d.id: d for d in load_ptc(data)[0]}
    runs: list[Run] = []
    folds: list[dict[str, Any]] = []
    seen: set[str] = set()
    runtimes: set[str] = set()
    for ref in refs:
        meta = read_tuning(ref)
        ids = meta["training"]["validation_articles"]
        shared = seen & set(ids)
        if shared:
            raise UnspinError(
                f"{ref} shares {len(shared)} validation articles with another --tuning-from run",
                hint="give validated runs of different folds (--set fold=K)",
            )
        seen |= set(ids)
        missing = [i for i in ids if i not in docs]
        if missing:
            raise UnspinError(
                f"{ref}: {len(missing)} validation articles are not in {data}",
                hint="give --data the PTC folder the run was trained on",
            )
        model = load_model(ref, check=False)
        val = [docs[i] for i in ids]
        log(f"encoding the {len(val)} held-out articles of {ref}…")
        runs.append((model, val, encode_all(model, val)))
        runtimes.add(meta.get("runtime", "int8"))
        folds.append(meta)
    if len(runtimes) > 1:
        raise UnspinError(
            "the --tuning-from runs ship different graphs",
            expected="all int8 or all fp32",
            found=", ".join(sorted(runtimes)),
        )
    tuned = tune_runs(runs, log=log)
    rt = runtimes.pop()
    pooled = measure_runs(runs)
    log(f"pooled {rt}: SI F1 {pooled['si_f1']:.4f} TC {pooled['tc_micro_f1']:.4f}")
    per_fold = []
    for meta, run in zip(folds, runs, strict=True):
        m = measure_runs([run], points=False)
        own = meta["metrics"].get(rt, {})
        per_fold.append(
            {
                "name": meta.get("name"),
                "version": meta.get("version"),
                "fold": meta["training"].get("config", {}).get("fold", 0),
                "articles": len(run[1]),
                **{k: m[k] for k in ("si_precision", "si_recall", "si_f1", "tc_micro_f1")},
                "flc_f1": m["flc_f1"],
                "own_tuning": {k: own.get(k) for k in ("si_f1", "tc_micro_f1", "flc_f1")},
            }
        )
        log(
            f"  fold {per_fold[-1]['fold']}: SI F1 {m['si_f1']:.4f} "
            f"(own tuning {own.get('si_f1')}) TC {m['tc_micro_f1']:.4f}"
        )
    tuned["metrics"] = {
        "split": "validation",
        "articles": len(_docs(runs)),
        "pooled_folds": per_fold,
        rt: pooled,
    }
    return tuned


def operating_points(runs: Sequence[Run]) -> list[dict[str, float]]:
    """SI precision/recall over the runs' held-out articles when only spans scoring at least
    ``threshold`` are kept."""
    from unspin.training.evaluate import _si_prf
    from unspin.types import merge_spans

    gold = {d.id: list(d.si) for d in _docs(runs)}
    all_spans = {
        d.id: model.spans_for(d.text, encs)
        for model, docs, encoded in runs
        for d, encs in zip(docs, encoded, strict=True)
    }
    rows = []
    # calibrated scores are precision estimates and rarely reach 0.5, so the table uses the
    # quantiles of the scores the model actually gives
    scores = np.array([s.score for v in all_spans.values() for s in v], dtype=float)
    qs = np.quantile(scores, [0.25, 0.5, 0.75, 0.9]) if len(scores) else []
    for t in sorted({0.0, *(round(float(q), 2) for q in qs)}):
        pred = {
            k: merge_spans([(s.start, s.end) for s in v if s.score >= t])
            for k, v in all_spans.items()
        }
        p, r, f = _si_prf(gold, pred)
        n = sum(len(v) for v in pred.values())
        rows.append(
            {
                "threshold": t,
                "si_precision": round(p, 4),
                "si_recall": round(r, 4),
                "si_f1": round(f, 4),
                "spans": n,
            }
        )
    return rows
