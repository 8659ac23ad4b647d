"""Batch runs: read a corpus, analyse what is not stored yet, store it, say what happened.

>>> import tempfile, pathlib
>>> from unspin.batch.keywords import KeywordModel
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_text("Corrupt traitors everywhere.")
>>> _ = (d / "b.txt").write_text("   ")
>>> s = run_batch([d], f"sqlite:///{d}/c.db", model=KeywordModel(), progress=False)
>>> s.analysed, [reason for _, reason in s.skipped]
(1, ['empty text'])
>>> run_batch([d], f"sqlite:///{d}/c.db", model=KeywordModel(), progress=False).already
1

How a run stays exact when it is interrupted (Ctrl-C, ``kill -9``, power loss): articles are
taken in chunks; for each chunk the ids already stored are looked up and skipped, the rest is
analysed and written in one transaction. A stopped run leaves only whole chunks behind, and the
next run skips them: nothing is lost, nothing is analysed twice. Analyses are keyed by article
id, content hash and model, so a changed text or a new model is analysed afresh.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from unspin.batch.readers import Fields, Record, Skip, count_inputs, read_inputs
from unspin.batch.sinks import Result, Sink
from unspin.types import Analysis, Article, ModelInfo

MAX_LISTED = 20


@dataclass
class BatchSummary:
    """What a batch run did. ``already``: stored by an earlier run (or repeated in the input)."""

    model: ModelInfo = field(default_factory=ModelInfo)
    analysed: int = 0
    already: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    interrupted: bool = False

    @property
    def rate(self) -> float:
        return self.analysed / self.elapsed if self.elapsed > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model.to_dict(),
            "analysed": self.analysed,
            "already": self.already,
            "skipped": [{"location": loc, "reason": r} for loc, r in self.skipped],
            "failed": [{"location": loc, "reason": r} for loc, r in self.failed],
            "duplicates": [{"location": loc, "note": r} for loc, r in self.duplicates],
            "elapsed_s": round(self.elapsed, 3),
            "articles_per_s": round(self.rate, 3),
            "interrupted": self.interrupted,
        }

    def lines(self) -> list[str]:
        """The human summary, one line per fact (then one per listed problem)."""
        model = self.model.name + (f" {self.model.version}" if self.model.version else "")
        head = "interrupted after" if self.interrupted else "analysed"
        out = [
            f"{head} {self.analysed} article(s) in {self.elapsed:.1f} s "
            f"({self.rate:.1f}/s) with model {model}"
        ]
        if self.model.name == "none":
            out.append(
                "note: no technique model is installed, so no techniques were marked (pass --model)"
            )
        if self.already:
            out.append(f"already stored: {self.already} (skipped, not analysed again)")
        for title, items in (
            ("skipped", self.skipped),
            ("failed", self.failed),
            ("duplicate ids with different text (both kept)", self.duplicates),
        ):
            if not items:
                continue
            out.append(f"{title}: {len(items)}")
            for loc, reason in items[:MAX_LISTED]:
                out.append(f"  {loc}: {reason}")
            if len(items) > MAX_LISTED:
                out.append(f"  ... and {len(items) - MAX_LISTED} more")
        if self.interrupted:
            out.append("rerun the same command to resume; finished chunks are kept")
        return out


def estimate_tokens(text: str) -> int:
    """A cheap token estimate for sizing batches (about 4 characters per subword token)."""
    return len(text) // 4 + 1


def token_batches(records: Sequence[Record], max_tokens: int) -> Iterator[list[Record]]:
    """Consecutive groups of ``records`` of at most ``max_tokens`` estimated tokens each (a
    longer article goes alone), so one model call never holds too much text."""
    group: list[Record] = []
    used = 0
    for r in records:
        n = estimate_tokens(r.article.text)
        if group and used + n > max_tokens:
            yield group
            group, used = [], 0
        group.append(r)
        used += n
    if group:
        yield group


def analyze_records(
    analyzer: Any, records: Sequence[Record], max_tokens: int
) -> tuple[list[tuple[Record, Analysis]], list[tuple[str, str]]]:
    """Analyse ``records`` in token-sized groups; a group that fails is retried one article at
    a time so one bad article cannot take others down with it."""
    from unspin.errors import UnspinError

    done: list[tuple[Record, Analysis]] = []
    failed: list[tuple[str, str]] = []
    for group in token_batches(records, max_tokens):
        try:
            out = list(analyzer.pipe([r.article for r in group], batch_size=len(group)))
            done.extend(zip(group, out, strict=True))
            continue
        except (UnspinError, ValueError, RuntimeError, MemoryError):
            pass
        for r in group:
            try:
                done.append((r, analyzer.analyze(r.article)))
            except (UnspinError, ValueError, RuntimeError, MemoryError) as err:
                failed.append((r.location, f"{type(err).__name__}: {err}".splitlines()[0]))
    return done, failed


class Collector:
    """Driver-side bookkeeping shared by the engines: progress, summary, duplicate-id notices,
    and the one place results are written."""

    def __init__(self, sink: Sink, model: ModelInfo, progress: Any = None) -> None:
        self.sink = sink
        self.summary = BatchSummary(model=model)
        self.progress = progress

    def advance(self, n: int = 1) -> None:
        if self.progress is not None:
            self.progress(n)

    def skip(self, location: str, reason: str) -> None:
        self.summary.skipped.append((location, reason))
        self.advance()

    def fail(self, location: str, reason: str) -> None:
        self.summary.failed.append((location, reason))
        self.advance()

    def already(self, n: int = 1) -> None:
        self.summary.already += n
        self.advance(n)

    def write(self, results: Sequence[tuple[str, Analysis, Article, str]]) -> None:
        """Store ``(key, analysis, article, location)`` results in one all-or-nothing write."""
        if not results:
            return
        fresh: list[Result] = []
        seen: dict[str, set[str]] = {}
        # Stored since this chunk was planned (the Ray engine plans from a list made at start).
        keys_seen: set[str] = self.sink.existing([key for key, *_ in results])
        stored = self.sink.hashes(sorted({art.id for _, _, art, _ in results}))
        for key, a, art, loc in results:
            if key in keys_seen:  # stored already, or the same article twice in one chunk
                self.summary.already += 1
                continue
            keys_seen.add(key)
            others = (stored.get(art.id, set()) | seen.get(art.id, set())) - {a.hash}
            if others:
                self.summary.duplicates.append(
                    (
                        loc,
                        f"id {art.id!r} was already seen with a "
                        f"different text (content hash {a.hash[:12]} "
                        f"vs {sorted(others)[0][:12]})",
                    )
                )
            seen.setdefault(art.id, set()).add(a.hash)
            fresh.append((key, a, art))
        self.sink.write(fresh)
        self.summary.analysed += len(fresh)
        self.advance(len(results))


def make_progress(total: int | None, enabled: bool) -> tuple[Any, Callable[[int], None] | None]:
    """A rich progress bar on stderr (rate and ETA) and its ``advance(n)`` callback."""
    if not enabled:
        return None, None
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Any) -> Text:
            speed = task.finished_speed or task.speed
            return Text("-- art/s" if speed is None else f"{speed:.1f} art/s")

    progress = Progress(
        TextColumn("[bold]analysing"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=False,
    )
    task = progress.add_task("analysing", total=total)
    progress.start()

    def advance(n: int) -> None:
        progress.advance(task, n)

    return progress, advance


def open_sink(
    db: str | None,
    parquet: str | os.PathLike[str] | None,
    store_options: dict[str, Any] | None = None,
) -> Sink:
    """The sink for ``--db`` and/or ``--parquet`` (with neither: the default database)."""
    from unspin.batch.sinks import ParquetSink, StoreSink
    from unspin.store import open_store

    store = None
    if db is not None or parquet is None:
        store = StoreSink(open_store(db, **(store_options or {})))
    if parquet is not None:
        return ParquetSink(parquet, then=store)
    assert store is not None
    return store


def run_local(
    items: Iterable[Record | Skip],
    analyzer: Any,
    collector: Collector,
    *,
    chunk_size: int = 64,
    max_tokens: int = 8192,
) -> None:
    """The local engine: one process, chunks of ``chunk_size`` articles, one write per chunk."""
    from unspin.store.schema import analysis_key

    info = analyzer.info

    def flush(chunk: list[Record]) -> None:
        keys = [analysis_key(r.article.id, r.article.hash, info.name, info.version) for r in chunk]
        done = collector.sink.existing(keys)
        todo = [r for r, k in zip(chunk, keys, strict=True) if k not in done]
        collector.already(len(chunk) - len(todo))
        analysed, failed = analyze_records(analyzer, todo, max_tokens)
        for loc, reason in failed:
            collector.fail(loc, reason)
        collector.write(
            [
                (
                    analysis_key(r.article.id, a.hash, info.name, info.version),
                    a,
                    r.article,
                    r.location,
                )
                for r, a in analysed
            ]
        )

    chunk: list[Record] = []
    for item in items:
        if isinstance(item, Skip):
            collector.skip(item.location, item.reason)
            continue
        chunk.append(item)
        if len(chunk) >= chunk_size:
            flush(chunk)
            chunk = []
    if chunk:
        flush(chunk)


def run_batch(
    inputs: Sequence[str | os.PathLike[str]],
    db: str | None = None,
    *,
    parquet: str | os.PathLike[str] | None = None,
    fields: Fields | None = None,
    model: Any = "default",
    threshold: float | None = None,
    engine: str = "local",
    chunk_size: int = 64,
    max_tokens: int = 8192,
    workers: int = 1,
    ray_address: str | None = None,
    progress: bool = True,
    on_summary: Callable[[BatchSummary], None] | None = None,
    store_options: dict[str, Any] | None = None,
) -> BatchSummary:
    """Analyse every article of ``inputs`` not yet stored, into ``db`` and/or ``parquet``.

    ``model`` is what :class:`~unspin.pipeline.Analyzer` accepts (a name, a directory, a loaded
    model or ``None``). ``engine`` is ``"local"`` or ``"ray"`` (``workers`` actors, joining
    ``ray_address`` if given). ``on_summary`` is called with the partial summary when the run
    is interrupted or fails, before the exception propagates. ``store_options`` go to
    :func:`~unspin.store.open_store` (``retries``, ``backoff``, ``timeout``).
    """
    from unspin.pipeline import Analyzer

    fields = fields or Fields()
    started = time.perf_counter()
    sink = open_sink(db, parquet, store_options)
    bar = None
    try:
        if engine == "ray":
            from unspin.batch.ray_engine import run_ray

            info = (
                Analyzer(model).info
                if isinstance(model, str | os.PathLike)
                else (model.info if model is not None else ModelInfo())
            )
            total = count_inputs(inputs) if progress else None
            bar, advance = make_progress(total, progress)
            collector = Collector(sink, info, advance)
            run_ray(
                inputs,
                fields,
                model,
                threshold,
                collector,
                workers=workers,
                chunk_size=chunk_size,
                max_tokens=max_tokens,
                ray_address=ray_address,
            )
        elif engine == "local":
            analyzer = Analyzer(model, threshold=threshold)
            total = count_inputs(inputs) if progress else None
            bar, advance = make_progress(total, progress)
            collector = Collector(sink, analyzer.info, advance)
            run_local(
                read_inputs(inputs, fields),
                analyzer,
                collector,
                chunk_size=chunk_size,
                max_tokens=max_tokens,
            )
        else:
            from unspin.errors import InputError

            raise InputError("unknown engine", expected="'local' or 'ray'", found=repr(engine))
    except BaseException:
        if "collector" in locals():
            summary = collector.summary
            summary.elapsed = time.perf_counter() - started
            summary.interrupted = True
            if bar is not None:
                bar.stop()
                bar = None
            if on_summary is not None:
                on_summary(summary)
        raise
    finally:
        if bar is not None:
            bar.stop()
        sink.close()
    summary = collector.summary
    summary.elapsed = time.perf_counter() - started
    return summary
