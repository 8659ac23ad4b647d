"""``unspin query``: quick questions to a corpus database from the terminal."""

from __future__ import annotations

from typing import Any

from unspin.errors import LabelError
from unspin.store import StoredRow, open_store


def resolve_technique(name: str) -> str:
    """A SemEval-2020 label from its exact name, display name, or an unambiguous part of either
    (case-insensitive): ``loaded`` -> ``Loaded_Language``.

    >>> resolve_technique("name calling")
    'Name_Calling,Labeling'
    """
    from unspin.labels import TECHNIQUES, _suggest

    if name in TECHNIQUES:
        return name
    want = name.lower().replace("_", " ").replace("-", " ").strip()

    def norm(s: str) -> str:
        return s.lower().replace("_", " ").replace("-", " ")

    for t in TECHNIQUES.values():
        if want in (norm(t.name), norm(t.display)):
            return t.name
    hits = [t.name for t in TECHNIQUES.values() if want in norm(t.name) or want in norm(t.display)]
    if len(hits) == 1:
        return hits[0]
    raise LabelError(
        f"unknown technique {name!r}" if not hits else f"technique {name!r} is ambiguous",
        expected="a technique name or display name (see `unspin techniques`)",
        found=", ".join(hits) if hits else repr(name),
        hint=None if hits else _suggest(name, list(TECHNIQUES)),
    )


def run_query(
    db: str | None, *, technique: str | None = None, limit: int | None = 20, **filters: Any
) -> tuple[list[StoredRow], int]:
    """Matching rows (at most ``limit``) and how many match in all."""
    from sqlalchemy import func, select

    from unspin.store.schema import analyses, spans

    with open_store(db) as store:
        rows = store.query(technique=technique, limit=limit, **filters)
        q = select(func.count()).select_from(analyses)
        if technique is not None:
            has = select(spans.c.analysis_id).where(spans.c.label == technique)
            q = q.where(analyses.c.id.in_(has))
        q = store.filter(q, **filters)
        with store.engine.connect() as conn:
            total = int(conn.execute(q).scalar_one())
    return rows, total
