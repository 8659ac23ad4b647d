"""Narratives and claim matching: what story a text pushes, and which known claims it resembles.

Light to import: the encoder (ONNX Runtime + tokenizers) loads on first use; torch is never
needed at analysis time (only :mod:`unspin.narratives.training` uses scikit-learn, lazily).

>>> from unspin.pipeline import Analyzer
>>> from unspin.narratives import NarrativeLayer
>>> nlp = Analyzer(model=None, components=[NarrativeLayer(catalogs=[])])
>>> a = nlp("The West staged the riots. Our nation will never surrender.")
>>> a.claims
()
"""

from __future__ import annotations

from unspin.narratives.catalog import (
    Catalog,
    CatalogEntry,
    CatalogError,
    build_catalog,
    import_file,
    list_catalogs,
    open_catalog,
)
from unspin.narratives.layer import NarrativeLayer

__all__ = [
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "NarrativeLayer",
    "build_catalog",
    "import_file",
    "list_catalogs",
    "open_catalog",
]
