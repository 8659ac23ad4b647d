"""Readers and writers for the formats researchers use.

=========================  ==================================================================
module                     formats
=========================  ==================================================================
:mod:`.text`               one plain UTF-8 text file, read exactly (strict, BOM kept)
:mod:`.articles`           a directory of ``article<ID>.txt`` files (PTC, SemEval-2023)
:mod:`.semeval2020`        SemEval-2020 Task 11 label files: SI, FLC/TC, TC templates
:mod:`.semeval2021`        SemEval-2021 Task 6 JSON (subtasks 1 and 2)
:mod:`.semeval2023`        SemEval-2023 Task 3 paragraph labels, templates and span files
:mod:`.records`            ``.txt``, ``.jsonl`` and ``.csv`` collections of articles
=========================  ==================================================================

Bad records. Every reader that reads many records takes ``on_error``:

* ``"raise"``: stop at the first bad record with a :class:`~unspin.errors.FormatError` whose
  message starts with ``file:line`` and says what was expected and what was found;
* ``"warn"``: skip the bad record, emit a :class:`RecordWarning` naming it, go on;
* a callable: called with the :class:`~unspin.errors.FormatError`; the record is skipped.

Label-file readers default to ``"raise"`` (a score over a partly read file would mislead);
article-collection readers default to ``"warn"`` (one broken record must not stop a batch).
Nothing valid is ever dropped.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from unspin.errors import FormatError

OnError = Literal["raise", "warn"] | Callable[[FormatError], None]


class RecordWarning(UserWarning):
    """A bad record was skipped (the message names the file and line)."""


def report(err: FormatError, on_error: OnError) -> None:
    """Apply an ``on_error`` policy to one bad record (raise, warn and skip, or call back)."""
    if on_error == "raise":
        raise err
    if on_error == "warn":
        warnings.warn(f"skipped a bad record: {err}", RecordWarning, stacklevel=3)
        return
    if callable(on_error):
        on_error(err)
        return
    raise ValueError(f"on_error must be 'raise', 'warn' or a callable, got {on_error!r}")


@dataclass(frozen=True, order=True)
class Annotation:
    """One span of a label file: ``[start, end)`` in article (or meme) ``article_id``.

    ``technique`` is ``None`` for span-only formats (SemEval-2020 SI) and for template lines
    (the ``?`` of a TC template).
    """

    article_id: str
    start: int
    end: int
    technique: str | None = None
    #: ``file:line`` the annotation was read from (not part of equality or ordering)
    location: str | None = field(default=None, compare=False, repr=False)


__all__ = ["Annotation", "OnError", "RecordWarning", "report"]
