"""The corpus store: analyses in SQLite (default) or PostgreSQL, through SQLAlchemy 2 Core.

>>> from unspin import Analyzer
>>> store = open_store("sqlite://")                  # in memory
>>> a = Analyzer(model=None).analyze("They lied. Again.", id="a1")
>>> key = store.save(a)
>>> store.save(a) == key                               # idempotent
True
>>> store.get(key) == a
True
>>> store.close()

Every write is one transaction: a batch of analyses is stored whole or not at all. Transient
failures (a locked SQLite file, a PostgreSQL server that restarts) are retried a bounded number
of times with backoff, then raise :class:`StoreError` with one clear line.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from unspin.errors import UnspinError, require
from unspin.types import Analysis, Article, content_hash

DEFAULT_URL = "sqlite:///unspin.db"

T = TypeVar("T")


class StoreError(UnspinError):
    """The database cannot be opened, is locked or went away, or has an unknown schema."""

    code = "store_error"


def normalize_url(url: str | os.PathLike[str] | None) -> str:
    """``None`` -> ``sqlite:///unspin.db``; a bare path -> a SQLite URL; ``postgresql://`` ->
    the psycopg 3 driver."""
    if url is None:
        return DEFAULT_URL
    url = os.fspath(url)
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def safe_url(url: str) -> str:
    """The URL with any password hidden, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def day_of(published: object) -> str | None:
    """``YYYY-MM-DD`` from an ISO date/datetime or an RFC 2822 date, else ``None``.

    >>> day_of("2019-03-05T10:00:00Z"), day_of("Tue, 5 Mar 2019 10:00:00 +0000"), day_of("soon")
    ('2019-03-05', '2019-03-05', None)
    """
    if published is None:
        return None
    if isinstance(published, datetime | date):
        return published.isoformat()[:10]
    s = str(published).strip()
    if len(s) >= 10 and s[4] == "-" and s[7] == "-":
        try:
            return date.fromisoformat(s[:10]).isoformat()
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(s).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


@dataclass(frozen=True)
class StoredRow:
    """A row of :meth:`Store.query`: the figures of one stored analysis."""

    id: str
    article_id: str
    content_hash: str
    model: str
    source: str | None
    published_day: str | None
    score: float
    spans: int
    words: int
    top_technique: str | None
    technique_spans: int | None = None  # spans of the queried technique

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        if d["technique_spans"] is None:
            del d["technique_spans"]
        return d


def _meta_of(analysis: Analysis, article: Article | None) -> Article:
    """The article an analysis came from: given, or rebuilt from the analysis' metadata."""
    if article is not None:
        return article
    m = dict(analysis.meta)
    return Article(
        text=analysis.text,
        id=analysis.id,
        source=m.pop("source", None),
        url=m.pop("url", None),
        published=m.pop("published", None),
        language=m.pop("language", None),
        meta=m.pop("meta", None) or m,
    )


