"""Batch runs into PostgreSQL, including the server going away mid-run."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from _pg import PgServer, _bindir, pg_server, pg_url  # noqa: F401
from unspin.batch import Fields, run_batch
from unspin.batch.keywords import KeywordModel
from unspin.store import StoreError, open_store

pytestmark = pytest.mark.postgres

CORPUS = Path(__file__).parent / "fixtures" / "batch" / "corpus"
MAPPED = Fields(id="id,guid", text="text,body", source="source,outlet", published="published,date")


def test_batch_into_postgres_resumes_and_keeps_duplicates(pg_url, tmp_path):  # noqa: F811
    s = run_batch([str(CORPUS)], pg_url, model=KeywordModel(), fields=MAPPED, progress=False)
    assert (s.analysed, s.skipped, s.failed) == (9, [], [])
    dup = tmp_path / "dup.jsonl"
    dup.write_text('{"id": "dp-1", "text": "A different text now."}\n')
    again = run_batch(
        [str(CORPUS), str(dup)], pg_url, model=KeywordModel(), fields=MAPPED, progress=False
    )
    assert (again.analysed, again.already) == (1, 9)
    assert again.duplicates[0][0] == f"{dup}:1"
    with open_store(pg_url) as store:
        assert store.count() == 10
        assert len(store.hashes(["dp-1"])["dp-1"]) == 2
        assert store.query(technique="Loaded_Language", source="Daily Planet")


class Slow(KeywordModel):
    def predict(self, texts, *, threshold=None):
        time.sleep(0.03 * len(texts))
        return super().predict(texts, threshold=threshold)


def _count(url: str) -> int:
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=2) as c:
            return int(c.execute("SELECT count(*) FROM analyses").fetchone()[0])
    except psycopg.Error:
        return 0


def test_batch_postgres_going_away_stops_cleanly_then_resumes(tmp_path):
    bindir = _bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    root = Path(tempfile.mkdtemp(prefix="unspin-pg-away-"))
    server = PgServer(bindir, root, durable=True)  # commits survive the crash
    server.start()
    try:
        url = server.create_db()
        n = 200
        src = tmp_path / "many.jsonl"
        src.write_text(
            "".join(
                json.dumps({"id": f"p{i:03d}", "text": f"Corrupt story {i}."}) + "\n"
                for i in range(n)
            )
        )
        outcome: dict[str, object] = {}

        def work() -> None:
            try:
                run_batch(
                    [str(src)],
                    url,
                    model=Slow(),
                    progress=False,
                    chunk_size=4,
                    store_options={"retries": 3, "backoff": 0.05, "timeout": 1},
                    on_summary=lambda s: outcome.setdefault("summary", s),
                )
                outcome["result"] = "finished"
            except StoreError as err:
                outcome["result"] = err

        t = threading.Thread(target=work)
        t.start()
        deadline = time.monotonic() + 60
        while _count(url) < 12 and time.monotonic() < deadline and t.is_alive():
            time.sleep(0.1)
        assert t.is_alive(), outcome
        server.stop()  # the server goes away mid-run (pg_ctl -m immediate)
        t.join(60)
        assert not t.is_alive()
        err = outcome["result"]
        assert isinstance(err, StoreError), err
        assert "after 3 tries" in str(err) and "rerun to resume" in str(err)
        assert outcome["summary"].interrupted  # type: ignore[attr-defined]

        server.start()
        partial = _count(url)
        assert 12 <= partial < n
        s = run_batch([str(src)], url, model=KeywordModel(), progress=False)
        assert s.analysed + s.already == n and s.already == partial
        import psycopg

        with psycopg.connect(url) as c:
            per = c.execute(
                "SELECT article_id, count(*) FROM analyses GROUP BY article_id"
            ).fetchall()
            orphans = c.execute(
                "SELECT count(*) FROM articles WHERE pk NOT IN (SELECT article_pk FROM analyses)"
            ).fetchone()[0]
        assert len(per) == n and {k for _, k in per} == {1}
        assert orphans == 0
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
