"""A directory of ``article<ID>.txt`` files (PTC / SemEval-2020, NLP4IF-2019, SemEval-2023).

The id of an article is the part of the file name between ``article`` and ``.txt``
(``article111111111.txt`` → ``"111111111"``). Texts are read exactly as stored, as the
label files' offsets require: UTF-8, a BOM kept as character 0, no newline translation
(``\\r\\n`` is two characters), NUL bytes and invalid UTF-8 rejected.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "article7.txt").write_bytes(b"Title\\r\\n\\r\\nBody.")
>>> [(a.id, len(a.text)) for a in iter_articles(d)]
[('7', 14)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from unspin.errors import InputError
from unspin.formats.text import read_text
from unspin.types import Article

_NAME = re.compile(r"^article(.+)\.txt$")


def article_id(path: str | Path) -> str | None:
    """The id in an ``article<ID>.txt`` file name, or ``None`` for any other name."""
    m = _NAME.match(Path(path).name)
    return m.group(1) if m else None


def _sort_key(item: tuple[str, Path]) -> tuple[int, int | str]:
    aid = item[0]
    return (0, int(aid)) if aid.isdigit() else (1, aid)


def article_paths(directory: str | Path) -> list[tuple[str, Path]]:
    """``(id, path)`` of every ``article<ID>.txt`` in ``directory``, numeric ids in order.

    Raises :class:`~unspin.errors.InputError` when the directory does not exist or holds
    no article files.
    """
    d = Path(directory)
    if not d.exists():
        raise InputError(
            f"{d}: no such directory",
            expected="a directory of article<ID>.txt",
            found="nothing at that path",
        )
    if not d.is_dir():
        raise InputError(
            f"{d} is not a directory", expected="a directory of article<ID>.txt", found="a file"
        )
    found = []
    for p in d.iterdir():
        aid = article_id(p)
        if aid is not None and p.is_file():
            found.append((aid, p))
    if not found:
        raise InputError(
            f"{d} holds no articles",
            expected="files named article<ID>.txt",
            found=f"{sum(1 for _ in d.iterdir())} other entries",
        )
    return sorted(found, key=_sort_key)


def read_article(path: str | Path) -> Article:
    """One ``article<ID>.txt`` file as an :class:`~unspin.types.Article` (id from the name)."""
    p = Path(path)
    return Article(text=read_text(p), id=article_id(p) or p.stem, source=str(p))


def iter_articles(directory: str | Path) -> Iterator[Article]:
    """Stream the articles of a directory, one file in memory at a time, in id order."""
    for _aid, path in article_paths(directory):
        yield read_article(path)


def read_articles(directory: str | Path) -> dict[str, str]:
    """All texts of a directory: ``{id: text}`` (ids in order)."""
    return {a.id: a.text for a in iter_articles(directory)}


def write_article(directory: str | Path, article: Article) -> Path:
    """Write ``article<ID>.txt`` exactly (UTF-8, no newline translation); return its path."""
    if not article.id or "/" in article.id or "\\" in article.id:
        raise InputError(
            "an article needs an id usable in a file name",
            expected="a non-empty id without slashes",
            found=repr(article.id),
        )
    p = Path(directory) / f"article{article.id}.txt"
    with p.open("w", encoding="utf-8", newline="") as fh:
        fh.write(article.text)
    return p
