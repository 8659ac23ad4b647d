"""``unspin catalog ...`` (known-claim catalogues) and ``unspin narratives ...`` (classifier,
calibration, guide). Thin wrappers over :mod:`unspin.narratives`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from unspin.cli._app import app

catalog_app = typer.Typer(
    help="Catalogues of known (debunked) claims: import, list, search.", no_args_is_help=True
)
import_app = typer.Typer(help="Import claims into a catalogue (idempotent).", no_args_is_help=True)
narratives_app = typer.Typer(
    help="Narrative classifier, claim-matching calibration, guide.", no_args_is_help=True
)
catalog_app.add_typer(import_app, name="import")
app.add_typer(catalog_app, name="catalog")
app.add_typer(narratives_app, name="narratives")

NameOption = typer.Option(
    None,
    "--name",
    "-n",
    help="Catalogue name (default: 'euvsdisinfo' / the file's stem) or a folder path.",
)


def _progress(done: int, total: int) -> None:
    """Embedding progress on stderr, only when it is a terminal."""
    import sys

    if sys.stderr.isatty():
        end = "\n" if done >= total else ""
        sys.stderr.write(f"\rembedding claims: {done}/{total}{end}")
        sys.stderr.flush()


def _report(rep, show: int) -> None:  # type: ignore[no-untyped-def]
    for s in rep.skipped[:show]:
        typer.echo(f"skipped {s}", err=True)
    if len(rep.skipped) > show:
        typer.echo(
            f"... and {len(rep.skipped) - show} more skipped rows (use --show-skipped N)", err=True
        )
    typer.echo(
        f"catalogue {rep.catalog}: read {rep.read}, added {rep.added}, updated {rep.updated}, "
        f"unchanged {rep.unchanged}, skipped {len(rep.skipped)}; {rep.total} claims "
        f"({rep.embedded} embedded in {rep.seconds:.1f}s) at {rep.path}"
    )


@import_app.command("euvsdisinfo")
def import_euvsdisinfo(
    path: Path = typer.Argument(
        ..., help="posts.csv, full_dataset_formatted.csv, or a folder holding them."
    ),
    name: str = NameOption,
    show_skipped: int = typer.Option(10, "--show-skipped", help="How many skipped rows to list."),
) -> None:
    """Import EUvsDisinfo case dumps (titles, keywords, dates; summaries and debunks)."""
    from unspin.narratives.catalog import import_file

    _, rep = import_file("euvsdisinfo", path, name=name, progress=_progress)
    _report(rep, show_skipped)


@import_app.command("jsonl")
def import_jsonl(
    path: Path = typer.Argument(
        ..., help='JSONL: {"id", "claim", "debunk", "url", "date", "tags"} per line.'
    ),
    name: str = NameOption,
    show_skipped: int = typer.Option(10, "--show-skipped", help="How many skipped rows to list."),
) -> None:
    """Import your own list of known claims."""
    from unspin.narratives.catalog import import_file

    _, rep = import_file("jsonl", path, name=name, progress=_progress)
    _report(rep, show_skipped)


@catalog_app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """List the catalogues in the data directory."""
    from unspin.narratives.catalog import catalogs_dir, list_catalogs

    cats = list_catalogs()
    if as_json:
        typer.echo(json.dumps(cats, indent=2, ensure_ascii=False))
        return
    if not cats:
        typer.echo(
            f"no catalogues in {catalogs_dir()} (import one with: unspin catalog import "
            "euvsdisinfo PATH)"
        )
        return
    for c in cats:
        kinds = sorted({s.get("kind", "?") for s in c.get("sources", [])})
        typer.echo(
            f"{c.get('name')}\t{c.get('count', '?')} claims\trevision "
            f"{c.get('revision', '?')}\tupdated {c.get('updated', '?')}\t"
            f"from {', '.join(kinds)}\tencoder {c.get('encoder', {}).get('id', '?')}"
        )


@catalog_app.command("search")
def search(
    text: str = typer.Argument(..., help="A sentence or claim."),
    catalog: list[str] = typer.Option(
        None, "--catalog", "-c", help="Catalogue name or path (repeatable; default all)."
    ),
    k: int = typer.Option(5, "-k", min=1, max=100, help="How many matches."),
    threshold: float = typer.Option(
        None,
        "--threshold",
        "-t",
        min=-1.0,
        max=1.0,
        help="Minimum cosine similarity (default: calibrated).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    guard: bool = typer.Option(
        True, "--guard/--no-guard", help="Drop matches with differing negation or reversed roles."
    ),
) -> None:
    """Find known claims that a text resembles."""
    from unspin.narratives.catalog import list_catalogs, open_catalog
    from unspin.narratives.encoder import load_encoder
    from unspin.narratives.guard import agrees
    from unspin.narratives.layer import matching_defaults

    names = catalog or [c["name"] for c in list_catalogs()]
    if not names:
        typer.echo("no catalogue is loaded (import one with: unspin catalog import ...)", err=True)
        raise typer.Exit(1)
    enc = load_encoder()
    thr = matching_defaults()["threshold"] if threshold is None else threshold
    vec = enc.encode([text])
    rows = []
    for name in names:
        cat = open_catalog(name, encoder=enc)
        for e, s in cat.search_vectors(vec, k=k * 4, threshold=thr)[0]:
            if guard and not agrees(text, e.claim)[0]:
                continue
            rows.append({"catalog": cat.name, "similarity": round(s, 4), **e.to_dict()})
    rows.sort(key=lambda r: -r["similarity"])
    rows = rows[:k]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo(f"no known claim resembles this text above similarity {thr:.2f}")
        return
    for r in rows:
        typer.echo(
            f"{r['similarity']:.3f}  resembles: {r['claim']}  [{r['catalog']} {r.get('date', '')}]"
        )
        if r.get("url") or r.get("source_url"):
            typer.echo(f"       {r.get('url') or r.get('source_url')}")
        if r.get("debunk"):
            d = r["debunk"]
            typer.echo(f"       debunk: {d[:200]}{'...' if len(d) > 200 else ''}")


@catalog_app.command("rebuild")
def rebuild(name: str = typer.Argument(..., help="Catalogue name or path.")) -> None:
    """Re-embed a catalogue with the current sentence encoder."""
    from unspin.narratives.catalog import rebuild_catalog

    cat = rebuild_catalog(name)
    typer.echo(f"rebuilt {cat.name}: {len(cat)} claims, revision {cat.meta['revision']}")


@catalog_app.command("remove")
def remove(name: str = typer.Argument(..., help="Catalogue name.")) -> None:
    """Delete a catalogue from the data directory."""
    from unspin.narratives.catalog import remove_catalog

    typer.echo(f"removed {remove_catalog(name)}")


# ------------------------------------------------------------------------------ narratives


@narratives_app.command("train")
def train(
    data: Path = typer.Argument(..., help="SemEval-2025 Task 10 release folder (with EN/ ...)."),
    out: Path = typer.Option(
        Path("src/unspin/data/models/narratives-semeval2025-en"),
        "--out",
        "-o",
        help="Classifier directory to write.",
    ),
    languages: str = typer.Option("EN", "--languages", help="Comma-separated language folders."),
    seed: int = typer.Option(13, "--seed"),
    val_share: float = typer.Option(0.2, "--val-share", min=0.05, max=0.8),
) -> None:
    """Train the narrative classifier; report held-out samples/macro/micro F1."""
    from unspin.narratives.training import TrainConfig
    from unspin.narratives.training import train as run

    cfg = TrainConfig(
        languages=tuple(x.strip() for x in languages.split(",") if x.strip()),
        seed=seed,
        val_share=val_share,
    )
    meta = run(data, out, cfg, log=typer.echo)
    typer.echo(json.dumps(meta["metrics"]["validation"], indent=2))


@narratives_app.command("evaluate")
def evaluate(
    data: Path = typer.Argument(..., help="SemEval-2025 Task 10 release folder."),
    model: Path = typer.Option(
        None, "--model", "-m", help="Classifier directory (default: shipped)."
    ),
    all_docs: bool = typer.Option(
        False,
        "--all",
        help="Score every document, not only the "
        "held-out ones (training documents inflate the figures).",
    ),
) -> None:
    """Score a narrative classifier with the subtask-2 scorer."""
    from unspin.narratives.classifier import DEFAULT_CLASSIFIER
    from unspin.narratives.training import evaluate as run

    res = run(model or DEFAULT_CLASSIFIER, data, only_validation=not all_docs)
    typer.echo(json.dumps(res, indent=2))


@narratives_app.command("score")
def score_cmd(
    gold: Path = typer.Argument(..., help="Gold subtask-2 annotations (TSV)."),
    pred: Path = typer.Argument(..., help="Predicted subtask-2 annotations (TSV)."),
) -> None:
    """Score subtask-2 prediction files: samples F1 (official), macro and micro F1."""
    from unspin.narratives.scoring import read_annotations, score

    gc, gf = read_annotations(str(gold))
    pc, pf = read_annotations(str(pred))
    typer.echo(json.dumps({"coarse": score(gc, pc), "fine": score(gf, pf)}, indent=2))


@narratives_app.command("calibrate")
def calibrate(
    catalog: str = typer.Option(
        "euvsdisinfo", "--catalog", "-c", help="An EUvsDisinfo catalogue (needs case summaries)."
    ),
    target: float = typer.Option(
        0.95, "--target", min=0.5, max=1.0, help="Retrieval precision to reach on the tuning half."
    ),
    write: bool = typer.Option(False, "--write", help="Store the threshold in matching.json."),
    as_json: bool = typer.Option(False, "--json", help="Print the full report as JSON."),
    guard: bool = typer.Option(
        True,
        "--guard/--no-guard",
        help="Apply the negation / reversed-roles vetoes (as analysis does).",
    ),
) -> None:
    """Calibrate the claim-matching threshold for precision (labelled pairs, hard negatives,
    neutral news)."""
    from unspin.narratives.calibrate import calibrate as run
    from unspin.narratives.calibrate import table, write_matching
    from unspin.narratives.catalog import open_catalog

    try:
        report = run(open_catalog(catalog), target=target, guard=guard)
    except ValueError as err:
        from unspin.errors import InputError

        raise InputError(str(err)) from err
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        typer.echo(table(report, "test", 2))
        typer.echo(json.dumps(report["at_threshold"], indent=2))
    if write:
        write_matching(report)
        typer.echo(f"threshold {report['threshold']} written")


@narratives_app.command("guide")
def guide(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Show the narrative guide: manipulative narrative types and counter-questions."""
    from unspin.narratives.guide import load_guide

    g = load_guide()
    if as_json:
        typer.echo(json.dumps([t.to_dict() for t in g.types], indent=2, ensure_ascii=False))
        return
    for t in g.types:
        typer.echo(f"{t.name}  ({t.id})")
        typer.echo(f"  claims: {t.claims}")
        typer.echo(f"  recognise: {t.recognise}")
        typer.echo(f"  techniques: {', '.join(t.techniques)}")
        typer.echo(f"  ask: {t.counter_question}\n")
