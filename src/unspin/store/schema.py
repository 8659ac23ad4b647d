"""The corpus database schema and its migrations.

Tables (SQLAlchemy Core; the same DDL on SQLite and PostgreSQL):

* ``articles``: one row per (article id, content hash): the text's metadata.
* ``analyses``: one row per (article id, content hash, model name, model version), keyed by a
  stable URL-safe id (:func:`analysis_key`), holding the Analysis JSON and the summary figures
  that the ``query`` and ``report`` commands filter and aggregate on.
* ``spans``: the technique spans of each analysis (label, offsets, score, fragment text).
* ``sentence_scores``: the sentence scores of each analysis.
* ``unspin_migrations``: which migrations have been applied, by name, in order.

Migrations are named, ordered and recorded (the sqlite-utils way). A migration that has
shipped is never edited: change the schema by appending a new one to :data:`MIGRATIONS`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Column,
    Connection,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

migrations_table = Table(
    "unspin_migrations",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Text, nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("source", Text),
    Column("url", Text),
    Column("published", Text),  # as given
    Column("published_day", String(10)),  # YYYY-MM-DD when the date could be read
    Column("language", String(35)),
    Column("meta", Text),  # JSON object of the remaining metadata
    Column("words", Integer, nullable=False, default=0),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("article_id", "content_hash", name="uq_articles_id_hash"),
)

analyses = Table(
    "analyses",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("article_pk", Integer, ForeignKey("articles.pk"), nullable=False),
    Column("article_id", Text, nullable=False),
    Column("content_hash", String(32), nullable=False),
    Column("model_name", Text, nullable=False),
    Column("model_version", Text, nullable=False),
    Column("source", Text),
    Column("published_day", String(10)),
    Column("score", Float, nullable=False, default=0.0),
    Column("spans", Integer, nullable=False, default=0),
    Column("words", Integer, nullable=False, default=0),
    Column("sentences", Integer, nullable=False, default=0),
    Column("flagged_sentences", Integer, nullable=False, default=0),
    Column("spans_per_100_words", Float, nullable=False, default=0.0),
    Column("top_technique", Text),
    Column("data", Text, nullable=False),  # Analysis.to_dict() as JSON
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint(
        "article_id", "content_hash", "model_name", "model_version", name="uq_analyses_key"
    ),
)

spans = Table(
    "spans",
    metadata,
    Column("analysis_id", String(32), ForeignKey("analyses.id"), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("label", Text, nullable=False),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("fragment", Text, nullable=False),  # the covered text, at most FRAGMENT_CHARS
)

sentence_scores = Table(
    "sentence_scores",
    metadata,
    Column("analysis_id", String(32), ForeignKey("analyses.id"), primary_key=True),
    Column("n", Integer, primary_key=True),
    Column("start_char", Integer, nullable=False),
    Column("end_char", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("labels", Text, nullable=False),  # JSON list (labels themselves contain commas)
)

FRAGMENT_CHARS = 300

_INDEXES = [
    Index("ix_articles_article_id", articles.c.article_id),
    Index("ix_analyses_model", analyses.c.model_name, analyses.c.model_version),
    Index("ix_analyses_source", analyses.c.source),
    Index("ix_analyses_published_day", analyses.c.published_day),
    Index("ix_analyses_score", analyses.c.score),
    Index("ix_analyses_article_id", analyses.c.article_id),
    Index("ix_spans_label", spans.c.label),
]


def analysis_key(article_id: str, content_hash: str, model_name: str, model_version: str) -> str:
    """The stable, URL-safe id of an analysis (24 hex characters).

    >>> analysis_key("a1", "0" * 32, "fake", "1") == analysis_key("a1", "0" * 32, "fake", "1")
    True
    """
    raw = "\x1f".join((article_id, content_hash, model_name, model_version))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:24]


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Connection], None]


def _initial(conn: Connection) -> None:
    # Frozen: creates the tables as they were in the first schema version.
    for table in (articles, analyses, spans, sentence_scores):
        table.create(conn, checkfirst=True)


def _indexes(conn: Connection) -> None:
    for index in _INDEXES:
        index.create(conn, checkfirst=True)


MIGRATIONS: list[Migration] = [
    Migration("0001_initial", _initial),
    Migration("0002_query_indexes", _indexes),
]

SCHEMA_VERSION = len(MIGRATIONS)
