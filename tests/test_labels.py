"""Technique inventories and mappings onto the 14 SemEval-2020 techniques."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from unspin.errors import LabelError
from unspin.labels import (
    INVENTORIES,
    LABELS,
    NLP4IF2019,
    SEMEVAL2021,
    SEMEVAL2023,
    TECHNIQUES,
    check_label,
    map_label,
    technique,
)

OFFICIAL = Path(__file__).parent / "fixtures" / "formats" / "techniques-semeval2020.txt"


def test_labels_equal_the_official_names_file() -> None:
    names = OFFICIAL.read_text(encoding="utf-8").splitlines()
    assert len(names) == 14
    assert list(LABELS) == names  # same names, same order
    assert set(TECHNIQUES) == set(names)


@pytest.mark.parametrize(
    ("inventory", "size"),
    [("semeval2020", 14), ("nlp4if2019", 18), ("semeval2021", 20), ("semeval2023", 23)],
)
def test_inventory_sizes(inventory: str, size: int) -> None:
    assert len(INVENTORIES[inventory]) == size


@pytest.mark.parametrize("mapping", [NLP4IF2019, SEMEVAL2021, SEMEVAL2023])
def test_every_mapping_target_is_one_of_the_14_or_none(mapping: dict[str, str | None]) -> None:
    for source, target in mapping.items():
        assert target is None or target in TECHNIQUES, (source, target)


def test_every_technique_is_reachable_from_each_older_inventory() -> None:
    # NLP4IF-2019 is a refinement of the 14: each of the 14 has a source there
    assert {t for t in NLP4IF2019.values() if t} == set(LABELS)
    for mapping in (SEMEVAL2021, SEMEVAL2023):
        assert {t for t in mapping.values() if t} <= set(LABELS)


def test_semeval2021_names_match_the_official_list_if_present() -> None:
    p = Path("/work/shared/data/semeval2021-task6/techniques_list_task1-2.txt")
    if not p.exists():
        pytest.skip("shared data not available")
    assert set(p.read_text(encoding="utf-8").split("\n")) - {""} == set(SEMEVAL2021)


def test_techniques_are_complete_records() -> None:
    symbols = set()
    for name, t in TECHNIQUES.items():
        assert t.name == name
        assert t.display and len(t.definition) > 80 and t.example
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", t.color)
        assert len(t.symbol) == 1
        symbols.add(t.symbol)
    assert len(symbols) == 14  # one distinct mark per technique


def test_check_and_map_label() -> None:
    assert check_label("Doubt") == "Doubt"
    with pytest.raises(LabelError, match=r"f:3: unknown technique 'Doubts'.*did you mean 'Doubt'"):
        check_label("Doubts", location="f:3")
    assert map_label("Straw_Men", "nlp4if2019") == "Whataboutism,Straw_Men,Red_Herring"
    assert map_label("Obfuscation,Intentional_Vagueness,Confusion", "nlp4if2019") is None
    assert map_label("Smears", "semeval2021") is None
    assert map_label("Conversation_Killer", "semeval2023") == "Thought-terminating_Cliches"
    with pytest.raises(LabelError, match="unknown inventory"):
        map_label("Doubt", "semeval2099")
    with pytest.raises(LabelError):
        map_label("Doubt ", "semeval2023")
    assert technique("Slogans").display == "Slogans"
