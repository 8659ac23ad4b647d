"""The Analyzer: text in, :class:`~unspin.types.Analysis` out.

Every front end (CLI, REST API, web UI, batch runner) calls :meth:`Analyzer.analyze` or
:meth:`Analyzer.pipe`; nothing else produces analyses.

>>> from unspin import Analyzer
>>> nlp = Analyzer(model=None)          # no technique model: says so, invents nothing
>>> a = nlp("They lied to you. Again.")
>>> a.model.name, len(a.sentences), a.techniques
('none', 2, ())
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from unspin.errors import InputError
from unspin.segment import sentences as split_sentences
from unspin.summary import sentence_scores, summarize
from unspin.types import Analysis, Article, ModelInfo, Span


class TechniqueModel(Protocol):
    """What the analyzer needs from a technique detector (see :mod:`unspin.model`)."""

    info: ModelInfo

    def predict(self, texts: Sequence[str], *, threshold: float | None = None) -> list[list[Span]]:
        """Technique spans per text; ``threshold`` overrides the per-technique thresholds."""
        ...


class Component(Protocol):
    """An extra analysis layer (narratives, claim matching) that adds fields to an Analysis."""

    name: str

    def annotate(self, analyses: Sequence[Analysis]) -> list[Analysis]: ...


def check_text(text: object, *, where: str = "text") -> str:
    """Validate an input text; raise :class:`InputError` with a one-line reason if unusable."""
    if not isinstance(text, str):
        raise InputError(f"{where} is not a string", expected="str", found=type(text).__name__)
    if "\x00" in text:
        raise InputError(
            f"{where} contains NUL bytes (is it a binary file?)",
            expected="plain text",
            found=f"NUL at character {text.index(chr(0))}",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise InputError(
            f"{where} contains a lone surrogate code point",
            expected="valid Unicode text",
            found=f"U+{ord(text[err.start]):04X} at character {err.start}",
        ) from err
    return text


DEFAULT_MODEL = "default"


def _resolve_model(
    model: str | os.PathLike[str] | TechniqueModel | None, threads: int | None = None
) -> TechniqueModel | None:
    if model is None:
        return None
    if not isinstance(model, (str, os.PathLike)):
        return model
    from unspin.errors import ModelError
    from unspin.model import load_model

    try:
        return load_model(model, threads=threads) if threads else load_model(model)
    except ModelError:
        if str(model) == DEFAULT_MODEL:
            return None  # no default model installed: analyses say model "none"
        raise


class Analyzer:
    """Runs segmentation, the technique model and optional components over texts.

    ``model`` is a model name (``"default"``), a model directory, an already loaded model, or
    ``None`` for no technique model. ``threads`` sets ONNX Runtime's threads per call
    (default: ``UNSPIN_THREADS``, else all cores); a server running several analyses at once
    does better with fewer threads each.
    """

    def __init__(
        self,
        model: str | os.PathLike[str] | TechniqueModel | None = DEFAULT_MODEL,
        *,
        threshold: float | None = None,
        components: Sequence[Component] = (),
        threads: int | None = None,
    ) -> None:
        self.model = _resolve_model(model, threads)
        self.threshold = threshold
        self.components = list(components)

    @property
    def info(self) -> ModelInfo:
        return self.model.info if self.model is not None else ModelInfo()

    def __call__(self, text: str | Article, **kwargs: Any) -> Analysis:
        return self.analyze(text, **kwargs)

    def analyze(
        self, text: str | Article, *, id: str | None = None, threshold: float | None = None
    ) -> Analysis:
        """Analyse one text (or :class:`Article`)."""
        return next(iter(self.pipe([text], threshold=threshold, ids=[id] if id else None)))

    def pipe(
        self,
        texts: Iterable[str | Article],
        *,
        batch_size: int = 8,
        threshold: float | None = None,
        ids: Sequence[str] | None = None,
    ) -> Iterator[Analysis]:
        """Analyse a stream of texts lazily, ``batch_size`` at a time, in input order."""
        batch: list[Article] = []
        for i, item in enumerate(texts):
            art = item if isinstance(item, Article) else Article(text=item)
            if ids is not None and ids[i]:
                art = Article(
                    text=art.text,
                    id=ids[i],
                    source=art.source,
                    url=art.url,
                    published=art.published,
                    language=art.language,
                    meta=art.meta,
                )
            check_text(art.text, where=f"article {art.id!r}" if art.id else "text")
            batch.append(art)
            if len(batch) >= batch_size:
                yield from self._run(batch, threshold)
                batch = []
        if batch:
            yield from self._run(batch, threshold)

    def _run(self, batch: list[Article], threshold: float | None) -> list[Analysis]:
        thr = self.threshold if threshold is None else threshold
        if thr is not None and not 0.0 <= thr <= 1.0:
            raise InputError(
                "threshold out of range", expected="a number in [0, 1]", found=str(thr)
            )
        if self.model is not None:
            found = self.model.predict([a.text for a in batch], threshold=thr)
        else:
            found = [[] for _ in batch]
        out = []
        for art, spans in zip(batch, found, strict=True):
            spans = sorted(spans, key=lambda s: (s.start, s.end, s.label))
            sents = sentence_scores(art.text, spans, split_sentences(art.text))
            meta = {k: v for k, v in art.to_dict().items() if k not in ("id", "text")}
            out.append(
                Analysis(
                    text=art.text,
                    id=art.id,
                    model=self.info,
                    techniques=tuple(spans),
                    sentences=tuple(sents),
                    summary=summarize(art.text, spans, sents),
                    meta=meta,
                )
            )
        for comp in self.components:
            out = comp.annotate(out)
        return out


_DEFAULT: dict[str, Analyzer] = {}


def load(model: str | os.PathLike[str] | None = DEFAULT_MODEL, **kwargs: Any) -> Analyzer:
    """Load an :class:`Analyzer` (cached per model name)."""
    key = str(Path(model)) if model is not None else "<none>"
    if kwargs:
        return Analyzer(model, **kwargs)
    if key not in _DEFAULT:
        _DEFAULT[key] = Analyzer(model)
    return _DEFAULT[key]


def analyze(
    text: str | Article,
    *,
    model: str | os.PathLike[str] | None = DEFAULT_MODEL,
    threshold: float | None = None,
) -> Analysis:
    """Analyse one text with a cached analyzer: ``unspin.analyze("...")``."""
    return load(model).analyze(text, threshold=threshold)
