"""Official-style metrics for the propaganda-technique shared tasks.

Written from the organizers' metric descriptions (``shared/data/*/SOURCE.md``, summarised in
``docs/scoring.md``); no scorer code was copied. Each metric is a pure function over
in-memory annotations, with a thin ``*_files`` wrapper that reads the files strictly (a bad
line, an unknown technique or, when the articles are given, a span beyond its article is an
error, never a skipped line).

===============  ==================================================  ========================
task             metric                                              function
===============  ==================================================  ========================
``si``           SemEval-2020 SI: partial-overlap P/R/F1, gold merged  :func:`score_si`
``tc``           SemEval-2020 TC: micro-F1 over template lines       :func:`score_tc`
``flc``          NLP4IF-2019 FLC: the SI metric per technique        :func:`score_flc`
``semeval2021``  SemEval-2021 Task 6 st. 2: overlap per technique    :func:`score_semeval2021`
``semeval2023``  SemEval-2023 Task 3 st. 3: micro/macro F1           :func:`score_semeval2023`
===============  ==================================================  ========================

>>> from unspin.formats import Annotation as A
>>> gold = [A("1", 0, 10)]
>>> pred = [A("1", 5, 15)]     # half of the prediction and half of the gold overlap
>>> score_si(gold, pred).to_dict()["f1"]
0.5
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from unspin.errors import ScoringError
from unspin.formats import Annotation
from unspin.formats.semeval2021 import Meme
from unspin.formats.semeval2023 import ParagraphLabels
from unspin.types import merge_spans

TASKS = ("si", "tc", "flc", "semeval2021", "semeval2023")

Range = tuple[int, int]


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1 with the counts behind them."""

    precision: float
    recall: float
    f1: float
    n_gold: int
    n_pred: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
        }


@dataclass(frozen=True)
class SpanScore:
    """Result of a span metric (``si``, ``flc``, ``semeval2021``)."""

    task: str
    precision: float
    recall: float
    f1: float
    n_gold: int  # gold spans counted (after merging, where the task merges)
    n_pred: int
    per_technique: Mapping[str, PRF] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "task": self.task,
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "n_gold": self.n_gold,
            "n_pred": self.n_pred,
        }
        if self.per_technique:
            d["per_technique"] = {k: v.to_dict() for k, v in self.per_technique.items()}
        return d


@dataclass(frozen=True)
class TCScore:
    """Result of the SemEval-2020 TC metric: micro-F1 (= accuracy over template lines)."""

    micro_f1: float
    n_lines: int
    n_correct: int
    per_technique: Mapping[str, PRF]
    task: str = "tc"

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "micro_f1": self.micro_f1,
            "precision": self.micro_f1,
            "recall": self.micro_f1,
            "n_lines": self.n_lines,
            "n_correct": self.n_correct,
            "per_technique": {k: v.to_dict() for k, v in self.per_technique.items()},
        }


@dataclass(frozen=True)
class ParagraphScore:
    """Result of SemEval-2023 Task 3 subtask 3: micro and macro F1 over paragraph labels."""

    micro_f1: float
    macro_f1: float
    precision: float  # micro
    recall: float  # micro
    n_paragraphs: int
    per_technique: Mapping[str, PRF]
    task: str = "semeval2023"

    def to_dict(self) -> dict[str, Any]:
        return {
            "task": self.task,
            "micro_f1": self.micro_f1,
            "macro_f1": self.macro_f1,
            "precision": self.precision,
            "recall": self.recall,
            "n_paragraphs": self.n_paragraphs,
            "per_technique": {k: v.to_dict() for k, v in self.per_technique.items()},
        }


# --- building blocks -------------------------------------------------------------------------


def f1(p: float, r: float) -> float:
    """Harmonic mean; 0 when either is 0."""
    return 0.0 if p <= 0 or r <= 0 else 2 * p * r / (p + r)


