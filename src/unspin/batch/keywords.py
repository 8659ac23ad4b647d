"""A deterministic word-list "technique model": marks every whole-word occurrence of a few
words. It stands in for a trained model in tests, demos and plumbing benchmarks (it is not a
detector of anything).

>>> from unspin import Analyzer
>>> a = Analyzer(model=KeywordModel()).analyze("Traitors lie. Everyone knows it.")
>>> [(a.text[s.start:s.end], s.label) for s in a.techniques]
[('Traitors', 'Name_Calling,Labeling'), ('Everyone knows', 'Bandwagon,Reductio_ad_hitlerum')]
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from unspin.types import ModelInfo, Span

DEFAULT_WORDS: dict[str, str] = {
    "traitors": "Name_Calling,Labeling",
    "corrupt": "Loaded_Language",
    "disaster": "Loaded_Language",
    "everyone knows": "Bandwagon,Reductio_ad_hitlerum",
    "never": "Exaggeration,Minimisation",
    "experts say": "Appeal_to_Authority",
    "destroy": "Appeal_to_fear-prejudice",
}


class KeywordModel:
    """Marks each case-insensitive whole-word match of ``words`` (phrase -> label)."""

    def __init__(
        self, words: Mapping[str, str] | None = None, *, name: str = "fake", version: str = "1"
    ) -> None:
        self.words = dict(words or DEFAULT_WORDS)
        self.info = ModelInfo(name=name, version=version)
        alts = "|".join(re.escape(w) for w in sorted(self.words, key=len, reverse=True))
        self._re = re.compile(rf"\b(?:{alts})\b", re.IGNORECASE)

    def predict(self, texts: Sequence[str], *, threshold: float | None = None) -> list[list[Span]]:
        out = []
        for text in texts:
            out.append(
                [
                    Span(m.start(), m.end(), self.words[m.group(0).lower()], 0.9)
                    for m in self._re.finditer(text)
                ]
            )
        return out
