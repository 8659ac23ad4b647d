"""The corpus store, run against SQLite and (marked ``postgres``) a throwaway PostgreSQL."""

from __future__ import annotations

import json
import sqlite3

import pytest

from _pg import pg_server, pg_url  # noqa: F401
from unspin import Analyzer, Article
from unspin.batch.keywords import KeywordModel
from unspin.store import StoreError, open_store
from unspin.types import Analysis

NLP = Analyzer(model=KeywordModel())


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(url):
    s = open_store(url)
    yield s
    s.close()


def _rows(store, sql: str) -> list[tuple]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(sql)]


def art(id: str, text: str, **kw) -> Article:
    return Article(text=text, id=id, **kw)


def test_store_migrations_are_recorded_in_order_and_applied_once(url):
    with open_store(url) as s:
        assert s.migrations() == ["0001_initial", "0002_query_indexes"]
    with open_store(url) as s:  # reopening applies nothing twice
        assert _rows(s, "SELECT count(*) FROM unspin_migrations") == [(2,)]


def test_store_refuses_a_newer_schema(url):
    with open_store(url) as s, s.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO unspin_migrations (name, applied_at) VALUES "
            "('9999_from_the_future', CURRENT_TIMESTAMP)"
        )
    with pytest.raises(StoreError, match="newer schema.*9999_from_the_future"):
        open_store(url)


def test_store_save_get_round_trip_with_normalized_rows(store):
    a = NLP.analyze(art("a1", "Corrupt traitors. Everyone knows it.", source="S"))
    key = store.save(a)
    assert isinstance(key, str) and key.isalnum() and len(key) == 24
    # What is stored is the JSON contract (scores rounded to 4 places), exactly.
    assert store.get(key).to_dict() == a.to_dict()
    assert store.get(key).techniques == a.techniques
    spans = _rows(store, "SELECT label, start_char, end_char, fragment FROM spans ORDER BY n")
    assert [(lbl, s, e) for lbl, s, e, _ in spans] == [
        (sp.label, sp.start, sp.end) for sp in a.techniques
    ]
    assert [f for *_, f in spans] == ["Corrupt", "traitors", "Everyone knows"]
    sents = _rows(store, "SELECT start_char, end_char, labels FROM sentence_scores ORDER BY n")
    assert [(s, e) for s, e, _ in sents] == [(x.start, x.end) for x in a.sentences]
    assert json.loads(sents[0][2]) == list(a.sentences[0].labels)
    assert _rows(store, "SELECT article_id, source FROM articles") == [("a1", "S")]


def test_store_save_is_idempotent(store):
    a = NLP.analyze(art("a1", "Corrupt traitors."))
    assert store.save(a) == store.save(a) == store.save_many([(a, None), (a, None)])[0]
    assert store.count() == 1
    assert _rows(store, "SELECT count(*) FROM spans") == [(2,)]


def test_store_key_depends_on_id_text_and_model(store):
    a = NLP.analyze(art("a1", "Corrupt traitors."))
    other_text = NLP.analyze(art("a1", "Corrupt traitors!"))
    other_model = Analyzer(model=KeywordModel(version="2")).analyze(art("a1", a.text))
    keys = {store.save(a), store.save(other_text), store.save(other_model)}
    assert len(keys) == 3
    assert store.hashes(["a1", "nope"]) == {"a1": {a.hash, other_text.hash}}
    assert _rows(store, "SELECT count(*) FROM articles") == [(2,)]


def test_store_unknown_id_is_none(store):
    assert store.get("0" * 24) is None
    assert store.get("not even hex / ?") is None


def test_store_article_metadata_comes_from_the_analysis_when_not_given(store):
    a = NLP.analyze(
        art(
            "m1",
            "Never again.",
            source="Outlet",
            published="2024-02-03T10:00:00Z",
            url="https://x.test/1",
            language="en",
            meta={"section": "opinion"},
        )
    )
    store.save(a)
    row = _rows(
        store, "SELECT source, published, published_day, url, language, meta FROM articles"
    )[0]
    assert row[:5] == ("Outlet", "2024-02-03T10:00:00Z", "2024-02-03", "https://x.test/1", "en")
    assert json.loads(row[5]) == {"section": "opinion"}