def _prf(p_num: float, r_num: float, n_pred: int, n_gold: int) -> PRF:
    """P = p_num / n_pred, R = r_num / n_gold; nothing predicted and nothing gold scores 1."""
    if n_pred == 0 and n_gold == 0:
        return PRF(1.0, 1.0, 1.0, 0, 0)
    p = p_num / n_pred if n_pred else 0.0
    r = r_num / n_gold if n_gold else 0.0
    return PRF(p, r, f1(p, r), n_gold, n_pred)


def overlap_sums(pred: Sequence[Range], gold: Sequence[Range]) -> tuple[float, float]:
    """Partial-overlap credit of every (predicted, gold) pair: ``(Σ |p∩g|/|p|, Σ |p∩g|/|g|)``.

    >>> overlap_sums([(0, 4)], [(2, 10)])   # 2 shared characters
    (0.5, 0.25)
    """
    gold = sorted(gold)
    starts = [g[0] for g in gold]
    longest = max((e - s for s, e in gold), default=0)
    p_num = r_num = 0.0
    for ps, pe in pred:
        # only gold spans starting in [ps - longest, pe) can overlap [ps, pe)
        lo = bisect.bisect_left(starts, ps - longest)
        hi = bisect.bisect_left(starts, pe)
        for gs, ge in gold[lo:hi]:
            inter = min(pe, ge) - max(ps, gs)
            if inter > 0:
                p_num += inter / (pe - ps)
                r_num += inter / (ge - gs)
    return p_num, r_num


def _check_spans(anns: Iterable[Annotation], side: str) -> None:
    for a in anns:
        if a.start < 0 or a.end <= a.start:
            raise ScoringError(
                f"{a.location or side}: a {side} span is not a non-empty range",
                expected="0 <= start < end",
                found=f"start={a.start}, end={a.end}",
            )


def _group(anns: Iterable[Annotation], by_technique: bool) -> dict[tuple[str, str], list[Range]]:
    out: dict[tuple[str, str], list[Range]] = defaultdict(list)
    for a in anns:
        key = (a.article_id, (a.technique or "") if by_technique else "")
        out[key].append((a.start, a.end))
    return out


def _no_overlap(
    groups: dict[tuple[str, str], list[Range]], merge: bool, task: str
) -> dict[tuple[str, str], list[Range]]:
    out = {}
    for key, spans in groups.items():
        merged = merge_spans(spans)
        if len(merged) != len(spans) and not merge:
            ordered = sorted(spans)
            (s1, e1), (s2, e2) = next(
                (a, b) for a, b in zip(ordered, ordered[1:], strict=False) if b[0] < a[1]
            )
            what = f" ({key[1]})" if key[1] else ""
            raise ScoringError(
                f"{task}: predicted spans of article {key[0]}{what} overlap",
                expected="non-overlapping predicted spans",
                found=f"{s1}-{e1} and {s2}-{e2}",
                hint="merge them first (`unspin score --merge-pred`, or "
                "unspin.types.merge_spans); `unspin predict` writes merged spans",
            )
        out[key] = merged if merge else sorted(spans)
    return out


def _check_ids(pred_ids: Iterable[str], known: Collection[str], what: str) -> None:
    extra = sorted(set(pred_ids) - set(known))
    if extra:
        more = f" and {len(extra) - 3} more" if len(extra) > 3 else ""
        raise ScoringError(
            f"the prediction names {what} the gold does not have",
            expected=f"only ids of the {len(set(known))} gold {what}",
            found=", ".join(extra[:3]) + more,
        )


# --- SemEval-2020 SI and NLP4IF-2019 FLC ------------------------------------------------------


