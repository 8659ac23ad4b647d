"""The data model: an :class:`Article` goes in, an :class:`Analysis` comes out, holding Spans.

Every offset is a half-open code-point offset into the exact input text:
``analysis.text[span.start:span.end]`` is the fragment. Nothing is stored twice;
``Span.text(...)`` is derived from the owning text.

One JSON shape (``Analysis.to_dict`` / ``Analysis.from_dict``, schema
``unspin.analysis/1``) serves the CLI, the REST API and the stores.

>>> a = Analysis.empty("Hello world.", id="x")
>>> Analysis.from_dict(a.to_dict()) == a
True
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from unspin.errors import FormatError, OffsetError

SCHEMA = "unspin.analysis/1"


def content_hash(text: str) -> str:
    """A stable hash of an article's text (sha256 of its UTF-8 encoding, hex, first 16 bytes)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _need(d: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in d:
        raise FormatError(
            f"{where}: missing field '{key}'",
            expected=f"an object with '{key}'",
            found=f"keys {sorted(d)}",
        )
    value = d[key]
    if kind is int and isinstance(value, bool):
        raise FormatError(
            f"{where}: field '{key}' has the wrong type", expected="int", found="bool"
        )
    if not isinstance(value, kind):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise FormatError(
            f"{where}: field '{key}' has the wrong type", expected=name, found=type(value).__name__
        )
    return value


