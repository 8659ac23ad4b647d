"""Property tests: offsets round-trip for arbitrary Unicode text through segmentation,
windowing/chunking and the Analysis JSON shape."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.labels import LABELS
from unspin.offsets import chunks, owners, windows
from unspin.pipeline import Analyzer
from unspin.segment import paragraphs, sentences
from unspin.types import Analysis, ModelInfo, SentenceScore, Span

# pieces that break naive offset handling: BOM, CRLF, lone CR, tabs, emoji (incl. ZWJ
# sequences), right-to-left scripts, combining marks, zero-width joiners, Unicode line and
# paragraph separators, other Unicode whitespace, sentence ends and abbreviations
PIECES = [
    "\ufeff",
    "\r\n",
    "\r",
    "\n",
    "\n\n",
    "\t",
    " ",
    "\u00a0",
    "\u3000",
    "\x0b",
    "\x0c",
    "\x85",
    "\u2028",
    "\u2029",
    "\x1c",
    "\U0001f600",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",
    "\u200d",
    "\u200b",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u202e",
    "e\u0301",
    "\u0301",
    "A",
    "b",
    "word",
    "Mr.",
    "U.S.",
    ". ",
    "! ",
    "? ",
    "\u2026 ",
    "\u201cQuote.\u201d ",
    "3.5",
    "(x.) ",
    "\u3002",
    "\uff01",
]

texts = st.one_of(
    st.lists(st.sampled_from(PIECES), max_size=40).map("".join),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=80),
    st.lists(
        st.one_of(
            st.sampled_from(PIECES), st.text(st.characters(exclude_categories=("Cs",)), max_size=5)
        ),
        max_size=30,
    ).map("".join),
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_ranges(text: str, ranges: list[tuple[int, int]]) -> None:
    prev_end = 0
    for s, e in ranges:
        assert 0 <= prev_end <= s < e <= len(text), (s, e)  # in order, non-overlapping, non-empty
        assert not text[s].isspace() and not text[e - 1].isspace()  # trimmed
        prev_end = e
    covered = set()
    for s, e in ranges:
        covered.update(range(s, e))
    for i, ch in enumerate(text):  # every non-whitespace character lies in some range
        if not ch.isspace():
            assert i in covered, (i, ch)


@SETTINGS
@given(texts)
def test_sentences_and_paragraphs_ranges(text: str) -> None:
    sents = sentences(text)
    pars = paragraphs(text)
    _check_ranges(text, sents)
    _check_ranges(text, pars)
    # a line break always ends a sentence, so every sentence lies inside one paragraph
    for s, e in sents:
        assert any(ps <= s and e <= pe for ps, pe in pars), (s, e, pars)
    # the ranges index the exact input: slicing a copy gives the same fragments
    copy = "".join(list(text))
    assert [copy[s:e] for s, e in sents] == [text[s:e] for s, e in sents]


@SETTINGS
@given(st.integers(0, 3000), st.integers(1, 600), st.data())
def test_windows_cover_and_owners_are_unique(n: int, size: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, size - 1))
    wins = windows(n, size, overlap)
    if n == 0:
        assert wins == []
        return
    assert wins[0][0] == 0 and wins[-1][1] == n
    for (s1, e1), (s2, e2) in zip(wins, wins[1:], strict=False):
        assert s1 < s2 and e1 < e2  # in order, none contains the next
        assert e1 - s2 >= overlap  # consecutive windows overlap by at least `overlap`
        assert e1 - s1 == size  # only the last window may be short, and not very short
    assert wins[-1][1] - wins[-1][0] >= min(n, int(size * 0.75), size)
    for s, e in wins:
        assert 0 <= s < e <= n and e - s <= size
    own = owners(wins, n)
    assert len(own) == n
    for t, w in enumerate(own):  # each token has exactly one owner, a window containing it
        assert wins[w][0] <= t < wins[w][1]
    # stitching: each window owns one contiguous run, in window order, and every window with
    # a token of its own appears once
    assert own == sorted(own)


@SETTINGS
@given(texts, st.integers(1, 60))
def test_chunks_contiguous_and_complete(text: str, max_chars: int) -> None:
    parts = chunks(text, max_chars)
    if not text:
        assert parts == []
        return
    assert parts[0][0] == 0 and parts[-1][1] == len(text)
    for (_, e1), (s2, _) in zip(parts, parts[1:], strict=False):
        assert e1 == s2  # contiguous: nothing lost, nothing repeated
    for s, e in parts:
        assert 0 < e - s <= max_chars
    assert "".join(text[s:e] for s, e in parts) == text


@st.composite
def analyses(draw: st.DrawFn) -> Analysis:
    text = draw(texts.filter(lambda t: "\x00" not in t))
    n = len(text)
    spans = []
    if n:
        for _ in range(draw(st.integers(0, 6))):
            s = draw(st.integers(0, n - 1))
            e = draw(st.integers(s + 1, n))
            score = draw(st.integers(0, 10_000)) / 10_000  # scores are stored to 4 places
            spans.append(Span(s, e, draw(st.sampled_from(LABELS)), score))
    sents = tuple(
        SentenceScore(
            s,
            e,
            draw(st.integers(0, 10_000)) / 10_000,
            tuple(draw(st.lists(st.sampled_from(LABELS), max_size=2))),
        )
        for s, e in sentences(text)
    )
    return Analysis(
        text=text,
        id=draw(st.text(max_size=5).filter(lambda t: "\x00" not in t)),
        model=ModelInfo("m", "1"),
        techniques=tuple(sorted(spans)),
        sentences=sents,
        summary={"n": len(spans)},
    )


@SETTINGS
@given(analyses(), st.booleans())
def test_analysis_json_round_trip(a: Analysis, ascii_only: bool) -> None:
    wire = json.dumps(a.to_dict(), ensure_ascii=ascii_only)
    back = Analysis.from_dict(json.loads(wire))
    assert back == a
    assert back.text == a.text and len(back.text) == len(a.text)
    assert [back.text[s.start : s.end] for s in back.techniques] == [
        a.text[s.start : s.end] for s in a.techniques
    ]
    assert Analysis.from_json(a.to_json()) == a


class WordModel:
    """Marks every alphanumeric run as Loaded_Language (offsets into the exact input)."""

    info = ModelInfo("words", "0")

    def predict(self, texts: list[str], threshold: float | None = None) -> list[list[Span]]:
        import re

        return [
            [Span(m.start(), m.end(), "Loaded_Language", 0.5) for m in re.finditer(r"\w+", t)]
            for t in texts
        ]


@settings(max_examples=100, deadline=None)
@given(texts.filter(lambda t: "\x00" not in t))
def test_analyzer_output_round_trips(text: str) -> None:
    a = Analyzer(model=WordModel()).analyze(text, id="x")
    assert a.text == text
    back = Analysis.from_dict(json.loads(json.dumps(a.to_dict(), ensure_ascii=False)))
    # scores are written to 4 decimal places (see test_analyzer_scores_round_trip_exactly),
    # so compare after one pass; offsets, labels and text must survive unchanged
    once = Analysis.from_dict(a.to_dict())
    assert back == once
    assert back.text == a.text
    assert [(s.start, s.end, s.label) for s in back.techniques] == [
        (s.start, s.end, s.label) for s in a.techniques
    ]
    assert [(s.start, s.end, s.labels) for s in back.sentences] == [
        (s.start, s.end, s.labels) for s in a.sentences
    ]
    import re

    assert [text[s.start : s.end] for s in back.techniques] == re.findall(r"\w+", text)
    assert [(s.start, s.end) for s in a.sentences] == sentences(text)


def test_analyzer_scores_round_trip_exactly() -> None:
    a = Analyzer(model=WordModel()).analyze("00:", id="x")  # sentence score 2/3
    assert Analysis.from_dict(json.loads(a.to_json())) == a
