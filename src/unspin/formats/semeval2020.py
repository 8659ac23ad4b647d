"""SemEval-2020 Task 11 (PTC) label files: SI, FLC/TC and TC templates.

=========  =========================================  ===========================
kind       line                                       example
=========  =========================================  ===========================
``si``     ``article_id<TAB>start<TAB>end``           ``111111111	265	323``
``tc``     ``article_id<TAB>technique<TAB>start<TAB>end``  ``111111111	Doubt	149	157``
template   the ``tc`` line with ``?`` as technique    ``111111111	?	149	157``
=========  =========================================  ===========================

FLC files (NLP4IF-2019) have the ``tc`` layout with the 18-technique inventory
(``inventory="nlp4if2019"``). Offsets are code-point offsets into ``article<ID>.txt``, start
inclusive, end exclusive. A path may be one file or a directory of per-article label files
(``article<ID>.task-si.labels`` ...): then an empty file still names an article, which
:func:`label_article_ids` reports (an article with no gold spans still counts when scoring).

>>> import io
>>> anns = parse_lines(io.StringIO("1\\tDoubt\\t3\\t9\\n"), kind="tc", name="gold")
>>> anns[0]
Annotation(article_id='1', start=3, end=9, technique='Doubt')
>>> anns[0].location
'gold:1'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Literal

from unspin.errors import FormatError, InputError, OffsetError
from unspin.formats import Annotation, OnError, report
from unspin.formats.text import decode_text
from unspin.labels import check_label

Kind = Literal["si", "tc", "template"]

_INT = re.compile(r"-?[0-9]+")
_ID = re.compile(r"[^\s]+")
_FILE_ID = re.compile(r"^article([^.]+)\.")
_LAYOUT = {
    "si": ("3 TAB-separated fields", "article_id<TAB>start<TAB>end"),
    "tc": ("4 TAB-separated fields", "article_id<TAB>technique<TAB>start<TAB>end"),
    "template": ("4 TAB-separated fields", "article_id<TAB>?<TAB>start<TAB>end"),
}


def parse_offset(value: str, what: str, location: str) -> int:
    """A non-negative integer offset, or a :class:`FormatError` saying what was found."""
    if not _INT.fullmatch(value):
        raise FormatError(
            f"the {what} offset is not an integer",
            location=location,
            expected="a non-negative integer",
            found=repr(value),
        )
    n = int(value)
    if n < 0:
        raise FormatError(
            f"the {what} offset is negative",
            location=location,
            expected="a non-negative integer",
            found=value,
        )
    return n


def parse_span(start: str, end: str, location: str) -> tuple[int, int]:
    """Parse ``start``/``end`` fields and check ``start < end``."""
    s = parse_offset(start, "start", location)
    e = parse_offset(end, "end", location)
    if e <= s:
        raise FormatError(
            "the span is empty or reversed",
            location=location,
            expected="start < end",
            found=f"start={s}, end={e}",
        )
    return s, e


def parse_line(
    line: str, *, kind: Kind, location: str, inventory: str = "semeval2020"
) -> Annotation:
    """Parse one label line (without its line break)."""
    fields = line.split("\t")
    n_fields = 3 if kind == "si" else 4
    if len(fields) != n_fields:
        expected, layout = _LAYOUT[kind]
        raise FormatError(
            f"a {kind} label line has {len(fields)} field(s)",
            location=location,
            expected=f"{expected} ({layout})",
            found=repr(line[:80]),
        )
    aid = fields[0].strip()
    if not _ID.fullmatch(aid):
        raise FormatError(
            "the article id is missing or contains spaces",
            location=location,
            expected="an article id such as 111111111",
            found=repr(fields[0]),
        )
    if kind == "si":
        s, e = parse_span(fields[1].strip(), fields[2].strip(), location)
        return Annotation(aid, s, e, None, location=location)
    technique = fields[1].strip()
    if kind == "template":
        if technique != "?":
            raise FormatError(
                "a template line must have '?' as its technique",
                location=location,
                expected="'?'",
                found=repr(technique),
            )
        label: str | None = None
    else:
        if technique == "?":
            raise FormatError(
                "a template line ('?') where a labelled line was expected",
                location=location,
                expected="a technique name",
                found="'?'",
                hint="is this the TC template rather than a label file?",
            )
        label = check_label(technique, inventory, location=location)
    s, e = parse_span(fields[2].strip(), fields[3].strip(), location)
    return Annotation(aid, s, e, label, location=location)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    # split on \n only; a trailing \r (CRLF files) is dropped from each line
    for i, line in enumerate(text.split("\n"), start=1):
        yield i, line[:-1] if line.endswith("\r") else line


def parse_lines(
    source: IO[str] | str,
    *,
    kind: Kind,
    name: str = "<labels>",
    inventory: str = "semeval2020",
    on_error: OnError = "raise",
) -> list[Annotation]:
    """Parse label lines from a string or text stream; blank lines are skipped."""
    text = source if isinstance(source, str) else source.read()
    out = []
    for lineno, line in _lines(text):
        if not line.strip():
            continue
        try:
            out.append(
                parse_line(line, kind=kind, location=f"{name}:{lineno}", inventory=inventory)
            )
        except FormatError as err:
            report(err, on_error)
    return out


def _read_file(path: Path) -> str:
    with path.open("rb") as fh:
        return decode_text(fh.read(), name=str(path))


def label_files(path: str | Path) -> list[Path]:
    """The label files a path stands for: itself, or the per-article files of a directory."""
    p = Path(path)
    if not p.exists():
        raise InputError(
            f"{p}: no such file or directory",
            expected="a label file or directory",
            found="nothing at that path",
        )
    if p.is_file():
        return [p]
    files = sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith("."))
    if not files:
        raise InputError(
            f"{p} holds no label files",
            expected="per-article label files",
            found="an empty directory",
        )
    return files


def label_article_ids(path: str | Path) -> set[str] | None:
    """For a directory of per-article files, the ids their names carry (including empty
    files: articles without spans); ``None`` for a single file, which lists only articles
    that have spans."""
    p = Path(path)
    if not p.is_dir():
        return None
    ids = set()
    for f in label_files(p):
        m = _FILE_ID.match(f.name)
        if m:
            ids.add(m.group(1))
    return ids


def read_labels(
    path: str | Path, *, kind: Kind, inventory: str = "semeval2020", on_error: OnError = "raise"
) -> list[Annotation]:
    """Read an SI, TC/FLC or template file, or a directory of per-article files."""
    out: list[Annotation] = []
    for f in label_files(path):
        out.extend(
            parse_lines(
                _read_file(f), kind=kind, name=str(f), inventory=inventory, on_error=on_error
            )
        )
    return out


def read_si(path: str | Path, *, on_error: OnError = "raise") -> list[Annotation]:
    """SI spans (``article_id, start, end``); ``technique`` is ``None``."""
    return read_labels(path, kind="si", on_error=on_error)


def read_tc(
    path: str | Path, *, inventory: str = "semeval2020", on_error: OnError = "raise"
) -> list[Annotation]:
    """Labelled spans (TC gold or predictions, FLC files)."""
    return read_labels(path, kind="tc", inventory=inventory, on_error=on_error)


def read_template(path: str | Path, *, on_error: OnError = "raise") -> list[Annotation]:
    """TC template lines, in file order (``technique`` is ``None``)."""
    return read_labels(path, kind="template", on_error=on_error)


def check_bounds(
    annotations: Iterable[Annotation], texts: Mapping[str, str], *, name: str = "labels"
) -> None:
    """Every annotation must name a known article and fit inside its text."""
    for a in annotations:
        where = a.location or name
        if a.article_id not in texts:
            raise FormatError(
                f"article {a.article_id} is not among the articles",
                location=where,
                expected="an id with an article<ID>.txt file",
                found=repr(a.article_id),
            )
        n = len(texts[a.article_id])
        if a.end > n:
            raise OffsetError(
                f"{where}: span {a.start}-{a.end} runs past the end of article {a.article_id}",
                expected=f"end <= {n} (the article's length in characters)",
                found=f"end={a.end}",
            )


def format_line(a: Annotation, kind: Kind) -> str:
    """One label line (with its ``\\n``)."""
    if kind == "si":
        return f"{a.article_id}\t{a.start}\t{a.end}\n"
    if kind == "template":
        return f"{a.article_id}\t?\t{a.start}\t{a.end}\n"
    if a.technique is None:
        raise FormatError("a tc line needs a technique", expected="a technique name", found="None")
    return f"{a.article_id}\t{a.technique}\t{a.start}\t{a.end}\n"


def write_labels(
    dest: str | Path | IO[str], annotations: Iterable[Annotation], *, kind: Kind
) -> int:
    """Write label lines (``\\n`` line ends, UTF-8); return the number of lines."""
    if isinstance(dest, (str, Path)):
        with Path(dest).open("w", encoding="utf-8", newline="") as fh:
            return write_labels(fh, annotations, kind=kind)
    n = 0
    for a in annotations:
        dest.write(format_line(a, kind))
        n += 1
    return n