@dataclass(frozen=True, order=True)
class Span:
    """A labelled fragment ``[start, end)`` of a text, with a score in [0, 1]."""

    start: int
    end: int
    label: str
    score: float = 1.0

    def __post_init__(self) -> None:
        # scores are kept at the precision they are written with, so JSON round-trips exactly
        object.__setattr__(self, "score", round(float(self.score), 4))
        if self.start < 0 or self.end <= self.start:
            raise OffsetError(
                "span offsets are not a non-empty half-open range",
                expected="0 <= start < end",
                found=f"start={self.start}, end={self.end}",
            )

    def text(self, source: str) -> str:
        """The fragment of ``source`` this span covers."""
        return source[self.start : self.end]

    def check(self, source: str) -> None:
        """Raise :class:`OffsetError` unless the span fits inside ``source``."""
        if self.end > len(source):
            raise OffsetError(
                f"span {self.start}-{self.end} ({self.label}) runs past the end of its text",
                expected=f"end <= {len(source)}",
                found=f"end={self.end}",
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "score": self.score,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Span:
        return cls(
            start=_need(d, "start", int, "span"),
            end=_need(d, "end", int, "span"),
            label=_need(d, "label", str, "span"),
            score=float(d.get("score", 1.0)),
        )


@dataclass(frozen=True)
class SentenceScore:
    """A sentence ``[start, end)``: the share of it covered by techniques and which ones."""

    start: int
    end: int
    score: float
    labels: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", round(float(self.score), 4))
        object.__setattr__(self, "labels", tuple(self.labels))

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "labels": list(self.labels),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> SentenceScore:
        return cls(
            start=_need(d, "start", int, "sentence"),
            end=_need(d, "end", int, "sentence"),
            score=float(d.get("score", 0.0)),
            labels=tuple(d.get("labels", ())),
        )


@dataclass(frozen=True)
class ModelInfo:
    """Which model produced an analysis. ``name == "none"`` means no technique model ran."""

    name: str = "none"
    version: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ModelInfo:
        return cls(name=str(d.get("name", "none")), version=str(d.get("version", "")))


@dataclass(frozen=True)
class Evidence:
    """A fragment ``[start, end)`` that supports a narrative label."""

    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Evidence:
        return cls(start=_need(d, "start", int, "evidence"), end=_need(d, "end", int, "evidence"))


@dataclass(frozen=True)
class Narrative:
    """A narrative (or sub-narrative) label for the whole text, with supporting fragments."""

    label: str
    score: float
    evidence: tuple[Evidence, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", round(float(self.score), 4))
        object.__setattr__(self, "evidence", tuple(self.evidence))

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "score": self.score,
            "evidence": [e.to_dict() for e in self.evidence],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Narrative:
        return cls(
            label=_need(d, "label", str, "narrative"),
            score=float(d.get("score", 0.0)),
            evidence=tuple(Evidence.from_dict(e) for e in d.get("evidence", ())),
        )


@dataclass(frozen=True)
class ClaimMatch:
    """A known claim from a catalogue that a fragment *resembles* (never "is")."""

    catalog: str
    id: str
    title: str
    similarity: float
    date: str | None = None
    url: str | None = None
    debunk: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "similarity", round(float(self.similarity), 4))

    def to_dict(self) -> dict[str, Any]:
        return {
            "catalog": self.catalog,
            "id": self.id,
            "title": self.title,
            "similarity": self.similarity,
            "date": self.date,
            "url": self.url,
            "debunk": self.debunk,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ClaimMatch:
        return cls(
            catalog=str(d.get("catalog", "")),
            id=str(d.get("id", "")),
            title=str(d.get("title", "")),
            similarity=float(d.get("similarity", 0.0)),
            date=d.get("date"),
            url=d.get("url"),
            debunk=d.get("debunk"),
        )


@dataclass(frozen=True)
class Claim:
    """A claim-like fragment ``[start, end)`` and the known claims it resembles."""

    start: int
    end: int
    matches: tuple[ClaimMatch, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "matches": [m.to_dict() for m in self.matches],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Claim:
        return cls(
            start=_need(d, "start", int, "claim"),
            end=_need(d, "end", int, "claim"),
            matches=tuple(ClaimMatch.from_dict(m) for m in d.get("matches", ())),
        )


@dataclass(frozen=True)
class Article:
    """A text to analyse, with optional metadata carried through untouched."""

    text: str
    id: str = ""
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def hash(self) -> str:
        return content_hash(self.text)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "text": self.text}
        for key in ("source", "url", "published", "language"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.meta:
            d["meta"] = dict(self.meta)
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Article:
        known = {"id", "text", "source", "url", "published", "language", "meta"}
        meta = dict(d.get("meta") or {})
        meta.update({k: v for k, v in d.items() if k not in known})
        return cls(
            text=_need(d, "text", str, "article"),
            id=str(d.get("id", "")),
            source=d.get("source"),
            url=d.get("url"),
            published=d.get("published"),
            language=d.get("language"),
            meta=meta,
        )


@dataclass(frozen=True)
class Analysis:
    """What unspin found in one text. See the module docstring for the offset contract."""

    text: str
    id: str = ""
    model: ModelInfo = field(default_factory=ModelInfo)
    techniques: tuple[Span, ...] = ()
    sentences: tuple[SentenceScore, ...] = ()
    summary: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    narratives: tuple[Narrative, ...] | None = None
    claims: tuple[Claim, ...] | None = None
    meta: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def __post_init__(self) -> None:
        n = len(self.text)
        for group in (self.techniques, self.sentences, self.claims or ()):
            for s in group:
                if not (0 <= s.start < s.end <= n):
                    raise OffsetError(
                        f"{type(s).__name__} {s.start}-{s.end} does not fit the text",
                        expected=f"0 <= start < end <= {n}",
                        found=f"start={s.start}, end={s.end}",
                    )

    @classmethod
    def empty(cls, text: str, id: str = "", model: ModelInfo | None = None) -> Analysis:
        return cls(text=text, id=id, model=model or ModelInfo())

    @property
    def hash(self) -> str:
        return content_hash(self.text)

    def spans(self, label: str | None = None) -> list[Span]:
        """Technique spans, optionally only those of one label."""
        return [s for s in self.techniques if label is None or s.label == label]

    def fragments(self) -> list[tuple[Span, str]]:
        """(span, fragment text) pairs."""
        return [(s, self.text[s.start : s.end]) for s in self.techniques]

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "id": self.id,
            "text": self.text,
            "model": self.model.to_dict(),
            "techniques": [s.to_dict() for s in self.techniques],
            "sentences": [s.to_dict() for s in self.sentences],
            "summary": dict(self.summary),
        }
        if self.narratives is not None:
            d["narratives"] = [n.to_dict() for n in self.narratives]
        if self.claims is not None:
            d["claims"] = [c.to_dict() for c in self.claims]
        if self.meta:
            d["meta"] = dict(self.meta)
        return d

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Analysis:
        if not isinstance(d, Mapping):
            raise FormatError(
                "analysis is not a JSON object", expected="object", found=type(d).__name__
            )
        schema = d.get("schema", SCHEMA)
        if schema != SCHEMA:
            raise FormatError("unsupported analysis schema", expected=SCHEMA, found=repr(schema))
        narratives = d.get("narratives")
        claims = d.get("claims")
        return cls(
            text=_need(d, "text", str, "analysis"),
            id=str(d.get("id", "")),
            model=ModelInfo.from_dict(d.get("model") or {}),
            techniques=tuple(Span.from_dict(s) for s in d.get("techniques", ())),
            sentences=tuple(SentenceScore.from_dict(s) for s in d.get("sentences", ())),
            summary=dict(d.get("summary") or {}),
            narratives=None
            if narratives is None
            else tuple(Narrative.from_dict(n) for n in narratives),
            claims=None if claims is None else tuple(Claim.from_dict(c) for c in claims),
            meta=dict(d.get("meta") or {}),
        )

    @classmethod
    def from_json(cls, s: str) -> Analysis:
        try:
            data = json.loads(s)
        except json.JSONDecodeError as err:
            raise FormatError("analysis is not valid JSON", found=str(err)) from err
        return cls.from_dict(data)


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open ranges: overlapping ranges become one (touching ones stay apart)."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]
