"""``unspin score si|tc|flc|semeval2021|semeval2023 GOLD PRED``: official-style metrics."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from unspin.cli._app import app


class Task(StrEnum):
    si = "si"
    tc = "tc"
    flc = "flc"
    semeval2021 = "semeval2021"
    semeval2023 = "semeval2023"


class ScoreFormat(StrEnum):
    text = "text"
    json = "json"


def _table(result: dict[str, Any]) -> str:
    """A plain-text report of a score dictionary."""
    lines = []
    head = ["micro_f1", "macro_f1"] if "micro_f1" in result else ["f1"]
    for key in (*head, "precision", "recall"):
        if key in result:
            lines.append(f"{key:<10} {result[key]:.4f}")
    counts = [
        f"{k}={result[k]}"
        for k in ("n_gold", "n_pred", "n_lines", "n_correct", "n_paragraphs")
        if k in result
    ]
    lines.append("counts     " + ", ".join(counts))
    per = result.get("per_technique") or {}
    if per:
        width = max(len("technique"), *(len(t) for t in per))
        lines.append("")
        lines.append(
            f"{'technique':<{width}}  {'P':>6}  {'R':>6}  {'F1':>6}  {'gold':>5}  {'pred':>5}"
        )
        for name, s in sorted(per.items(), key=lambda kv: (-kv[1]["n_gold"], kv[0])):
            lines.append(
                f"{name:<{width}}  {s['precision']:6.3f}  {s['recall']:6.3f}  "
                f"{s['f1']:6.3f}  {s['n_gold']:5d}  {s['n_pred']:5d}"
            )
    return "\n".join(lines)


@app.command()
def score(
    task: Task = typer.Argument(..., help="si, tc, flc, semeval2021 or semeval2023."),
    gold: Path = typer.Argument(
        ..., help="Gold file (or, for si/tc/flc, a folder of per-article label files)."
    ),
    pred: Path = typer.Argument(..., help="Prediction file or folder, same format."),
    format: ScoreFormat = typer.Option(
        ScoreFormat.text, "--format", "-f", help="text (a table) or json."
    ),
    articles: Path = typer.Option(
        None,
        "--articles",
        help="si/tc/flc: folder of article<ID>.txt; a span beyond its "
        "article becomes an error and a prediction for any other article too.",
    ),
    merge_pred: bool = typer.Option(
        False,
        "--merge-pred",
        help="si/flc: merge overlapping predicted spans instead of "
        "refusing them (needed to score gold against itself).",
    ),
    inventory: str = typer.Option(
        None,
        "--inventory",
        help="tc/flc: technique inventory of the files: semeval2020 "
        "(default) or nlp4if2019 (the 18 NLP4IF-2019 techniques).",
    ),
) -> None:
    """Score predictions against gold with the shared tasks' official metrics."""
    from unspin.scoring import score_files

    if inventory is not None and inventory not in ("semeval2020", "nlp4if2019"):
        raise typer.BadParameter("use semeval2020 or nlp4if2019", param_hint="--inventory")
    result = score_files(
        task.value, gold, pred, articles=articles, merge_pred=merge_pred, inventory=inventory
    ).to_dict()
    if format is ScoreFormat.json:
        typer.echo(json.dumps(result, indent=2))
    else:
        typer.echo(f"{task.value}: {gold} (gold) vs {pred} (prediction)")
        typer.echo(_table(result))
