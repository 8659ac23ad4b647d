"""Technique models: loading a model directory and running it on ONNX Runtime.

(The inference code lands with the technique detector; until a model directory exists,
``load_model`` raises :class:`~unspin.errors.ModelError` and the analyzer runs with no model.)
"""

from __future__ import annotations

import os
from pathlib import Path

from unspin.errors import ModelError

MODELS_DIR = Path(__file__).parent / "data" / "models"


def model_path(name: str | os.PathLike[str]) -> Path:
    """Resolve a model name or directory to a directory path."""
    p = Path(name)
    if p.is_dir():
        return p
    cand = MODELS_DIR / str(name)
    if cand.is_dir():
        return cand
    raise ModelError(f"model {str(name)!r} not found",
                     expected="a model name (see `unspin models list`) or a model directory",
                     found="no such directory")


def load_model(name: str | os.PathLike[str]):  # type: ignore[no-untyped-def]
    path = model_path(name)
    raise ModelError(f"{path}: technique model loading is not available yet")
