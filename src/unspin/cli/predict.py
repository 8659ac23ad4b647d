"""``unspin predict ARTICLES_DIR --format si|flc|tc -o FILE``: SemEval-2020 prediction files."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from unspin.cli._app import ModelOption, ThresholdOption, app, model_arg


class TaskFormat(StrEnum):
    si = "si"
    flc = "flc"
    tc = "tc"


@app.command()
def predict(
    articles: Path = typer.Argument(..., help="Folder of article<ID>.txt files."),
    format: TaskFormat = typer.Option(
        None,
        "--format",
        "-f",
        help="si (spans), flc (spans with techniques) or tc (fill --template). "
        "Default: tc with --template, else si.",
    ),
    output: str = typer.Option(
        ..., "--output", "-o", help="Prediction file to write (- for standard output)."
    ),
    template: Path = typer.Option(None, "--template", help="TC template to fill (tc only)."),
    model: str = ModelOption,
    threshold: float = ThresholdOption,
) -> None:
    """Write SemEval-2020 Task 11 prediction files for a folder of articles."""
    from unspin.pipeline import Analyzer
    from unspin.predict import fill_template, write_span_predictions

    fmt = format or (TaskFormat.tc if template is not None else TaskFormat.si)
    if fmt is TaskFormat.tc and template is None:
        raise typer.BadParameter("--format tc needs --template TEMPLATE", param_hint="--template")
    if fmt is not TaskFormat.tc and template is not None:
        raise typer.BadParameter("--template goes with --format tc", param_hint="--template")
    analyzer = Analyzer(model_arg(model), threshold=threshold)
    dest = sys.stdout if output == "-" else output
    if fmt is TaskFormat.tc:
        n = fill_template(analyzer, articles, template, dest)
    else:
        n = write_span_predictions(analyzer, articles, dest, kind=fmt.value)
    if output != "-":
        typer.echo(f"wrote {n} {fmt.value} line(s) to {output}", err=True)
