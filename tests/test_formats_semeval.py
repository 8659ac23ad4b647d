"""SemEval-2021 Task 6 JSON and SemEval-2023 Task 3 paragraph/template/span files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from unspin.errors import FormatError, LabelError, OffsetError
from unspin.formats import Annotation, RecordWarning
from unspin.formats import semeval2021 as s21
from unspin.formats import semeval2023 as s23
from unspin.formats.articles import read_articles

FIX = Path(__file__).parent / "fixtures" / "formats"


# --- SemEval-2021 ------------------------------------------------------------------------------


def test_read_memes() -> None:
    memes = s21.read_memes(FIX / "semeval2021" / "gold.json")
    assert [m.id for m in memes] == ["1", "2"]
    m = memes[0]
    assert m.spans[0] == Annotation("1", 0, 8, "Name calling/Labeling")
    assert m.text is not None and m.text[m.spans[1].start : m.spans[1].end] == "WAKE UP"
    assert m.techniques == ("Name calling/Labeling", "Slogans")
    assert memes[1].spans == () and memes[1].to_article().text == "Nice weather today"


def test_memes_subtask1_and_prediction_without_text() -> None:
    memes = s21.parse_memes('[{"id": 7, "labels": ["Smears", "Doubt"]}]')
    assert memes[0].id == "7" and memes[0].text is None
    assert memes[0].techniques == ("Smears", "Doubt") and memes[0].spans == ()


@pytest.mark.parametrize(
    ("doc", "error", "message"),
    [
        ("{", FormatError, "not valid JSON"),
        ('{"id": 1}', FormatError, "not a list"),
        ('[{"text": "x"}]', FormatError, "no usable 'id'"),
        ('[{"id": "1", "labels": [{"start": 0, "end": 2}]}]', FormatError, "no 'technique'"),
        (
            '[{"id": "1", "labels": [{"start": "0", "end": 2, "technique": "Doubt"}]}]',
            FormatError,
            "'start' is not an integer",
        ),
        (
            '[{"id": "1", "labels": [{"start": 3, "end": 2, "technique": "Doubt"}]}]',
            FormatError,
            "empty or reversed",
        ),
        (
            '[{"id": "1", "text": "ab", "labels": [{"start": 0, "end": 5, "technique": "Doubt"}]}]',
            OffsetError,
            "runs past the end",
        ),
        (
            '[{"id": "1", "labels": [{"start": 0, "end": 2, "technique": "Loaded_Language"}]}]',
            LabelError,
            "unknown technique",
        ),
        ('[{"id": "1", "labels": []}, {"id": "1", "labels": []}]', FormatError, "appears twice"),
    ],
)
def test_bad_memes(doc: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as info:
        s21.parse_memes(doc, name="m.json")
    assert str(info.value).startswith("m.json")


def test_memes_warn_mode_keeps_good_records() -> None:
    doc = '[{"id": "1", "labels": ["Nope"]}, {"id": "2", "labels": ["Doubt"]}]'
    with pytest.warns(RecordWarning, match=r"record 1 \(id 1\)"):
        memes = s21.parse_memes(doc, on_error="warn")
    assert [m.id for m in memes] == ["2"]


def test_write_memes_round_trip(tmp_path: Path) -> None:
    memes = s21.read_memes(FIX / "semeval2021" / "gold.json")
    out = tmp_path / "pred.json"
    s21.write_memes(out, memes)
    assert s21.read_memes(out) == memes
    data = json.loads(out.read_text())
    assert data[0]["labels"][1]["text_fragment"] == "WAKE UP"
    buf = io.StringIO()
    s21.write_memes(buf, memes, subtask=1)
    assert json.loads(buf.getvalue())[0]["labels"] == ["Name calling/Labeling", "Slogans"]


def test_real_semeval2021_reads_if_present() -> None:
    p = Path("/work/shared/data/semeval2021-task6/data/training_set_task2.txt")
    if not p.exists():
        pytest.skip("shared data not available")
    memes = s21.read_memes(p)
    assert len(memes) == 688 and sum(len(m.spans) for m in memes) == 1498


# --- SemEval-2023 ------------------------------------------------------------------------------


def test_paragraph_labels_crlf_and_empty_sets() -> None:
    rows = s23.read_paragraph_labels(FIX / "semeval2023" / "gold-labels.txt")
    assert [(r.article_id, r.paragraph, r.labels) for r in rows] == [
        ("10", 1, ()),
        ("10", 3, ("Loaded_Language",)),
        ("10", 4, ("Doubt", "Slogans")),
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("10", "has 1 field"),
        ("10\tx\tDoubt", "paragraph id is not a positive integer"),
        ("10\t0\tDoubt", "paragraph id is not a positive integer"),
        ("10\t2\tDoubt\tSlogans", "has 4 field"),
        ("10\t1\tDoubt", "listed twice"),
    ],
)
def test_bad_paragraph_lines(line: str, message: str) -> None:
    with pytest.raises(FormatError, match=message) as info:
        s23.parse_paragraph_labels("10\t1\t\n" + line + "\n", name="p.txt")
    assert str(info.value).startswith("p.txt:2: ")


def test_paragraph_label_unknown_technique() -> None:
    # a SemEval-2020 name splits at its comma: the first half is reported, with a suggestion
    with pytest.raises(LabelError, match=r"p.txt:1: unknown technique 'Name_Calling'.*did you"):
        s23.parse_paragraph_labels("1\t1\tName_Calling,Labeling\n", name="p.txt")


def test_template_and_paragraph_numbering() -> None:
    text = read_articles(FIX / "semeval2023" / "articles")["10"]
    tpl = s23.read_template(FIX / "semeval2023" / "template.txt")
    pars = s23.paragraphs(text)
    assert [(t.paragraph, t.text) for t in tpl] == [(p, text[s:e]) for p, s, e in pars]


def test_span_file_offsets_count_carriage_returns() -> None:
    text = read_articles(FIX / "semeval2023" / "articles")["10"]
    spans = s23.read_spans(FIX / "semeval2023" / "spans")
    assert [text[a.start : a.end] for a in spans] == [
        "mentent toujours",
        "Doutez de tout",
        "Doutez de tout",
    ]
    assert text.replace("\r\n", "\n")[spans[0].start : spans[0].end] != "mentent toujours"


def test_write_paragraph_labels_round_trip(tmp_path: Path) -> None:
    rows = s23.read_paragraph_labels(FIX / "semeval2023" / "gold-labels.txt")
    out = tmp_path / "pred.txt"
    assert s23.write_paragraph_labels(out, rows) == 3
    assert s23.read_paragraph_labels(out) == rows
    assert out.read_text().splitlines()[0] == "10\t1\t"


def test_per_article_folder_separates_labels_and_templates(tmp_path: Path) -> None:
    (tmp_path / "article5-labels-subtask-3.txt").write_text("5\t1\tDoubt\n")
    (tmp_path / "article5-labels-subtask-3.txt.template").write_text("5\t1\tWho knows?\n")
    assert [r.labels for r in s23.read_paragraph_labels(tmp_path)] == [("Doubt",)]
    assert [t.text for t in s23.read_template(tmp_path)] == ["Who knows?"]
