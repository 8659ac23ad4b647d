"""One JSON error body for every error the server answers::

    {"error": {"status": 422, "code": "empty_text", "message": "...", "details": []}}

``status`` repeats the HTTP status, ``code`` is a stable machine-readable word (listed in
``docs/api.md``), ``message`` is one line for people, and ``details`` lists per-field problems
(``{"loc": [...], "msg": "...", "type": "..."}``) for request validation errors, else ``[]``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from unspin.errors import InputError, UnspinError

log = logging.getLogger("unspin.api")

# Codes for plain HTTP errors raised by the framework (unknown route, wrong method, ...).
_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
    500: "internal_error",
    503: "overloaded",
    504: "timeout",
}


class ApiError(StarletteHTTPException):
    """An error answered with the JSON error body. A subclass of Starlette's HTTPException, so
    that it also passes through FastAPI's request-body parsing unchanged."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: Sequence[Mapping[str, Any]] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=dict(headers or {}))
        self.code = code
        self.message = message
        self.details = list(details)


def error_body(
    status: int, code: str, message: str, details: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    return {
        "error": {
            "status": status,
            "code": code,
            "message": message,
            "details": [dict(d) for d in details],
        }
    }


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    details: Sequence[Mapping[str, Any]] = (),
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(status, code, message, details), status_code=status, headers=dict(headers or {})
    )


def _clean_details(errors: Sequence[Any]) -> list[dict[str, Any]]:
    # Pydantic's error dicts can hold the offending input and exception objects; answer only
    # the location, the message and the type (input may be large, and is the client's anyway).
    out = []
    for e in errors:
        loc = [p if isinstance(p, (str, int)) else str(p) for p in e.get("loc", ())]
        out.append({"loc": loc, "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))})
    return out


def unspin_error_status(err: UnspinError) -> int:
    """Input problems are the client's (422); an unreachable store is a temporary outage (503);
    anything else unspin raises on purpose is ours (500)."""
    if isinstance(err, InputError):
        return 422
    return 503 if err.code == "store_error" else 500


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the JSON error body."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc, ApiError):
            return error_response(
                exc.status_code, exc.code, exc.message, details=exc.details, headers=exc.headers
            )
        status = exc.status_code
        code = _CODES.get(status, "error")
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(status).phrase
        if status == 404 and detail == "Not Found":
            detail = f"no such page or endpoint: {request.url.path}"
        elif status == 405:
            detail = f"{request.method} is not allowed on {request.url.path}"
        return error_response(status, code, detail, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = _clean_details(exc.errors())
        first = details[0] if details else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"] if p != "body") or "request"
        return error_response(422, "invalid_request", f"{where}: {first['msg']}", details=details)

    @app.exception_handler(UnspinError)
    async def _unspin(request: Request, exc: UnspinError) -> Response:
        status = unspin_error_status(exc)
        if status >= 500:
            log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
        return error_response(status, exc.code, str(exc))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(
            500,
            "internal_error",
            "internal server error (a bug in unspin; the server log has the traceback)",
        )
