"""Which technique models exist: shipped inside the package, or built by the user."""

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
    return rows
