"""The REST API under ``/v1`` (see ``docs/api.md``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

import unspin
from unspin.api.errors import ApiError
from unspin.api.inputs import media_type, read_batch, read_json, read_upload
from unspin.api.schemas import (
    AnalysisOut,
    BatchOut,
    ErrorOut,
    HealthOut,
    ModelsOut,
    TechniquesOut,
)
from unspin.api.service import Service
from unspin.labels import TECHNIQUES

router = APIRouter(prefix="/v1")


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        400: "Malformed JSON or multipart body (`malformed_json`, `bad_request`).",
        401: "Missing or wrong bearer token (only when UNSPIN_API_TOKEN is set).",
        404: "No stored analysis with this id (`not_found`).",
        413: "The body is larger than UNSPIN_MAX_BODY (`body_too_large`).",
        415: "Neither JSON nor a .txt/.html upload (`unsupported_media_type`).",
        422: "A missing or mistyped field, empty text, text that is not valid UTF-8 or holds NUL "
        "bytes, a threshold outside [0, 1], too many articles (`invalid_request`, `empty_text`, "
        "`bad_input`, `batch_too_large`).",
        503: "Overloaded (`overloaded`, with Retry-After) or the store is unreachable.",
        504: "The analysis ran past UNSPIN_TIMEOUT (`timeout`).",
    }
    out: dict[int | str, dict[str, Any]] = {
        c: {"model": ErrorOut, "description": text[c]} for c in codes
    }
    if 401 not in out:
        out[401] = {"model": ErrorOut, "description": text[401]}
    return out


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def service(request: Request) -> Service:
    return request.app.state.unspin  # type: ignore[no-any-return]


def _stored_headers(result: dict[str, Any]) -> dict[str, str]:
    stored = result.get("stored")
    return {"Location": stored["url"]} if stored else {}


@router.post(
    "/analyze",
    summary="Analyse one article",
    response_model=None,
    responses={
        200: {
            "model": AnalysisOut,
            "description": "The analysis (schema "
            "unspin.analysis/1), with `stored` when it was saved.",
        },
        **_errors(400, 413, 415, 422, 503, 504),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": _ref("AnalyzeRequest")},
                "multipart/form-data": {"schema": _ref("AnalyzeUpload")},
            },
        }
    },
)
async def analyze(request: Request) -> JSONResponse:
    """Analyse a text sent as JSON (`{"text": ..., "id": ..., "threshold": ...}`) or an
    uploaded .txt (UTF-8) or .html file (`multipart/form-data`, field `file`). Offsets in the
    answer are code-point offsets into the answer's `text` (for HTML: the extracted main text).
    The analysis is stored (unless UNSPIN_STORE=0): `stored.id`, `stored.permalink`."""
    srv = service(request)
    kind = media_type(request)
    if kind in ("application/json", ""):
        job = await read_json(request)
    elif kind == "multipart/form-data":
        job = await read_upload(request, max_size=srv.settings.max_body)
    else:
        raise ApiError(
            415,
            "unsupported_media_type",
            "expected a JSON body (application/json) or a file upload "
            f"(multipart/form-data); found {kind!r}",
        )
    result = await srv.runner.run(lambda: srv.analyze_job(job))
    return JSONResponse(result, headers=_stored_headers(result))


@router.post(
    "/analyze/batch",
    summary="Analyse several articles",
    response_model=None,
    responses={
        200: {"model": BatchOut, "description": "One analysis per article, in order."},
        **_errors(400, 413, 415, 422, 503, 504),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _ref("BatchRequest")}},
        }
    },
)
async def analyze_batch(request: Request) -> JSONResponse:
    """Analyse up to UNSPIN_MAX_BATCH articles (`{"articles": [{"text": ..., "id": ...}],
    "threshold": ...}`) in one request; the answer lists their analyses in the same order."""
    srv = service(request)
    articles, threshold = await read_batch(request, max_batch=srv.settings.max_batch)
    results = await srv.runner.run(lambda: srv.analyze_many(articles, threshold))
    return JSONResponse({"analyses": results})


@router.get(
    "/analyses/{analysis_id}",
    summary="A stored analysis",
    response_model=None,
    responses={200: {"model": AnalysisOut}, **_errors(404, 503)},
)
async def get_analysis(analysis_id: str, request: Request) -> JSONResponse:
    """A stored analysis by the id `POST /v1/analyze` answered in `stored.id`."""
    srv = service(request)
    result = await run_in_threadpool(srv.get, analysis_id)
    if result is None:
        why = "" if srv.store is not None else " (this server does not store analyses)"
        raise ApiError(404, "not_found", f"no stored analysis with id {analysis_id[:80]!r}{why}")
    return JSONResponse(result)


@router.get(
    "/techniques",
    summary="The techniques unspin marks",
    response_model=TechniquesOut,
    responses=_errors(),
)
async def techniques() -> dict[str, Any]:
    """The 14 techniques: label, display name, definition, a made-up example, and the colour,
    underline pattern and symbol the web UI uses for each."""
    return {"techniques": [asdict(t) for t in TECHNIQUES.values()]}


def installed_models() -> list[str]:
    from unspin.model import MODELS_DIR

    if not MODELS_DIR.is_dir():
        return []
    return sorted(p.name for p in MODELS_DIR.iterdir() if p.is_dir() and any(p.iterdir()))


@router.get(
    "/models", summary="The technique model in use", response_model=ModelsOut, responses=_errors()
)
async def models(request: Request) -> dict[str, Any]:
    """The model this server analyses with, and the models installed with the package."""
    return {"loaded": service(request).analyzer.info.to_dict(), "installed": installed_models()}


@router.get("/health", summary="Liveness and load", response_model=HealthOut, responses=_errors())
async def health(request: Request) -> dict[str, Any]:
    """`ok` while the server answers; with the model, whether analyses are stored, and how many
    analyses are in flight out of the admission capacity."""
    srv = service(request)
    return {
        "status": "ok",
        "version": unspin.__version__,
        "model": srv.analyzer.info.to_dict(),
        "store": srv.store is not None,
        "inflight": srv.runner.inflight,
        "capacity": srv.runner.capacity,
    }