def _overlap_prf(
    gold: Mapping[tuple[str, str], Sequence[Range]], pred: Mapping[tuple[str, str], Sequence[Range]]
) -> tuple[PRF, dict[str, PRF]]:
    """Partial-overlap P/R/F1 over spans grouped by (article, technique): overall and per
    technique (the numerators are the overlap sums, the denominators the span counts)."""
    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0, 0])
    for key, spans in gold.items():
        sums[key[1]][3] += len(spans)
    for key, spans in pred.items():
        acc = sums[key[1]]
        acc[2] += len(spans)
        pn, rn = overlap_sums(spans, gold.get(key, []))
        acc[0] += pn
        acc[1] += rn
    total = [sum(v[i] for v in sums.values()) for i in range(4)]
    overall = _prf(total[0], total[1], int(total[2]), int(total[3]))
    per = {t: _prf(v[0], v[1], int(v[2]), int(v[3])) for t, v in sorted(sums.items())}
    return overall, per


def _span_metric(
    gold: Iterable[Annotation],
    pred: Iterable[Annotation],
    *,
    task: str,
    by_technique: bool,
    articles: Collection[str] | None,
    merge_pred: bool,
) -> SpanScore:
    gold, pred = list(gold), list(pred)
    _check_spans(gold, "gold")
    _check_spans(pred, "predicted")
    if by_technique and any(a.technique is None for a in (*gold, *pred)):
        raise ScoringError(
            f"{task} needs a technique on every line",
            expected="article_id, technique, start, end",
            found="a span-only line",
        )
    if articles is not None:
        _check_ids({a.article_id for a in gold}, articles, "articles (gold)")
        _check_ids({a.article_id for a in pred}, articles, "articles")
    g = {k: merge_spans(v) for k, v in _group(gold, by_technique).items()}
    p = _no_overlap(_group(pred, by_technique), merge_pred, task)
    overall, per = _overlap_prf(g, p)
    if not by_technique:
        per = {}
    return SpanScore(
        task, overall.precision, overall.recall, overall.f1, overall.n_gold, overall.n_pred, per
    )


def score_si(
    gold: Iterable[Annotation],
    pred: Iterable[Annotation],
    *,
    articles: Collection[str] | None = None,
    merge_pred: bool = False,
) -> SpanScore:
    """SemEval-2020 SI: partial-overlap precision, recall and F1.

    Gold spans of an article that share a character are merged. Predicted spans of an
    article must not overlap (``merge_pred=True`` merges them instead). Precision divides by
    all predicted spans — those in articles without gold spans included — and recall by all
    (merged) gold spans, including those of articles the prediction leaves out. ``articles``
    (the ids of every gold article, e.g. the files of a per-article gold folder) makes a
    prediction for any other article an error; without it, an article missing from the gold
    is taken to have no gold spans. Labels are ignored.
    """
    return _span_metric(
        gold, pred, task="si", by_technique=False, articles=articles, merge_pred=merge_pred
    )


def score_flc(
    gold: Iterable[Annotation],
    pred: Iterable[Annotation],
    *,
    articles: Collection[str] | None = None,
    merge_pred: bool = False,
) -> SpanScore:
    """NLP4IF-2019 FLC: the SI metric where only spans of the same technique are compared.

    Gold spans of the same technique and article that overlap are merged; predicted spans
    of one technique and article must not overlap (or pass ``merge_pred=True``). The overall
    P and R divide the summed credit by all predicted and all gold spans; ``per_technique``
    restricts sums and counts to one technique.
    """
    return _span_metric(
        gold, pred, task="flc", by_technique=True, articles=articles, merge_pred=merge_pred
    )


# --- SemEval-2020 TC -----------------------------------------------------------------------------


