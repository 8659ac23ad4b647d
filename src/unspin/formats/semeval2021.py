"""SemEval-2021 Task 6 (persuasion techniques in memes) JSON files.

A file is a JSON list of objects:

* subtask 1: ``{"id": str, "text": str, "labels": [technique, ...]}``
* subtask 2: ``{"id": str, "text": str, "labels": [{"start", "end", "technique",
  "text_fragment"}, ...]}``, offsets into the JSON-decoded ``text``, end exclusive.

Predictions may leave out ``text``. Technique names are the 20 of
``techniques_list_task1-2.txt`` (``unspin.labels.SEMEVAL2021``).

>>> memes = parse_memes('[{"id": "1", "text": "WAKE UP", "labels": '
...                     '[{"start": 0, "end": 7, "technique": "Slogans"}]}]')
>>> memes[0].spans
(Annotation(article_id='1', start=0, end=7, technique='Slogans'),)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from unspin.errors import FormatError, OffsetError
from unspin.formats import Annotation, OnError, report
from unspin.formats.text import read_text
from unspin.labels import check_label
from unspin.types import Article

INVENTORY = "semeval2021"


@dataclass(frozen=True)
class Meme:
    """One record: its text (``None`` when a prediction file leaves it out), its span labels
    (subtask 2) and/or its meme-level technique set (subtask 1)."""

    id: str
    text: str | None
    spans: tuple[Annotation, ...] = ()
    techniques: tuple[str, ...] = ()

    def to_article(self) -> Article:
        return Article(text=self.text or "", id=self.id)

    def to_dict(self, *, subtask: int = 2) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id}
        if self.text is not None:
            d["text"] = self.text
        if subtask == 1:
            d["labels"] = list(self.techniques)
        else:
            labels = []
            for s in self.spans:
                item: dict[str, Any] = {"start": s.start, "end": s.end, "technique": s.technique}
                if self.text is not None:
                    item["text_fragment"] = self.text[s.start : s.end]
                labels.append(item)
            d["labels"] = labels
        return d


def _int(value: Any, what: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FormatError(
            f"'{what}' is not an integer",
            location=where,
            expected="a non-negative integer",
            found=repr(value),
        )
    if value < 0:
        raise FormatError(
            f"'{what}' is negative",
            location=where,
            expected="a non-negative integer",
            found=str(value),
        )
    return value


def _meme(obj: Any, where: str) -> Meme:
    if not isinstance(obj, dict):
        raise FormatError(
            "a record is not a JSON object",
            location=where,
            expected="an object",
            found=type(obj).__name__,
        )
    if "id" not in obj or isinstance(obj["id"], (dict, list, bool)) or obj["id"] is None:
        raise FormatError(
            "a record has no usable 'id'",
            location=where,
            expected="'id' as a string or number",
            found=repr(obj.get("id")),
        )
    mid = str(obj["id"])
    where = f"{where} (id {mid})"
    text = obj.get("text")
    if text is not None and not isinstance(text, str):
        raise FormatError(
            "'text' is not a string", location=where, expected="a string", found=type(text).__name__
        )
    labels = obj.get("labels", [])
    if not isinstance(labels, list):
        raise FormatError(
            "'labels' is not a list",
            location=where,
            expected="a JSON list",
            found=type(labels).__name__,
        )
    spans: list[Annotation] = []
    names: list[str] = []
    for j, lab in enumerate(labels):
        at = f"{where} label {j + 1}"
        if isinstance(lab, str):  # subtask 1
            names.append(check_label(lab, INVENTORY, location=at))
            continue
        if not isinstance(lab, dict):
            raise FormatError(
                "a label is neither a technique name nor an object",
                location=at,
                expected="a string or {start, end, technique}",
                found=type(lab).__name__,
            )
        for key in ("start", "end", "technique"):
            if key not in lab:
                raise FormatError(
                    f"a span label has no '{key}'",
                    location=at,
                    expected="start, end and technique",
                    found=f"keys {sorted(lab)}",
                )
        tech = lab["technique"]
        if not isinstance(tech, str):
            raise FormatError(
                "'technique' is not a string", location=at, expected="a string", found=repr(tech)
            )
        check_label(tech, INVENTORY, location=at)
        s, e = _int(lab["start"], "start", at), _int(lab["end"], "end", at)
        if e <= s:
            raise FormatError(
                "the span is empty or reversed",
                location=at,
                expected="start < end",
                found=f"start={s}, end={e}",
            )
        if text is not None and e > len(text):
            raise OffsetError(
                f"{at}: span {s}-{e} runs past the end of the meme text",
                expected=f"end <= {len(text)}",
                found=f"end={e}",
            )
        spans.append(Annotation(mid, s, e, tech, location=at))
        if tech not in names:
            names.append(tech)
    return Meme(mid, text, tuple(spans), tuple(names))


def parse_memes(source: str, *, name: str = "<json>", on_error: OnError = "raise") -> list[Meme]:
    """Parse a Task 6 JSON document (a list of meme objects)."""
    try:
        data = json.loads(source)
    except json.JSONDecodeError as err:
        raise FormatError(
            "not valid JSON",
            location=f"{name}:{err.lineno}",
            expected="a JSON list of meme objects",
            found=err.msg,
        ) from err
    if not isinstance(data, list):
        raise FormatError(
            "the top level is not a list",
            location=name,
            expected="a JSON list of meme objects",
            found=type(data).__name__,
        )
    out: list[Meme] = []
    seen: set[str] = set()
    for i, obj in enumerate(data, start=1):
        try:
            meme = _meme(obj, f"{name}: record {i}")
            if meme.id in seen:
                raise FormatError(
                    f"id {meme.id} appears twice",
                    location=f"{name}: record {i}",
                    expected="unique ids",
                    found="a repeated id",
                )
            seen.add(meme.id)
            out.append(meme)
        except FormatError as err:
            report(err, on_error)
    return out


def read_memes(path: str | Path, *, on_error: OnError = "raise") -> list[Meme]:
    """Read a Task 6 JSON file (strict UTF-8)."""
    return parse_memes(read_text(path), name=str(path), on_error=on_error)


def write_memes(dest: str | Path | IO[str], memes: Iterable[Meme], *, subtask: int = 2) -> None:
    """Write memes as a Task 6 JSON list (UTF-8, indented like the official files)."""
    data = [m.to_dict(subtask=subtask) for m in memes]
    text = json.dumps(data, ensure_ascii=False, indent=4) + "\n"
    if isinstance(dest, (str, Path)):
        Path(dest).write_text(text, encoding="utf-8", newline="")
    else:
        dest.write(text)
