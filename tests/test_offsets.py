"""Windowing, owner-based stitching, chunking and span trimming."""

from __future__ import annotations

import pytest

from unspin.offsets import chunks, expand_to_words, owners, trim_span, windows


@pytest.mark.parametrize(
    ("n", "size", "overlap", "expected"),
    [
        (0, 4, 2, []),
        (3, 4, 2, [(0, 3)]),
        (4, 4, 2, [(0, 4)]),
        (10, 4, 2, [(0, 4), (2, 6), (4, 8), (6, 10)]),
        (11, 4, 2, [(0, 4), (2, 6), (4, 8), (6, 10), (8, 11)]),  # last one: 3 of 4 tokens
        (10, 4, 0, [(0, 4), (4, 8), (7, 10)]),  # pulled back to hold 3 tokens
        (1000, 512, 128, [(0, 512), (384, 896), (616, 1000)]),  # 384 = 3/4 of 512
        (1000, 512, 400, [(0, 512), (112, 624), (224, 736), (336, 848), (448, 960), (560, 1000)]),
        (9, 4, 2, [(0, 4), (2, 6), (4, 8), (6, 9)]),
    ],
)
def test_windows(n: int, size: int, overlap: int, expected: list[tuple[int, int]]) -> None:
    assert windows(n, size, overlap) == expected


@pytest.mark.parametrize(("size", "overlap"), [(0, 0), (4, 4), (4, -1)])
def test_windows_bad_arguments(size: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        windows(10, size, overlap)


def test_owners_most_central_window() -> None:
    wins = windows(10, size=4, overlap=2)
    assert owners(wins, 10) == [0, 0, 0, 1, 1, 2, 2, 3, 3, 3]
    assert owners([(0, 5)], 5) == [0] * 5
    with pytest.raises(ValueError, match="do not cover"):
        owners([(0, 3)], 5)


def test_stitching_has_no_duplicates_or_gaps() -> None:
    n = 2000
    wins = windows(n, 512, 128)
    own = owners(wins, n)
    stitched = [t for w, (s, e) in enumerate(wins) for t in range(s, e) if own[t] == w]
    assert stitched == list(range(n))


def test_chunks_prefer_paragraphs_and_cover_text() -> None:
    text = "First paragraph here.\n\nSecond paragraph is here.\n\nThird."
    parts = chunks(text, 30)
    assert "".join(text[s:e] for s, e in parts) == text
    assert text[parts[1][0] :].startswith("Second")
    assert all(e - s <= 30 for s, e in parts)
    assert chunks("", 10) == [] and chunks("short", 10) == [(0, 5)]


def test_chunks_hard_cut_without_boundaries() -> None:
    text = "x" * 25
    assert chunks(text, 10) == [(0, 10), (10, 20), (20, 25)]


def test_trim_span() -> None:
    text = "  \u00a0, hello world.; "
    s, e = trim_span(text, 0, len(text))
    assert text[s:e] == "hello world"
    assert trim_span("...", 0, 3) == (3, 3)


def test_expand_to_words() -> None:
    text = "the quick brown fox"
    assert expand_to_words(text, 6, 12) == (4, 15)  # "uick b" → "quick brown"
    assert expand_to_words(text, 4, 9) == (4, 9)