def align_tc(gold: Iterable[Annotation], pred: Iterable[Annotation]) -> list[tuple[str, str]]:
    """Pair every gold line with one predicted line: ``[(gold label, predicted label)]``.

    Lines are matched by ``(article, start, end)`` as a multiset, so file order does not
    matter; a span listed k times needs k predictions. Within a span, labels that agree are
    paired first (the best possible alignment), the rest in file order.
    """
    g: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    p: dict[tuple[str, int, int], list[str]] = defaultdict(list)
    for side, acc in (("gold", (gold, g)), ("prediction", (pred, p))):
        for a in acc[0]:
            if a.technique is None:
                raise ScoringError(
                    f"{a.location or side}: a {side} line has no technique",
                    expected="a technique name",
                    found="'?' or none",
                )
            acc[1][(a.article_id, a.start, a.end)].append(a.technique)
    for key in sorted(set(g) | set(p)):
        ng, np_ = len(g.get(key, ())), len(p.get(key, ()))
        if ng != np_:
            raise ScoringError(
                f"tc: span {key[1]}-{key[2]} of article {key[0]} is listed {ng} time(s) in the "
                f"gold and {np_} time(s) in the prediction",
                expected="exactly one predicted line per template line",
                found=f"{np_} predicted line(s)",
                hint="fill the template with `unspin predict --format tc --template ...`",
            )
    pairs: list[tuple[str, str]] = []
    for key in sorted(g):
        left = list(p[key])
        unmatched = []
        for lab in g[key]:
            if lab in left:
                left.remove(lab)
                pairs.append((lab, lab))
            else:
                unmatched.append(lab)
        pairs.extend(zip(unmatched, left, strict=True))
    return pairs


def score_tc(gold: Iterable[Annotation], pred: Iterable[Annotation]) -> TCScore:
    """SemEval-2020 TC: micro-F1 over the gold spans, i.e. the share of template lines whose
    predicted label equals its (aligned) gold label; per-technique P/R/F1 as well."""
    pairs = align_tc(gold, pred)
    if not pairs:
        raise ScoringError(
            "tc: nothing to score",
            expected="at least one gold line",
            found="empty gold and prediction",
        )
    correct = sum(1 for a, b in pairs if a == b)
    n_gold = Counter(a for a, _ in pairs)
    n_pred = Counter(b for _, b in pairs)
    tp = Counter(a for a, b in pairs if a == b)
    per = {}
    for t in sorted(set(n_gold) | set(n_pred)):
        per[t] = _prf(tp[t], tp[t], n_pred[t], n_gold[t])
    return TCScore(
        micro_f1=correct / len(pairs), n_lines=len(pairs), n_correct=correct, per_technique=per
    )


# --- SemEval-2021 Task 6 subtask 2 ---------------------------------------------------------------


def score_semeval2021(gold: Sequence[Meme], pred: Sequence[Meme]) -> SpanScore:
    """SemEval-2021 Task 6 subtask 2: partial-overlap P/R/F1 between spans of the same
    technique, with no merging; the meme ids of both sides must be the same.

    Per-technique recall uses the recall-side credit (``|p∩g|/|g|``), not the precision-side
    sum that the reference code reuses there; the overall figures are unaffected.
    """
    gids, pids = [m.id for m in gold], [m.id for m in pred]
    if set(gids) != set(pids):
        missing = sorted(set(gids) - set(pids))
        extra = sorted(set(pids) - set(gids))
        raise ScoringError(
            "semeval2021: gold and prediction have different meme ids",
            expected="the same ids on both sides",
            found=f"{len(missing)} missing (e.g. {missing[:3]}), "
            f"{len(extra)} extra (e.g. {extra[:3]})",
        )
    texts = {m.id: m.text for m in gold}
    gspans = [a for m in gold for a in m.spans]
    pspans = [a for m in pred for a in m.spans]
    _check_spans(gspans, "gold")
    _check_spans(pspans, "predicted")
    for a in pspans:
        text = texts.get(a.article_id)
        if text is not None and a.end > len(text):
            raise ScoringError(
                f"{a.location or 'prediction'}: span {a.start}-{a.end} runs past "
                f"the end of meme {a.article_id}",
                expected=f"end <= {len(text)}",
                found=f"end={a.end}",
            )
    g = _group(gspans, True)
    p = _group(pspans, True)
    overall, per = _overlap_prf(g, p)
    return SpanScore(
        "semeval2021",
        overall.precision,
        overall.recall,
        overall.f1,
        overall.n_gold,
        overall.n_pred,
        per,
    )


# --- SemEval-2023 Task 3 subtask 3 ---------------------------------------------------------------


