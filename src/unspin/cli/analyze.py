"""``unspin analyze FILE|- ...``: analyse texts and show or print the analysis."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from unspin.cli._app import ModelOption, ThresholdOption, app, model_arg


class OutFormat(StrEnum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


@app.command()
def analyze(
    files: list[str] = typer.Argument(..., help="Text files to analyse, or - for stdin."),
    format: OutFormat = typer.Option(
        None,
        "--format",
        "-f",
        help="text (default for one file), json, or jsonl (default for several files).",
    ),
    model: str = ModelOption,
    threshold: float = ThresholdOption,
    narratives: bool = typer.Option(
        False,
        "--narratives/--no-narratives",
        help="Add the narrative layer: SemEval-2025 narratives and known claims the text "
        "resembles (see docs/narratives.md).",
    ),
    catalog: list[str] = typer.Option(
        None,
        "--catalog",
        help="Claim catalogue name or path for --narratives (repeatable; default: every "
        "imported catalogue). Implies --narratives.",
    ),
) -> None:
    """Analyse one or more texts for propaganda and persuasion techniques."""
    from unspin.formats.text import read_text
    from unspin.pipeline import Analyzer

    fmt = format or (OutFormat.text if len(files) == 1 else OutFormat.jsonl)
    if fmt is OutFormat.json and len(files) > 1:
        raise typer.BadParameter(
            "--format json takes one file; use jsonl for several", param_hint="--format"
        )
    texts = [(Path(f).stem if f != "-" else "stdin", read_text(f)) for f in files]
    components = []
    if narratives or catalog:
        from unspin.narratives import NarrativeLayer

        components.append(NarrativeLayer(catalogs=catalog or None))
    nlp = Analyzer(model_arg(model), components=components)
    for fid, text in texts:
        a = nlp.analyze(text, id=fid, threshold=threshold)
        if fmt is OutFormat.text:
            from unspin.render import render

            render(a)
        elif fmt is OutFormat.json:
            sys.stdout.write(json.dumps(a.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            sys.stdout.write(json.dumps(a.to_dict(), ensure_ascii=False) + "\n")
