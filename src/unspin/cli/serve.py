"""``unspin serve``: the web UI and REST API (needs the ``api`` extra)."""

from __future__ import annotations

import ipaddress

import typer

from unspin.cli._app import app

LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _is_loopback(host: str) -> bool:
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@app.command()
def serve(
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to bind. The default "
        "serves this machine only; 0.0.0.0 serves the network (set "
        "UNSPIN_API_TOKEN then).",
    ),
    port: int = typer.Option(8000, "--port", "-p", min=0, max=65535, help="Port to listen on."),
    model: str = typer.Option(
        None,
        "--model",
        "-m",
        help="Model name ('default'), a model "
        "directory, or 'none' (default: UNSPIN_MODEL or 'default').",
    ),
    db: str = typer.Option(
        None,
        "--db",
        help="Store URL or SQLite file for analyses and "
        "permalinks (default: UNSPIN_DB or sqlite:///unspin.db).",
    ),
    narratives: bool = typer.Option(
        False,
        "--narratives",
        help="Add narratives and claim matching (UNSPIN_NARRATIVES=1).",
    ),
    no_store: bool = typer.Option(
        False, "--no-store", help="Do not store analyses (no permalinks)."
    ),
    log_level: str = typer.Option("info", "--log-level", help="uvicorn log level."),
) -> None:
    """Serve the web UI at / and the REST API under /v1 (settings: UNSPIN_* variables, see
    docs/api.md)."""
    from unspin.errors import require

    require("fastapi", feature="unspin serve", extra="api")
    uvicorn = require("uvicorn", feature="unspin serve", extra="api")
    from unspin.api import Settings, create_app

    settings = Settings.from_env(
        model=model,
        db=db,
        store=False if no_store else None,
        narratives=True if narratives else None,
    )
    if not _is_loopback(host) and settings.token is None:
        typer.echo(
            f"warning: serving on {host} without UNSPIN_API_TOKEN: anyone who can reach "
            "this address can use the server",
            err=True,
        )
    application = create_app(settings=settings)
    info = application.state.unspin.analyzer.info
    shown = f"[{host}]" if ":" in host else host
    typer.echo(
        f"unspin: model {info.name} {info.version}".rstrip() + f", serving on "
        f"http://{shown}:{port}/ (API docs at /docs)",
        err=True,
    )
    uvicorn.run(
        application,
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=5,
        server_header=False,
    )
