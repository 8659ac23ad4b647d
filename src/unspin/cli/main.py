"""Entry point of the ``unspin`` console script.

Exit codes: 0 ok, 1 bad input (one clear line on stderr), 2 usage error.
"""

from __future__ import annotations

import importlib
import sys

import typer

from unspin.cli._app import app
from unspin.errors import UnspinError

# Command modules register themselves on ``app`` when imported; each keeps its heavy imports
# (torch, FastAPI, SQLAlchemy, Ray) inside the command functions.
COMMAND_MODULES = [
    "analyze",
    "techniques",
    "predict",
    "score",
    "train",
    "export",
    "serve",
    "batch",
    "catalog",
]


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(f"unspin.cli.{name}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status (usage errors are handled by Typer: status 2)."""
    _register()
    command = typer.main.get_command(app)
    try:
        command.main(args=argv, prog_name="unspin", standalone_mode=True)
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except UnspinError as err:
        typer.echo(f"error: {err}", err=True)
        return 1
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    return 0


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
