"""``unspin export --db``: one record per stored analysis, as JSONL, CSV or Parquet, streamed.

Each record has the analysis id, the article id, content hash, model, source, publication
date, overall score and the Analysis JSON (``unspin.analysis/1``): an object in JSONL, a JSON
string in CSV and Parquet. Written to a temporary file and renamed, so a failed export never
leaves half a file behind.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

from unspin.errors import InputError, require
from unspin.store import open_store

FORMATS = ("jsonl", "csv", "parquet")
COLUMNS = ("id", "article_id", "content_hash", "model", "source", "published", "score", "analysis")


def export_corpus(
    db: str | None, fmt: str, out: str | os.PathLike[str], *, batch_rows: int = 1000, **filters: Any
) -> int:
    """Write every stored analysis (matching ``filters``, see
    :meth:`~unspin.store.Store.filter`) to ``out``; returns how many."""
    if fmt not in FORMATS:
        raise InputError("unknown export format", expected=" / ".join(FORMATS), found=repr(fmt))
    out = Path(out)
    if out.parent and not out.parent.exists():
        raise InputError(
            f"cannot write {out}",
            expected="an existing directory",
            found=f"no directory {out.parent}",
        )
    tmp = out.with_name(f".{out.name}.tmp")
    n = 0
    try:
        with open_store(db) as store:
            records = store.iter_records(**filters)
            if fmt == "jsonl":
                with open(tmp, "w", encoding="utf-8") as fh:
                    for r in records:
                        r["analysis"] = json.loads(r["analysis"])
                        fh.write(json.dumps(r, ensure_ascii=False) + "\n")
                        n += 1
            elif fmt == "csv":
                with open(tmp, "w", encoding="utf-8", newline="") as fh:
                    w = csv.DictWriter(fh, fieldnames=COLUMNS)
                    w.writeheader()
                    for r in records:
                        w.writerow(r)
                        n += 1
            else:
                n = _parquet(records, tmp, batch_rows)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return n


def _parquet(records: Any, path: Path, batch_rows: int) -> int:
    pa = require("pyarrow", feature="Parquet export", extra="batch")
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.string()),
            ("article_id", pa.string()),
            ("content_hash", pa.string()),
            ("model", pa.string()),
            ("source", pa.string()),
            ("published", pa.string()),
            ("score", pa.float64()),
            ("analysis", pa.string()),
        ]
    )
    n = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        buf: list[dict[str, Any]] = []
        for r in records:
            buf.append(r)
            if len(buf) >= batch_rows:
                writer.write_table(pa.Table.from_pylist(buf, schema=schema))
                n += len(buf)
                buf = []
        if buf or n == 0:
            writer.write_table(pa.Table.from_pylist(buf, schema=schema))
            n += len(buf)
    return n
