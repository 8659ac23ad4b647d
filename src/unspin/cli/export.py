"""``unspin export``: export a corpus database (``--db``) or a trained technique model."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from unspin.cli._app import app


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@app.command()
def export(
    checkpoint: Path = typer.Argument(
        None,
        help="Model mode: a training checkpoint to export as a model directory "
        "(needs unspin[train]). Leave out with --db.",
    ),
    db: str = typer.Option(
        None,
        "--db",
        help="Corpus mode: the database URL to export (sqlite:///PATH or postgresql://...).",
    ),
    format: ExportFormat = typer.Option(
        None,
        "--format",
        "-f",
        help="Corpus mode: jsonl, csv or parquet (default: from the "
        "output file's suffix, else jsonl).",
    ),
    out: Path = typer.Option(
        ...,
        "--output",
        "-o",
        help="Corpus mode: the file to write. Model mode: the model directory to create.",
    ),
    source: str = typer.Option(None, "--source", help="Corpus mode: only this source."),
    since: str = typer.Option(
        None, "--since", help="Corpus mode: only published on/after YYYY-MM-DD."
    ),
    model: str = typer.Option(
        None, "--model", help="Corpus mode: only analyses of this model (NAME or NAME@VERSION)."
    ),
    data: Path = typer.Option(
        None,
        "--data",
        help="Model mode: the PTC SemEval-2020 folder whose held-out articles tune the "
        "thresholds (default: the path recorded in the checkpoint).",
    ),
    tuning_from: list[Path] = typer.Option(
        None,
        "--tuning-from",
        help="Model mode, release runs (val_fraction = 0): a validated export of the same "
        "recipe whose decoding, thresholds, calibration and validation metrics to take over. "
        "Repeat it with exports of other folds to tune on all their held-out articles pooled.",
    ),
    version: str = typer.Option(
        None,
        "--version",
        help="Model mode: the version to record instead of the checkpoint's (the same weights "
        "with a new operating point are a new model version).",
    ),
    runtime: str = typer.Option(
        "int8",
        "--runtime",
        help="Model mode: the graph to ship and tune on: int8 (dynamic, per channel; the "
        "default) or fp32 (for encoders whose int8 graph scores poorly, e.g. MPNet-base).",
    ),
) -> None:
    """Export a corpus database or a trained model.

    Two modes:

    \b
      unspin export --db URL --format jsonl|csv|parquet -o FILE
        corpus: one record per analysed article (its id, metadata, Analysis JSON)
      unspin export CHECKPOINT -o DIR [--data PTC_DIR] [--tuning-from MODEL_DIR ...]
        model: a trained technique model as a model directory, for --model DIR
    """
    if db is not None and checkpoint is not None:
        raise typer.BadParameter(
            "give either --db (corpus) or a CHECKPOINT (model), not both", param_hint="CHECKPOINT"
        )
    if db is None and checkpoint is None:
        raise typer.BadParameter(
            "give --db URL to export a corpus, or a CHECKPOINT to export a model",
            param_hint="--db / CHECKPOINT",
        )
    if db is not None and (data is not None or tuning_from or version is not None):
        raise typer.BadParameter(
            "--data, --tuning-from and --version are for model exports (CHECKPOINT)",
            param_hint="--data / --tuning-from / --version",
        )
    if checkpoint is not None:
        if runtime not in ("int8", "fp32"):
            raise typer.BadParameter(
                f"expected int8 or fp32, found {runtime!r}", param_hint="--runtime"
            )
        if format is not None:
            raise typer.BadParameter("--format is for corpus exports (--db)", param_hint="--format")
        if not checkpoint.exists():
            from unspin.errors import InputError

            raise InputError(
                f"{checkpoint}: no such checkpoint",
                expected="a training checkpoint directory or file",
                found="nothing at that path",
            )
        from unspin.errors import MissingExtraError, require

        require("torch", feature="exporting a trained model", extra="train")
        require("onnx", feature="exporting a trained model", extra="train")
        try:
            from unspin.training.export import export_model
        except ImportError as err:
            raise MissingExtraError(
                "exporting a trained model", "train", getattr(err, "name", None) or "torch"
            ) from err

        path = export_model(
            checkpoint,
            out,
            data=data,
            log=lambda m: typer.echo(m, err=True),
            tuning_from=tuning_from or None,
            runtime=runtime,
            version=version,
        )
        typer.echo(f"wrote model {path}", err=True)
        return
    from unspin.batch.export import export_corpus

    fmt = (
        format.value
        if format is not None
        else {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}.get(
            out.suffix.lower(), "jsonl"
        )
    )
    since_day = None
    if since is not None:
        from datetime import date

        try:
            since_day = date.fromisoformat(since[:10]).isoformat()
        except ValueError:
            raise typer.BadParameter(
                f"expected a date YYYY-MM-DD, found {since!r}", param_hint="--since"
            ) from None
    n = export_corpus(db, fmt, out, source=source, since=since_day, model=model)
    typer.echo(f"exported {n} analyses to {out} ({fmt})", err=True)
