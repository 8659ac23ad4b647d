"""Threshold calibration on a small hand-written catalogue with summaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unspin.narratives.calibrate import build_queries, calibrate, table, write_matching
from unspin.narratives.catalog import CatalogEntry, build_catalog

PAIRS = [
    (
        "NATO is preparing to attack Russia",
        "The alliance is getting its troops ready for an assault on Russian territory.",
    ),
    (
        "The EU will collapse within a year",
        "Brussels has only months left before the union falls apart completely.",
    ),
    (
        "Vaccines contain microchips for tracking",
        "The injections secretly carry tiny chips that let governments follow people.",
    ),
    (
        "The moon landing was staged in a studio",
        "Astronauts never went to the moon; the footage was filmed on a film set.",
    ),
    (
        "Sanctions hurt Europe more than Russia",
        "The restrictions damage European economies far more than the Russian one.",
    ),
    (
        "Ukraine is run by foreign puppets",
        "Kyiv's leaders take their orders from Western capitals and obey them.",
    ),
    (
        "Climate change is invented by scientists for grants",
        "Researchers made up global warming to keep receiving research money.",
    ),
    (
        "Migrants are brought to Europe on purpose",
        "Someone deliberately organises the arrival of refugees to change European societies.",
    ),
    (
        "The pandemic was planned by global elites",
        "A small group of rich people organised the coronavirus outbreak in advance.",
    ),
    (
        "Western media always lie about Russia",
        "Newspapers in the West never tell the truth when they write about Moscow.",
    ),
    (
        "Chemical attacks in Syria were faked",
        "The gas attacks were staged with actors to blame the government.",
    ),
    (
        "The Baltic states are about to lose independence",
        "Estonia, Latvia and Lithuania will soon stop being sovereign countries.",
    ),
    ("Wind turbines cause cancer", "Living near wind farms makes people sick with tumours."),
    (
        "Elections in Europe are rigged",
        "Votes in European countries are falsified and the results decided beforehand.",
    ),
    (
        "Protests in Belarus were paid for by the US",
        "Washington financed the demonstrators who marched in Minsk.",
    ),
    (
        "Poland wants to annex western Ukraine",
        "Warsaw plans to take over the western regions of its neighbour.",
    ),
    (
        "NGOs are foreign agents",
        "Non-governmental organisations serve the interests of other states.",
    ),
    (
        "Fluoride in water controls minds",
        "Adding fluoride to tap water is a way to make people obedient.",
    ),
    ("Georgia started the 2008 war", "Tbilisi began the fighting in August 2008, not Moscow."),
    (
        "Electric cars are worse for the climate than petrol cars",
        "Battery vehicles pollute the planet more than ordinary ones.",
    ),
    ("The West created ISIS", "The terrorist group was set up by Western intelligence services."),
    (
        "Nobody died in the Skripal poisoning because it never happened",
        "The Salisbury poisoning was invented by British intelligence.",
    ),
]


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("UNSPIN_DATA_DIR", str(tmp_path / "data"))
    entries = [
        CatalogEntry(id=f"e{i}", claim=c, summary=s + " Other context follows here.", tags=("T",))
        for i, (c, s) in enumerate(PAIRS)
    ]
    return build_catalog("cal", entries, source={"kind": "test"})


def test_queries_skip_trivial_positives(catalog) -> None:  # type: ignore[no-untyped-def]
    qs = build_queries(catalog)
    assert {q.kind for q in qs} <= {"paraphrase", "later", "extends"}
    assert len([q for q in qs if q.kind == "paraphrase"]) == len(PAIRS)
    assert not any(q.text == "Other context follows here." for q in qs)  # under 6 words


def test_calibration_report_and_record(catalog, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    report = calibrate(catalog, target=0.9)
    assert 0.4 <= report["threshold"] <= 0.95
    for split in ("tune", "test"):
        rows = report["splits"][split]["retrieval"]
        assert [r["threshold"] for r in rows] == sorted(r["threshold"] for r in rows)
        assert all(0.0 <= r["precision"] <= 1.0 for r in rows)
    # neutral news written by us should not resemble these claims at the chosen threshold
    assert report["at_threshold"]["neutral"]["false_matches"] <= 1
    assert "threshold" in table(report)
    out = tmp_path / "matching.json"
    write_matching(report, out)
    data = json.loads(out.read_text())
    assert data["threshold"] == report["threshold"] and data["calibration"]["guard"] is True


def test_too_few_summaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNSPIN_DATA_DIR", str(tmp_path))
    cat = build_catalog("x", [CatalogEntry(id="1", claim="A claim")], source={"kind": "t"})
    with pytest.raises(ValueError, match="too few summaries"):
        calibrate(cat)


def test_shipped_record_matches_shipped_encoder_and_classifier() -> None:
    from unspin.narratives.calibrate import MATCHING_FILE
    from unspin.narratives.classifier import load_classifier
    from unspin.narratives.encoder import load_encoder

    data = json.loads(MATCHING_FILE.read_text())
    enc = load_encoder()
    # rebuilding the encoder without recalibrating / retraining fails here
    assert data["calibration"]["encoder"] == enc.id
    assert load_classifier().encoder_id == enc.id
    assert data["threshold"] == data["calibration"]["at_threshold"]["test_retrieval"]["threshold"]
    assert data["calibration"]["at_threshold"]["neutral"]["false_matches"] == 0
