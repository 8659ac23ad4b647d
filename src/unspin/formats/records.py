"""Collections of articles: plain ``.txt``, ``.jsonl`` and ``.csv`` files, or a directory of
``article<ID>.txt`` files, streamed as :class:`~unspin.types.Article` objects.

* ``.txt``: the whole file is one article; its id is the file name without extension.
* ``.jsonl``: one JSON object per line, ``{"id": ..., "text": ..., ...}``; ``source``,
  ``url``, ``published``, ``language`` fill the Article fields, any other key goes to
  ``meta``. A missing id becomes ``<file stem>:<line>``.
* ``.csv``: a header row with a ``text`` column (and optionally ``id`` and the fields above);
  other columns go to ``meta``. Quoted fields may contain newlines. A missing or empty id
  becomes ``<file stem>:<row>``.

Bad records (invalid JSON, invalid UTF-8, NUL characters, a missing or non-string ``text``)
are skipped with a :class:`~unspin.formats.RecordWarning` naming ``file:line`` (or handled as
``on_error`` says, see :mod:`unspin.formats`); every valid record is kept. Records are read
one at a time, so a large file never sits in memory whole (a ``.txt`` file is one record).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from unspin.errors import FormatError, InputError
from unspin.formats import OnError, report
from unspin.formats.text import read_text
from unspin.types import Article

FIELDS = ("source", "url", "published", "language")
SUFFIXES = (".txt", ".jsonl", ".csv")


def _check(text: str, where: str) -> None:
    if "\x00" in text:
        raise FormatError(
            "the text contains a NUL character",
            location=where,
            expected="plain text",
            found=f"NUL at character {text.index(chr(0))}",
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        raise FormatError(
            "the text is not valid UTF-8",
            location=where,
            expected="UTF-8 text",
            found=f"an undecodable byte at character {err.start}",
        ) from err


def _article(d: dict[str, Any], default_id: str, where: str) -> Article:
    text = d.get("text")
    if text is None:
        raise FormatError(
            "the record has no 'text'",
            location=where,
            expected="a 'text' field",
            found=f"fields {sorted(d)}",
        )
    if not isinstance(text, str):
        raise FormatError(
            "'text' is not a string", location=where, expected="a string", found=type(text).__name__
        )
    _check(text, where)
    rid = d.get("id")
    if isinstance(rid, (dict, list)):
        raise FormatError(
            "'id' is not a string or number",
            location=where,
            expected="a string or number",
            found=type(rid).__name__,
        )
    meta = {k: v for k, v in d.items() if k not in ("id", "text", *FIELDS)}
    return Article(
        text=text,
        id=str(rid) if rid not in (None, "") else default_id,
        **{k: (None if d.get(k) in (None, "") else str(d[k])) for k in FIELDS},
        meta=meta,
    )


def iter_jsonl(path: str | Path, *, on_error: OnError = "warn") -> Iterator[Article]:
    """Stream the articles of a ``.jsonl`` file (``-`` reads standard input)."""
    name = "standard input" if str(path) == "-" else str(path)
    stem = "stdin" if str(path) == "-" else Path(path).stem
    if str(path) != "-" and not Path(path).is_file():
        raise InputError(
            f"{path}: no such file",
            expected="a .jsonl file",
            found="nothing at that path" if not Path(path).exists() else "a folder",
        )
    fh = sys.stdin.buffer if str(path) == "-" else Path(path).open("rb")  # noqa: SIM115
    try:
        for lineno, raw in enumerate(fh, start=1):
            where = f"{name}:{lineno}"
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise FormatError(
                        "the line is not valid UTF-8",
                        location=where,
                        expected="UTF-8 text",
                        found=f"byte 0x{raw[err.start]:02x} at byte {err.start} of the line",
                    ) from err
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as err:
                    raise FormatError(
                        "the line is not valid JSON",
                        location=where,
                        expected="one JSON object per line",
                        found=err.msg,
                    ) from err
                if not isinstance(obj, dict):
                    raise FormatError(
                        "the line is not a JSON object",
                        location=where,
                        expected='an object such as {"id": ..., "text": ...}',
                        found=type(obj).__name__,
                    )
                yield _article(obj, f"{stem}:{lineno}", where)
            except FormatError as err:
                report(err, on_error)
    finally:
        if fh is not sys.stdin.buffer:
            fh.close()


def iter_csv(path: str | Path, *, on_error: OnError = "warn") -> Iterator[Article]:
    """Stream the articles of a ``.csv`` file with a header row naming a ``text`` column."""
    p = Path(path)
    if not p.is_file():
        raise InputError(
            f"{p}: no such file",
            expected="a .csv file",
            found="nothing at that path" if not p.exists() else "a folder",
        )
    csv.field_size_limit(2**31 - 1)
    # surrogateescape: an undecodable byte spoils only its own record (checked in _article)
    with p.open(encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        if "text" not in header:
            raise FormatError(
                "the CSV file has no 'text' column",
                location=f"{p}:1",
                expected="a header row with a 'text' column",
                found=f"columns {header}",
            )
        for row_no, row in enumerate(reader, start=1):
            where = f"{p}:{reader.line_num} (row {row_no})"
            try:
                if None in row or any(v is None for v in row.values()):
                    raise FormatError(
                        "the row does not have one value per column",
                        location=where,
                        expected=f"{len(header)} fields",
                        found="more" if None in row else "fewer",
                    )
                for key, value in row.items():
                    if key != "text":
                        _check(value, f"{where} column {key!r}")
                yield _article(dict(row), f"{p.stem}:{row_no}", where)
            except FormatError as err:
                report(err, on_error)


def iter_records(path: str | Path, *, on_error: OnError = "warn") -> Iterator[Article]:
    """Stream the articles of a ``.txt``/``.jsonl``/``.csv`` file or an articles directory.

    ``-`` reads one text from standard input. Any other suffix is read as plain text.
    """
    if str(path) == "-":
        yield Article(text=read_text("-"), id="stdin")
        return
    p = Path(path)
    if p.is_dir():
        from unspin.formats.articles import iter_articles

        yield from iter_articles(p)
    elif p.suffix.lower() == ".jsonl":
        yield from iter_jsonl(p, on_error=on_error)
    elif p.suffix.lower() == ".csv":
        yield from iter_csv(p, on_error=on_error)
    else:
        yield Article(text=read_text(p), id=p.stem, source=str(p))


def write_jsonl(dest: str | Path, articles: Iterator[Article] | list[Article]) -> int:
    """Write articles as ``.jsonl`` (the shape :func:`iter_jsonl` reads); return the count."""
    n = 0
    with Path(dest).open("w", encoding="utf-8", newline="") as fh:
        for a in articles:
            d = a.to_dict()
            d.update(d.pop("meta", {}))
            fh.write(json.dumps(d, ensure_ascii=False) + "\n")
            n += 1
    return n
