"""Sentence scores and the article summary, computed from technique spans.

Meaning of the numbers (also in docs/model-card.md):

* sentence ``score``: the share of the sentence's characters covered by at least one technique
  span (0 = none, 1 = every character); ``labels``: the techniques overlapping it, strongest
  (highest span score) first.
* ``spans_per_100_words``: technique spans per 100 words of the article.
* ``sentence_share``: the share of sentences with at least one technique.
* ``score`` (overall, 0-1): the share of the article's characters (outside whitespace-only
  regions) covered by technique spans, a "how much of this text is persuasion technique"
  figure; PTC propaganda articles average about 0.15, wire-style news close to 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from unspin.segment import sentences as split_sentences
from unspin.segment import word_count
from unspin.types import SentenceScore, Span, merge_spans


def _covered(merged: Sequence[tuple[int, int]], start: int, end: int) -> int:
    total = 0
    for s, e in merged:
        if e <= start:
            continue
        if s >= end:
            break
        total += min(e, end) - max(s, start)
    return total


def sentence_scores(
    text: str, spans: Sequence[Span], ranges: Sequence[tuple[int, int]] | None = None
) -> list[SentenceScore]:
    """One :class:`SentenceScore` per sentence of ``text``."""
    ranges = split_sentences(text) if ranges is None else ranges
    merged = merge_spans((s.start, s.end) for s in spans)
    by_start = sorted(spans, key=lambda s: s.start)
    out = []
    for start, end in ranges:
        cov = _covered(merged, start, end)
        best: dict[str, float] = {}
        for sp in by_start:
            if sp.start >= end:
                break
            if sp.end > start:
                best[sp.label] = max(best.get(sp.label, 0.0), sp.score)
        labels = tuple(sorted(best, key=lambda k: (-best[k], k)))
        out.append(SentenceScore(start, end, cov / (end - start), labels))
    return out


def summarize(text: str, spans: Sequence[Span], sents: Sequence[SentenceScore]) -> dict[str, Any]:
    """The article summary (see the module docstring for what each figure means)."""
    words = word_count(text)
    counts = Counter(s.label for s in spans)
    merged = merge_spans((s.start, s.end) for s in spans)
    chars = sum(e - s for s, e in merged)
    non_space = sum(s.end - s.start for s in sents) or 1
    flagged = sum(1 for s in sents if s.labels)
    return {
        "words": words,
        "sentences": len(sents),
        "spans": len(spans),
        "technique_counts": dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        "spans_per_100_words": round(100.0 * len(spans) / words, 3) if words else 0.0,
        "sentence_share": round(flagged / len(sents), 4) if sents else 0.0,
        "score": round(min(1.0, chars / non_space), 4),
        "top_technique": counts.most_common(1)[0][0] if counts else None,
    }
