"""What the routes share: the analyzer (loaded once), the store, the runner, the settings."""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections.abc import Sequence
from typing import Any

from unspin.api.inputs import Job, extract_html
from unspin.api.runner import Runner
from unspin.api.settings import Settings
from unspin.pipeline import Analyzer
from unspin.types import Analysis, Article

log = logging.getLogger("unspin.api")

KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def load_analyzer(model: str, *, narratives: bool = False, workers: int = 1) -> Analyzer:
    """``Analyzer(model)``; ``none`` means no technique model (analyses say model "none").
    ``narratives`` adds the narrative and claim-matching layer. With ``workers`` analyses
    running at once, each gets ``cores // workers`` ONNX Runtime threads (unless
    ``UNSPIN_THREADS`` says otherwise): on 2 cores, 2 workers x 1 thread gave 6.2 analyses/s
    of 1,000-word articles against 5.5 with 2 x 2 threads (bench/bench_api.py)."""
    import os

    threads = None
    if not os.environ.get("UNSPIN_THREADS"):
        threads = max(1, (os.cpu_count() or 1) // max(1, workers))
    components = []
    if narratives:
        from unspin.narratives.layer import NarrativeLayer

        components.append(NarrativeLayer())
    return Analyzer(
        None if model.lower() == "none" else model, components=components, threads=threads
    )


def _keyed(article: Article, threshold: float | None) -> Article:
    """The article as stored. The store's key is (article id, text, model), so an analysis at a
    non-default threshold is stored under ``id@threshold=T``: otherwise its permalink would
    show the first analysis stored for that text, made at another threshold."""
    if threshold is None:
        return article
    return dataclasses.replace(article, id=f"{article.id}@threshold={threshold:g}")


class Service:
    def __init__(self, analyzer: Analyzer, settings: Settings) -> None:
        self.analyzer = analyzer
        self.settings = settings
        self.runner: Runner = None  # type: ignore[assignment]
        self.store: Any = None
        self._store_lock = threading.Lock()  # one writer at a time: no SQLite lock fights
        self.open()

    def open(self) -> None:
        """Start the worker threads and open the store (again, after :meth:`close`)."""
        s = self.settings
        if self.runner is None:
            self.runner = Runner(workers=s.workers, capacity=s.max_concurrency, timeout=s.timeout)
        if s.store and self.store is None:
            from unspin.store import open_store

            self.store = open_store(s.db)

    # -- runs on worker threads ---------------------------------------------------------------

    def analyze_job(self, job: Job) -> dict[str, Any]:
        article = job.article
        if article is None:
            assert job.html is not None
            article = extract_html(job.html, article_id=job.article_id, filename=job.filename)
        analysis = self.analyzer.analyze(article, threshold=job.threshold)
        key = self._save([(analysis, _keyed(article, job.threshold))])[0]
        return self._answer(analysis, key)

    def analyze_many(
        self, articles: Sequence[Article], threshold: float | None
    ) -> list[dict[str, Any]]:
        analyses = list(self.analyzer.pipe(articles, threshold=threshold, batch_size=8))
        keys = self._save(
            [(a, _keyed(art, threshold)) for a, art in zip(analyses, articles, strict=True)]
        )
        return [self._answer(a, k) for a, k in zip(analyses, keys, strict=True)]

    def get(self, key: str) -> dict[str, Any] | None:
        if self.store is None or not KEY_RE.fullmatch(key):
            return None
        analysis = self.store.get(key)
        return None if analysis is None else self._answer(analysis, key)

    # -- helpers -------------------------------------------------------------------------------

    def _save(self, items: list[tuple[Analysis, Article]]) -> list[str | None]:
        if self.store is None:
            return [None] * len(items)
        with self._store_lock:
            return list(self.store.save_many(items))

    @staticmethod
    def _answer(analysis: Analysis, key: str | None) -> dict[str, Any]:
        out = analysis.to_dict()
        if key is not None:
            out["stored"] = {"id": key, "url": f"/v1/analyses/{key}", "permalink": f"/a/{key}"}
        return out

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None  # type: ignore[assignment]
        if self.store is not None:
            self.store.close()
            self.store = None
