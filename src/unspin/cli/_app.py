"""The shared Typer app and option helpers used by every command module."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="unspin",
    help="Show how a text tries to persuade: propaganda and persuasion techniques, offline.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

ModelOption = typer.Option(
    "default",
    "--model",
    "-m",
    help="Model name ('default'), a model directory, or 'none' for no technique model.",
)


ThresholdOption = typer.Option(
    None,
    "--threshold",
    "-t",
    min=0.0,
    max=1.0,
    help="Keep only technique spans scoring at least this (fewer, surer flags; the model card "
    "lists operating points). Default: the model's own per-technique thresholds.",
)


def model_arg(value: str):  # type: ignore[no-untyped-def]
    """Translate the --model option: 'none' means no technique model."""
    return None if value.lower() == "none" else value
