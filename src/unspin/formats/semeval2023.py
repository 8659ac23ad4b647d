"""SemEval-2023 Task 3 (subtask 3, persuasion techniques) files.

* paragraph labels, :func:`read_paragraph_labels`:
  ``article_id<TAB>paragraph_id<TAB>tech1,tech2,...``
* templates, :func:`read_template`: ``article_id<TAB>paragraph_id<TAB>paragraph text``
* span files, :func:`read_spans`: ``article_id<TAB>technique<TAB>start<TAB>end``

``paragraph_id`` is the 1-based line number of the paragraph in ``article<ID>.txt`` (blank
lines count but have no entry); the technique field may be empty. Many non-English files use
CRLF line ends: readers accept both, and span offsets index the article read *without*
newline translation (``\\r`` counts), which is how :mod:`unspin.formats.articles` reads it.
Technique names are the 23 of ``unspin.labels.SEMEVAL2023``.

>>> rows = parse_paragraph_labels("5\\t1\\t\\r\\n5\\t3\\tDoubt,Slogans\\r\\n")
>>> [(r.article_id, r.paragraph, r.labels) for r in rows]
[('5', 1, ()), ('5', 3, ('Doubt', 'Slogans'))]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from unspin.errors import FormatError
from unspin.formats import Annotation, OnError, report
from unspin.formats.semeval2020 import label_files
from unspin.formats.semeval2020 import parse_lines as _parse_span_lines
from unspin.formats.text import decode_text
from unspin.labels import check_label

INVENTORY = "semeval2023"
_ID = re.compile(r"[^\s]+")
_PAR = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class ParagraphLabels:
    """The technique set of one paragraph (one line of a labels file)."""

    article_id: str
    paragraph: int
    labels: tuple[str, ...] = ()
    location: str | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, int]:
        return (self.article_id, self.paragraph)


@dataclass(frozen=True)
class TemplateLine:
    """One line of a subtask-3 template: the paragraph to label and its text."""

    article_id: str
    paragraph: int
    text: str


def _lines(text: str) -> Iterator[tuple[int, str]]:
    for i, line in enumerate(text.split("\n"), start=1):
        yield i, line[:-1] if line.endswith("\r") else line


def _head(fields: list[str], where: str) -> tuple[str, int]:
    aid = fields[0].strip()
    if not _ID.fullmatch(aid):
        raise FormatError(
            "the article id is missing or contains spaces",
            location=where,
            expected="an article id",
            found=repr(fields[0]),
        )
    par = fields[1].strip()
    if not _PAR.fullmatch(par) or int(par) < 1:
        raise FormatError(
            "the paragraph id is not a positive integer",
            location=where,
            expected="a 1-based line number",
            found=repr(par),
        )
    return aid, int(par)


def parse_paragraph_labels(
    text: str, *, name: str = "<labels>", on_error: OnError = "raise"
) -> list[ParagraphLabels]:
    """Parse paragraph label lines; a repeated (article, paragraph) is an error."""
    out: list[ParagraphLabels] = []
    seen: set[tuple[str, int]] = set()
    for lineno, line in _lines(text):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            fields = line.split("\t")
            if len(fields) not in (2, 3):
                raise FormatError(
                    f"a paragraph label line has {len(fields)} field(s)",
                    location=where,
                    expected="article_id<TAB>paragraph_id<TAB>tech1,tech2,...",
                    found=repr(line[:80]),
                )
            aid, par = _head(fields, where)
            raw = fields[2].strip() if len(fields) == 3 else ""
            labels = []
            for name_ in (t.strip() for t in raw.split(",")) if raw else ():
                if name_ and name_ not in labels:
                    labels.append(check_label(name_, INVENTORY, location=where))
            if (aid, par) in seen:
                raise FormatError(
                    f"paragraph {par} of article {aid} is listed twice",
                    location=where,
                    expected="one line per paragraph",
                    found="a repeated paragraph",
                )
            seen.add((aid, par))
            out.append(ParagraphLabels(aid, par, tuple(labels), location=where))
        except FormatError as err:
            report(err, on_error)
    return out


def parse_template(
    text: str, *, name: str = "<template>", on_error: OnError = "raise"
) -> list[TemplateLine]:
    """Parse template lines (``article_id<TAB>paragraph_id<TAB>text``)."""
    out = []
    for lineno, line in _lines(text):
        if not line.strip():
            continue
        where = f"{name}:{lineno}"
        try:
            fields = line.split("\t", 2)
            if len(fields) != 3:
                raise FormatError(
                    "a template line needs 3 fields",
                    location=where,
                    expected="article_id<TAB>paragraph_id<TAB>paragraph text",
                    found=repr(line[:80]),
                )
            aid, par = _head(fields, where)
            out.append(TemplateLine(aid, par, fields[2]))
        except FormatError as err:
            report(err, on_error)
    return out


def _files(path: str | Path, *, templates: bool) -> list[Path]:
    files = label_files(path)
    if Path(path).is_dir():  # per-article folder: labels are *.txt, templates *.template
        files = [f for f in files if f.name.endswith(".template") == templates]
    return files


def _read(path: Path) -> str:
    return decode_text(path.read_bytes(), name=str(path))


def read_paragraph_labels(
    path: str | Path, *, on_error: OnError = "raise"
) -> list[ParagraphLabels]:
    """Read a labels file, or a per-article folder (``*.txt`` files, templates skipped)."""
    out: list[ParagraphLabels] = []
    for f in _files(path, templates=False):
        out.extend(parse_paragraph_labels(_read(f), name=str(f), on_error=on_error))
    return out


def read_template(path: str | Path, *, on_error: OnError = "raise") -> list[TemplateLine]:
    """Read a ``.template`` file, or the ``*.template`` files of a per-article folder."""
    out: list[TemplateLine] = []
    for f in _files(path, templates=True):
        out.extend(parse_template(_read(f), name=str(f), on_error=on_error))
    return out


def read_spans(path: str | Path, *, on_error: OnError = "raise") -> list[Annotation]:
    """Read span files (``article_id<TAB>technique<TAB>start<TAB>end``, CRLF-safe)."""
    out: list[Annotation] = []
    for f in label_files(path):
        out.extend(
            _parse_span_lines(
                _read(f), kind="tc", name=str(f), inventory=INVENTORY, on_error=on_error
            )
        )
    return out


def paragraphs(text: str) -> list[tuple[int, int, int]]:
    """``(paragraph_id, start, end)`` of every non-blank line of an article: the numbering the
    label files use (1-based line numbers; ``\\r`` of CRLF excluded from the range)."""
    out = []
    pos = 0
    for lineno, line in enumerate(text.split("\n"), start=1):
        end = pos + len(line)
        stop = end - 1 if line.endswith("\r") else end
        if text[pos:stop].strip():
            out.append((lineno, pos, stop))
        pos = end + 1
    return out


def write_paragraph_labels(dest: str | Path | IO[str], rows: Iterable[ParagraphLabels]) -> int:
    """Write paragraph label lines (``\\n`` line ends); return the number of lines."""
    if isinstance(dest, (str, Path)):
        with Path(dest).open("w", encoding="utf-8", newline="") as fh:
            return write_paragraph_labels(fh, rows)
    n = 0
    for r in rows:
        dest.write(f"{r.article_id}\t{r.paragraph}\t{','.join(r.labels)}\n")
        n += 1
    return n
