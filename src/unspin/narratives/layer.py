"""The narrative layer: an Analyzer component that fills ``Analysis.narratives`` and
``Analysis.claims``.

Every sentence of a text is embedded once (shipped ONNX encoder); the embeddings feed both the
narrative classifier (SemEval-2025 Task 10 labels, with supporting sentences) and claim
matching against the loaded catalogues (known claims the sentence *resembles*, above a
calibrated similarity). Guide types label both (``meta["narrative_layer"]["guide"]``).

>>> from unspin.pipeline import Analyzer
>>> nlp = Analyzer(model=None, components=[NarrativeLayer(catalogs=[])])
>>> a = nlp("NATO is preparing to attack Russia. The West wants to destroy us.")
>>> a.claims, a.meta["narrative_layer"]["note"]
((), 'no catalogue is loaded: claims were not matched')
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from unspin.narratives.catalog import Catalog, CatalogEntry, list_catalogs, open_catalog
from unspin.narratives.classifier import NarrativeClassifier, load_classifier
from unspin.narratives.encoder import Encoder, load_encoder
from unspin.narratives.guard import agrees
from unspin.narratives.guide import Guide, load_guide
from unspin.segment import sentences
from unspin.types import Analysis, Claim, ClaimMatch, Evidence, Narrative

MATCHING_FILE = Path(__file__).resolve().parent / "matching.json"
DEBUNK_CHARS = 600


def matching_defaults() -> dict[str, Any]:
    return dict(json.loads(MATCHING_FILE.read_text(encoding="utf-8")))


class NarrativeLayer:
    """Narratives and claim matches for analyses.

    ``catalogs``: names or paths of catalogues; ``None`` loads every catalogue in the data
    dir, ``[]`` none. ``classifier``: a classifier directory, ``"default"`` (shipped) or
    ``None`` to skip narrative classification. ``threshold``: minimum cosine similarity for a
    claim match (default: the calibrated one in ``matching.json``). ``guard=False`` turns off
    the negation / reversed-roles vetoes.
    """

    name = "narratives"

    def __init__(
        self,
        catalogs: Sequence[str | os.PathLike[str]] | None = None,
        *,
        classifier: str | os.PathLike[str] | None = "default",
        threshold: float | None = None,
        top_k: int | None = None,
        encoder: Encoder | None = None,
        guard: bool = True,
    ) -> None:
        defaults = matching_defaults()
        self.guard = guard
        self.encoder = encoder or load_encoder()
        self.threshold = float(defaults["threshold"] if threshold is None else threshold)
        self.top_k = int(top_k or defaults.get("top_k", 3))
        self.min_words = int(defaults.get("min_words", 5))
        names = [c["name"] for c in list_catalogs()] if catalogs is None else list(catalogs)
        self.catalogs: list[Catalog] = [open_catalog(c, encoder=self.encoder) for c in names]
        self.classifier: NarrativeClassifier | None = None
        if classifier is not None:
            self.classifier = load_classifier(None if str(classifier) == "default" else classifier)
            self.classifier.check_encoder(self.encoder.id)
        self.guide: Guide = load_guide()

    def claim_like(self, sentence: str) -> bool:
        """Sentences worth matching: at least ``min_words`` words and not a question (a
        question such as "Is Russia a part of NATO?" asserts nothing, yet embeds close to
        claims on the same topic)."""
        s = sentence.rstrip(" \"'\u201d\u2019)")
        return len(sentence.split()) >= self.min_words and not s.endswith("?")

    def info(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "encoder": self.encoder.id,
            "classifier": self.classifier.meta.get("name") if self.classifier else None,
            "catalogs": [
                {"name": c.name, "revision": c.meta.get("revision"), "claims": len(c)}
                for c in self.catalogs
            ],
            "claim_threshold": self.threshold,
        }
        if not self.catalogs:
            d["note"] = "no catalogue is loaded: claims were not matched"
        elif not any(len(c) for c in self.catalogs):
            d["note"] = "the loaded catalogues are empty: claims were not matched"
        return d

    def _match(
        self, texts: Sequence[str], vecs: np.ndarray
    ) -> list[list[tuple[Catalog, CatalogEntry, float]]]:
        per: list[list[tuple[Catalog, CatalogEntry, float]]] = [[] for _ in range(len(vecs))]
        k = self.top_k * 4 if self.guard else self.top_k  # room for vetoed candidates
        for cat in self.catalogs:
            for i, hits in enumerate(cat.search_vectors(vecs, k=k, threshold=self.threshold)):
                per[i].extend(
                    (cat, e, s) for e, s in hits if not self.guard or agrees(texts[i], e.claim)[0]
                )
        return [sorted(p, key=lambda x: -x[2])[: self.top_k] for p in per]

    def annotate(self, analyses: Sequence[Analysis]) -> list[Analysis]:
        spans = [sentences(a.text) for a in analyses]
        flat = [a.text[s:e] for a, sp in zip(analyses, spans, strict=True) for s, e in sp]
        vecs = self.encoder.encode(flat) if flat else np.zeros((0, self.encoder.dim), np.float32)
        out = []
        pos = 0
        for a, sp in zip(analyses, spans, strict=True):
            v = vecs[pos : pos + len(sp)]
            pos += len(sp)
            out.append(self._annotate_one(a, sp, v))
        return out

    def _annotate_one(self, a: Analysis, sp: list[tuple[int, int]], v: np.ndarray) -> Analysis:
        guide: dict[str, dict[str, Any]] = {}

        def tag(t: Any, ref: str) -> None:
            if t is None:
                return
            g = guide.setdefault(t.id, {**t.to_dict(), "labels": []})
            g["labels"].append(ref)

        narratives: list[Narrative] = []
        if self.classifier is not None and len(sp):
            coarse, fine = self.classifier.predict(v)
            for ls in [*coarse, *fine]:
                if ls.label == "Other":
                    continue
                ev = tuple(Evidence(*sp[i]) for i in ls.evidence)
                narratives.append(Narrative(ls.label, round(ls.score, 4), ev))
                types = self.guide.for_label(ls.label)
                if types:
                    tag(types[0], f"narrative:{ls.label}")
        claims: list[Claim] = []
        if self.catalogs and len(sp):
            keep = [i for i, (s, e) in enumerate(sp) if self.claim_like(a.text[s:e])]
            if keep:
                found = self._match([a.text[sp[i][0] : sp[i][1]] for i in keep], v[keep])
                for i, hits in zip(keep, found, strict=True):
                    if not hits:
                        continue
                    matches = tuple(
                        ClaimMatch(
                            catalog=cat.name,
                            id=e.id,
                            title=e.claim,
                            similarity=round(s, 4),
                            date=e.date,
                            url=e.url or e.source_url,
                            debunk=_short(e.debunk),
                        )
                        for cat, e, s in hits
                    )
                    claims.append(Claim(sp[i][0], sp[i][1], matches))
                    best = hits[0][1]
                    t = self.guide.nearest(v[i], self.encoder) or self.guide.for_tags(best.tags)
                    tag(t, f"claim:{sp[i][0]}-{sp[i][1]}")
        meta = dict(a.meta)
        info = self.info()
        if guide:
            info["guide"] = list(guide.values())
        meta["narrative_layer"] = info
        return dataclasses.replace(a, narratives=tuple(narratives), claims=tuple(claims), meta=meta)


def _short(text: str | None) -> str | None:
    if not text or len(text) <= DEBUNK_CHARS:
        return text
    cut = text[:DEBUNK_CHARS].rsplit(" ", 1)[0]
    return cut + " \u2026"
