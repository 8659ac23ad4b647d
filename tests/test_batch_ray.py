"""The Ray engine gives the same analyses as the local engine and resumes the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.batch import Fields, run_batch
from unspin.batch.keywords import KeywordModel
from unspin.store import open_store

pytest.importorskip("ray.data")

CORPUS = Path(__file__).parent / "fixtures" / "batch" / "corpus"
MAPPED = Fields(id="id,guid", text="text,body", source="source,outlet", published="published,date")


@pytest.mark.slow
def test_batch_ray_engine_matches_local_and_resumes(tmp_path):
    import pyarrow.parquet as pq

    local_db, ray_db = f"sqlite:///{tmp_path / 'l.db'}", f"sqlite:///{tmp_path / 'r.db'}"
    inputs = [str(CORPUS), str(tmp_path / "missing.jsonl")]
    local = run_batch(inputs, local_db, model=KeywordModel(), fields=MAPPED, progress=False)
    # workers=1 -> a private Ray instance with num_cpus=2, a small object store, no dashboard
    first = run_batch(
        inputs,
        ray_db,
        parquet=tmp_path / "shards",
        model=KeywordModel(),
        fields=MAPPED,
        engine="ray",
        workers=1,
        chunk_size=3,
        progress=False,
    )
    assert (first.analysed, first.already, first.skipped) == (9, 0, local.skipped)
    with open_store(local_db) as a, open_store(ray_db) as b:
        keys = sorted(r.id for r in a.query(limit=None))
        assert sorted(r.id for r in b.query(limit=None)) == keys
        for k in keys:
            assert a.get(k).to_dict() == b.get(k).to_dict()
    shards = pq.read_table(tmp_path / "shards")
    assert sorted(shards.column("id").to_pylist()) == keys

    again = run_batch(
        inputs,
        ray_db,
        parquet=tmp_path / "shards",
        model=KeywordModel(),
        fields=MAPPED,
        engine="ray",
        workers=1,
        progress=False,
    )
    assert (again.analysed, again.already) == (0, 9)
    assert pq.read_table(tmp_path / "shards").num_rows == 9


def test_ray_actors_share_out_the_cores(monkeypatch):
    from unspin.batch.ray_engine import _threads_per_worker

    monkeypatch.delenv("UNSPIN_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    assert [_threads_per_worker(w, None) for w in (1, 2, 3, 8, 16)] == [8, 4, 2, 1, 1]
    assert _threads_per_worker(2, "auto") == 1  # a cluster places actors by CPU
    monkeypatch.setenv("UNSPIN_THREADS", "3")
    assert _threads_per_worker(2, "auto") == 3 and _threads_per_worker(1, None) == 3


def test_ray_run_restores_the_data_context(tmp_path):
    import ray.data

    ctx = ray.data.DataContext.get_current()
    before = ctx.target_max_block_size
    run_batch(
        [str(CORPUS)],
        f"sqlite:///{tmp_path / 'r.db'}",
        model=KeywordModel(),
        fields=MAPPED,
        engine="ray",
        workers=1,
        progress=False,
    )
    assert ray.data.DataContext.get_current().target_max_block_size == before
