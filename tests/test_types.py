"""The data model: Span, Analysis, Article and the JSON shape ``unspin.analysis/1``."""

from __future__ import annotations

import json

import pytest

from unspin.errors import FormatError, OffsetError
from unspin.types import (
    SCHEMA,
    Analysis,
    Article,
    Claim,
    ClaimMatch,
    Evidence,
    ModelInfo,
    Narrative,
    SentenceScore,
    Span,
    content_hash,
    merge_spans,
)

TEXT = "\ufeffThey lied.\r\nAgain \U0001f600!"


def full_analysis() -> Analysis:
    return Analysis(
        text=TEXT,
        id="a1",
        model=ModelInfo("m", "2"),
        techniques=(Span(1, 10, "Loaded_Language", 0.75), Span(13, 18, "Repetition", 0.5)),
        sentences=(SentenceScore(1, 11, 0.9, ("Loaded_Language",)),),
        summary={"score": 0.3},
        narratives=(Narrative("N", 0.5, (Evidence(1, 5),)),),
        claims=(Claim(1, 10, (ClaimMatch("cat", "c1", "Title", 0.8, url="u"),)),),
        meta={"url": "http://x"},
    )


def test_span_validation() -> None:
    with pytest.raises(OffsetError, match="non-empty half-open range"):
        Span(5, 5, "Doubt")
    with pytest.raises(OffsetError):
        Span(-1, 3, "Doubt")
    s = Span(2, 6, "Doubt")
    assert s.text("0123456789") == "2345"
    s.check("0123456")
    with pytest.raises(OffsetError, match="runs past the end"):
        s.check("0123")


def test_analysis_rejects_spans_outside_text() -> None:
    with pytest.raises(OffsetError, match="does not fit the text"):
        Analysis(text="abc", techniques=(Span(0, 4, "Doubt"),))
    with pytest.raises(OffsetError):
        Analysis(text="abc", sentences=(SentenceScore(2, 5, 0.0),))


def test_to_dict_shape() -> None:
    d = full_analysis().to_dict()
    assert d["schema"] == SCHEMA == "unspin.analysis/1"
    assert list(d)[:7] == ["schema", "id", "text", "model", "techniques", "sentences", "summary"]
    assert d["model"] == {"name": "m", "version": "2"}
    assert d["techniques"][0] == {"start": 1, "end": 10, "label": "Loaded_Language", "score": 0.75}
    assert d["sentences"][0] == {"start": 1, "end": 11, "score": 0.9, "labels": ["Loaded_Language"]}
    assert "narratives" in d and "claims" in d and d["meta"] == {"url": "http://x"}
    assert "narratives" not in Analysis.empty("x").to_dict()


def test_json_round_trip_keeps_exact_text_and_offsets() -> None:
    a = full_analysis()
    back = Analysis.from_json(a.to_json())
    assert back == a
    assert back.text == TEXT and back.text[0] == "\ufeff" and "\r\n" in back.text
    assert [f for _, f in back.fragments()] == ["They lied", "Again"]
    assert Analysis.from_dict(json.loads(json.dumps(a.to_dict()))) == a  # ASCII-escaped JSON


def test_empty_analysis_says_no_model() -> None:
    a = Analysis.empty("", id="e")
    assert a.model.name == "none" and a.techniques == () and a.to_dict()["text"] == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a JSON object"),
        ({"schema": "unspin.analysis/2", "text": "x"}, "unsupported analysis schema"),
        ({"id": "x"}, "missing field 'text'"),
        ({"text": 5}, "wrong type"),
        ({"text": "ab", "techniques": [{"start": "0", "end": 1, "label": "D"}]}, "wrong type"),
        ({"text": "ab", "techniques": [{"start": True, "end": 1, "label": "D"}]}, "found bool"),
        ({"text": "ab", "techniques": [{"start": 0, "label": "D"}]}, "missing field 'end'"),
    ],
)
def test_from_dict_errors(data: object, message: str) -> None:
    with pytest.raises(FormatError, match=message):
        Analysis.from_dict(data)  # type: ignore[arg-type]


def test_from_json_invalid() -> None:
    with pytest.raises(FormatError, match="not valid JSON"):
        Analysis.from_json("{")


def test_offset_error_from_dict() -> None:
    with pytest.raises(OffsetError):
        Analysis.from_dict({"text": "ab", "techniques": [{"start": 0, "end": 3, "label": "D"}]})


def test_article_round_trip_and_meta() -> None:
    a = Article.from_dict({"id": 7, "text": "t", "url": "u", "lang": "en", "meta": {"k": 1}})
    assert a.id == "7" and a.url == "u" and a.meta == {"k": 1, "lang": "en"}
    assert Article.from_dict(a.to_dict()) == a
    assert a.hash == content_hash("t") and len(a.hash) == 32
    assert Article(text="t", meta={"x": 1}) == Article(text="t")  # meta is not compared


def test_spans_filter_and_hash() -> None:
    a = full_analysis()
    assert [s.label for s in a.spans("Repetition")] == ["Repetition"]
    assert len(a.spans()) == 2
    assert a.hash == content_hash(TEXT)


def test_merge_spans() -> None:
    assert merge_spans([(5, 8), (0, 3), (2, 4), (8, 9)]) == [(0, 4), (5, 8), (8, 9)]
    assert merge_spans([(0, 10), (2, 3)]) == [(0, 10)]
    assert merge_spans([]) == []
