"""The web UI: server-rendered pages (autoescaped Jinja2) and one small vanilla script.

The pages hold no untrusted markup: an analysis travels to the page as a JSON data block
(``tojson`` escapes ``<``, ``>``, ``&`` and ``'``) and ``static/unspin.js`` renders it with DOM
APIs and ``textContent`` only.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

import unspin
from unspin.api.middleware import COOKIE, session_value, token_matches
from unspin.api.service import Service
from unspin.labels import TECHNIQUES

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(HERE / "templates")),
    autoescape=True,  # every template, whatever its name
    trim_blocks=True,
    lstrip_blocks=True,
)

router = APIRouter(include_in_schema=False)


def service(request: Request) -> Service:
    return request.app.state.unspin  # type: ignore[no-any-return]


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    srv = service(request)
    base = {
        "version": unspin.__version__,
        "static": f"/static/{{}}?v={unspin.__version__}",
        "auth": srv.settings.token is not None,
        "model": srv.analyzer.info.to_dict(),
        "store": srv.store is not None,
    }
    html = env.get_template(name).render(**base, **context)
    return HTMLResponse(html, status_code=status)


def _boot(request: Request, analysis: dict[str, Any] | None = None) -> dict[str, Any]:
    srv = service(request)
    return {
        "techniques": [asdict(t) for t in TECHNIQUES.values()],
        "model": srv.analyzer.info.to_dict(),
        "store": srv.store is not None,
        "maxBody": srv.settings.max_body,
        "analysis": analysis,
    }


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    return page(request, "index.html", boot=_boot(request))


@router.get("/a/{analysis_id}", response_class=HTMLResponse)
async def permalink(analysis_id: str, request: Request) -> HTMLResponse:
    result = await run_in_threadpool(service(request).get, analysis_id)
    if result is None:
        return page(
            request,
            "error.html",
            status=404,
            title="Analysis not found",
            message=f"There is no stored analysis with the id “{analysis_id[:80]}”.",
        )
    return page(request, "index.html", boot=_boot(request, result), permalink=True)


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    return page(request, "docs.html")


def _local(target: str | None) -> str:
    """Only same-site paths are followed after login (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/") -> Response:
    if service(request).settings.token is None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", next=_local(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    srv = service(request)
    if srv.settings.token is None:
        return RedirectResponse("/", status_code=303)
    form = await request.form(max_files=0, max_fields=4)
    given = form.get("token")
    target = form.get("next")
    target = _local(target if isinstance(target, str) else None)
    if not isinstance(given, str) or not token_matches(given, srv.settings.token):
        return page(
            request,
            "login.html",
            status=401,
            next=target,
            error="That token is not right. It is the server's UNSPIN_API_TOKEN.",
        )
    response = RedirectResponse(target, status_code=303)
    secure = request.url.scheme == "https"
    response.set_cookie(
        COOKIE,
        session_value(srv.settings.token),
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    response = RedirectResponse(
        "/login" if service(request).settings.token else "/", status_code=303
    )
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
