"""Storage of analyses: SQLite by default, PostgreSQL with a ``postgresql://`` URL.

>>> from unspin.store import open_store
>>> store = open_store("sqlite://")      # in memory; None means sqlite:///unspin.db
>>> store.count()
0
>>> store.close()

Importing this package is light; SQLAlchemy is imported when a store is opened.
"""

from __future__ import annotations

from unspin.store.db import (
    DEFAULT_URL,
    Store,
    StoredRow,
    StoreError,
    day_of,
    normalize_url,
    open_store,
)

__all__ = [
    "DEFAULT_URL",
    "Store",
    "StoreError",
    "StoredRow",
    "day_of",
    "normalize_url",
    "open_store",
]
