"""The server's outer layer (plain ASGI): the body limit, the bearer token, security headers.

* Body limit: a request whose ``Content-Length`` is over the limit is answered 413 before its
  body is read; a chunked body is counted as it streams and stopped at the limit.
* Token (``UNSPIN_API_TOKEN``): when set, every request except the login page and the static
  files must present it, either as ``Authorization: Bearer <token>`` or as the session cookie
  the login form sets (HttpOnly, SameSite=Strict, holding an HMAC of the token, not the token).
  A request that authenticates with the cookie and changes state must come from this origin.
  Browsers asking for a page are sent to the login form; everything else gets a 401.
* Headers: a strict Content-Security-Policy (scripts and styles from this server only: no
  inline script can run even if some text escaped escaping), ``nosniff``, no framing, no
  referrer (permalinks do not leak to linked sites), and ``no-store`` on API answers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import quote

from unspin.api.errors import ApiError, error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "unspin_session"
PUBLIC_PREFIXES = ("/static/",)
PUBLIC_PATHS = ("/login", "/logout", "/favicon.ico")
PAGE_PATHS = ("/", "/docs")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
# Swagger UI sets inline styles; it still runs no inline script.
CSP_DOCS = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def session_value(token: str) -> str:
    """The cookie value for a token: an HMAC, so the cookie is not the API token itself."""
    return hmac.new(token.encode("utf-8"), b"unspin-ui-session/1", hashlib.sha256).hexdigest()


def token_matches(given: str, token: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), token.encode("utf-8"))


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip('"')
    return None


def _same_origin(headers: dict[str, str], scope: Scope) -> bool:
    origin = headers.get("origin")
    if origin is not None:
        host = headers.get("host", "")
        return origin in (f"http://{host}", f"https://{host}")
    site = headers.get("sec-fetch-site")
    return site is None or site in ("same-origin", "none")


def is_page(path: str) -> bool:
    return path in PAGE_PATHS or path.startswith("/a/")


def wants_html(headers: dict[str, str]) -> bool:
    return "text/html" in headers.get("accept", "")


async def _send_json(
    send: Send, status: int, body: dict[str, Any], headers: Sequence[tuple[bytes, bytes]] = ()
) -> None:
    data = json.dumps(body).encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(data)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": data})


class BodyTooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            413,
            "body_too_large",
            f"the request body is larger than the server's limit of {limit} bytes",
        )


class Guard:
    """ASGI middleware: body limit, token check, security headers."""

    def __init__(self, app: ASGIApp, *, max_body: int, token: str | None) -> None:
        self.app = app
        self.max_body = max_body
        self.token = token
        self.session = session_value(token) if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")

        # 1. body limit, from the declared length
        length = headers.get("content-length")
        if length is not None:
            try:
                declared = int(length)
            except ValueError:
                declared = -1
            if declared < 0:
                await _send_json(
                    send,
                    400,
                    error_body(400, "bad_request", "the Content-Length header is not a number"),
                )
                return
            if declared > self.max_body:
                err = BodyTooLarge(self.max_body)
                await _send_json(
                    send, 413, error_body(413, err.code, err.message), [(b"connection", b"close")]
                )
                return

        # 2. token
        if self.token is not None and not self._public(path):
            problem = self._auth_problem(headers, scope, method)
            if problem is not None:
                status, code, message = problem
                if status == 401 and method == "GET" and is_page(path) and wants_html(headers):
                    target = path + (
                        f"?{scope['query_string'].decode('latin-1')}"
                        if scope.get("query_string")
                        else ""
                    )
                    location = "/login?next=" + quote(target, safe="")
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 303,
                            "headers": [
                                (b"location", location.encode("latin-1")),
                                (b"content-length", b"0"),
                            ],
                        }
                    )
                    await send({"type": "http.response.body", "body": b""})
                    return
                extra = [(b"www-authenticate", b'Bearer realm="unspin"')] if status == 401 else []
                await _send_json(send, status, error_body(status, code, message), extra)
                return

        # 3. count a streamed body; 4. add headers to the answer
        seen = 0
        limit = self.max_body

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        csp = CSP_DOCS if path == "/docs" else CSP
        api = path.startswith("/v1/") or path == "/openapi.json"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"content-security-policy", csp.encode()),
                ]
                if api:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        await self.app(scope, counted_receive, send_with_headers)

    def _public(self, path: str) -> bool:
        return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)

    def _auth_problem(
        self, headers: dict[str, str], scope: Scope, method: str
    ) -> tuple[int, str, str] | None:
        assert self.token is not None and self.session is not None
        auth = headers.get("authorization")
        if auth is not None:
            scheme, _, given = auth.partition(" ")
            if scheme.lower() == "bearer" and token_matches(given.strip(), self.token):
                return None
            return 401, "unauthorized", "the bearer token is wrong"
        cookie = _cookie(headers.get("cookie", ""), COOKIE)
        if cookie is not None and hmac.compare_digest(
            cookie.encode("latin-1"), self.session.encode()
        ):
            if method not in SAFE_METHODS and not _same_origin(headers, scope):
                return 403, "forbidden", "a cross-origin request cannot use the session cookie"
            return None
        return (
            401,
            "unauthorized",
            ("this server needs a token: send 'Authorization: Bearer <token>' (UNSPIN_API_TOKEN)"),
        )
