"""``unspin batch``, ``unspin query`` and ``unspin report``: analyse a corpus into a database,
ask it questions, and write an HTML report."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from unspin.cli._app import ModelOption, ThresholdOption, app, model_arg

DbOption = typer.Option(
    None,
    "--db",
    help="Database URL: sqlite:///PATH (default sqlite:///unspin.db) or "
    "postgresql://USER:PASS@HOST:PORT/DB.",
)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


def _resolve_model(value: str):  # type: ignore[no-untyped-def]
    """--model to what Analyzer accepts (tests swap this for a stand-in model)."""
    return model_arg(value)


@app.command()
def batch(
    inputs: list[Path] = typer.Argument(
        ...,
        help="Directories of .txt/.html files, .jsonl and .csv files (any of them .gz).",
    ),
    db: str = DbOption,
    parquet: Path = typer.Option(
        None,
        "--parquet",
        help="Also (or, without --db, only) write results as Parquet shards into this directory.",
    ),
    model: str = ModelOption,
    threshold: float = ThresholdOption,
    id_field: str = typer.Option("id", "--id-field", help="JSONL field / CSV column of the id."),
    text_field: str = typer.Option("text", "--text-field", help="Field/column of the text."),
    source_field: str = typer.Option(
        "source", "--source-field", help="Field/column of the source (outlet)."
    ),
    url_field: str = typer.Option("url", "--url-field", help="Field/column of the URL."),
    published_field: str = typer.Option(
        "published", "--published-field", help="Field/column of the publication date."
    ),
    language_field: str = typer.Option(
        "language", "--language-field", help="Field/column of the language."
    ),
    source: str = typer.Option(
        None, "--source", help="Source (outlet) for articles that name none."
    ),
    engine: Engine = typer.Option(Engine.local, "--engine", help="local, or ray (Ray Data)."),
    workers: int = typer.Option(
        1,
        "--workers",
        min=1,
        help="Ray engine: analysis actors (one model session each; locally they share "
        "out the cores, on a cluster 1 CPU each).",
    ),
    ray_address: str = typer.Option(
        None,
        "--ray-address",
        help="Ray engine: join this cluster (e.g. ray://head:10001 or "
        "auto) instead of starting a local Ray instance.",
    ),
    chunk_size: int = typer.Option(
        64, "--chunk-size", min=1, help="Articles per database transaction."
    ),
    max_tokens: int = typer.Option(
        8192, "--max-tokens", min=64, help="Estimated tokens per model call."
    ),
    progress: bool = typer.Option(
        True, "--progress/--no-progress", help="Show a progress bar on stderr."
    ),
    summary_json: Path = typer.Option(
        None, "--summary-json", help="Also write the run summary as JSON to this file."
    ),
) -> None:
    """Analyse a corpus into a database (resumable: rerun to continue where it stopped)."""
    from unspin.batch.engine import BatchSummary, run_batch
    from unspin.batch.readers import Fields

    fields = Fields(
        id=id_field,
        text=text_field,
        source=source_field,
        url=url_field,
        published=published_field,
        language=language_field,
        default_source=source,
    )

    def report(summary: BatchSummary) -> None:
        for line in summary.lines():
            typer.echo(line, err=True)
        if summary_json is not None:
            summary_json.write_text(json.dumps(summary.to_dict(), indent=2) + "\n")

    try:
        summary = run_batch(
            [str(p) for p in inputs],
            db,
            parquet=parquet,
            fields=fields,
            model=_resolve_model(model),
            threshold=threshold,
            engine=engine.value,
            chunk_size=chunk_size,
            max_tokens=max_tokens,
            workers=workers,
            ray_address=ray_address,
            progress=progress and sys.stderr.isatty(),
            on_summary=report,
        )
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    report(summary)


class QueryFormat(StrEnum):
    table = "table"
    jsonl = "jsonl"
    csv = "csv"


@app.command()
def query(
    db: str = DbOption,
    technique: str = typer.Option(
        None,
        "--technique",
        help="Only articles with this technique (name or display name, see `unspin techniques`).",
    ),
    source: str = typer.Option(None, "--source", help="Only this source (outlet)."),
    since: str = typer.Option(None, "--since", help="Only articles published on/after YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Only articles published before YYYY-MM-DD."),
    min_score: float = typer.Option(
        None, "--min-score", min=0.0, max=1.0, help="Only articles scoring at least this (0-1)."
    ),
    model: str = typer.Option(
        None, "--model", help="Only analyses of this model (NAME or NAME@VERSION)."
    ),
    limit: int = typer.Option(20, "--limit", "-n", min=0, help="At most this many rows (0: all)."),
    format: QueryFormat = typer.Option(
        QueryFormat.table, "--format", "-f", help="table, jsonl or csv."
    ),
) -> None:
    """List stored analyses matching the filters, highest score first."""
    from unspin.batch.query import resolve_technique, run_query

    label = resolve_technique(technique) if technique else None
    since_day, until_day = _day(since, "--since"), _day(until, "--until")
    rows, total = run_query(
        db,
        technique=label,
        source=source,
        since=since_day,
        until=until_day,
        min_score=min_score,
        model=model,
        limit=limit or None,
    )
    if format is QueryFormat.jsonl:
        for r in rows:
            sys.stdout.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
        return
    if format is QueryFormat.csv:
        import csv

        cols = list(rows[0].to_dict()) if rows else ["id"]
        w = csv.DictWriter(sys.stdout, fieldnames=cols)
        w.writeheader()
        for r in rows:
            w.writerow(r.to_dict())
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(box=None, header_style="bold")
    for col in ("article", "source", "published", "score", "spans", "top technique"):
        table.add_column(col, justify="right" if col in ("score", "spans") else "left")
    if label:
        table.add_column("#" + label.split(",")[0], justify="right")
    for r in rows:
        cells = [
            r.article_id,
            r.source or "",
            r.published_day or "",
            f"{r.score:.3f}",
            str(r.spans),
            r.top_technique or "",
        ]
        if label:
            cells.append(str(r.technique_spans or 0))
        table.add_row(*cells)
    console = Console()
    console.print(table)
    console.print(f"[dim]{len(rows)} of {total} matching analyses[/]", highlight=False)


def _day(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        raise typer.BadParameter(
            f"expected a date YYYY-MM-DD, found {value!r}", param_hint=option
        ) from None


@app.command()
def report(
    db: str = DbOption,
    out: Path = typer.Option(Path("report.html"), "--output", "-o", help="HTML file to write."),
    source: str = typer.Option(None, "--source", help="Only this source (outlet)."),
    since: str = typer.Option(None, "--since", help="Only articles published on/after YYYY-MM-DD."),
    until: str = typer.Option(None, "--until", help="Only articles published before YYYY-MM-DD."),
    model: str = typer.Option(
        None,
        "--model",
        help="Analyses of this model (NAME or "
        "NAME@VERSION); default: the model with the most analyses.",
    ),
    top: int = typer.Option(
        10, "--top", min=1, max=200, help="Articles to show in full, highest score first."
    ),
    title: str = typer.Option("unspin corpus report", "--title", help="Report title."),
) -> None:
    """Write one self-contained HTML report (plots embedded, opens offline)."""
    from unspin.batch.report import write_report

    path = write_report(
        db,
        out,
        source=source,
        since=_day(since, "--since"),
        until=_day(until, "--until"),
        model=model,
        top=top,
        title=title,
    )
    typer.echo(f"wrote {path}", err=True)
