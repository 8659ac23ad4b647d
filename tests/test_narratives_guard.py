"""The negation / reversed-roles vetoes on claim matches."""

from __future__ import annotations

import pytest

from unspin.narratives.guard import agrees, content_words, entities, negated


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
        # demonyms fold into the place: the roles are reversed
        (
            "Russian aggression against Ukraine directly affects our country as well.",
            "Ukrainian aggression towards Russia is part of an international conspiracy.",
            False,
            "reversed roles",
        ),
        # nothing shared beyond the subject's usual words
        (
            "Read more on the Ukraine war",
            "The war in Ukraine, as well as the war in\u2026",
            False,
            "topic only",
        ),
        (
            "Ukraine\u2019s war with Russia and Putin is Europe\u2019s fight, too.",
            "Ukraine threatens Russia with war",
            False,
            "topic only",
        ),
        (
            "Moscow maintains that it rightfully took over Crimea after residents voted.",
            "People of Crimea voted in referendum to reunite with Russia",
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


def test_content_words_drop_stop_and_topic_words() -> None:
    assert content_words("The Russian army is fighting in Ukraine's east.") == {"fight", "east"}
    assert content_words("NATO and the West say the war will go on.") == set()
