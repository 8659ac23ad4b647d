"""The application factory.

>>> from unspin.api import create_app, Settings
>>> from unspin.pipeline import Analyzer
>>> app = create_app(Analyzer(model=None), Settings(store=False))
>>> app.title
'unspin'
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

import unspin
from unspin.api import errors, routes, web
from unspin.api.middleware import Guard
from unspin.api.schemas import AnalyzeRequest, AnalyzeUpload, BatchRequest, ErrorOut
from unspin.api.service import Service, load_analyzer
from unspin.api.settings import Settings
from unspin.pipeline import Analyzer

DESCRIPTION = """\
Marks propaganda and persuasion techniques in news text with exact character spans.

Every error is answered with one JSON body:
`{"error": {"status": ..., "code": ..., "message": ..., "details": [...]}}`.
When the server has a token (UNSPIN_API_TOKEN), send `Authorization: Bearer <token>`.
"""


def create_app(analyzer: Analyzer | None = None, settings: Settings | None = None) -> FastAPI:
    """A ready FastAPI app. ``analyzer`` defaults to ``Analyzer(settings.model)``, loaded once
    here; ``settings`` default to the ``UNSPIN_*`` environment variables."""
    settings = Settings.from_env() if settings is None else settings
    if analyzer is None:
        analyzer = load_analyzer(
            settings.model, narratives=settings.narratives, workers=settings.workers
        )
    srv = Service(analyzer, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        srv.open()
        try:
            yield
        finally:
            srv.close()

    app = FastAPI(
        title="unspin",
        version=unspin.__version__,
        description=DESCRIPTION,
        docs_url=None,  # served by web.docs from vendored files: no CDN
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.unspin = srv
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=str(web.STATIC_DIR)), name="static")
    app.add_middleware(Guard, max_body=settings.max_body, token=settings.token)  # type: ignore[arg-type]

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (AnalyzeRequest, AnalyzeUpload, BatchRequest, ErrorOut):
            js = model.model_json_schema(ref_template="#/components/schemas/{model}")
            components.update(js.pop("$defs", {}))
            components[model.__name__] = js
        if settings.token is not None:
            schema["components"]["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "The server's UNSPIN_API_TOKEN.",
                }
            }
            schema["security"] = [{"bearer": []}]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
