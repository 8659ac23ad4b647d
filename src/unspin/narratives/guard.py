"""Cheap checks that veto a claim match the embedding cannot see through.

Sentence embeddings are nearly blind to negation and to who does what to whom: "Russia is
preparing for a war with NATO" and "NATO is preparing for a war with Russia" score 0.96. Two
precision-first vetoes, applied after the similarity threshold:

* **negation**: one side is negated ("not", "never", "n't", ...) and the other is not;
* **reversed roles**: both sides name the same two or more entities (capitalised words,
  with US/USA/U.S. folded together) but the first two shared ones come in opposite order.

* **topic only**: apart from the words that every claim on the subject shares (country names
  and their adjectives, "war", "NATO", "the West", ...), the two share no content word
  ("Read more on the Ukraine war" vs "The war in Ukraine, as well as the war in Syria...").

All three can also veto a correct match (a passive paraphrase, a sentence that negates a side
clause); docs/narratives.md reports the effect on the calibration set and on news articles.

>>> agrees("Russia is preparing for a war with NATO.", "NATO is preparing for a war with Russia")
(False, 'reversed roles')
>>> agrees("Russia did not annex Crimea.", "Russia annexed Crimea")
(False, 'negation differs')
>>> agrees("We know NATO is getting ready to attack Russia.", "NATO prepares to attack Russia")
(True, '')
"""

from __future__ import annotations

import re

_NEG = re.compile(
    r"\b(?:not|no|never|nobody|nothing|neither|nor|none|cannot|without)\b|n[\u2019']t\b",
    re.IGNORECASE,
)
_CAP = re.compile(r"\b(?:[A-Z][\w\u2019'.-]*[\w]|[A-Z])")
_STOP_WORDS = (
    "a an the in on at of to for from by with and but or as if when while after before this "
    "that these those it its he she they we i you his her their our my your there here what "
    "why how who which where according also however yet so then now eight one two three "
    "mr mrs ms dr president minister prime chancellor"
)
_STOP = frozenset(_STOP_WORDS.split())
_ALIASES = {"usa": "us", "u.s": "us", "u.s.": "us", "u.s.a": "us", "america": "us"}
# adjectives of the places catalogued claims are most often about, folded into the name, so
# that "Russian aggression against Ukraine" and "Ukrainian aggression towards Russia" are
# seen as reversed roles
_DEMONYMS = {
    "russian": "russia",
    "russians": "russia",
    "ukrainian": "ukraine",
    "ukrainians": "ukraine",
    "american": "us",
    "americans": "us",
    "european": "europe",
    "europeans": "europe",
    "german": "germany",
    "germans": "germany",
    "polish": "poland",
    "british": "britain",
    "chinese": "china",
    "syrian": "syria",
    "belarusian": "belarus",
    "georgian": "georgia",
    "moldovan": "moldova",
    "lithuanian": "lithuania",
    "latvian": "latvia",
    "estonian": "estonia",
    "french": "france",
    "soviet": "ussr",
}
# words that claims on the same subject share whatever they say: sharing only these is
# sharing a topic, not a claim
_TOPIC_COMMON = (
    "us uk eu nato un west western kremlin kyiv kiev moscow washington war wars world country "
    "countries people government state authorities regime military army forces conflict crisis "
    "situation says said say will would could should new many all some more most other own only "
    "just even still now today year years"
)
_TOPIC_WORDS = frozenset(set(_DEMONYMS) | set(_DEMONYMS.values()) | set(_TOPIC_COMMON.split()))
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[\u2019'.-][A-Za-z0-9]+)*")


def negated(text: str) -> bool:
    return bool(_NEG.search(text))


def _canonical(word: str) -> str:
    """Lower-cased, possessive and final period dropped, aliases and demonyms folded."""
    w = re.sub(r"[\u2019']s$", "", word.lower()).rstrip(".")
    w = _ALIASES.get(w, w)
    return _DEMONYMS.get(w, w)


def entities(text: str) -> list[str]:
    """Capitalised words in order of first appearance, lower-cased, possessives dropped."""
    out: list[str] = []
    for m in _CAP.finditer(text):
        w = _canonical(m.group())
        if w in _STOP or len(w) < 2 or w in out:
            continue
        out.append(w)
    return out


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def content_words(text: str) -> set[str]:
    """Lower-cased, crudely stemmed words that are neither stop words nor topic words."""
    out = set()
    for m in _WORD.finditer(text):
        w = _canonical(m.group())
        if len(w) < 3 or w in _STOP or w in _TOPIC_WORDS or _NEG.fullmatch(w):
            continue
        out.add(_stem(w))
    return out


def agrees(sentence: str, claim: str) -> tuple[bool, str]:
    """``(True, "")`` unless a veto applies; then ``(False, reason)``."""
    if negated(sentence) != negated(claim.rstrip("\u2026")):
        return False, "negation differs"
    a, b = entities(sentence), entities(claim)
    common = [x for x in a if x in b]
    if len(common) >= 2:
        first_two_b = [x for x in b if x in common][:2]
        if common[:2] != first_two_b:
            return False, "reversed roles"
    if not content_words(sentence) & content_words(claim.rstrip("\u2026")):
        return False, "topic only"
    return True, ""