def score_semeval2023(
    gold: Sequence[ParagraphLabels],
    pred: Sequence[ParagraphLabels],
    *,
    classes: Sequence[str] | None = None,
) -> ParagraphScore:
    """SemEval-2023 Task 3 subtask 3: micro- and macro-averaged F1 over (paragraph, technique)
    decisions. Every gold paragraph needs exactly one prediction line and vice versa.

    Macro-F1 averages per-technique F1 over ``classes`` — by default the techniques that
    occur in the gold or the prediction (a technique absent from both has no defined F1).
    """
    g = {r.key: set(r.labels) for r in gold}
    p = {r.key: set(r.labels) for r in pred}
    if set(g) != set(p):
        missing = sorted(set(g) - set(p))
        extra = sorted(set(p) - set(g))
        raise ScoringError(
            "semeval2023: gold and prediction list different paragraphs",
            expected="one prediction line per gold paragraph",
            found=f"{len(missing)} missing (e.g. {missing[:3]}), "
            f"{len(extra)} extra (e.g. {extra[:3]})",
        )
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for key, gl in g.items():
        pl = p[key]
        tp.update(gl & pl)
        n_gold.update(gl)
        n_pred.update(pl)
    per = {
        t: _prf(tp[t], tp[t], n_pred[t], n_gold[t])
        for t in sorted(set(n_gold) | set(n_pred) | set(classes or ()))
    }
    micro = _prf(sum(tp.values()), sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    names = list(classes) if classes is not None else sorted(set(n_gold) | set(n_pred))
    macro = sum(per[t].f1 for t in names) / len(names) if names else 1.0
    return ParagraphScore(
        micro_f1=micro.f1,
        macro_f1=macro,
        precision=micro.precision,
        recall=micro.recall,
        n_paragraphs=len(g),
        per_technique=per,
    )


# --- file-level wrappers ---------------------------------------------------------------------


def _articles(articles: str | Path | None) -> dict[str, str] | None:
    if articles is None:
        return None
    from unspin.formats.articles import read_articles

    return read_articles(articles)


def score_files(
    task: str,
    gold: str | Path,
    pred: str | Path,
    *,
    articles: str | Path | None = None,
    merge_pred: bool = False,
    inventory: str | None = None,
) -> SpanScore | TCScore | ParagraphScore:
    """Read gold and prediction files (strictly) and score them.

    For the PTC tasks (``si``, ``tc``, ``flc``) ``gold``/``pred`` may be files or folders of
    per-article label files; ``articles`` (a folder of ``article<ID>.txt``) adds bound checks
    — a span beyond its article is an error — and fixes the set of gold articles.
    ``inventory`` names the technique inventory of ``tc``/``flc`` files (default
    ``semeval2020``; ``nlp4if2019`` for the 18-technique FLC files).
    """
    from unspin.formats import semeval2020 as ptc

    if task not in TASKS:
        raise ScoringError("unknown task", expected=f"one of {', '.join(TASKS)}", found=repr(task))
    if task in ("si", "tc", "flc"):
        texts = _articles(articles)
        if task == "si":
            g = ptc.read_si(gold)
            p = ptc.read_si(pred)
        else:
            inv = inventory or "semeval2020"
            g = ptc.read_tc(gold, inventory=inv)
            p = ptc.read_tc(pred, inventory=inv)
        if texts is not None:
            ptc.check_bounds(g, texts)
            ptc.check_bounds(p, texts)
        if task == "tc":
            return score_tc(g, p)
        ids: Collection[str] | None = set(texts) if texts is not None else None
        if ids is None:
            ids = ptc.label_article_ids(gold)
        if task == "si":
            return score_si(g, p, articles=ids, merge_pred=merge_pred)
        return score_flc(g, p, articles=ids, merge_pred=merge_pred)
    if task == "semeval2021":
        from unspin.formats.semeval2021 import read_memes

        return score_semeval2021(read_memes(gold), read_memes(pred))
    from unspin.formats.semeval2023 import read_paragraph_labels

    return score_semeval2023(read_paragraph_labels(gold), read_paragraph_labels(pred))
