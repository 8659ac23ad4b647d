"""Readers and writers: article folders, SemEval-2020 label files, .txt/.jsonl/.csv records."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest

from unspin.errors import FormatError, InputError, LabelError, OffsetError
from unspin.formats import Annotation, RecordWarning
from unspin.formats import semeval2020 as ptc
from unspin.formats.articles import article_id, iter_articles, read_articles, write_article
from unspin.formats.records import iter_csv, iter_jsonl, iter_records, write_jsonl
from unspin.types import Article

PTC = Path(__file__).parent / "fixtures" / "formats" / "ptc"
RECORDS = Path(__file__).parent / "fixtures" / "formats" / "records"


# --- article folders ---------------------------------------------------------------------------


def test_articles_ids_and_exact_text() -> None:
    texts = read_articles(PTC / "articles")
    assert list(texts) == ["1", "2", "3"]
    assert texts["1"].startswith("\ufeffTitle\n")  # the BOM is character 0
    assert texts["2"] == "Stop them now.\r\nDo it."  # no newline translation
    assert texts["1"][17:25] == "traitors"


def test_articles_numeric_order(tmp_path: Path) -> None:
    for aid in ("10", "9", "100"):
        (tmp_path / f"article{aid}.txt").write_text("x")
    (tmp_path / "notes.txt").write_text("not an article")
    assert [a.id for a in iter_articles(tmp_path)] == ["9", "10", "100"]


def test_article_id() -> None:
    assert article_id("/x/article111111111.txt") == "111111111"
    assert article_id("article5.task-si.labels") is None
    assert article_id("readme.txt") is None


def test_articles_empty_dir_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "readme.md").write_text("hi")
    with pytest.raises(InputError, match="holds no articles"):
        list(iter_articles(tmp_path))
    with pytest.raises(InputError, match="no such directory"):
        read_articles(tmp_path / "missing")


def test_articles_bad_utf8_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "article1.txt").write_bytes(b"caf\xe9")
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_articles(tmp_path)
    (tmp_path / "article1.txt").write_bytes(b"a\x00b")
    with pytest.raises(InputError, match="binary"):
        read_articles(tmp_path)


def test_write_article_round_trip(tmp_path: Path) -> None:
    text = "\ufeffA\r\nB\rC\u2028D \U0001f600"
    write_article(tmp_path, Article(text=text, id="42"))
    assert read_articles(tmp_path) == {"42": text}


# --- SemEval-2020 label files ------------------------------------------------------------------


def test_read_si_file_and_folder_agree() -> None:
    from_file = ptc.read_si(PTC / "gold-si.labels")
    from_dir = ptc.read_si(PTC / "gold-si")
    assert sorted(from_file) == sorted(from_dir)
    assert from_file[0] == Annotation("1", 17, 25)
    assert from_file[0].location == f"{PTC / 'gold-si.labels'}:1"


def test_label_article_ids_counts_empty_files() -> None:
    assert ptc.label_article_ids(PTC / "gold-si") == {"1", "2", "3"}
    assert ptc.label_article_ids(PTC / "gold-si.labels") is None


def test_read_tc_and_template() -> None:
    tc = ptc.read_tc(PTC / "gold-tc.labels")
    assert [a.technique for a in tc][:2] == ["Name_Calling,Labeling", "Loaded_Language"]
    tpl = ptc.read_template(PTC / "template-tc.out")
    assert [(a.article_id, a.start, a.end) for a in tpl] == [
        (a.article_id, a.start, a.end) for a in tc
    ]
    assert all(a.technique is None for a in tpl)


@pytest.mark.parametrize(
    ("line", "kind", "message"),
    [
        ("1\t5", "si", "has 2 field"),
        ("1\tx\t9", "si", "start offset is not an integer"),
        ("1\t5\t9.0", "si", "end offset is not an integer"),
        ("1\t-1\t9", "si", "negative"),
        ("1\t9\t9", "si", "empty or reversed"),
        ("1\t9\t3", "si", "empty or reversed"),
        ("\t3\t9", "si", "article id"),
        ("1\tDoubt\t3", "tc", "has 3 field"),
        ("1\t?\t3\t9", "tc", "template line"),
        ("1\tDoubt\t3\t9", "template", "'?'"),
    ],
)
def test_bad_lines_name_file_line_expected_found(line: str, kind: ptc.Kind, message: str) -> None:
    text = "1\t0\t4\n" if kind == "si" else "1\tDoubt\t0\t4\n"
    if kind == "template":
        text = "1\t?\t0\t4\n"
    with pytest.raises(FormatError) as info:
        ptc.parse_lines(text + line + "\n", kind=kind, name="gold.labels")
    msg = str(info.value)
    assert msg.startswith("gold.labels:2: ")
    assert message in msg
    assert "expected" in msg and "found" in msg


def test_unknown_technique_is_a_label_error() -> None:
    with pytest.raises(LabelError, match=r"gold:1: unknown technique 'Loaded_Langauge'.*did you"):
        ptc.parse_lines("1\tLoaded_Langauge\t0\t4\n", kind="tc", name="gold")


def test_nlp4if_inventory() -> None:
    line = "1\tStraw_Men\t0\t4\n"
    with pytest.raises(LabelError):
        ptc.parse_lines(line, kind="tc")
    assert ptc.parse_lines(line, kind="tc", inventory="nlp4if2019")[0].technique == "Straw_Men"


def test_crlf_and_blank_lines_are_fine() -> None:
    anns = ptc.parse_lines("1\t0\t4\r\n\r\n2\t1\t3\r\n", kind="si")
    assert anns == [Annotation("1", 0, 4), Annotation("2", 1, 3)]


def test_on_error_warn_skips_only_the_bad_line() -> None:
    with pytest.warns(RecordWarning, match=r"x:2: the start offset is not an integer"):
        anns = ptc.parse_lines(
            "1\t0\t4\n1\tfoo\t9\n2\t1\t3\n", kind="si", name="x", on_error="warn"
        )
    assert anns == [Annotation("1", 0, 4), Annotation("2", 1, 3)]
    problems: list[FormatError] = []
    ptc.parse_lines("1\t0\n", kind="si", on_error=problems.append)
    assert len(problems) == 1


def test_check_bounds() -> None:
    texts = read_articles(PTC / "articles")
    ptc.check_bounds(ptc.read_tc(PTC / "gold-tc.labels"), texts)
    beyond = ptc.parse_lines("3\t0\t999\n", kind="si", name="pred")
    with pytest.raises(OffsetError, match=r"pred:1: span 0-999 runs past the end of article 3"):
        ptc.check_bounds(beyond, texts)
    with pytest.raises(FormatError, match="article 77 is not among the articles"):
        ptc.check_bounds([Annotation("77", 0, 1)], texts)


@pytest.mark.parametrize("kind", ["si", "tc", "template"])
def test_write_then_read_round_trip(kind: ptc.Kind, tmp_path: Path) -> None:
    anns = [
        Annotation("1", 0, 4, None if kind != "tc" else "Doubt"),
        Annotation("22", 5, 9, None if kind != "tc" else "Slogans"),
    ]
    out = tmp_path / "x.labels"
    assert ptc.write_labels(out, anns, kind=kind) == 2
    assert ptc.read_labels(out, kind=kind) == anns
    buf = io.StringIO()
    ptc.write_labels(buf, anns, kind=kind)
    assert buf.getvalue() == out.read_text()


def test_missing_label_path() -> None:
    with pytest.raises(InputError, match="no such file"):
        ptc.read_si(PTC / "nope.labels")


def test_real_training_gold_reads_if_present() -> None:
    shared = Path("/work/shared/data/ptc-semeval2020/train-task-si.labels")
    if not shared.exists():
        pytest.skip("shared data not available")
    assert len(ptc.read_si(shared)) == 5468


# --- records ---------------------------------------------------------------------------------


def test_jsonl_skips_bad_records_with_warnings_and_keeps_the_rest() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        arts = list(iter_jsonl(RECORDS / "sample.jsonl"))
    assert [a.id for a in arts] == ["a", "sample:5", "d"]
    assert arts[0].url == "http://example.org/a" and arts[0].meta == {"topic": "x"}
    assert arts[1].text == "No id here \u00e9\U0001f600."
    assert arts[2].text == "Last\r\ntext"
    messages = [str(w.message) for w in caught if issubclass(w.category, RecordWarning)]
    assert [m.split(": ")[1].rsplit(":", 1)[1] for m in messages] == ["2", "3", "6"]
    assert "'text' is not a string" in messages[0]
    assert "not valid JSON" in messages[1]
    assert "not valid UTF-8" in messages[2]


def test_jsonl_raise_mode() -> None:
    with pytest.raises(FormatError, match=r"sample.jsonl:2: 'text' is not a string"):
        list(iter_jsonl(RECORDS / "sample.jsonl", on_error="raise"))


def test_jsonl_nul_and_non_object(tmp_path: Path) -> None:
    p = tmp_path / "x.jsonl"
    p.write_text('{"id": 1, "text": "a\\u0000b"}\n[1, 2]\n{"id": 2, "text": "ok"}\n')
    problems: list[FormatError] = []
    arts = list(iter_jsonl(p, on_error=problems.append))
    assert [a.id for a in arts] == ["2"]
    assert "NUL" in str(problems[0]) and "not a JSON object" in str(problems[1])


def test_csv_skips_bad_rows() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        arts = list(iter_csv(RECORDS / "sample.csv"))
    assert [(a.id, a.text, a.source) for a in arts] == [
        ("1", "Hello, world.", "wire"),
        ("2", "Two\nlines", "blog"),
        ("4", "Caf\u00e9", "x"),
        ("6", "last", "y"),
    ]
    messages = [str(w.message) for w in caught if issubclass(w.category, RecordWarning)]
    assert len(messages) == 2
    assert "(row 3)" in messages[0] and "one value per column" in messages[0]
    assert "(row 5)" in messages[1] and "not valid UTF-8" in messages[1]


def test_csv_without_text_column(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("id,body\n1,hello\n")
    with pytest.raises(FormatError, match="no 'text' column"):
        list(iter_csv(p))


def test_iter_records_dispatch(tmp_path: Path) -> None:
    txt = tmp_path / "note.txt"
    txt.write_bytes(b"\xef\xbb\xbfHi\r\n")
    assert [(a.id, a.text) for a in iter_records(txt)] == [("note", "\ufeffHi\r\n")]
    assert [a.id for a in iter_records(PTC / "articles")] == ["1", "2", "3"]
    with pytest.raises(InputError, match="no such file"):
        list(iter_records(tmp_path / "missing.jsonl"))


def test_write_jsonl_round_trip(tmp_path: Path) -> None:
    arts = [
        Article(text="A\r\nb \u202etext", id="x", url="u", meta={"k": 1}),
        Article(text="", id="y"),
    ]
    p = tmp_path / "out.jsonl"
    assert write_jsonl(p, arts) == 2
    back = list(iter_jsonl(p, on_error="raise"))
    assert back == arts and back[0].meta == {"k": 1}
