"""``unspin evaluate``: score an exported model on its validation split (ONNX Runtime only)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from unspin.errors import UnspinError


def evaluate_model(
    model: str, data: Path, *, split: str = "validation", write_card: bool = False
) -> dict[str, Any]:
    """SI, TC, FLC and per-technique scores of ``model`` on the PTC articles of ``split``."""
    from unspin.model import load_model, model_path
    from unspin.training.data import load_ptc
    from unspin.training.evaluate import encode_all, metrics_from_encoded
    from unspin.training.tune import flc_scores

    m = load_model(model)
    meta = m.meta
    val_ids = set(meta.get("training", {}).get("validation_articles", []))
    if not val_ids:
        from unspin.training.export import tuning_sources

        srcs = tuning_sources(meta)
        src = srcs[0] if len(srcs) == 1 else None
        raise UnspinError(
            f"model {model!r} records no validation split",
            expected="training.validation_articles in model.json",
            found="none: a release model trained on every article" if srcs else "none",
            hint=(
                f"its scores were measured on the validated run {src.get('name')} "
                f"{src.get('version')}; evaluate that export with --model DIR"
                if src
                else f"its scores were measured on {len(srcs)} validated runs (folds) "
                "pooled; evaluate each export with --model DIR"
                if srcs
                else None
            ),
        )
    docs, _ = load_ptc(Path(data))
    if split == "validation":
        chosen = [d for d in docs if d.id in val_ids]
    elif split == "train":
        chosen = [d for d in docs if d.id not in val_ids]
    else:
        raise UnspinError("unknown split", expected="validation or train", found=repr(split))
    if not chosen:
        raise UnspinError(
            "no articles of that split in the data folder",
            expected=f"{len(val_ids)} validation article ids",
            found="none",
        )
    encoded = encode_all(m, chosen)
    result = metrics_from_encoded(m, chosen, encoded, m.decode)
    pred = {
        d.id: [(s.start, s.end, s.label) for s in m.spans_for(d.text, e)]
        for d, e in zip(chosen, encoded, strict=True)
    }
    flc = flc_scores(pred, chosen)
    result.update(
        {
            "flc_precision": round(flc["precision"], 4),
            "flc_recall": round(flc["recall"], 4),
            "flc_f1": round(flc["f1"], 4),
            "flc_per_technique": {k: round(v["f1"], 4) for k, v in flc["per_technique"].items()},
            "split": split,
            "articles": len(chosen),
            "model": m.info.to_dict(),
        }
    )
    if write_card:
        from unspin.training.card import write_card as _write

        path = model_path(model)
        meta_file = path / "model.json"
        full = json.loads(meta_file.read_text())
        full.setdefault("metrics", {}).setdefault("int8", {}).update(
            {k: v for k, v in result.items() if k not in ("split", "articles", "model")}
        )
        meta_file.write_text(json.dumps(full, indent=2) + "\n")
        _write(path)
    return result


def print_metrics(result: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from unspin.labels import LABELS, TECHNIQUES

    c = Console()
    c.print(
        f"[bold]{result['model']['name']} {result['model']['version']}[/] on "
        f"{result['articles']} {result['split']} articles"
    )
    c.print(
        f"SI  P {result['si_precision']:.4f}  R {result['si_recall']:.4f}  F1 {result['si_f1']:.4f}"
    )
    c.print(f"TC  micro-F1 {result['tc_micro_f1']:.4f}")
    c.print(
        f"FLC P {result['flc_precision']:.4f}  R {result['flc_recall']:.4f}  "
        f"F1 {result['flc_f1']:.4f}"
    )
    t = Table("technique", "TC F1", "FLC F1")
    for lab in LABELS:
        t.add_row(
            TECHNIQUES[lab].display,
            f"{result['tc_per_technique'].get(lab, 0.0):.3f}",
            f"{result['flc_per_technique'].get(lab, 0.0):.3f}",
        )
    c.print(t)
