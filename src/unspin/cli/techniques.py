"""``unspin techniques``: list the techniques with their definitions."""

from __future__ import annotations

import json

import typer

from unspin.cli._app import app


@app.command()
def techniques(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the 14 techniques unspin detects, with definitions."""
    from dataclasses import asdict

    from unspin.labels import TECHNIQUES

    if as_json:
        typer.echo(json.dumps([asdict(t) for t in TECHNIQUES.values()], indent=2))
        return
    from rich.console import Console

    console = Console()
    for t in TECHNIQUES.values():
        console.print(f"[bold {t.color}]{t.symbol}[/] [bold]{t.display}[/]  [dim]{t.name}[/]")
        console.print(f"   {t.definition}", highlight=False)
        console.print(f"   [italic]e.g. {t.example}[/]", highlight=False)
