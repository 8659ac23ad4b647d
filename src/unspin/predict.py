"""Prediction files for the SemEval-2020 Task 11 tasks, from an :class:`~unspin.Analyzer`.

* SI: every ``article<ID>.txt`` → ``id<TAB>start<TAB>end`` lines; the spans of an article are
  merged so they never overlap (the SI scorer requires it).
* FLC: ``id<TAB>technique<TAB>start<TAB>end``; overlapping spans of the same technique are
  merged, different techniques may overlap.
* TC: fill a template (``id<TAB>?<TAB>start<TAB>end``) with exactly one technique per line,
  in template order. A span listed k times gets the model's k most probable techniques, best
  first, all distinct. This needs a model with ``classify(text, spans)`` returning one
  ``{technique: probability}`` mapping per span.

``unspin predict`` is a thin wrapper over :func:`write_span_predictions` and
:func:`fill_template`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, Literal

from unspin.errors import FormatError, ModelError
from unspin.formats import Annotation
from unspin.formats.articles import iter_articles, read_articles
from unspin.formats.semeval2020 import check_bounds, read_template, write_labels
from unspin.labels import LABELS
from unspin.types import Article, merge_spans

SpanKind = Literal["si", "flc"]


def predict_spans(
    analyzer: Any,
    articles: Iterable[Article],
    *,
    kind: SpanKind = "si",
    threshold: float | None = None,
    batch_size: int = 8,
) -> Iterator[Annotation]:
    """Run ``analyzer`` over ``articles`` and yield SI or FLC annotations, article by article
    (input order), spans sorted by offset, overlaps merged as described above."""
    if kind not in ("si", "flc"):
        raise ValueError(f"kind must be 'si' or 'flc', got {kind!r}")
    for analysis in analyzer.pipe(articles, batch_size=batch_size, threshold=threshold):
        if kind == "si":
            for s, e in merge_spans((t.start, t.end) for t in analysis.techniques):
                yield Annotation(analysis.id, s, e)
            continue
        by_label: dict[str, list[tuple[int, int]]] = {}
        for t in analysis.techniques:
            by_label.setdefault(t.label, []).append((t.start, t.end))
        merged = [(s, e, lab) for lab, spans in by_label.items() for s, e in merge_spans(spans)]
        for s, e, lab in sorted(merged):
            yield Annotation(analysis.id, s, e, lab)


def _need_model(analyzer: Any, *, for_tc: bool) -> Any:
    model = getattr(analyzer, "model", None)
    if model is None:
        raise ModelError(
            "prediction files need a technique model, and none is loaded",
            expected="--model NAME or a model directory",
            found="no model ('none', or no default model installed)",
        )
    if for_tc and not callable(getattr(model, "classify", None)):
        raise ModelError(
            "this model cannot label given spans, which TC needs",
            expected="a technique model with classify(text, spans)",
            found=f"{type(model).__name__} without classify()",
        )
    return model


def _open_out(dest: str | Path | IO[str]) -> tuple[IO[str], Path | None]:
    if not isinstance(dest, (str, Path)):
        return dest, None
    path = Path(dest)
    tmp = path.with_name(path.name + ".partial")
    return tmp.open("w", encoding="utf-8", newline=""), tmp


def _write(dest: str | Path | IO[str], anns: Iterable[Annotation], kind: str) -> int:
    # write to FILE.partial and rename at the end: an error never leaves a half-written file
    fh, tmp = _open_out(dest)
    try:
        n = write_labels(fh, anns, kind=kind)  # type: ignore[arg-type]
    except BaseException:
        if tmp is not None:
            fh.close()
            tmp.unlink(missing_ok=True)
        raise
    if tmp is not None:
        fh.close()
        os.replace(tmp, Path(dest))  # type: ignore[arg-type]
    return n


def write_span_predictions(
    analyzer: Any,
    articles_dir: str | Path,
    dest: str | Path | IO[str],
    *,
    kind: SpanKind = "si",
    threshold: float | None = None,
) -> int:
    """Write an SI or FLC prediction file for every ``article<ID>.txt`` of ``articles_dir``;
    return the number of lines written."""
    _need_model(analyzer, for_tc=False)
    return _write(
        dest,
        predict_spans(analyzer, iter_articles(articles_dir), kind=kind, threshold=threshold),
        kind,
    )


def rank_techniques(probs: Mapping[str, float], labels: Sequence[str] = LABELS) -> list[str]:
    """Techniques from most to least probable (ties by name; a missing one counts as 0)."""
    return sorted(labels, key=lambda t: (-float(probs.get(t, 0.0)), t))


def predict_tc(
    model: Any,
    texts: Mapping[str, str],
    template: Sequence[Annotation],
    labels: Sequence[str] = LABELS,
) -> list[Annotation]:
    """Label every template line: one technique per line, in template order.

    Spans are classified once per article (``model.classify(text, spans)``); the k lines of a
    span listed k times receive the k best techniques, best first.
    """
    check_bounds(template, texts, name="template")
    spans_of: dict[str, list[tuple[int, int]]] = {}
    for a in template:
        spans = spans_of.setdefault(a.article_id, [])
        if (a.start, a.end) not in spans:
            spans.append((a.start, a.end))
    ranking: dict[tuple[str, int, int], list[str]] = {}
    for aid, spans in spans_of.items():
        probs = model.classify(texts[aid], spans)
        if len(probs) != len(spans):
            raise ModelError(
                "the model's classify() returned the wrong number of results",
                expected=f"{len(spans)} (one per span)",
                found=str(len(probs)),
            )
        for (s, e), p in zip(spans, probs, strict=True):
            ranking[(aid, s, e)] = rank_techniques(p, labels)
    used: dict[tuple[str, int, int], int] = {}
    out = []
    for a in template:
        key = (a.article_id, a.start, a.end)
        k = used.get(key, 0)
        used[key] = k + 1
        ranked = ranking[key]
        out.append(Annotation(a.article_id, a.start, a.end, ranked[k % len(ranked)]))
    return out


def fill_template(
    analyzer: Any, articles_dir: str | Path, template: str | Path, dest: str | Path | IO[str]
) -> int:
    """Fill a TC template file from the articles of ``articles_dir``; return the line count."""
    model = _need_model(analyzer, for_tc=True)
    lines = read_template(template)
    if not lines:
        raise FormatError(
            f"{template}: the template has no lines",
            expected="lines article_id<TAB>?<TAB>start<TAB>end",
            found="none",
        )
    texts = read_articles(articles_dir)
    return _write(dest, predict_tc(model, texts, lines), "tc")
