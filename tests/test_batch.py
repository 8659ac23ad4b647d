"""Batch runs: input readers, bad input, resume after kill -9, duplicates, the CLI commands."""

from __future__ import annotations

import gzip
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from unspin.batch import Fields, Record, Skip, read_inputs, run_batch
from unspin.batch.keywords import KeywordModel
from unspin.batch.readers import count_inputs
from unspin.cli.main import main
from unspin.store import StoreError, open_store

CORPUS = Path(__file__).parent / "fixtures" / "batch" / "corpus"
GZ = Path(__file__).parent / "fixtures" / "batch" / "articles-gz.jsonl.gz"
MAPPED = Fields(id="id,guid", text="text,body", source="source,outlet", published="published,date")


def items(paths, fields=None):
    out = list(read_inputs([str(p) for p in paths], fields))
    return [r for r in out if isinstance(r, Record)], [r for r in out if isinstance(r, Skip)]


def test_batch_readers_read_every_format_with_metadata():
    recs, skips = items([CORPUS, GZ], MAPPED)
    assert skips == []
    by_id = {r.article.id: r.article for r in recs}
    assert sorted(by_id) == [
        "cs-1",
        "cs-2",
        "dp-1",
        "dp-2",
        "dp-3",
        "page",
        "tb-1",
        "txt/editorial-1",
        "txt/wire-1",
    ]
    # .jsonl and .jsonl.gz hold the same records; ids repeat, which the engine handles
    assert len(recs) == 13
    dp1 = by_id["dp-1"]
    assert (dp1.source, dp1.published, dp1.url) == (
        "Daily Planet",
        "2024-01-15",
        "https://example.org/dp-1",
    )
    assert by_id["tb-1"].meta == {"tags": ["env"]}
    cs1 = by_id["cs-1"]
    assert cs1.text == "The harbour reopens today.\nShips were waiting since Monday."
    assert (cs1.source, cs1.published) == ("Coast Times", "2024-01-05")
    loc: dict[str, str] = {}
    for r in recs:
        loc.setdefault(r.article.id, r.location)
    assert loc["cs-2"].endswith("articles.csv:4")  # the record after a two-line one
    assert loc["dp-3"].endswith("articles.jsonl:3")
    wire = by_id["txt/wire-1"]
    assert wire.text == (CORPUS / "txt" / "wire-1.txt").read_text()


def test_batch_html_is_reduced_to_its_main_text():
    recs, _ = items([CORPUS / "page.html"])
    a = recs[0].article
    assert a.id == "page"
    assert a.text.startswith("Storm warning for the coast")
    assert "storm warning for the whole coast" in a.text
    for junk in ("Subscribe now", "Cookie settings", "<p>"):
        assert junk not in a.text
    assert (a.source, a.published) == ("Harbour Herald", "2024-02-11")


def test_batch_nested_fields_and_fallback_ids(tmp_path):
    p = tmp_path / "n.jsonl"
    p.write_text('{"doc": {"body": "Corrupt."}, "meta": {"outlet": "Z"}}\n')
    recs, _ = items([p], Fields(text="doc.body", source="meta.outlet"))
    assert recs[0].article.id == "n:1"
    assert recs[0].article.source == "Z"


@pytest.mark.parametrize(
    "name, data, where, reason",
    [
        ("bad.jsonl", b'{"text": "ok"}\n{not json\n', "bad.jsonl:2", "not JSON"),
        ("arr.jsonl", b'["text"]\n', "arr.jsonl:1", "not a JSON object"),
        ("notext.jsonl", b'{"body": "x"}\n', "notext.jsonl:1", "no text field 'text'"),
        ("empty.jsonl", b'{"text": "  \\n "}\n', "empty.jsonl:1", "empty text"),
        ("num.jsonl", b'{"text": 42}\n', "num.jsonl:1", "not a string"),
        ("latin1.jsonl", b'{"text": "caf\xe9"}\n', "latin1.jsonl:1", "not valid UTF-8"),
        ("nocol.csv", b"id,body\n1,hello\n", "nocol.csv:1", "no column 'text'"),
        ("empty.txt", b"", "empty.txt", "empty text"),
        ("nul.txt", b"abc\x00def", "nul.txt", "binary"),
        ("latin1.txt", b"caf\xe9", "latin1.txt", "not valid UTF-8"),
        (
            "corrupt.jsonl.gz",
            b"\x1f\x8b\x08\x00garbage-not-deflate" * 3,
            "corrupt.jsonl.gz:1",
            "corrupt gzip",
        ),
        ("notgz.txt.gz", b"plain text, no gzip", "notgz.txt.gz", "corrupt gzip"),
        ("what.docx", b"PK", "what.docx", "unsupported file type"),
    ],
)
def test_batch_bad_inputs_are_skipped_with_location_and_reason(tmp_path, name, data, where, reason):
    p = tmp_path / name
    p.write_bytes(data)
    recs, skips = items([p])
    assert len(skips) == 1, skips
    assert skips[0].location == str(tmp_path / where)
    assert reason in skips[0].reason


