"""The subtask-2 scorer against cases computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from unspin.errors import FormatError, ScoringError
from unspin.narratives.scoring import (
    doc_f1,
    macro_f1,
    micro_f1,
    per_label,
    read_annotations,
    samples_f1,
    score,
)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ({"A"}, {"A"}, 1.0),
        ({"A", "B"}, {"A"}, 2 / 3),  # P=1, R=1/2
        ({"A"}, {"A", "B", "C"}, 0.5),  # P=1/3, R=1
        ({"A", "B"}, {"C"}, 0.0),
        (set(), set(), 0.0),  # undefined -> 0, as zero_division=0
        ({"A", "B", "C", "D"}, {"A", "B", "E"}, 4 / 7),  # P=2/3, R=1/2
    ],
)
def test_doc_f1_by_hand(gold: set[str], pred: set[str], expected: float) -> None:
    assert math.isclose(doc_f1(gold, pred), expected)


def test_samples_micro_macro_by_hand() -> None:
    gold = {"d1": {"A", "B"}, "d2": {"C"}, "d3": {"Other"}}
    pred = {"d1": {"A"}, "d2": {"C", "D"}, "d3": {"A"}}
    # per document: 2/3, 2/3, 0 -> mean 4/9
    mean, std = samples_f1(gold, pred)
    assert math.isclose(mean, 4 / 9)
    assert math.isclose(std, math.sqrt(((2 / 3 - 4 / 9) ** 2 * 2 + (4 / 9) ** 2) / 3))
    # pooled: tp=2 (A in d1, C in d2), fp=2 (D, A in d3), fn=2 (B, Other)
    assert math.isclose(micro_f1(gold, pred), 0.5)
    # labels: A tp1 fp1 -> 2/3; B fn -> 0; C tp -> 1; D fp -> 0; Other fn -> 0
    assert math.isclose(macro_f1(gold, pred), (2 / 3 + 1) / 5)
    assert per_label(gold, pred)["A"] == {"f1": 0.6667, "support": 1, "predicted": 2}
    s = score(gold, pred)
    assert s["samples_f1"] == 0.4444 and s["documents"] == 3


def test_documents_are_paired_by_id_not_order() -> None:
    gold = {"b": {"X"}, "a": {"Y"}}
    pred = {"a": {"Y"}, "b": {"X"}}
    assert samples_f1(gold, pred)[0] == 1.0


def test_missing_documents_are_an_error() -> None:
    with pytest.raises(ScoringError, match="same documents"):
        samples_f1({"a": {"X"}, "b": {"Y"}}, {"a": {"X"}})


def test_read_annotations(tmp_path: Path) -> None:
    p = tmp_path / "ann.txt"
    p.write_text("d1\tN1;N2\tN1: s1;N2: Other\r\nd2\tOther\tOther\n\n", encoding="utf-8")
    coarse, fine = read_annotations(str(p))
    assert coarse == {"d1": {"N1", "N2"}, "d2": {"Other"}}
    assert fine["d1"] == {"N1: s1", "N2: Other"}
    p.write_text("d1\tN1\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"ann.txt:1"):
        read_annotations(str(p))
