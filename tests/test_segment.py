"""Paragraph and sentence segmentation with exact offsets."""

from __future__ import annotations

import pytest

from unspin.segment import paragraphs, sentences, word_count


def frags(text: str, ranges: list[tuple[int, int]]) -> list[str]:
    return [text[s:e] for s, e in ranges]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("   \n\t ", []),
        ("One. Two!", ["One.", "Two!"]),
        ("Title\n\nFirst one. Second one!\nThird", ["Title", "First one.", "Second one!", "Third"]),
        ("Mr. Smith went to Washington. He left.", ["Mr. Smith went to Washington.", "He left."]),
        ("Prices rose 3.5 percent. Then fell.", ["Prices rose 3.5 percent.", "Then fell."]),
        ("It was the U.S. Army. Yes.", ["It was the U.S. Army.", "Yes."]),
        ("He said \u201cNo.\u201d Then he left.", ["He said \u201cNo.\u201d", "Then he left."]),
        ("wait... what? really", ["wait... what? really"]),  # lower-case: no break
        ("A line\r\nanother line", ["A line", "another line"]),
        ("Lone\rCR", ["Lone", "CR"]),
        ("Sep\u2028arated", ["Sep", "arated"]),
        ("J. Smith came.", ["J. Smith came."]),  # an initial is not a sentence end
    ],
)
def test_sentences(text: str, expected: list[str]) -> None:
    assert frags(text, sentences(text)) == expected


def test_sentences_offsets_index_exact_text() -> None:
    text = "\ufeffBOM first. \U0001f600 Emoji next!\r\n\u05e9\u05dc\u05d5\u05dd."
    got = sentences(text)
    assert frags(text, got) == [
        "\ufeffBOM first.",
        "\U0001f600 Emoji next!",
        "\u05e9\u05dc\u05d5\u05dd.",
    ]
    assert got[0][0] == 0  # the BOM is character 0 (not whitespace, so not trimmed)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("One\nTwo", ["One\nTwo"]),
        ("One\n\nTwo", ["One", "Two"]),
        ("One\r\n\r\nTwo\r\nThree", ["One", "Two\r\nThree"]),
        ("One\n  \t\nTwo", ["One", "Two"]),  # a whitespace-only line separates
        ("\n\n  Lead  \n\n", ["Lead"]),
        ("One\r\rTwo", ["One", "Two"]),
    ],
)
def test_paragraphs(text: str, expected: list[str]) -> None:
    assert frags(text, paragraphs(text)) == expected


def test_word_count() -> None:
    assert word_count("  one two\tthree\nfour ") == 4
    assert word_count("") == 0
