"""The HTML report: self-contained, with every section, computed from the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from unspin.batch import Fields, run_batch
from unspin.batch.keywords import KeywordModel
from unspin.batch.report import collect, highlight, write_report
from unspin.cli.main import main
from unspin.store import open_store

CORPUS = Path(__file__).parent / "fixtures" / "batch" / "corpus"
MAPPED = Fields(id="id,guid", text="text,body", source="source,outlet", published="published,date")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'c.db'}"
    run_batch([str(CORPUS)], url, model=KeywordModel(), fields=MAPPED, progress=False)
    return url


def test_report_figures_come_from_the_database(db):
    with open_store(db) as store:
        data = collect(store, top=3)
    assert data.model == "fake@1" and data.articles == 9
    assert dict((lbl, n) for lbl, n, _ in data.techniques)["Loaded_Language"] == 7
    planet = next(s for s in data.sources if s["source"] == "Daily Planet")
    assert planet["articles"] == 3
    assert 0 < planet["sentence_share"] <= 1
    assert [m["month"] for m in data.months] == ["2024-01", "2024-02", "2024-03"]
    assert ("corrupt", 4) in data.fragments["Loaded_Language"]
    assert [row["article_id"] for row, _ in data.top][0] == "dp-3"
    assert len(data.top) == 3


def test_report_html_is_self_contained(db, tmp_path):
    out = write_report(db, tmp_path / "r.html", top=2, title="Harbour <watch>")
    page = out.read_text()
    assert page.startswith("<!doctype html>")
    assert "<title>Harbour &lt;watch&gt;</title>" in page
    for section in (
        "Techniques",
        "Sources",
        "Technique mix per source",
        "Over time",
        "Most frequent fragments",
        "Top 2 articles by score",
    ):
        assert f">{section}</h" in page
    assert page.count("<svg") == 4  # techniques, sources, mix, trends
    # nothing fetched from elsewhere: no scripts, no external links, images or fonts
    assert "<script" not in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "@import" not in page and not re.search(r"url\((?!#)", page)  # only #fragment refs
    assert "<mark" in page and "Name calling / labeling" in page


def test_report_highlight_escapes_and_splits_overlaps():
    from unspin.types import Analysis, Span

    a = Analysis(
        text="The corrupt <b> traitors",
        techniques=(
            Span(4, 15, "Loaded_Language", 0.9),
            Span(12, 24, "Name_Calling,Labeling", 0.5),
        ),
    )
    h = highlight(a)
    assert "<b>" not in h and "&lt;b&gt;" in h
    marks = re.findall(r'<mark style="--c:([^"]+)" title="([^"]+)">([^<]*)</mark>', h)
    assert [(m[1], m[2]) for m in marks] == [
        ("Loaded language", "corrupt "),
        ("Loaded language; Name calling / labeling", "&lt;b&gt;"),
        ("Name calling / labeling", " traitors"),
    ]
    from unspin.labels import TECHNIQUES

    assert marks[1][0] == TECHNIQUES["Loaded_Language"].color  # the stronger span's colour


def test_report_empty_database_and_cli(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'e.db'}"
    assert main(["report", "--db", url, "-o", str(tmp_path / "e.html")]) == 0
    assert "No analyses match" in (tmp_path / "e.html").read_text()
    assert main(["report", "--db", url, "-o", str(tmp_path / "no" / "e.html")]) == 1
    assert "cannot write" in capsys.readouterr().err


def test_report_filters(db, tmp_path):
    with open_store(db) as store:
        data = collect(store, source="Daily Planet", since="2024-02-01")
    assert data.articles == 2
    assert data.filters == {"source": "Daily Planet", "since": "2024-02-01", "model": "fake@1"}
