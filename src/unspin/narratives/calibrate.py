"""Calibrate the claim-matching threshold for precision (numpy only).

The labelled set is built from an EUvsDisinfo catalogue (``unspin catalog import euvsdisinfo``):

* **queries** are the first sentence of each case *summary* (the claim as EUvsDisinfo retold
  it), skipping summaries whose first sentence merely repeats the title;
* the **positive** for a query is its own case title; titles of other cases that say the same
  thing (same normalised title, or title-title cosine >= ``SAME_CLAIM``) also count as correct;
* the **hard negative** for a query is the most similar title of a *different* claim on the
  same topic (shares a keyword, title-title cosine < ``DIFFERENT_CLAIM``);
* **neutral reporting**: ``neutral_news.json`` (80 plain news sentences on the same topics,
  written by us) plus ``examples/neutral.txt``-style text: any match there is a false match.

Two views are measured at every threshold: *pairs* (precision/recall of sim >= t over positive
and hard-negative pairs) and *retrieval* (the top catalogue hit of each query, as the analyzer
shows it: precision = correct hits / hits shown). Queries are split in two halves by case
(fixed seed); the threshold is chosen on the first half as the lowest one reaching the target
retrieval precision with at most ``max_neutral`` false matches on neutral sentences, and
reported on the second half.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.narratives.catalog import Catalog, norm_title
from unspin.narratives.guard import agrees
from unspin.segment import sentences

SAME_CLAIM = 0.9
DIFFERENT_CLAIM = 0.7
MATCHING_FILE = Path(__file__).resolve().parent / "matching.json"
NEUTRAL_FILE = Path(__file__).resolve().parent / "neutral_news.json"


def neutral_sentences() -> list[str]:
    return list(json.loads(NEUTRAL_FILE.read_text(encoding="utf-8"))["sentences"])


@dataclass
class Query:
    entry: int
    text: str
    kind: str  # "extends": the title is a cut of the sentence; "paraphrase": other wording


def build_queries(cat: Catalog, *, later: bool = True) -> list[Query]:
    """Summary sentences as queries, each labelled with its own case.

    ``kind`` is ``"extends"`` (the title is a cut of the sentence), ``"paraphrase"`` (first
    sentence in other words than the title) or ``"later"`` (a later sentence of the summary:
    it often restates or elaborates the claim, sometimes only gives context, so its labels
    are noisy and precision measured on it is a lower bound).
    """
    out = []
    for i, e in enumerate(cat.entries):
        if not e.summary:
            continue
        title = norm_title(e.claim.rstrip("\u2026."))
        for n, (s, t) in enumerate(sentences(e.summary)):
            if n and not later:
                break
            q = e.summary[s:t]
            if len(q.split()) < 6:
                continue
            nq = norm_title(q)
            if nq in title:
                continue  # the sentence is a cut of the title: a trivial positive
            kind = "later" if n else ("extends" if title in nq else "paraphrase")
            out.append(Query(i, q, kind))
    return out


def _curve(
    scores_ok: list[tuple[float, bool]], grid: np.ndarray, n_queries: int
) -> list[dict[str, float]]:
    arr = np.array([s for s, _ in scores_ok]) if scores_ok else np.zeros(0)
    ok = np.array([o for _, o in scores_ok], dtype=bool) if scores_ok else np.zeros(0, bool)
    rows = []
    for t in grid:
        shown = arr >= t
        n = int(shown.sum())
        good = int((shown & ok).sum())
        rows.append(
            {
                "threshold": round(float(t), 3),
                "shown": n,
                "precision": round(good / n, 4) if n else 1.0,
                "coverage": round(good / max(n_queries, 1), 4),
            }
        )
    return rows


def _best(cat: Catalog, text: str, sims: np.ndarray, guard: bool) -> tuple[int, float]:
    """The best catalogue entry for one sentence, skipping entries the guard vetoes."""
    if not guard:
        i = int(np.argmax(sims))
        return i, float(sims[i])
    top = np.argpartition(-sims, 16)[:16]
    for i in top[np.argsort(-sims[top])]:
        if agrees(text, cat.entries[i].claim)[0]:
            return int(i), float(sims[i])
    return 0, -1.0


def calibrate(
    cat: Catalog,
    *,
    target: float = 0.95,
    max_neutral: float = 0.0125,
    seed: int = 13,
    extra_neutral: list[str] | None = None,
    guard: bool = True,
) -> dict[str, Any]:
    """Measure precision against similarity and pick a threshold. Returns a JSON-able report."""
    queries = build_queries(cat)
    if len(queries) < 20:
        raise ValueError(
            f"catalogue {cat.name!r} has too few summaries to calibrate on "
            f"({len(queries)}); import the EUvsDisinfo dumps"
        )
    rng = random.Random(seed)
    order = list(range(len(queries)))
    rng.shuffle(order)
    half = len(order) // 2
    split = {"tune": [queries[i] for i in order[:half]], "test": [queries[i] for i in order[half:]]}

    vec = cat.vectors
    norm = [norm_title(e.claim.rstrip("\u2026.")) for e in cat.entries]
    tags = [set(t.lower() for t in e.tags) for e in cat.entries]
    neutral = neutral_sentences() + list(extra_neutral or [])
    nvec = cat.encoder.encode(neutral)
    nsims = nvec @ vec.T
    nbest = np.array([_best(cat, neutral[r], nsims[r], guard)[1] for r in range(len(neutral))])
    grid = np.round(np.arange(0.40, 0.951, 0.01), 3)

    report: dict[str, Any] = {
        "guard": guard,
        "catalog": cat.name,
        "catalog_revision": cat.meta.get("revision"),
        "encoder": cat.encoder.id,
        "seed": seed,
        "target_precision": target,
        "neutral_sentences": len(neutral),
        "splits": {},
    }
    examples: list[dict[str, Any]] = []
    for name, qs in split.items():
        qvec = cat.encoder.encode([q.text for q in qs])
        sims = qvec @ vec.T
        pos_pairs: list[float] = []
        neg_pairs: list[float] = []
        hits: list[tuple[float, bool]] = []
        para: list[tuple[float, bool]] = []
        for r, q in enumerate(qs):
            own = vec[q.entry]
            title_sim = vec @ own
            same = (title_sim >= SAME_CLAIM) | _restates(cat, norm, q.entry)
            ok = not guard or agrees(q.text, cat.entries[q.entry].claim)[0]
            pos_pairs.append(float(sims[r, q.entry]) if ok else -1.0)
            # hard negative: most similar title of a different claim sharing a keyword
            cand = (~same) & (title_sim < DIFFERENT_CLAIM)
            if tags[q.entry]:
                cand &= np.array([bool(t & tags[q.entry]) for t in tags])
            if cand.any():
                neg_pairs.append(_best(cat, q.text, np.where(cand, sims[r], -1.0), guard)[1])
            top, best = _best(cat, q.text, sims[r], guard)
            hits.append((best, bool(same[top])))
            if q.kind != "later":
                para.append(hits[-1])
            if name == "test" and not same[top] and best >= 0.7 and len(examples) < 8:
                examples.append(
                    {
                        "query": q.text,
                        "expected": cat.entries[q.entry].claim,
                        "got": cat.entries[top].claim,
                        "similarity": round(best, 3),
                    }
                )
        pairs = [(s, True) for s in pos_pairs] + [(s, False) for s in neg_pairs]
        report["splits"][name] = {
            "queries": len(qs),
            "positive_pairs": len(pos_pairs),
            "hard_negative_pairs": len(neg_pairs),
            "pairs": _curve(pairs, grid, len(pos_pairs)),
            "retrieval": _curve(hits, grid, len(qs)),
            "paraphrase_queries": len(para),
            "retrieval_paraphrase": _curve(para, grid, len(para)),
        }
    neutral_rows = [
        {
            "threshold": round(float(t), 3),
            "false_matches": int((nbest >= t).sum()),
            "rate": round(float((nbest >= t).mean()), 4),
        }
        for t in grid
    ]
    report["neutral"] = neutral_rows
    tune = report["splits"]["tune"]["retrieval"]
    chosen = None
    for row, nrow in zip(tune, neutral_rows, strict=True):
        if row["precision"] >= target and nrow["rate"] <= max_neutral and row["shown"] >= 10:
            chosen = row["threshold"]
            break
    if chosen is None:
        chosen = float(grid[-1])
    report["threshold"] = chosen

    def at(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return next(r for r in rows if r["threshold"] == chosen)

    report["at_threshold"] = {
        "tune_retrieval": at(report["splits"]["tune"]["retrieval"]),
        "test_retrieval": at(report["splits"]["test"]["retrieval"]),
        "test_pairs": at(report["splits"]["test"]["pairs"]),
        "test_retrieval_paraphrase": at(report["splits"]["test"]["retrieval_paraphrase"]),
        "neutral": at(neutral_rows),
    }
    report["test_false_match_examples"] = examples
    return report


def write_matching(report: dict[str, Any], path: Path = MATCHING_FILE) -> None:
    """Store the chosen threshold with a compact record of how it was chosen."""
    keep = {
        k: report[k]
        for k in (
            "guard",
            "catalog",
            "catalog_revision",
            "encoder",
            "seed",
            "target_precision",
            "neutral_sentences",
            "at_threshold",
        )
    }
    keep["queries"] = {k: v["queries"] for k, v in report["splits"].items()}
    data = {"threshold": report["threshold"], "top_k": 3, "min_words": 5, "calibration": keep}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def table(report: dict[str, Any], split: str = "test", step: int = 5) -> str:
    """A plain-text table of the curves (every ``step``-th threshold)."""
    ret = report["splits"][split]["retrieval"]
    pairs = report["splits"][split]["pairs"]
    para = report["splits"][split]["retrieval_paraphrase"]
    lines = [
        "threshold  retr.precision  retr.coverage  pair.precision  pair.recall  "
        "para.precision  para.coverage  neutral.false"
    ]
    for i, (r, p, q, n) in enumerate(zip(ret, pairs, para, report["neutral"], strict=True)):
        mark = " <" if r["threshold"] == report["threshold"] else ""
        if i % step and not mark:
            continue
        lines.append(
            f"{r['threshold']:9.2f}  {r['precision']:14.3f}  {r['coverage']:13.3f}  "
            f"{p['precision']:14.3f}  {p['coverage']:11.3f}  "
            f"{q['precision']:14.3f}  {q['coverage']:13.3f}  "
            f"{n['false_matches']:>5d}/{report['neutral_sentences']}{mark}"
        )
    return "\n".join(lines)


def _restates(cat: Catalog, norm: list[str], i: int) -> np.ndarray:
    """Entries that state the same claim as entry ``i`` in other words of the dumps: an equal
    title, or a title that is a cut of this case's title or summary (the scrapes keep
    truncated and merged variants of the same case), or whose title contains this title."""
    own = norm[i]
    text = own + " " + norm_title(cat.entries[i].summary or "")
    return np.array(
        [bool(n) and (n == own or n in text or (len(own) > 20 and own in n)) for n in norm]
    )
