"""Which technique models exist: shipped inside the package, built by the user, or buildable
from a recipe that ships in the package (``unspin models build NAME``)."""

from __future__ import annotations

import json
from typing import Any

from unspin.model import MODELS_DIR, user_models_dir


def list_models() -> list[dict[str, Any]]:
    rows = []
    for root, status in ((MODELS_DIR, "shipped"), (user_models_dir(), "built")):
        if not root.is_dir():
            continue
        for d in sorted(p for p in root.iterdir() if (p / "model.json").is_file()):
            meta = json.loads((d / "model.json").read_text())
            if meta.get("format") != "unspin.model/1":
                continue
            rows.append(
                {
                    "name": d.name,
                    "status": status,
                    "path": str(d),
                    "model": f"{meta.get('name')} {meta.get('version')}",
                }
            )
    from unspin.training.delta import recipes

    have = {row["name"] for row in rows}
    for name, rdir in recipes().items():
        if name in have:
            continue
        meta = json.loads((rdir / "recipe.json").read_text())
        rows.append(
            {
                "name": name,
                "status": "buildable",
                "path": f"unspin models build {name}",
                "model": f"{meta.get('name')} {meta.get('version')}",
            }
        )
    return rows