class Store:
    """Analyses of a corpus in a database. Open with :func:`open_store`."""

    def __init__(
        self,
        url: str | os.PathLike[str] | None = None,
        *,
        retries: int = 5,
        backoff: float = 0.5,
        timeout: float = 10.0,
    ) -> None:
        require("sqlalchemy", feature="the corpus store", extra="store")
        from sqlalchemy import create_engine, event
        from sqlalchemy.exc import ArgumentError, NoSuchModuleError
        from sqlalchemy.pool import StaticPool

        self.url = normalize_url(url)
        self.retries = max(1, retries)
        self.backoff = backoff
        kwargs: dict[str, Any] = {}
        self.dialect = self.url.split(":", 1)[0].split("+", 1)[0]
        if self.dialect == "postgresql":
            require("psycopg", feature="PostgreSQL storage", extra="postgres")
            kwargs["pool_pre_ping"] = True
            kwargs["connect_args"] = {"connect_timeout": max(1, int(timeout))}
        elif self.dialect == "sqlite":
            kwargs["connect_args"] = {"timeout": timeout, "check_same_thread": False}
            if self.url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
            else:
                path = self.url.split("///", 1)[1] if "///" in self.url else ""
                parent = os.path.dirname(os.path.abspath(path)) if path else "."
                if not os.path.isdir(parent):
                    raise StoreError(
                        f"cannot create the database {path}",
                        expected="an existing directory",
                        found=f"no {parent}",
                    )
        try:
            self.engine = create_engine(self.url, **kwargs)
        except (ArgumentError, NoSuchModuleError) as err:
            raise StoreError(
                f"cannot use database URL {safe_url(self.url)!r}",
                expected="sqlite:///PATH or postgresql://USER@HOST/DB",
                found=str(err).splitlines()[0],
            ) from err
        if self.dialect == "sqlite":
            memory = "poolclass" in kwargs
            busy_ms = int(timeout * 1000)

            @event.listens_for(self.engine, "connect")
            def _connect(dbapi_conn: Any, record: Any) -> None:
                # Let SQLAlchemy, not the sqlite3 module, issue BEGIN: DDL becomes transactional
                # and writers can take the write lock up front (BEGIN IMMEDIATE).
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                if not memory:
                    cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute(f"PRAGMA busy_timeout={busy_ms}")
                cur.close()

            @event.listens_for(self.engine, "begin")
            def _begin(conn: Any) -> None:
                mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
                conn.exec_driver_sql(f"BEGIN {mode}")

        self._retry("open the database", self._migrate)

    # -- plumbing -----------------------------------------------------------------------------

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.engine.dispose()

    def __repr__(self) -> str:
        return f"<Store {safe_url(self.url)}>"

    @contextmanager
    def _write(self) -> Iterator[Any]:
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    def _retry(self, what: str, fn: Callable[[], T]) -> T:
        """Run ``fn`` (one whole transaction), retrying transient database failures."""
        from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

        delay = self.backoff
        for attempt in range(1, self.retries + 1):
            try:
                return fn()
            except IntegrityError:
                # A concurrent writer stored the same rows first: the retry sees them and skips.
                if attempt == self.retries:
                    raise
            except (OperationalError, DBAPIError) as err:
                transient = isinstance(err, OperationalError) or err.connection_invalidated
                if not transient:
                    raise StoreError(
                        f"could not {what} in {safe_url(self.url)}", found=_first_line(err)
                    ) from err
                if attempt == self.retries:
                    raise StoreError(
                        f"could not {what} in {safe_url(self.url)} after {attempt} tries",
                        found=_first_line(err),
                        hint="is the database locked by another program, or the server down? "
                        "Nothing of the failed batch was written; rerun to resume",
                    ) from err
            time.sleep(delay)
            delay = min(delay * 2, 8.0)
        raise AssertionError("unreachable")

    def _migrate(self) -> None:
        from sqlalchemy import inspect, select

        from unspin.store.schema import MIGRATIONS, migrations_table

        # Up to date already? Then only read (a busy database can still be opened).
        with self.engine.connect() as conn:
            if inspect(conn).has_table(migrations_table.name):
                applied = {r[0] for r in conn.execute(select(migrations_table.c.name))}
                if applied == {m.name for m in MIGRATIONS}:
                    return
        with self._write() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(7319041)")
            migrations_table.create(conn, checkfirst=True)
            done = [r[0] for r in conn.execute(select(migrations_table.c.name))]
            known = {m.name for m in MIGRATIONS}
            unknown = sorted(set(done) - known)
            if unknown:
                raise StoreError(
                    f"the database {safe_url(self.url)} has a newer schema than this unspin",
                    expected=f"migrations up to {MIGRATIONS[-1].name}",
                    found=f"unknown migration(s) {', '.join(unknown)}",
                    hint="upgrade unspin",
                )
            for m in MIGRATIONS:
                if m.name not in done:
                    m.apply(conn)
                    conn.execute(
                        migrations_table.insert().values(name=m.name, applied_at=datetime.now(UTC))
                    )

    def migrations(self) -> list[str]:
        """Names of the applied migrations, in order."""
        from sqlalchemy import select

        from unspin.store.schema import migrations_table

        with self.engine.connect() as conn:
            rows = conn.execute(select(migrations_table.c.name).order_by(migrations_table.c.name))
            return [r[0] for r in rows]

    # -- writing ------------------------------------------------------------------------------

    @staticmethod
    def key(analysis: Analysis, article: Article | None = None) -> str:
        """The id :meth:`save` stores ``analysis`` under."""
        from unspin.store.schema import analysis_key

        art_id = article.id if article is not None else analysis.id
        return analysis_key(art_id, analysis.hash, analysis.model.name, analysis.model.version)

    def save(self, analysis: Analysis, article: Article | None = None) -> str:
        """Store one analysis (idempotent) and return its id."""
        return self.save_many([(analysis, article)])[0]

    def save_many(self, items: Sequence[tuple[Analysis, Article | None]]) -> list[str]:
        """Store analyses in one transaction (all or none); already stored ones are left as
        they are. Returns their ids in order."""
        keys = [self.key(a, art) for a, art in items]
        if items:
            self._retry("store analyses", lambda: self._save_many(items, keys))
        return keys

    def _save_many(self, items: Sequence[tuple[Analysis, Article | None]], keys: list[str]) -> None:
        from unspin.store.schema import FRAGMENT_CHARS, analyses, articles, sentence_scores, spans

        now = datetime.now(UTC)
        with self._write() as conn:
            existing = _existing(conn, keys)
            todo: dict[str, tuple[Analysis, Article]] = {}
            for key, (a, art) in zip(keys, items, strict=True):
                if key not in existing and key not in todo:
                    todo[key] = (a, _meta_of(a, art))
            if not todo:
                return
            wanted = {(art.id, a.hash) for a, art in todo.values()}
            pks = _article_pks(conn, wanted)
            new_articles: list[dict[str, Any]] = []
            seen: set[tuple[str, str]] = set(pks)
            for a, art in todo.values():
                pair = (art.id, a.hash)
                if pair in seen:
                    continue
                seen.add(pair)
                new_articles.append(
                    {
                        "article_id": art.id,
                        "content_hash": a.hash,
                        "source": art.source,
                        "url": art.url,
                        "published": _str_or_none(art.published),
                        "published_day": day_of(art.published),
                        "language": art.language,
                        "meta": json.dumps(dict(art.meta), ensure_ascii=False, default=str)
                        if art.meta
                        else None,
                        "words": int(a.summary.get("words", 0) or 0),
                        "created_at": now,
                    }
                )
            if new_articles:
                conn.execute(articles.insert(), new_articles)
                pks = _article_pks(conn, wanted)
            rows: list[dict[str, Any]] = []
            span_rows: list[dict[str, Any]] = []
            sent_rows: list[dict[str, Any]] = []
            for key, (a, art) in todo.items():
                s = a.summary
                rows.append(
                    {
                        "id": key,
                        "article_pk": pks[(art.id, a.hash)],
                        "article_id": art.id,
                        "content_hash": a.hash,
                        "model_name": a.model.name,
                        "model_version": a.model.version,
                        "source": art.source,
                        "published_day": day_of(art.published),
                        "score": float(s.get("score", 0.0) or 0.0),
                        "spans": len(a.techniques),
                        "words": int(s.get("words", 0) or 0),
                        "sentences": len(a.sentences),
                        "flagged_sentences": sum(1 for x in a.sentences if x.labels),
                        "spans_per_100_words": float(s.get("spans_per_100_words", 0.0) or 0.0),
                        "top_technique": s.get("top_technique"),
                        "data": a.to_json(),
                        "created_at": now,
                    }
                )
                span_rows.extend(
                    {
                        "analysis_id": key,
                        "n": n,
                        "label": sp.label,
                        "start_char": sp.start,
                        "end_char": sp.end,
                        "score": float(sp.score),
                        "fragment": a.text[sp.start : sp.end][:FRAGMENT_CHARS],
                    }
                    for n, sp in enumerate(a.techniques)
                )
                sent_rows.extend(
                    {
                        "analysis_id": key,
                        "n": n,
                        "start_char": ss.start,
                        "end_char": ss.end,
                        "score": float(ss.score),
                        "labels": json.dumps(list(ss.labels)),
                    }
                    for n, ss in enumerate(a.sentences)
                )
            conn.execute(analyses.insert(), rows)
            if span_rows:
                conn.execute(spans.insert(), span_rows)
            if sent_rows:
                conn.execute(sentence_scores.insert(), sent_rows)

    # -- reading ------------------------------------------------------------------------------

    def get(self, analysis_id: str) -> Analysis | None:
        """The stored analysis with this id, or ``None``."""
        from sqlalchemy import select

        from unspin.store.schema import analyses

        def read() -> str | None:
            with self.engine.connect() as conn:
                q = select(analyses.c.data).where(analyses.c.id == str(analysis_id))
                return conn.execute(q).scalar_one_or_none()

        data = self._retry("read an analysis", read)
        return None if data is None else Analysis.from_json(data)

    def existing(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` that are stored."""
        keys = list(keys)

        def read() -> set[str]:
            with self.engine.connect() as conn:
                return _existing(conn, keys)

        return self._retry("look up stored analyses", read) if keys else set()

    def hashes(self, article_ids: Iterable[str]) -> dict[str, set[str]]:
        """Content hashes stored for each of ``article_ids`` (ids not stored are left out)."""
        from sqlalchemy import select

        from unspin.store.schema import articles

        ids = sorted(set(article_ids))
        out: dict[str, set[str]] = {}

        def read() -> None:
            with self.engine.connect() as conn:
                for chunk in _chunks(ids, 500):
                    q = select(articles.c.article_id, articles.c.content_hash).where(
                        articles.c.article_id.in_(chunk)
                    )
                    for aid, h in conn.execute(q):
                        out.setdefault(aid, set()).add(h)

        if ids:
            self._retry("look up stored articles", read)
        return out

    def keys(
        self, model_name: str | None = None, model_version: str | None = None
    ) -> Iterator[str]:
        """Stream the ids of stored analyses (optionally of one model)."""
        from sqlalchemy import select

        from unspin.store.schema import analyses

        q = select(analyses.c.id)
        if model_name is not None:
            q = q.where(analyses.c.model_name == model_name)
        if model_version is not None:
            q = q.where(analyses.c.model_version == model_version)
        with self.engine.connect() as conn:
            for row in conn.execution_options(yield_per=5000).execute(q):
                yield row[0]

    def count(self) -> int:
        from sqlalchemy import func, select

        from unspin.store.schema import analyses

        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(analyses)).scalar_one())

    def models(self) -> list[tuple[str, str, int]]:
        """(model name, version, analyses) stored, most analyses first."""
        from sqlalchemy import func, select

        from unspin.store.schema import analyses

        q = (
            select(analyses.c.model_name, analyses.c.model_version, func.count())
            .group_by(analyses.c.model_name, analyses.c.model_version)
            .order_by(func.count().desc(), analyses.c.model_name)
        )
        with self.engine.connect() as conn:
            return [(n, v, int(c)) for n, v, c in conn.execute(q)]

    def query(
        self,
        *,
        technique: str | None = None,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        min_score: float | None = None,
        model: str | None = None,
        limit: int | None = 50,
        order: str = "score",
    ) -> list[StoredRow]:
        """Stored analyses matching all the given filters, highest score first.

        ``technique``: with at least one span of it (rows then carry ``technique_spans``);
        ``source``: exact outlet; ``since``/``until``: published on/after/before a
        ``YYYY-MM-DD`` day; ``model``: ``name`` or ``name@version``.
        """
        from sqlalchemy import func, select

        from unspin.store.schema import analyses, spans

        cols = [
            analyses.c.id,
            analyses.c.article_id,
            analyses.c.content_hash,
            analyses.c.model_name,
            analyses.c.model_version,
            analyses.c.source,
            analyses.c.published_day,
            analyses.c.score,
            analyses.c.spans,
            analyses.c.words,
            analyses.c.top_technique,
        ]
        q = select(*cols)
        if technique is not None:
            per = (
                select(spans.c.analysis_id, func.count().label("k"))
                .where(spans.c.label == technique)
                .group_by(spans.c.analysis_id)
                .subquery()
            )
            q = select(*cols, per.c.k).join(per, per.c.analysis_id == analyses.c.id)
        q = self.filter(
            q, source=source, since=since, until=until, min_score=min_score, model=model
        )
        if order == "score":
            q = q.order_by(analyses.c.score.desc(), analyses.c.id)
        elif order == "published":
            q = q.order_by(analyses.c.published_day.desc(), analyses.c.id)
        else:
            q = q.order_by(analyses.c.article_id, analyses.c.id)
        if limit is not None:
            q = q.limit(limit)

        def read() -> list[StoredRow]:
            with self.engine.connect() as conn:
                return [
                    StoredRow(
                        id=r[0],
                        article_id=r[1],
                        content_hash=r[2],
                        model=f"{r[3]}@{r[4]}" if r[4] else r[3],
                        source=r[5],
                        published_day=r[6],
                        score=float(r[7]),
                        spans=int(r[8]),
                        words=int(r[9]),
                        top_technique=r[10],
                        technique_spans=int(r[11]) if len(r) > 11 else None,
                    )
                    for r in conn.execute(q)
                ]

        return self._retry("query analyses", read)

    @staticmethod
    def filter(
        q: Any,
        *,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        min_score: float | None = None,
        model: str | None = None,
    ) -> Any:
        """Add the common ``query``/``report``/``export`` filters to a select on analyses."""
        from unspin.store.schema import analyses

        if source is not None:
            q = q.where(analyses.c.source == source)
        if since is not None:
            q = q.where(analyses.c.published_day >= since)
        if until is not None:
            q = q.where(analyses.c.published_day < until)
        if min_score is not None:
            q = q.where(analyses.c.score >= min_score)
        if model is not None:
            name, _, version = model.partition("@")
            q = q.where(analyses.c.model_name == name)
            if version:
                q = q.where(analyses.c.model_version == version)
        return q

    def iter_records(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Stream every stored analysis as ``{"id", "article_id", "content_hash", "model",
        "source", "published", "score", "analysis"}`` (the Analysis JSON as a string)."""
        from sqlalchemy import select

        from unspin.store.schema import analyses, articles

        q = (
            select(
                analyses.c.id,
                analyses.c.article_id,
                analyses.c.content_hash,
                analyses.c.model_name,
                analyses.c.model_version,
                analyses.c.source,
                articles.c.published,
                analyses.c.score,
                analyses.c.data,
            )
            .join(articles, articles.c.pk == analyses.c.article_pk)
            .order_by(analyses.c.article_id, analyses.c.id)
        )
        q = self.filter(q, **filters)
        with self.engine.connect() as conn:
            for r in conn.execution_options(yield_per=500).execute(q):
                yield {
                    "id": r[0],
                    "article_id": r[1],
                    "content_hash": r[2],
                    "model": f"{r[3]}@{r[4]}" if r[4] else r[3],
                    "source": r[5],
                    "published": r[6],
                    "score": float(r[7]),
                    "analysis": r[8],
                }


def _first_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None) or err
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


def _str_or_none(v: object) -> str | None:
    return None if v is None else str(v)


def _chunks(seq: Sequence[T], n: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _existing(conn: Any, keys: Sequence[str]) -> set[str]:
    from sqlalchemy import select

    from unspin.store.schema import analyses

    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(keys)), 500):
        found.update(
            r[0] for r in conn.execute(select(analyses.c.id).where(analyses.c.id.in_(chunk)))
        )
    return found


def _article_pks(conn: Any, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    from sqlalchemy import select

    from unspin.store.schema import articles

    ids = sorted({aid for aid, _ in pairs})
    out: dict[tuple[str, str], int] = {}
    for chunk in _chunks(ids, 500):
        q = select(articles.c.pk, articles.c.article_id, articles.c.content_hash).where(
            articles.c.article_id.in_(chunk)
        )
        for pk, aid, h in conn.execute(q):
            if (aid, h) in pairs:
                out[(aid, h)] = pk
    return out


def open_store(url: str | os.PathLike[str] | None = None, **kwargs: Any) -> Store:
    """Open (creating or migrating as needed) the store at ``url``.

    ``None`` is ``sqlite:///unspin.db`` in the working directory; a plain path is a SQLite
    file; ``postgresql://user:pass@host:port/db`` uses PostgreSQL (``unspin[postgres]``).
    """
    return Store(url, **kwargs)


__all__ = [
    "DEFAULT_URL",
    "Store",
    "StoreError",
    "StoredRow",
    "content_hash",
    "day_of",
    "normalize_url",
    "open_store",
]
