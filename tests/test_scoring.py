"""Scorers against hand-computed values (the arithmetic is written next to each expectation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.errors import LabelError, OffsetError, ScoringError
from unspin.formats import Annotation as A
from unspin.formats.semeval2021 import Meme
from unspin.formats.semeval2023 import ParagraphLabels as P
from unspin.scoring import (
    align_tc,
    overlap_sums,
    score_files,
    score_flc,
    score_semeval2021,
    score_semeval2023,
    score_si,
    score_tc,
)

FIX = Path(__file__).parent / "fixtures" / "formats"
PTC = FIX / "ptc"


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-12)


# --- SI ----------------------------------------------------------------------------------------


def test_overlap_sums() -> None:
    # |[0,4) ∩ [2,10)| = 2 → 2/4 for precision, 2/8 for recall
    assert overlap_sums([(0, 4)], [(2, 10)]) == (0.5, 0.25)
    # touching spans share no character
    assert overlap_sums([(0, 4)], [(4, 8)]) == (0.0, 0.0)
    # one prediction over two gold spans earns credit from each
    assert overlap_sums([(0, 10)], [(0, 2), (8, 10)]) == (approx(0.4), approx(2.0))


def test_si_overlapping_gold_merged_and_article_without_gold() -> None:
    gold = [A("a", 0, 10), A("a", 5, 15), A("a", 20, 30), A("b", 0, 4)]
    pred = [A("a", 0, 15), A("a", 22, 27), A("c", 0, 10)]
    r = score_si(gold, pred, articles={"a", "b", "c"})
    # gold after merging: a [0,15) [20,30), b [0,4) → 3 spans; 3 predicted spans
    # [0,15) vs [0,15): I=15 → P += 15/15, R += 15/15
    # [22,27) vs [20,30): I=5 → P += 5/5, R += 5/10
    # c [0,10): article c has no gold → P += 0 (still counted in the denominator)
    # P = (1 + 1 + 0) / 3 = 2/3; R = (1 + 0.5) / 3 = 1/2 (b's gold span is missed)
    # F1 = 2 * 2/3 * 1/2 / (2/3 + 1/2) = 4/7
    assert (r.n_gold, r.n_pred) == (3, 3)
    assert r.precision == approx(2 / 3)
    assert r.recall == approx(1 / 2)
    assert r.f1 == approx(4 / 7)
    assert r.to_dict()["f1"] == approx(4 / 7)
    assert set(r.to_dict()) >= {"precision", "recall", "f1"}


def test_si_gold_against_itself_needs_merged_prediction() -> None:
    gold = [A("a", 0, 10), A("a", 5, 15), A("b", 3, 9)]
    with pytest.raises(ScoringError, match="predicted spans of article a overlap"):
        score_si(gold, gold)
    r = score_si(gold, gold, merge_pred=True)
    assert (r.precision, r.recall, r.f1) == (1.0, 1.0, 1.0)


def test_si_edge_cases() -> None:
    assert score_si([], []).f1 == 1.0  # nothing to find, nothing found
    r = score_si([A("a", 0, 4)], [])
    assert (r.precision, r.recall, r.f1) == (0.0, 0.0, 0.0)
    # labels are ignored by SI
    assert score_si([A("a", 0, 4, "Doubt")], [A("a", 0, 4, "Slogans")]).f1 == 1.0
    with pytest.raises(ScoringError, match="articles the gold does not have"):
        score_si([A("a", 0, 4)], [A("z", 0, 4)], articles={"a"})
    with pytest.raises(ScoringError, match="non-empty range"):
        score_si([A("a", 4, 4)], [])


# --- FLC ---------------------------------------------------------------------------------------


def test_flc_per_technique() -> None:
    gold = [
        A("a", 0, 10, "Loaded_Language"),
        A("a", 5, 15, "Loaded_Language"),
        A("a", 0, 10, "Doubt"),
    ]
    pred = [A("a", 0, 10, "Loaded_Language"), A("a", 5, 10, "Doubt"), A("a", 20, 25, "Slogans")]
    r = score_flc(gold, pred)
    # gold: Loaded [0,15) (merged), Doubt [0,10) → 2 spans; 3 predicted
    # Loaded [0,10) vs [0,15): I=10 → P += 1, R += 10/15
    # Doubt [5,10) vs [0,10): I=5 → P += 1, R += 5/10
    # Slogans: no gold of that technique → 0
    # P = 2/3; R = (2/3 + 1/2) / 2 = 7/12; F1 = 2 * 2/3 * 7/12 / (2/3 + 7/12) = 28/45
    assert (r.n_gold, r.n_pred) == (2, 3)
    assert r.precision == approx(2 / 3)
    assert r.recall == approx(7 / 12)
    assert r.f1 == approx(28 / 45)
    per = r.per_technique
    assert per["Loaded_Language"].f1 == approx(0.8)  # P=1, R=2/3
    assert per["Doubt"].f1 == approx(2 / 3)  # P=1, R=1/2
    assert per["Slogans"].f1 == 0.0 and per["Slogans"].n_gold == 0
    # the same spans with other labels earn nothing: techniques must match
    assert score_flc(gold, [A("a", 0, 10, "Repetition")]).f1 == 0.0


# --- TC ----------------------------------------------------------------------------------------


GOLD_TC = [
    A("a", 0, 10, "Loaded_Language"),
    A("a", 0, 10, "Doubt"),
    A("a", 20, 30, "Slogans"),
    A("b", 5, 9, "Doubt"),
]


def test_tc_multilabel_alignment_and_per_technique() -> None:
    pred = [
        A("b", 5, 9, "Loaded_Language"),
        A("a", 20, 30, "Slogans"),
        A("a", 0, 10, "Doubt"),
        A("a", 0, 10, "Flag-Waving"),
    ]
    # span a[0,10): gold {Loaded, Doubt}, pred {Doubt, Flag-Waving}: Doubt pairs with Doubt,
    # Loaded with Flag-Waving (order-blind); a[20,30) Slogans=Slogans; b[5,9) Doubt≠Loaded
    assert sorted(align_tc(GOLD_TC, pred)) == sorted(
        [
            ("Doubt", "Doubt"),
            ("Loaded_Language", "Flag-Waving"),
            ("Slogans", "Slogans"),
            ("Doubt", "Loaded_Language"),
        ]
    )
    r = score_tc(GOLD_TC, pred)
    # 2 correct out of 4 lines → micro-F1 = 0.5
    assert r.micro_f1 == 0.5 and (r.n_lines, r.n_correct) == (4, 2)
    # Doubt: tp 1, gold 2, pred 1 → P 1, R 1/2, F1 2/3
    assert r.per_technique["Doubt"].f1 == approx(2 / 3)
    assert r.per_technique["Slogans"].f1 == 1.0
    assert r.per_technique["Loaded_Language"].f1 == 0.0
    assert r.per_technique["Flag-Waving"].n_gold == 0
    d = r.to_dict()
    assert d["micro_f1"] == 0.5 and d["per_technique"]["Doubt"]["f1"] == approx(2 / 3)


def test_tc_gold_against_itself_and_shuffled() -> None:
    assert score_tc(GOLD_TC, GOLD_TC).micro_f1 == 1.0
    assert score_tc(GOLD_TC, list(reversed(GOLD_TC))).micro_f1 == 1.0


def test_tc_needs_one_prediction_per_template_line() -> None:
    with pytest.raises(
        ScoringError,
        match=r"span 0-10 of article a is listed 2 time\(s\) in "
        r"the gold and 1 time\(s\)",
    ):
        score_tc(GOLD_TC, GOLD_TC[1:])
    with pytest.raises(ScoringError, match="listed 0 time"):
        score_tc(GOLD_TC, [*GOLD_TC, A("c", 1, 2, "Doubt")])
    with pytest.raises(ScoringError, match="no technique"):
        score_tc(GOLD_TC, [A(a.article_id, a.start, a.end) for a in GOLD_TC])


# --- SemEval-2021 ------------------------------------------------------------------------------


def test_semeval2021_subtask2() -> None:
    gold = [
        Meme("1", "x" * 20, (A("1", 0, 10, "Smears"), A("1", 12, 18, "Loaded Language"))),
        Meme("2", "y" * 5),
    ]
    pred = [
        Meme("1", None, (A("1", 5, 10, "Smears"), A("1", 0, 4, "Loaded Language"))),
        Meme("2", None, (A("2", 0, 3, "Slogans"),)),
    ]
    r = score_semeval2021(gold, pred)
    # Smears [5,10) vs [0,10): I=5 → P += 1, R += 1/2; Loaded [0,4) vs [12,18): I=0
    # P = 1/3, R = (1/2) / 2 = 1/4, F1 = 2 * 1/3 * 1/4 / (1/3 + 1/4) = 2/7
    assert r.precision == approx(1 / 3) and r.recall == approx(1 / 4) and r.f1 == approx(2 / 7)
    assert r.per_technique["Smears"].recall == approx(1 / 2)  # recall-side credit


def test_semeval2021_no_merging() -> None:
    # overlapping gold spans of one technique are not merged: a prediction covering both
    # earns credit from each. [0,15) vs [0,10): I=10 → P += 10/15, R += 1; vs [5,15): the same.
    gold = [Meme("1", None, (A("1", 0, 10, "Smears"), A("1", 5, 15, "Smears")))]
    pred = [Meme("1", None, (A("1", 0, 15, "Smears"),))]
    r = score_semeval2021(gold, pred)
    assert r.precision == approx(4 / 3) and r.recall == approx(1.0)


def test_semeval2021_checks() -> None:
    gold = [Meme("1", "abc")]
    with pytest.raises(ScoringError, match="different meme ids"):
        score_semeval2021(gold, [Meme("2", None)])
    with pytest.raises(ScoringError, match="runs past the end of meme 1"):
        score_semeval2021(gold, [Meme("1", None, (A("1", 0, 9, "Doubt"),))])
    assert score_semeval2021(gold, [Meme("1", None)]).f1 == 1.0


# --- SemEval-2023 ------------------------------------------------------------------------------


def test_semeval2023_micro_and_macro() -> None:
    gold = [P("a", 1, ()), P("a", 3, ("Doubt", "Slogans")), P("b", 1, ("Loaded_Language",))]
    pred = [P("a", 1, ("Doubt",)), P("a", 3, ("Doubt",)), P("b", 1, ("Loaded_Language", "Slogans"))]
    r = score_semeval2023(gold, pred)
    # TP: Doubt@a3, Loaded@b1 = 2; FP: Doubt@a1, Slogans@b1 = 2; FN: Slogans@a3 = 1
    # micro P = 2/4, R = 2/3, F1 = 2 * 1/2 * 2/3 / (1/2 + 2/3) = 4/7
    assert r.precision == approx(1 / 2) and r.recall == approx(2 / 3)
    assert r.micro_f1 == approx(4 / 7)
    # per class: Doubt P 1/2 R 1 → 2/3; Slogans 0; Loaded 1 → macro = (2/3 + 0 + 1) / 3 = 5/9
    assert r.macro_f1 == approx(5 / 9)
    # over a fixed class list, absent classes count as F1 = 1 (nothing to find, none found)
    fixed = ["Doubt", "Slogans", "Loaded_Language", "Repetition"]
    assert score_semeval2023(gold, pred, classes=fixed).macro_f1 == approx((2 / 3 + 0 + 1 + 1) / 4)
    d = r.to_dict()
    assert d["micro_f1"] == approx(4 / 7) and d["macro_f1"] == approx(5 / 9)


def test_semeval2023_paragraphs_must_match() -> None:
    gold = [P("a", 1, ("Doubt",))]
    with pytest.raises(ScoringError, match="different paragraphs"):
        score_semeval2023(gold, [P("a", 2, ("Doubt",))])
    assert score_semeval2023(gold, gold).micro_f1 == 1.0


# --- file wrappers -------------------------------------------------------------------------


def test_files_gold_against_itself_is_one() -> None:
    for task, gold, kw in [
        ("si", PTC / "gold-si.labels", {"merge_pred": True}),
        ("si", PTC / "gold-si", {"merge_pred": True, "articles": PTC / "articles"}),
        ("tc", PTC / "gold-tc.labels", {"articles": PTC / "articles"}),
        ("flc", PTC / "gold-tc", {"merge_pred": True}),
        ("semeval2021", FIX / "semeval2021" / "gold.json", {}),
        ("semeval2023", FIX / "semeval2023" / "gold-labels.txt", {}),
    ]:
        d = score_files(task, gold, gold, **kw).to_dict()  # type: ignore[arg-type]
        assert d.get("f1", d.get("micro_f1")) == 1.0, task


def test_files_strict_errors(tmp_path: Path) -> None:
    beyond = tmp_path / "beyond.labels"
    beyond.write_text("3\t0\t999\n")
    with pytest.raises(OffsetError, match="runs past the end of article 3"):
        score_files("si", PTC / "gold-si", beyond, articles=PTC / "articles")
    other = tmp_path / "other.labels"
    other.write_text("9\t0\t4\n")
    with pytest.raises(ScoringError, match="articles the gold does not have"):
        score_files("si", PTC / "gold-si", other)  # the folder names articles 1-3
    bad = tmp_path / "bad.labels"
    bad.write_text("1\tLoaded\t0\t4\n")
    with pytest.raises(LabelError, match="bad.labels:1"):
        score_files("tc", PTC / "gold-tc.labels", bad)
    with pytest.raises(ScoringError, match="unknown task"):
        score_files("sii", bad, bad)


def test_real_training_gold_against_itself_if_present() -> None:
    d = Path("/work/shared/data/ptc-semeval2020")
    if not d.exists():
        pytest.skip("shared data not available")
    si = score_files(
        "si",
        d / "train-labels-task-si",
        d / "train-task-si.labels",
        merge_pred=True,
        articles=d / "train-articles",
    )
    assert si.f1 == 1.0 and si.n_gold == 5397  # 5,468 lines, 48 overlapping pairs merged
    tc = score_files("tc", d / "train-task-flc-tc.labels", d / "train-labels-task-flc-tc")
    assert tc.micro_f1 == 1.0  # type: ignore[union-attr]
