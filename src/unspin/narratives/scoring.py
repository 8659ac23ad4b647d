"""Scorer for SemEval-2025 Task 10 subtask 2 (narrative classification), from its definition.

The official ranking metric is **samples F1**: for each document, binarise the gold and
predicted label sets over the class list and take that document's F1 (0 when undefined, i.e.
both sets empty); average over documents. It is computed at two levels: *coarse*
(narratives) and *fine* (sub-narratives; the ranking metric). The official script also
reports the standard deviation of the per-document F1. We add label-wise **macro F1** (mean
over labels of the per-label F1, over the labels present in gold or predictions) and **micro
F1** (from pooled true/false positives and false negatives).

Documents are paired by id, never by file order.

>>> gold = {"d1": {"A", "B"}, "d2": {"C"}}
>>> pred = {"d1": {"A"}, "d2": {"C", "D"}}
>>> round(samples_f1(gold, pred)[0], 4)   # d1: P=1 R=.5 F=.6667; d2: P=.5 R=1 F=.6667
0.6667
>>> round(micro_f1(gold, pred), 4)        # tp=2 fp=1 fn=1
0.6667
>>> round(macro_f1(gold, pred), 4)        # A=1, B=0, C=1, D=0
0.5
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from unspin.errors import ScoringError

Labels = Mapping[str, Iterable[str]]


def _pair(gold: Labels, pred: Labels) -> list[tuple[set[str], set[str]]]:
    missing = sorted(set(gold) - set(pred))
    extra = sorted(set(pred) - set(gold))
    if missing or extra:
        raise ScoringError(
            "gold and predictions do not cover the same documents",
            expected=f"{len(gold)} documents, as in the gold file",
            found=f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} extra "
            f"(e.g. {extra[:3]})",
        )
    return [(set(gold[d]), set(pred[d])) for d in sorted(gold)]


def doc_f1(g: set[str], p: set[str]) -> float:
    """F1 of one document's label sets (0 when both are empty, as ``zero_division=0``)."""
    tp = len(g & p)
    if not g and not p:
        return 0.0
    if tp == 0:
        return 0.0
    prec, rec = tp / len(p), tp / len(g)
    return 2 * prec * rec / (prec + rec)


def samples_f1(gold: Labels, pred: Labels) -> tuple[float, float]:
    """(mean, population standard deviation) of per-document F1."""
    scores = [doc_f1(g, p) for g, p in _pair(gold, pred)]
    if not scores:
        return 0.0, 0.0
    mean = sum(scores) / len(scores)
    std = math.sqrt(sum((s - mean) ** 2 for s in scores) / len(scores))
    return mean, std


def _counts(gold: Labels, pred: Labels) -> dict[str, list[int]]:
    c: dict[str, list[int]] = {}
    for g, p in _pair(gold, pred):
        for lab in g | p:
            row = c.setdefault(lab, [0, 0, 0])  # tp, fp, fn
            if lab in g and lab in p:
                row[0] += 1
            elif lab in p:
                row[1] += 1
            else:
                row[2] += 1
    return c


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def micro_f1(gold: Labels, pred: Labels) -> float:
    c = _counts(gold, pred)
    tp = sum(r[0] for r in c.values())
    fp = sum(r[1] for r in c.values())
    fn = sum(r[2] for r in c.values())
    return _f1(tp, fp, fn)


def macro_f1(gold: Labels, pred: Labels) -> float:
    c = _counts(gold, pred)
    return sum(_f1(*r) for r in c.values()) / len(c) if c else 0.0


def per_label(gold: Labels, pred: Labels) -> dict[str, dict[str, float]]:
    out = {}
    for lab, (tp, fp, fn) in sorted(_counts(gold, pred).items()):
        out[lab] = {"f1": round(_f1(tp, fp, fn), 4), "support": tp + fn, "predicted": tp + fp}
    return out


def score(gold: Labels, pred: Labels) -> dict[str, Any]:
    """All figures at one level, rounded for reports."""
    mean, std = samples_f1(gold, pred)
    return {
        "samples_f1": round(mean, 4),
        "samples_f1_std": round(std, 4),
        "macro_f1": round(macro_f1(gold, pred), 4),
        "micro_f1": round(micro_f1(gold, pred), 4),
        "documents": len(gold),
    }


def read_annotations(path: str) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Read a ``subtask-2-annotations.txt`` file: (narratives, sub-narratives) per document."""
    from unspin.errors import FormatError

    coarse: dict[str, set[str]] = {}
    fine: dict[str, set[str]] = {}
    with open(path, encoding="utf-8-sig") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            cols = line.split("\t")
            if len(cols) != 3:
                raise FormatError(
                    "expected 3 tab-separated columns",
                    location=f"{path}:{n}",
                    found=f"{len(cols)} columns",
                )
            doc, narr, sub = cols
            if doc in coarse:
                raise FormatError(f"document {doc!r} appears twice", location=f"{path}:{n}")
            coarse[doc] = {x.strip() for x in narr.split(";") if x.strip()}
            fine[doc] = {x.strip() for x in sub.split(";") if x.strip()}
    return coarse, fine
