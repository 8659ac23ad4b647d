"""Corpus analysis: batch runs into a database, queries, exports and HTML reports.

>>> from unspin.batch import run_batch, Fields   # doctest: +SKIP
>>> run_batch(["corpus/"], "sqlite:///unspin.db", fields=Fields(text="body"))  # doctest: +SKIP

Heavy dependencies (SQLAlchemy, trafilatura, pyarrow, matplotlib, Ray) are imported only by the
functions that need them (``pip install 'unspin[batch]'``, ``'unspin[ray]'``).
"""

from __future__ import annotations

from unspin.batch.engine import BatchSummary, run_batch
from unspin.batch.readers import Fields, Record, Skip, read_inputs

__all__ = ["BatchSummary", "Fields", "Record", "Skip", "read_inputs", "run_batch"]
