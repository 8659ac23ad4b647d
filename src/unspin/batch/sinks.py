"""Where a batch run puts its results: the database, Parquet shards, or both.

Each :meth:`Sink.write` call is all-or-nothing (one database transaction; one shard written to
a temporary name and renamed), which is what makes an interrupted run resumable: whatever was
written is complete, and :meth:`Sink.existing` tells the next run what to skip.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from unspin.types import Analysis, Article

Result = tuple[str, Analysis, Article]  # (analysis id, analysis, article)


class Sink(Protocol):
    def existing(self, keys: Sequence[str]) -> set[str]: ...

    def hashes(self, article_ids: Sequence[str]) -> dict[str, set[str]]: ...

    def write(self, results: Sequence[Result]) -> None: ...

    def all_keys(self, model_name: str, model_version: str) -> set[str]: ...

    def close(self) -> None: ...


class StoreSink:
    """Results into a :class:`~unspin.store.Store` (one transaction per write)."""

    def __init__(self, store: Any) -> None:
        self.store = store

    def existing(self, keys: Sequence[str]) -> set[str]:
        return set(self.store.existing(keys))

    def hashes(self, article_ids: Sequence[str]) -> dict[str, set[str]]:
        return dict(self.store.hashes(article_ids))

    def write(self, results: Sequence[Result]) -> None:
        self.store.save_many([(a, art) for _, a, art in results])

    def all_keys(self, model_name: str, model_version: str) -> set[str]:
        return set(self.store.keys(model_name, model_version))

    def close(self) -> None:
        self.store.close()


PARQUET_COLUMNS = (
    "id",
    "article_id",
    "content_hash",
    "model",
    "source",
    "url",
    "published",
    "language",
    "score",
    "spans",
    "words",
    "top_technique",
    "analysis",
    "article_meta",
)


def result_row(key: str, a: Analysis, art: Article) -> dict[str, Any]:
    """One flat record of an analysis (the Parquet and CSV export shape)."""
    s = a.summary
    return {
        "id": key,
        "article_id": art.id,
        "content_hash": a.hash,
        "model": f"{a.model.name}@{a.model.version}" if a.model.version else a.model.name,
        "source": art.source,
        "url": art.url,
        "published": None if art.published is None else str(art.published),
        "language": art.language,
        "score": float(s.get("score", 0.0) or 0.0),
        "spans": len(a.techniques),
        "words": int(s.get("words", 0) or 0),
        "top_technique": s.get("top_technique"),
        "analysis": a.to_json(),
        "article_meta": json.dumps(dict(art.meta), ensure_ascii=False, default=str)
        if art.meta
        else None,
    }


def parquet_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("id", pa.string()),
            ("article_id", pa.string()),
            ("content_hash", pa.string()),
            ("model", pa.string()),
            ("source", pa.string()),
            ("url", pa.string()),
            ("published", pa.string()),
            ("language", pa.string()),
            ("score", pa.float64()),
            ("spans", pa.int64()),
            ("words", pa.int64()),
            ("top_technique", pa.string()),
            ("analysis", pa.string()),
            ("article_meta", pa.string()),
        ]
    )


class ParquetSink:
    """Results as Parquet shards ``part-<run>-<n>.parquet`` in a directory (one per write).

    Resuming reads the ``id`` column of the shards already there. With a database as well
    (``then``), shards are written first and the database second; a run that stopped in
    between is repaired on the next start (:meth:`repair`), so both hold each analysis once.
    """

    def __init__(self, directory: str | os.PathLike[str], then: StoreSink | None = None) -> None:
        from unspin.errors import require

        require("pyarrow", feature="Parquet output", extra="batch")
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.then = then
        self.run = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        self.n = 0
        self._keys: set[str] = set()
        for row in self._rows(["id"]):
            self._keys.add(row["id"])
        if then is not None:
            self.repair()

    def shards(self) -> list[Path]:
        return sorted(self.dir.glob("part-*.parquet"))

    def _rows(self, columns: list[str]) -> Iterator[dict[str, Any]]:
        import pyarrow.parquet as pq

        for shard in self.shards():
            table = pq.read_table(shard, columns=columns)
            yield from table.to_pylist()

    def repair(self) -> int:
        """Store in the database the shard rows it lacks (a run stopped between the two)."""
        assert self.then is not None
        import pyarrow.parquet as pq

        fixed = 0
        for shard in self.shards():
            ids = pq.read_table(shard, columns=["id"]).column("id").to_pylist()
            missing = set(ids) - self.then.existing(ids)
            if not missing:
                continue
            rows = [r for r in pq.read_table(shard).to_pylist() if r["id"] in missing]
            results = []
            for r in rows:
                a = Analysis.from_json(r["analysis"])
                art = Article(
                    text=a.text,
                    id=r["article_id"],
                    source=r["source"],
                    url=r["url"],
                    published=r["published"],
                    language=r["language"],
                    meta=json.loads(r["article_meta"]) if r["article_meta"] else {},
                )
                results.append((r["id"], a, art))
            self.then.write(results)
            fixed += len(results)
        return fixed

    def existing(self, keys: Sequence[str]) -> set[str]:
        return {k for k in keys if k in self._keys}

    def hashes(self, article_ids: Sequence[str]) -> dict[str, set[str]]:
        if self.then is not None:
            return self.then.hashes(article_ids)
        return {}

    def all_keys(self, model_name: str, model_version: str) -> set[str]:
        return set(self._keys)

    def write(self, results: Sequence[Result]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        fresh = [r for r in results if r[0] not in self._keys]
        if fresh:
            table = pa.Table.from_pylist([result_row(*r) for r in fresh], schema=parquet_schema())
            self.n += 1
            final = self.dir / f"part-{self.run}-{self.n:06d}.parquet"
            tmp = final.with_name("." + final.name + ".tmp")
            pq.write_table(table, tmp, compression="zstd")
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, final)
            self._keys.update(r[0] for r in fresh)
        if self.then is not None:
            self.then.write(results)

    def close(self) -> None:
        for tmp in self.dir.glob(".part-*.tmp"):
            tmp.unlink(missing_ok=True)
        if self.then is not None:
            self.then.close()
