"""Reading a corpus: directories of ``.txt``/``.html``, ``.jsonl`` and ``.csv`` files, gzip'd or
not, streamed one article at a time.

:func:`read_inputs` yields a :class:`Record` per usable article and a :class:`Skip` (with
``file:line`` and a reason) per unusable one; it never raises on bad data, so one corrupt file
cannot stop a run of a million articles.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.jsonl").write_text('{"id": "1", "body": "Hi."}\\nnot json\\n')
>>> [type(r).__name__ for r in read_inputs([d], Fields(text="body"))]
['Record', 'Skip']
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from unspin.errors import InputError
from unspin.types import Article

TEXT_SUFFIXES = (".txt",)
HTML_SUFFIXES = (".html", ".htm")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv",)
ALL_SUFFIXES = TEXT_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + CSV_SUFFIXES

# What reading a damaged gzip stream raises, depending on where the damage is.
GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)


@dataclass(frozen=True)
class Fields:
    """Which JSONL field / CSV column holds each article attribute (dotted paths reach into
    nested JSON objects: ``meta.outlet``; ``body,text`` takes the first present). ``source``
    is the outlet; ``default_source`` is used when a record has none. Other fields are kept in
    ``Article.meta``."""

    id: str = "id"
    text: str = "text"
    source: str = "source"
    url: str = "url"
    published: str = "published"
    language: str = "language"
    default_source: str | None = None

    def mapped(self) -> dict[str, str]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "url": self.url,
            "published": self.published,
            "language": self.language,
        }


@dataclass(frozen=True)
class Record:
    """A usable article and where it came from (``file`` or ``file:line``)."""

    article: Article
    location: str


@dataclass(frozen=True)
class Skip:
    """An input that was not analysed, where it is, and why."""

    location: str
    reason: str


Item = Record | Skip


@dataclass
class _Source:
    path: Path
    root: Path | None = None  # the directory argument it was found in
    kind: str = ""
    gz: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.path)

    def article_id(self) -> str:
        """A plain file's id: its path below the input directory, without the suffixes."""
        rel = self.path.relative_to(self.root) if self.root else Path(self.path.name)
        name = rel.name
        if self.gz:
            name = name[:-3]
        name = name[: -len(Path(name).suffix)] if Path(name).suffix else name
        return (rel.parent / name).as_posix() if str(rel.parent) != "." else name


def _kind(path: Path) -> tuple[str, bool]:
    name = path.name.lower()
    gz = name.endswith(".gz")
    if gz:
        name = name[:-3]
    for kind, suffixes in (
        ("txt", TEXT_SUFFIXES),
        ("html", HTML_SUFFIXES),
        ("jsonl", JSONL_SUFFIXES),
        ("csv", CSV_SUFFIXES),
    ):
        if name.endswith(suffixes):
            return kind, gz
    return "", gz


def expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[_Source | Skip]:
    """The input files of ``paths`` (directories walked in sorted order), or why not."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames.sort()
                for fn in sorted(filenames):
                    fp = Path(dirpath) / fn
                    kind, gz = _kind(fp)
                    if kind and not fn.startswith("."):
                        yield _Source(fp, path, kind, gz)
        elif path.is_file():
            kind, gz = _kind(path)
            if kind:
                yield _Source(path, None, kind, gz)
            else:
                yield Skip(
                    str(path),
                    "unsupported file type (expected .txt, .html, .jsonl or .csv, optionally .gz)",
                )
        else:
            yield Skip(str(path), "no such file or directory")


def input_files(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, str | None]]:
    """(file, input directory) pairs: the unit of parallel reading for the Ray engine."""
    return [
        (str(s.path), str(s.root) if s.root else None)
        if isinstance(s, _Source)
        else (s.location, None)
        for s in expand(paths)
    ]


def _open(src: _Source) -> IO[bytes]:
    if src.gz:
        return gzip.open(src.path, "rb")  # type: ignore[return-value]
    return open(src.path, "rb")  # noqa: SIM115


def _get(obj: Mapping[str, Any], paths: str) -> Any:
    """The value at the first of the comma-separated ``paths`` that ``obj`` has."""
    for path in paths.split(","):
        value = _get1(obj, path.strip())
        if value is not None:
            return value
    return None


def _get1(obj: Mapping[str, Any], path: str) -> Any:
    if path in obj:
        return obj[path]
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def _text_problem(text: object) -> str | None:
    if not isinstance(text, str):
        return f"the text is a {type(text).__name__}, not a string"
    if not text.strip():
        return "empty text"
    from unspin.pipeline import check_text

    try:
        check_text(text)
    except InputError as err:
        return str(err)
    return None


def _opt_str(v: Any) -> str | None:
    if v is None or v == "":
        return None
    return v if isinstance(v, str) else str(v)


def make_record(obj: Mapping[str, Any], fields: Fields, location: str, fallback_id: str) -> Item:
    """An article from one JSON object / CSV row, or why it cannot be one."""
    text = _get(obj, fields.text)
    if text is None:
        found = ", ".join(list(obj)[:12]) or "none"
        return Skip(
            location, f"no text field '{fields.text}' (fields: {found}; map it with --text-field)"
        )
    problem = _text_problem(text)
    if problem:
        return Skip(location, problem)
    mapped = fields.mapped()
    top = {p.strip().split(".", 1)[0] for v in mapped.values() for p in v.split(",")}
    meta = {k: v for k, v in obj.items() if k not in top}
    raw_id = _get(obj, fields.id)
    art = Article(
        text=text,
        id=_opt_str(raw_id) or fallback_id,
        source=_opt_str(_get(obj, fields.source)) or fields.default_source,
        url=_opt_str(_get(obj, fields.url)),
        published=_opt_str(_get(obj, fields.published)),
        language=_opt_str(_get(obj, fields.language)),
        meta=meta,
    )
    return Record(art, location)


def _read_plain(src: _Source, fields: Fields) -> Iterator[Item]:
    from unspin.formats.text import decode_text

    with _open(src) as fh:
        data = fh.read()
    if src.kind == "html":
        from unspin.batch.html import extract

        try:
            text, meta = extract(data, url=None)
        except InputError as err:
            yield Skip(src.name, str(err))
            return
    else:
        try:
            text = decode_text(data, name="the file")
        except InputError as err:
            yield Skip(
                src.name, err.message if err.found is None else f"{err.message} ({err.found})"
            )
            return
        meta = {}
    problem = _text_problem(text)
    if problem:
        yield Skip(src.name, problem)
        return
    yield Record(
        Article(
            text=text,
            id=src.article_id(),
            source=meta.pop("source", None) or fields.default_source,
            url=meta.pop("url", None),
            published=meta.pop("published", None),
            language=meta.pop("language", None),
            meta={"file": src.name, **meta},
        ),
        src.name,
    )


def _read_jsonl(src: _Source, fields: Fields) -> Iterator[Item]:
    with _open(src) as fh:
        for lineno, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            loc = f"{src.name}:{lineno}"
            try:
                line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as err:
                yield Skip(loc, f"not valid UTF-8 (byte 0x{raw[err.start]:02x})")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                yield Skip(loc, f"not JSON ({err.msg} at column {err.colno})")
                continue
            if not isinstance(obj, dict):
                yield Skip(loc, f"not a JSON object (a {type(obj).__name__})")
                continue
            yield make_record(obj, fields, loc, f"{src.article_id()}:{lineno}")


def _read_csv(src: _Source, fields: Fields) -> Iterator[Item]:
    csv.field_size_limit(2**31 - 1)
    with _open(src) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        try:
            header = reader.fieldnames
        except UnicodeDecodeError as err:
            yield Skip(f"{src.name}:1", f"not valid UTF-8 ({err.reason})")
            return
        if not header:
            yield Skip(src.name, "empty CSV file (no header row)")
            return
        text_cols = [p.strip().split(".", 1)[0] for p in fields.text.split(",")]
        if not any(c in header for c in text_cols):
            yield Skip(
                f"{src.name}:1",
                f"no column '{fields.text}' (columns: "
                f"{', '.join(header[:12])}; map it with --text-field); file skipped",
            )
            return
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError as err:
                yield Skip(
                    f"{src.name}:{start}",
                    f"not valid UTF-8 ({err.reason}); rest of the file skipped",
                )
                return
            except csv.Error as err:
                yield Skip(f"{src.name}:{start}", f"bad CSV ({err}); rest of the file skipped")
                return
            loc = f"{src.name}:{start}"
            start = reader.line_num + 1
            if None in row:
                row.pop(None)  # type: ignore[call-overload]
            yield make_record(row, fields, loc, f"{src.article_id()}:{loc.rsplit(':', 1)[1]}")


_READERS = {"txt": _read_plain, "html": _read_plain, "jsonl": _read_jsonl, "csv": _read_csv}


def read_file(
    path: str | os.PathLike[str], fields: Fields, root: str | None = None
) -> Iterator[Item]:
    """Stream the items of one input file (see :func:`read_inputs`)."""
    p = Path(path)
    kind, gz = _kind(p)
    if not kind:
        yield Skip(str(p), "unsupported file type")
        return
    yield from _read_source(_Source(p, Path(root) if root else None, kind, gz), fields)


def _read_source(src: _Source, fields: Fields) -> Iterator[Item]:
    last = src.name
    try:
        for item in _READERS[src.kind](src, fields):
            last = item.location
            yield item
    except GZIP_ERRORS as err:
        where = last if last != src.name or src.kind in ("txt", "html") else f"{src.name}:1"
        yield Skip(
            where, f"corrupt gzip data ({err or type(err).__name__}); rest of the file skipped"
        )
    except OSError as err:
        yield Skip(src.name, f"cannot read ({err.strerror or err})")


def read_inputs(
    paths: Iterable[str | os.PathLike[str]], fields: Fields | None = None
) -> Iterator[Item]:
    """Stream the articles of every input (see the module docstring)."""
    fields = fields or Fields()
    for src in expand(paths):
        if isinstance(src, Skip):
            yield src
        else:
            yield from _read_source(src, fields)


def count_inputs(paths: Iterable[str | os.PathLike[str]]) -> int:
    """About how many items :func:`read_inputs` will yield (for progress and ETA); streamed."""
    csv.field_size_limit(2**31 - 1)
    total = 0
    for src in expand(paths):
        if isinstance(src, Skip) or src.kind in ("txt", "html"):
            total += 1
            continue
        try:
            with _open(src) as fh:
                if src.kind == "jsonl":
                    total += sum(1 for line in fh if line.strip())
                else:
                    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="replace", newline="")
                    total += max(0, sum(1 for _ in csv.reader(text)) - 1)
        except (*GZIP_ERRORS, OSError, csv.Error):
            total += 1
    return total
