"""The negation / reversed-roles vetoes on claim matches."""

from __future__ import annotations

import pytest

from unspin.narratives.guard import agrees, entities, negated


@pytest.mark.parametrize(
    ("sentence", "claim", "ok", "reason"),
    [
        (
            "Russia is preparing for a war with NATO.",
            "NATO is preparing for a war with Russia",
            False,
            "reversed roles",
        ),
        (
            "Russia is going to attack the USA.",
            "The US threaten Russia with a war",
            False,
            "reversed roles",
        ),
        ("Russia did not annex Crimea.", "Russia annexed Crimea", False, "negation differs"),
        ("Kyiv won't hold elections.", "Kyiv will hold elections", False, "negation differs"),
        (
            "Russia is not fighting against the Ukrainian people.",
            "Russia is not fighting in Ukraine",
            True,
            "",
        ),
        (
            "The United States is the main instigator of the conflict with Russia in Ukraine.",
            "The United States is provoking tensions between Russia and Ukraine",
            True,
            "",
        ),
        (
            "NATO is preparing to attack Russia.",
            "NATO is preparing to attack Russia\u2026",
            True,
            "",
        ),
    ],
)
def test_agrees(sentence: str, claim: str, ok: bool, reason: str) -> None:
    assert agrees(sentence, claim) == (ok, reason)


def test_entities_and_negation() -> None:
    assert entities("The U.S. and Ukraine's allies met NATO in Brussels.") == [
        "us",
        "ukraine",
        "nato",
        "brussels",
    ]
    assert negated("There is no evidence.") and negated("They didn\u2019t.")
    assert not negated("Nothingness is a word; notable people.")
