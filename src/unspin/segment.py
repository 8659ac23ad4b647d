"""Paragraph and sentence segmentation with exact offsets into the input text.

Rule-based and dependency-free, so it is fast and predictable on any Unicode input: a
paragraph is a run of non-blank lines; inside a line, a sentence ends at ``.``, ``!``, ``?``
or ``…`` (plus closing quotes/brackets) followed by whitespace and then something that can
start a sentence. A newline always ends a sentence, which matches news text in the PTC
format (one sentence per line) and most extracted article text.

Returned ranges are half-open and trimmed of surrounding whitespace; they never overlap,
are in order, and are never empty.

>>> text = "Title\\n\\nFirst one. Second one!\\nThird"
>>> [text[s:e] for s, e in sentences(text)]
['Title', 'First one.', 'Second one!', 'Third']
>>> [text[s:e] for s, e in paragraphs(text)]
['Title', 'First one. Second one!\\nThird']
"""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence (lower-cased, without the dot).
_ABBREV = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "gov",
        "sen",
        "rep",
        "rev",
        "hon",
        "pres",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "no",
        "nos",
        "vol",
        "fig",
        "inc",
        "ltd",
        "co",
        "corp",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "approx",
        "dept",
        "est",
    ]
)
_END = re.compile(r"[.!?\u2026\u203c\u2047-\u2049\u3002\uff01\uff1f]+[\"'\u201d\u2019\u00bb)\]]*")
_LINE = re.compile(r"[^\n\r\u2028\u2029\x0b\x0c\x85]+")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Runs of non-blank lines, as ``(start, end)`` ranges."""
    out: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for m in _LINE.finditer(text):
        s, e = _trim(text, m.start(), m.end())
        if s == e:  # a whitespace-only line separates paragraphs
            if cur:
                out.append(cur)
            cur = None
            continue
        gap = text[cur[1] : s] if cur else ""
        if cur and gap.count("\n") + gap.count("\r") - gap.count("\r\n") <= 1:
            cur = (cur[0], e)
        else:
            if cur:
                out.append(cur)
            cur = (s, e)
    if cur:
        out.append(cur)
    return out


def _split_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = start
    for m in _END.finditer(text, start, end):
        cut = m.end()
        if cut >= end:
            break
        if not text[cut].isspace():
            continue  # "3.5", "U.S.A", "word.Word" stay together
        # the next non-space character must plausibly start a sentence
        nxt = cut
        while nxt < end and text[nxt].isspace():
            nxt += 1
        if nxt >= end:
            break
        ch = text[nxt]
        if ch.islower():
            continue
        if m.group().startswith(".") and len(m.group()) == 1:
            word = re.search(r"(\S+)$", text[pos : m.start()])
            w = word.group(1).lower().lstrip("(\"'\u201c") if word else ""
            if w in _ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        s, e = _trim(text, pos, cut)
        if s < e:
            out.append((s, e))
        pos = cut
    s, e = _trim(text, pos, end)
    if s < e:
        out.append((s, e))
    return out


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence ranges; a line break always ends a sentence."""
    out: list[tuple[int, int]] = []
    for m in _LINE.finditer(text):
        s, e = _trim(text, m.start(), m.end())
        if s < e:
            out.extend(_split_line(text, s, e))
    return out


def word_count(text: str) -> int:
    """Number of whitespace-separated words (used for rates such as spans per 100 words)."""
    return len(text.split())
