"""HTML pages reduced to their main text with trafilatura (boilerplate, menus and comments
dropped). The extracted text is what is analysed and stored, and what offsets refer to."""

from __future__ import annotations

from typing import Any

from unspin.errors import InputError, require


def extract(html: bytes | str, *, url: str | None = None) -> tuple[str, dict[str, Any]]:
    """The main text of a page (title first) and its metadata: ``source`` (site name or host),
    ``url``, ``published`` (date), ``language``, ``title``, ``author``.

    Raises :class:`InputError` when no main text can be found.
    """
    trafilatura = require("trafilatura", feature="HTML text extraction", extra="batch")
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    text = (getattr(doc, "text", None) or "").strip() if doc is not None else ""
    if not text:
        raise InputError(
            "no main text found in the HTML page",
            expected="an article page",
            found="only boilerplate or an empty page",
        )
    title = (getattr(doc, "title", None) or "").strip()
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}"
    meta: dict[str, Any] = {}
    for key, attr in (
        ("source", "sitename"),
        ("url", "url"),
        ("published", "date"),
        ("language", "language"),
        ("title", "title"),
        ("author", "author"),
    ):
        value = getattr(doc, attr, None)
        if value:
            meta[key] = str(value)
    if "source" not in meta and getattr(doc, "hostname", None):
        meta["source"] = str(doc.hostname)
    return text, meta
