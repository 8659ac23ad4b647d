"""unspin: show how a text tries to persuade.

>>> import unspin
>>> a = unspin.Analyzer(model=None)("Only traitors doubt it.")
>>> a.model.name
'none'

The public API is small: :func:`load` / :class:`Analyzer` to analyse, :class:`Article` in,
:class:`Analysis` out, holding :class:`Span` objects. ``import unspin`` stays light: no torch,
no web framework, no database driver.
"""

from unspin.errors import (
    FormatError,
    InputError,
    LabelError,
    ModelError,
    OffsetError,
    ScoringError,
    UnspinError,
)
from unspin.labels import LABELS, TECHNIQUES
from unspin.pipeline import Analyzer, analyze, load
from unspin.types import Analysis, Article, ModelInfo, SentenceScore, Span

__version__ = "0.1.0"

__all__ = [
    "LABELS",
    "TECHNIQUES",
    "Analysis",
    "Analyzer",
    "Article",
    "FormatError",
    "InputError",
    "LabelError",
    "ModelError",
    "ModelInfo",
    "OffsetError",
    "ScoringError",
    "SentenceScore",
    "Span",
    "UnspinError",
    "__version__",
    "analyze",
    "load",
]