def test_store_batch_write_is_all_or_nothing(store):
    class Boom(Analysis):
        def to_json(self, **kwargs):
            raise RuntimeError("disk on fire")

    good = NLP.analyze(art("g", "Corrupt."))
    b = NLP.analyze(art("b", "Traitors."))
    bad = Boom(
        text=b.text,
        id=b.id,
        model=b.model,
        techniques=b.techniques,
        sentences=b.sentences,
        summary=b.summary,
    )
    with pytest.raises(RuntimeError, match="disk on fire"):
        store.save_many([(good, None), (bad, None)])
    assert store.count() == 0
    assert _rows(store, "SELECT count(*) FROM articles") == [(0,)]
    assert _rows(store, "SELECT count(*) FROM spans") == [(0,)]


def test_store_query_filters(store):
    docs = [
        art("a", "Corrupt traitors everywhere.", source="X", published="2024-01-10"),
        art("b", "A calm day.", source="X", published="2024-03-01"),
        art("c", "Experts say so.", source="Y", published="2024-02-01"),
    ]
    for d in docs:
        store.save(NLP.analyze(d))
    # scores: c 11/15 covered, a 16/28, b nothing
    assert [r.article_id for r in store.query()] == ["c", "a", "b"]
    assert [r.article_id for r in store.query(source="X")] == ["a", "b"]
    assert [r.article_id for r in store.query(since="2024-02-01")] == ["c", "b"]
    assert [r.article_id for r in store.query(until="2024-02-01")] == ["a"]
    assert [r.article_id for r in store.query(min_score=0.6)] == ["c"]
    hits = store.query(technique="Name_Calling,Labeling")
    assert [(r.article_id, r.technique_spans) for r in hits] == [("a", 1)]
    assert store.query(model="fake@1", limit=1)[0].article_id == "c"
    assert store.query(model="fake@2") == []
    assert store.models() == [("fake", "1", 3)]
    assert sorted(store.keys("fake", "1")) == sorted(r.id for r in store.query())


def test_store_iter_records_streams_everything(store):
    for i in range(7):
        store.save(NLP.analyze(art(f"n{i}", f"Corrupt number {i}.")))
    recs = list(store.iter_records())
    assert [r["article_id"] for r in recs] == [f"n{i}" for i in range(7)]
    assert Analysis.from_json(recs[0]["analysis"]).id == "n0"


def test_store_locked_sqlite_gives_up_cleanly(tmp_path):
    path = tmp_path / "locked.db"
    open_store(f"sqlite:///{path}").close()
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with open_store(f"sqlite:///{path}", retries=2, backoff=0.01, timeout=0.05) as s:
            a = NLP.analyze(art("x", "Corrupt."))
            with pytest.raises(StoreError, match="after 2 tries.*locked"):
                s.save(a)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    with open_store(f"sqlite:///{path}") as s:
        assert s.count() == 0
        s.save(NLP.analyze(art("x", "Corrupt.")))
        assert s.count() == 1


@pytest.mark.postgres
def test_store_unreachable_postgres_is_a_clear_error(pg_server):  # noqa: F811
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(StoreError, match="could not open the database.*after 2 tries"):
        open_store(f"postgresql://postgres@127.0.0.1:{port}/x", retries=2, backoff=0.01, timeout=1)


def test_store_bad_urls():
    with pytest.raises(StoreError, match="cannot use database URL"):
        open_store("nosuchdialect://x")
    with pytest.raises(StoreError, match="expected an existing directory"):
        open_store("sqlite:////nonexistent/dir/x.db")


def test_store_default_url_is_unspin_db_in_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store() as s:
        s.save(NLP.analyze(art("d", "Corrupt.")))
    assert (tmp_path / "unspin.db").exists()


def test_import_unspin_store_is_light():
    import subprocess
    import sys

    code = (
        "import sys, unspin, unspin.store, unspin.batch; "
        "print(any(m.split('.')[0] in ('sqlalchemy', 'ray', 'pyarrow', 'matplotlib', "
        "'trafilatura', 'psycopg') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
