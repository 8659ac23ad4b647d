"""The neutral wire-style corpus in bench/neutral/ (the false-alarm benchmark's input) is
well-formed, and the benchmark's figures are right on a hand-checkable fake model."""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest

from unspin.types import Article, ModelInfo, Span

ROOT = Path(__file__).resolve().parent.parent
NEUTRAL = ROOT / "bench" / "neutral"
FILES = sorted(NEUTRAL.glob("*.txt"))


def test_neutral_corpus_has_twenty_articles() -> None:
    assert len(FILES) == 20, [f.name for f in FILES]
    assert (NEUTRAL / "README.md").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_neutral_article_is_well_formed(path: Path) -> None:
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # raises on bad UTF-8
    assert not raw.startswith(b"\xef\xbb\xbf"), "no byte-order mark"
    assert "\r" not in text and "\x00" not in text
    lines = text.split("\n")
    title, blank, body = lines[0], lines[1], "\n".join(lines[2:])
    assert title.strip() == title and 3 <= len(title.split()) <= 20, title
    assert not title.endswith("."), "a headline, not a sentence"
    assert blank == "", "line 2 must be blank"
    assert body.strip() and not body.startswith((" ", "\n")), "the body starts on line 3"
    assert 120 <= len(body.split()) <= 250, len(body.split())
    assert text.endswith("\n") and not text.endswith("\n\n")
    assert text.count('"') % 2 == 0, "unbalanced quotation marks"


def test_neutral_articles_are_distinct() -> None:
    titles = [f.read_text(encoding="utf-8").split("\n", 1)[0] for f in FILES]
    assert len(set(titles)) == len(titles)


# -- the benchmark script on a fake model ---------------------------------------------------
def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_false_alarms", ROOT / "bench" / "bench_false_alarms.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class WordModel:
    """Flags 'said' (0.9), 'very' (0.3) and 'corrupt' (0.6) wherever they occur."""

    info = ModelInfo("words", "1")
    scores = {"said": 0.9, "very": 0.3, "corrupt": 0.6}

    def predict(self, texts: Sequence[str], *, threshold: float | None = None) -> list[list[Span]]:
        out = []
        for text in texts:
            spans = [
                Span(m.start(), m.end(), "Loaded_Language", self.scores[m.group()])
                for m in re.finditer(r"\b(said|very|corrupt)\b", text)
            ]
            out.append([s for s in spans if threshold is None or s.score >= threshold])
        return out


def test_bench_figures_on_a_fake_model() -> None:
    from unspin.pipeline import Analyzer

    bench = load_bench()
    corpora = {
        "neutral": [
            Article("Rates held\n\nThe bank said rates were unchanged.", id="n1"),
            Article("Match\n\nThe home side won two to one.", id="n2"),
        ],
        "propaganda": [Article("A very very bad idea\n\nHe said it was very bad.", id="p1")],
    }
    r = bench.measure(Analyzer(WordModel()), corpora, [None, 0.5], top=5)
    low, strict = r["points"]
    n, p = low["corpora"]["neutral"], low["corpora"]["propaganda"]
    assert (n["spans"], n["words"], n["zero_flag_share"]) == (1, 16, 0.5)
    assert n["spans_per_100_words_mean"] == pytest.approx((100 / 8 + 0) / 2, abs=1e-3)
    assert n["sentence_share"] == pytest.approx(1 / 4)
    assert p["spans"] == 4 and p["technique_counts"] == {"Loaded_Language": 4}
    assert low["ratio"]["mean"] == pytest.approx(p["spans_per_100_words_mean"] / 6.25, rel=1e-3)
    assert [f["text"] for f in low["top_neutral_flags"]] == ["said"]
    assert strict["corpora"]["propaganda"]["spans"] == 1  # only 'said' scores >= 0.5
    assert strict["top_neutral_flags"][0]["score"] == 0.9


def test_bench_ratio_without_neutral_flags_is_none() -> None:
    bench = load_bench()
    assert bench.ratio_interval([1.0, 2.0], [0.0, 0.0]) == (None, None, None)
    ratio, lo, hi = bench.ratio_interval([2.0, 4.0], [1.0, 1.0])
    assert ratio == pytest.approx(3.0) and lo <= ratio <= hi


@pytest.mark.parametrize(
    ("text", "start", "quoted"),
    [
        ('He said "we will win" today.', 10, True),
        ('He said "no." Then left.', 20, False),
        ("She said \u201cmaybe\u201d.", 10, True),
        ('line "one\nline two', 12, False),
    ],
)
def test_bench_in_quote(text: str, start: int, quoted: bool) -> None:
    assert load_bench().in_quote(text, start) is quoted


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (1, "Title"),
        (3, "Title\n\nOne two. Three four."),
        (4, "Title\n\nOne two. Three four."),
        (6, "Title\n\nOne two. Three four.\nFive six."),
        (99, "Title\n\nOne two. Three four.\nFive six."),
    ],
)
def test_bench_cut_words_keeps_whole_lines(n: int, expected: str) -> None:
    assert load_bench().cut_words("Title\n\nOne two. Three four.\nFive six.", n) == expected


def test_bench_control_flags_the_added_sentence() -> None:
    from unspin.pipeline import Analyzer

    bench = load_bench()
    neutral = [Article("Vote\n\nThe chair said the vote was on time.", id="a"), Article("X\n\nY.")]
    corpora = {"neutral": neutral, "control": bench.with_control(neutral)}
    assert corpora["control"][0].text.endswith("\n\n" + bench.CONTROL_SENTENCE + "\n")
    (point,) = bench.measure(Analyzer(WordModel()), corpora, [None])["points"]
    assert point["control"] == {"hit_share": 1.0, "spans_in": 2, "spans_elsewhere": 1}


def test_bench_bound_when_the_neutral_corpus_has_no_flag() -> None:
    from unspin.pipeline import Analyzer

    bench = load_bench()
    corpora = {
        "neutral": [Article("Rates\n\nThe bank kept rates at 3 percent.", id="n")],
        "propaganda": [Article("Bad\n\nIt was very bad.", id="p")],
    }
    (point,) = bench.measure(Analyzer(WordModel()), corpora, [None])["points"]
    ratio = point["ratio"]
    assert ratio["mean"] is None and ratio["neutral_upper95"] == pytest.approx(300 / 8)
    assert "at least 1x" in bench._fmt_ratio(ratio)  # 20 / 37.5 rounds to 1