def test_batch_truncated_gzip_keeps_what_came_before(tmp_path):
    lines = "".join(
        json.dumps({"id": f"t{i}", "text": f"Article {i} " + "x" * 200}) + "\n" for i in range(200)
    )
    blob = gzip.compress(lines.encode())
    p = tmp_path / "cut.jsonl.gz"
    p.write_bytes(blob[: len(blob) // 2])
    recs, skips = items([p])
    assert 0 < len(recs) < 200
    assert len(skips) == 1 and "corrupt gzip" in skips[0].reason
    assert skips[0].location.startswith(f"{p}:")


def test_batch_missing_path_is_skipped(tmp_path):
    _, skips = items([tmp_path / "nope"])
    assert skips[0].reason == "no such file or directory"


def test_batch_count_inputs_streams_the_corpus():
    assert count_inputs([CORPUS, GZ]) == 2 + 4 + 2 + 1 + 4


# -- the engine -------------------------------------------------------------------------------


def run(paths, db, **kw):
    kw.setdefault("model", KeywordModel())
    kw.setdefault("fields", MAPPED)
    return run_batch([str(p) for p in paths], db, progress=False, **kw)


def counts(db_path) -> dict[str, int]:
    con = sqlite3.connect(db_path)
    try:
        return {
            t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("articles", "analyses", "spans", "sentence_scores")
        }
    finally:
        con.close()


def test_batch_run_stores_every_article_once_and_resumes(tmp_path):
    db = tmp_path / "c.db"
    s = run([CORPUS], f"sqlite:///{db}")
    assert (s.analysed, s.already, s.skipped, s.failed) == (9, 0, [], [])
    assert s.model.name == "fake"
    c = counts(db)
    assert c["analyses"] == c["articles"] == 9 and c["spans"] > 10
    again = run([CORPUS, GZ], f"sqlite:///{db}")
    assert (again.analysed, again.already) == (0, 13)
    assert counts(db) == c
    with open_store(f"sqlite:///{db}") as store:
        top = store.query(limit=1)[0]
        assert top.article_id == "dp-3"
        a = store.get(top.id)
        assert a.meta["source"] == "Daily Planet"
        assert [a.text[s.start : s.end] for s in a.techniques][:2] == ["Traitors", "corrupt"]


def test_batch_new_model_version_is_analysed_afresh(tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    run([CORPUS / "articles.jsonl"], db)
    s = run([CORPUS / "articles.jsonl"], db, model=KeywordModel(version="2"))
    assert s.analysed == 4
    with open_store(db) as store:
        assert store.models() == [("fake", "1", 4), ("fake", "2", 4)]


def test_batch_duplicate_id_with_different_text_keeps_both(tmp_path):
    p = tmp_path / "dup.jsonl"
    p.write_text(
        '{"id": "x", "text": "Corrupt one."}\n{"id": "y", "text": "Fine."}\n'
        '{"id": "x", "text": "Corrupt two."}\n{"id": "x", "text": "Corrupt one."}\n'
    )
    db = tmp_path / "c.db"
    s = run([p], f"sqlite:///{db}")
    assert s.analysed == 3 and s.already == 1
    assert len(s.duplicates) == 1
    loc, note = s.duplicates[0]
    assert loc == f"{p}:3" and "id 'x'" in note and "different text" in note
    with open_store(f"sqlite:///{db}") as store:
        assert len(store.hashes(["x"])["x"]) == 2
    # across runs too
    q = tmp_path / "later.jsonl"
    q.write_text('{"id": "y", "text": "Changed."}\n')
    later = run([q], f"sqlite:///{db}")
    assert later.analysed == 1 and later.duplicates[0][0] == f"{q}:1"


class Picky(KeywordModel):
    def predict(self, texts, *, threshold=None):
        if any("EXPLODE" in t for t in texts):
            raise RuntimeError("model fell over")
        return super().predict(texts, threshold=threshold)


def test_batch_a_failing_article_does_not_take_its_batch_down(tmp_path):
    p = tmp_path / "f.jsonl"
    p.write_text(
        "".join(
            json.dumps({"id": str(i), "text": "EXPLODE" if i == 2 else "Corrupt."}) + "\n"
            for i in range(5)
        )
    )
    s = run([p], f"sqlite:///{tmp_path / 'c.db'}", model=Picky())
    assert s.analysed == 4
    assert s.failed == [(f"{p}:3", "RuntimeError: model fell over")]


def test_batch_summary_lists_reasons(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.jsonl").write_text('{"text": "Corrupt."}\nnope\n')
    (tmp_path / "in" / "b.txt").write_text("")
    s = run([tmp_path / "in"], f"sqlite:///{tmp_path / 'c.db'}")
    text = "\n".join(s.lines())
    assert "analysed 1 article(s)" in text and "with model fake 1" in text
    assert "skipped: 2" in text
    assert f"{tmp_path / 'in' / 'a.jsonl'}:2: not JSON" in text
    assert f"{tmp_path / 'in' / 'b.txt'}: empty text" in text
    assert s.to_dict()["skipped"][0]["location"].endswith("a.jsonl:2")


def test_batch_locked_database_stops_cleanly_and_resumes(tmp_path):
    db = tmp_path / "c.db"
    open_store(f"sqlite:///{db}").close()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    seen = []
    try:
        with pytest.raises(StoreError, match="after 2 tries"):
            run(
                [CORPUS],
                f"sqlite:///{db}",
                on_summary=seen.append,
                store_options={"retries": 2, "backoff": 0.01, "timeout": 0.05},
            )
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert seen and seen[0].interrupted and seen[0].analysed == 0
    assert counts(db)["analyses"] == 0 and counts(db)["articles"] == 0
    assert run([CORPUS], f"sqlite:///{db}").analysed == 9


KILL_SCRIPT = textwrap.dedent("""
    import sys, time
    from unspin.batch import run_batch
    from unspin.batch.keywords import KeywordModel

    class Slow(KeywordModel):
        def predict(self, texts, *, threshold=None):
            time.sleep(0.05 * len(texts))
            return super().predict(texts, threshold=threshold)

    run_batch([sys.argv[1]], sys.argv[2], model=Slow(), progress=False, chunk_size=4)
""")


def test_batch_resumes_exactly_after_kill_9(tmp_path):
    n = 200
    src = tmp_path / "many.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"k{i:03d}", "text": f"Corrupt article {i}."}) + "\n"
            for i in range(n)
        )
    )
    db = tmp_path / "k.db"
    url = f"sqlite:///{db}"
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(src), url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
            if db.exists():
                try:
                    stored = counts(db)["analyses"]
                except sqlite3.OperationalError:
                    continue
                if stored >= 12:
                    break
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    partial = counts(db)["analyses"]
    assert 12 <= partial < n
    s = run([src], url)
    assert s.analysed + s.already == n
    assert s.already == partial
    con = sqlite3.connect(db)
    try:
        per_article = con.execute(
            "SELECT article_id, count(*) FROM analyses GROUP BY article_id"
        ).fetchall()
        orphans = con.execute(
            "SELECT count(*) FROM articles WHERE pk NOT IN (SELECT article_pk FROM analyses)"
        ).fetchone()[0]
    finally:
        con.close()
    assert len(per_article) == n and {c for _, c in per_article} == {1}
    assert orphans == 0


def test_batch_parquet_shards_alone_resume_too(tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "shards"
    s = run([CORPUS], None, parquet=out, chunk_size=4)
    assert s.analysed == 9
    assert len(list(out.glob("part-*.parquet"))) == 3
    again = run([CORPUS], None, parquet=out)
    assert (again.analysed, again.already) == (0, 9)
    rows = pq.read_table(out).to_pylist()
    assert sorted(r["article_id"] for r in rows) == sorted(
        ["cs-1", "cs-2", "dp-1", "dp-2", "dp-3", "page", "tb-1", "txt/editorial-1", "txt/wire-1"]
    )
    assert not (tmp_path / "unspin.db").exists()


def test_batch_parquet_and_database_are_repaired_after_a_stop_between_them(tmp_path):
    out, db = tmp_path / "shards", f"sqlite:///{tmp_path / 'c.db'}"
    run([CORPUS], None, parquet=out)  # shards written, database never reached
    s = run([CORPUS], db, parquet=out)
    assert (s.analysed, s.already) == (0, 9)
    with open_store(db) as store:
        assert store.count() == 9


# -- the CLI ----------------------------------------------------------------------------------


@pytest.fixture
def cli(monkeypatch, capsys):
    import unspin.cli.batch as cli_batch

    monkeypatch.setattr(
        cli_batch, "_resolve_model", lambda v: KeywordModel() if v == "fake" else None
    )

    def call(*argv: str) -> tuple[int, str, str]:
        code = main([*argv])
        out, err = capsys.readouterr()
        return code, out, err

    return call


def mapped_args() -> list[str]:
    return [
        "--id-field",
        "id,guid",
        "--text-field",
        "text,body",
        "--source-field",
        "source,outlet",
        "--published-field",
        "published,date",
    ]


def test_cli_batch_query_export(cli, tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    code, out, err = cli(
        "batch",
        str(CORPUS),
        "--db",
        db,
        "--model",
        "fake",
        *mapped_args(),
        "--summary-json",
        str(tmp_path / "s.json"),
    )
    assert code == 0, err
    assert "analysed 9 article(s)" in err
    assert json.loads((tmp_path / "s.json").read_text())["analysed"] == 9

    code, out, err = cli("query", "--db", db, "--technique", "name calling", "-f", "jsonl")
    assert code == 0, err
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["article_id"] for r in rows} == {"dp-3", "txt/editorial-1"}
    assert all(r["technique_spans"] == 1 for r in rows)
    code, out, _ = cli(
        "query",
        "--db",
        db,
        "--source",
        "Daily Planet",
        "--since",
        "2024-02-01",
        "--min-score",
        "0.1",
        "-f",
        "csv",
    )
    assert out.splitlines()[0].startswith("id,article_id") and len(out.splitlines()) == 2
    code, out, _ = cli("query", "--db", db)
    assert "dp-3" in out and "9 of 9 matching" in out
    code, _, err = cli("query", "--db", db, "--technique", "astrology")
    assert code == 1 and "unknown technique 'astrology'" in err
    code, _, err = cli("query", "--db", db, "--since", "last tuesday")
    assert code == 2

    for fmt in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"out.{fmt}"
        code, _, err = cli("export", "--db", db, "--format", fmt, "-o", str(path))
        assert code == 0 and "exported 9 analyses" in err
    recs = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert len(recs) == 9 and recs[0]["analysis"]["schema"] == "unspin.analysis/1"
    import csv

    with open(tmp_path / "out.csv", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert [r["id"] for r in csv_rows] == [r["id"] for r in recs]
    assert json.loads(csv_rows[0]["analysis"]) == recs[0]["analysis"]
    import pyarrow.parquet as pq

    table = pq.read_table(tmp_path / "out.parquet")
    assert table.column("id").to_pylist() == [r["id"] for r in recs]


def test_cli_batch_bad_input_never_tracebacks(cli, tmp_path):
    (tmp_path / "bad.jsonl").write_text("nope\n")
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    code, out, err = cli(
        "batch",
        str(tmp_path / "bad.jsonl"),
        str(tmp_path / "bad.csv"),
        str(tmp_path / "missing.txt"),
        "--db",
        f"sqlite:///{tmp_path / 'c.db'}",
        "--model",
        "none",
    )
    assert code == 0
    assert "Traceback" not in err
    assert "skipped: 3" in err and "bad.csv:1: no column 'text'" in err


def test_cli_batch_unusable_database_is_one_line(cli, tmp_path):
    code, _, err = cli("batch", str(CORPUS), "--db", "sqlite:////no/such/dir/x.db")
    assert code == 1
    assert err.startswith("error: cannot create the database") and err.count("\n") == 1


def test_cli_export_explains_both_modes(cli, tmp_path):
    code, out, _ = cli("export", "--help")
    assert code == 0
    assert "--db URL --format jsonl|csv|parquet -o FILE" in out
    assert "CHECKPOINT -o DIR" in out
    code, _, err = cli("export", "-o", str(tmp_path / "x"))
    assert code == 2
    code, _, err = cli("export", str(tmp_path / "no-ckpt"), "-o", str(tmp_path / "x"))
    assert code == 1 and "no such checkpoint" in err


def test_cli_export_model_mode_without_training_extra(cli, tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_training(name, *args, **kwargs):
        if name.startswith("unspin.training"):
            raise ImportError("No module named 'torch'", name="torch")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_training)
    (tmp_path / "ckpt").mkdir()
    code, _, err = cli("export", str(tmp_path / "ckpt"), "-o", str(tmp_path / "model"))
    assert code == 1
    assert "pip install 'unspin[train]'" in err


def test_batch_with_a_real_onnx_model_directory(fixture_model, tmp_path):
    db = f"sqlite:///{tmp_path / 'c.db'}"
    s = run([CORPUS / "txt"], db, model=str(fixture_model))
    assert s.analysed == 2 and s.failed == []
    with open_store(db) as store:
        ((name, version, count),) = store.models()
        assert count == 2 and name != "none"
        for row in store.query():
            a = store.get(row.id)
            assert all(0 <= sp.start < sp.end <= len(a.text) for sp in a.techniques)
