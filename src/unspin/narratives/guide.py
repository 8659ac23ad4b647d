"""The narrative guide: manipulative narrative types in the team's own words (``guide.json``).

Each type says what the narrative claims, how to recognise it, the techniques that usually
carry it and a neutral counter-question. The guide labels classifier narratives (through the
SemEval labels each type lists) and catalogue matches (through the nearest of the type's
example claims, else through the matched entry's catalogue tags).

>>> g = load_guide()
>>> g.for_label("URW: Discrediting Ukraine: Discrediting Ukrainian government")[0].id
'discrediting-ukraine'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

GUIDE_FILE = Path(__file__).resolve().parent / "guide.json"


@dataclass(frozen=True)
class NarrativeType:
    id: str
    name: str
    claims: str
    recognise: str
    techniques: tuple[str, ...]
    counter_question: str
    tags: tuple[str, ...]
    semeval: tuple[str, ...]
    examples: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "claims": self.claims,
            "recognise": self.recognise,
            "techniques": list(self.techniques),
            "counter_question": self.counter_question,
        }


class Guide:
    def __init__(self, types: Sequence[NarrativeType]) -> None:
        self.types = list(types)
        self.by_id = {t.id: t for t in self.types}
        self._vecs: np.ndarray | None = None
        self._owner: list[int] = []

    def for_label(self, label: str) -> list[NarrativeType]:
        """Guide types for a SemEval narrative or sub-narrative label, best first: a type that
        lists the label earlier in its ``semeval`` list ranks higher (then guide order); a
        sub-narrative without its own entry falls back to its narrative."""
        head = label
        while True:
            out = [t for t in self.types if head in t.semeval]
            if out or ": " not in head:
                return sorted(out, key=lambda t: t.semeval.index(head))
            head = head.rpartition(": ")[0]

    def for_tags(self, tags: Sequence[str]) -> NarrativeType | None:
        low = {x.lower() for x in tags}
        best, n = None, 0
        for t in self.types:
            k = sum(1 for x in t.tags if x.lower() in low)
            if k > n:
                best, n = t, k
        return best

    def nearest(
        self, vec: np.ndarray, encoder: Any, *, min_similarity: float = 0.55
    ) -> NarrativeType | None:
        """The type whose example claims are closest to ``vec`` (a normalised embedding)."""
        if self._vecs is None:
            texts, owner = [], []
            for i, t in enumerate(self.types):
                for ex in t.examples:
                    texts.append(ex)
                    owner.append(i)
            self._vecs = encoder.encode(texts)
            self._owner = owner
        sims = self._vecs @ vec
        j = int(np.argmax(sims))
        return self.types[self._owner[j]] if sims[j] >= min_similarity else None


@cache
def load_guide(path: str | None = None) -> Guide:
    data = json.loads(Path(path or GUIDE_FILE).read_text(encoding="utf-8"))
    types = []
    for d in data["types"]:
        types.append(
            NarrativeType(
                id=d["id"],
                name=d["name"],
                claims=d["claims"],
                recognise=d["recognise"],
                techniques=tuple(d.get("techniques", ())),
                counter_question=d["counter_question"],
                tags=tuple(d.get("tags", ())),
                semeval=tuple(d.get("semeval", ())),
                examples=tuple(d.get("examples", ())),
            )
        )
    return Guide(types)
