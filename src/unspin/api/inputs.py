"""Reading analysis requests: a JSON body, or a multipart upload of a .txt or .html file.

Everything here is untrusted input. Problems become :class:`~unspin.api.errors.ApiError` (4xx)
with the JSON error body; nothing a client sends should reach a 500.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ValidationError
from starlette.datastructures import UploadFile

from unspin.api.errors import ApiError, _clean_details
from unspin.api.schemas import MAX_ID, AnalyzeRequest, BatchRequest
from unspin.errors import InputError
from unspin.pipeline import check_text
from unspin.types import Article

TEXT_SUFFIXES = (".txt", ".text")
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_TYPES = ("text/plain",)
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass
class Job:
    """What to analyse: an article (or raw HTML still to extract), and a threshold."""

    article: Article | None
    threshold: float | None
    html: bytes | None = None  # an HTML upload, extracted on a worker thread
    filename: str = ""
    article_id: str = ""


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _validate(model: type[BaseModel], body: bytes) -> Any:
    if not body.strip():
        raise ApiError(400, "malformed_json", "the request body is empty; expected a JSON object")
    try:
        return model.model_validate_json(body)
    except ValidationError as err:
        errors = err.errors()
        bad_json = [e for e in errors if e.get("type") == "json_invalid"]
        if bad_json:
            msg = str(bad_json[0].get("ctx", {}).get("error", "") or bad_json[0].get("msg"))
            raise ApiError(
                400, "malformed_json", f"the request body is not valid JSON ({msg})"
            ) from None
        details = _clean_details(errors)
        first = details[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise ApiError(
            422, "invalid_request", f"{where}: {first['msg']}", details=details
        ) from None


def checked_text(text: str, *, where: str = "text") -> str:
    """The text, if it is usable: valid Unicode without NUL, and not only whitespace."""
    check_text(text, where=where)  # InputError -> 422 bad_input
    if not text.strip():
        raise ApiError(
            422, "empty_text", f"{where} is empty or only whitespace; expected some text to analyse"
        )
    return text


async def read_json(request: Request) -> Job:
    req = _validate(AnalyzeRequest, await request.body())
    return Job(Article(text=checked_text(req.text), id=req.id), req.threshold)


async def read_batch(request: Request, *, max_batch: int) -> tuple[list[Article], float | None]:
    if media_type(request) not in ("application/json", ""):
        raise ApiError(
            415,
            "unsupported_media_type",
            "POST /v1/analyze/batch takes a JSON body (Content-Type: "
            f"application/json); found {media_type(request)!r}",
        )
    req = _validate(BatchRequest, await request.body())
    if len(req.articles) > max_batch:
        raise ApiError(
            422,
            "batch_too_large",
            f"a batch holds at most {max_batch} articles; found "
            f"{len(req.articles)} (split it, or raise UNSPIN_MAX_BATCH)",
        )
    articles = [
        Article(text=checked_text(a.text, where=f"articles.{i}.text"), id=a.id)
        for i, a in enumerate(req.articles)
    ]
    return articles, req.threshold


_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def safe_stem(filename: str) -> str:
    """An article id from an untrusted file name: its last path part without the extension,
    without control characters, at most MAX_ID characters (it is still escaped wherever shown).
    """
    name = re.split(r"[/\\]", filename)[-1]
    if "." in name.strip(".") and not name.startswith("."):
        name = name.rsplit(".", 1)[0]
    return _UNSAFE.sub("", name)[:MAX_ID]


def _kind(filename: str, content_type: str) -> str | None:
    lower = filename.lower()
    if lower.endswith(TEXT_SUFFIXES):
        return "text"
    if lower.endswith(HTML_SUFFIXES):
        return "html"
    ctype = content_type.split(";", 1)[0].strip().lower()
    if ctype in TEXT_TYPES:
        return "text"
    if ctype in HTML_TYPES:
        return "html"
    return None


def _threshold(raw: Any) -> float | None:
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        raw = str(raw)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not 0.0 <= value <= 1.0:
        raise ApiError(
            422,
            "invalid_request",
            "threshold: expected a number in [0, 1]",
            details=[
                {
                    "loc": ["body", "threshold"],
                    "msg": f"expected a number in [0, 1], found {raw[:40]!r}",
                    "type": "value_error",
                }
            ],
        )
    return value


async def read_upload(request: Request, *, max_size: int) -> Job:
    form = await request.form(max_files=2, max_fields=10, max_part_size=max_size)
    try:
        upload = form.get("file")
        raw_id = form.get("id")
        threshold = _threshold(form.get("threshold"))
        if upload is None:
            raise ApiError(
                422,
                "invalid_request",
                "file: missing; expected a .txt or .html file in the 'file' field",
                details=[{"loc": ["body", "file"], "msg": "field required", "type": "missing"}],
            )
        if isinstance(upload, UploadFile):
            data = await upload.read()
            filename = upload.filename or ""
            kind = _kind(filename, upload.content_type or "")
        else:  # a plain form field: take it as UTF-8 text
            data, filename, kind = upload.encode("utf-8", "surrogatepass"), "", "text"
        article_id = raw_id[:MAX_ID] if isinstance(raw_id, str) else safe_stem(filename)
    finally:
        await form.close()
    if kind is None:
        raise ApiError(
            415,
            "unsupported_media_type",
            f"expected a .txt (UTF-8) or .html file; found a file named {filename[:80]!r}",
        )
    if not data:
        raise ApiError(422, "empty_text", "the uploaded file is empty; expected some text")
    if kind == "html":
        return Job(
            None, threshold, html=data, filename=filename or "upload.html", article_id=article_id
        )
    from unspin.formats.text import decode_text

    label = "the uploaded file" if not filename else f"the uploaded file {filename[:80]!r}"
    text = decode_text(data, name=label)  # InputError for NUL bytes or invalid UTF-8
    return Job(
        Article(
            text=checked_text(text, where=label),
            id=article_id,
            meta={"filename": filename[:MAX_ID]} if filename else {},
        ),
        threshold,
    )


def extract_html(data: bytes, *, article_id: str, filename: str) -> Article:
    """The main text of an HTML page (trafilatura). Runs on a worker thread: it is CPU work."""
    from unspin.errors import require

    trafilatura = require("trafilatura", feature="HTML upload", extra="api")
    try:
        text = trafilatura.extract(
            data,
            output_format="txt",
            include_comments=False,
            include_tables=True,
            deduplicate=False,
        )
        meta = trafilatura.extract_metadata(data)
    except Exception as err:  # a parser failing on hostile input is the input's problem
        raise InputError(
            "the uploaded HTML could not be parsed",
            expected="an HTML page",
            found=type(err).__name__,
        ) from err
    if not text or not text.strip():
        raise InputError(
            "found no article text in the uploaded HTML",
            expected="a page with a main text (an article, a post)",
            found="only navigation, markup or nothing",
        )
    check_text(text)
    extra: dict[str, Any] = {"filename": filename[:MAX_ID], "extracted_from": "html"}
    title = getattr(meta, "title", None) if meta is not None else None
    if title:
        extra["title"] = str(title)[:500]
    url = getattr(meta, "url", None) if meta is not None else None
    published = getattr(meta, "date", None) if meta is not None else None
    return Article(
        text=text,
        id=article_id or safe_stem(filename),
        url=str(url) if url else None,
        published=str(published) if published else None,
        meta=extra,
    )
