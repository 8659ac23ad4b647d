"""The narrative layer inside the Analyzer, the analyze command and the renderer."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from unspin.cli.main import main
from unspin.narratives import NarrativeLayer, import_file
from unspin.narratives.catalog import CatalogError
from unspin.pipeline import Analyzer
from unspin.render import render
from unspin.types import Analysis

FIX = Path(__file__).resolve().parent / "fixtures" / "narratives"
ROOT = Path(__file__).resolve().parent.parent

TEXT = (
    "Troops on the border\n\n"
    "Everyone knows that NATO is getting ready to attack Russia.\n"
    "The city council approved four new bus routes on Tuesday.\n"
    "Experts say the chemical attack was staged by the White Helmets.\n"
)


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNSPIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def with_catalog() -> None:
    import_file("jsonl", FIX / "claims.jsonl", name="mine")


def test_no_catalogue_still_analyses_and_says_so() -> None:
    nlp = Analyzer(model=None, components=[NarrativeLayer()])
    a = nlp(TEXT)
    assert a.claims == () and a.narratives is not None
    assert a.meta["narrative_layer"]["note"] == "no catalogue is loaded: claims were not matched"
    assert a.meta["narrative_layer"]["catalogs"] == []


def test_claims_resemble_known_claims_with_offsets(with_catalog: None) -> None:
    nlp = Analyzer(model=None, components=[NarrativeLayer()])
    a = nlp(TEXT, id="t")
    found = {a.text[c.start : c.end]: c for c in a.claims}
    assert set(found) == {
        "Everyone knows that NATO is getting ready to attack Russia.",
        "Experts say the chemical attack was staged by the White Helmets.",
    }
    nato = found["Everyone knows that NATO is getting ready to attack Russia."].matches[0]
    assert (nato.catalog, nato.id, nato.url) == ("mine", "c1", "https://example.org/claims/c1")
    assert nato.similarity >= a.meta["narrative_layer"]["claim_threshold"]
    assert nato.debunk and nato.date == "2019-09-24"
    guide = {lab: g["id"] for g in a.meta["narrative_layer"]["guide"] for lab in g["labels"]}
    c = found["Everyone knows that NATO is getting ready to attack Russia."]
    assert guide[f"claim:{c.start}-{c.end}"] == "west-as-plotter"  # nearest guide example
    back = Analysis.from_json(a.to_json())
    assert back.claims == a.claims and back.narratives == a.narratives


def test_neutral_reporting_has_no_matches(with_catalog: None) -> None:
    neutral = (ROOT / "examples" / "neutral.txt").read_text(encoding="utf-8")
    a = Analyzer(model=None, components=[NarrativeLayer()])(neutral)
    assert a.claims == ()
    assert all(n.label.startswith(("URW", "CC")) for n in a.narratives or ())


def test_narratives_have_scores_and_evidence_inside_the_text() -> None:
    text = (ROOT / "examples" / "sample.txt").read_text(encoding="utf-8")
    layer = NarrativeLayer(catalogs=[])
    layer.classifier.thresholds = {"coarse": 0.3, "fine": 0.3}  # type: ignore[union-attr]
    a = Analyzer(model=None, components=[layer])(text)
    assert a.narratives
    labels = [n.label for n in a.narratives]
    for n in a.narratives:
        assert 0.0 <= n.score <= 1.0
        for e in n.evidence:
            assert 0 <= e.start < e.end <= len(text)
        if ": " in n.label.split(": ", 1)[1] and not n.label.endswith(": Other"):
            parent = n.label.rsplit(": ", 1)[0]
            assert parent in labels  # a sub-narrative comes with its narrative
    assert any(n.evidence for n in a.narratives)


def test_stale_catalogue_is_a_clear_error(with_catalog: None, data_home: Path) -> None:
    f = data_home / "catalogs" / "mine" / "catalog.json"
    meta = json.loads(f.read_text())
    meta["encoder"]["id"] = "old@123456789abc"
    f.write_text(json.dumps(meta))
    with pytest.raises(CatalogError, match="rebuild"):
        NarrativeLayer()


def test_analyze_cli_json_and_text(
    with_catalog: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "t.txt"
    p.write_text(TEXT)
    assert main(["analyze", str(p), "--model", "none", "--format", "json", "--narratives"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert isinstance(d["narratives"], list) and len(d["claims"]) == 2
    assert set(d["claims"][0]["matches"][0]) == {
        "catalog",
        "id",
        "title",
        "similarity",
        "date",
        "url",
        "debunk",
    }
    assert main(["analyze", str(p), "--model", "none", "--format", "json"]) == 0
    assert "claims" not in json.loads(capsys.readouterr().out)  # off by default
    assert main(["analyze", str(p), "--model", "none", "--catalog", "nope"]) == 1
    assert "no catalogue 'nope'" in capsys.readouterr().err


def test_render_says_resembles_never_is(with_catalog: None) -> None:
    a = Analyzer(model=None, components=[NarrativeLayer()])(TEXT)
    buf = io.StringIO()
    render(a, console=Console(file=buf, width=200, color_system=None))
    out = buf.getvalue()
    assert "resembles (0." in out and "NATO is preparing to attack Russia" in out
    assert "https://example.org/claims/c1" in out and "[mine, 2019-09-24]" in out
    assert " is a known" not in out and "is false" not in out
    empty = Analyzer(model=None, components=[NarrativeLayer(catalogs=[])])(TEXT)
    buf = io.StringIO()
    render(empty, console=Console(file=buf, width=200, color_system=None))
    assert "no catalogue is loaded" in buf.getvalue()


@pytest.mark.parametrize("text", ["", "   \n\t ", "Hi."])
def test_empty_and_tiny_texts(with_catalog: None, text: str) -> None:
    a = Analyzer(model=None, components=[NarrativeLayer()])(text)
    assert a.claims == () and isinstance(a.narratives, tuple)


def test_offsets_are_code_points_with_bom_crlf_and_emoji(with_catalog: None) -> None:
    claim = "Everyone knows NATO is getting ready to attack Russia."
    text = "\ufeff\U0001f600 Intro line\r\n\r\n" + claim + "\r\n"
    a = Analyzer(model=None, components=[NarrativeLayer()])(text)
    assert [text[c.start : c.end] for c in a.claims] == [claim]


def test_pipe_batches_keep_each_text_apart(with_catalog: None) -> None:
    texts = ["The council approved the budget on Tuesday.", TEXT, ""]
    out = list(Analyzer(model=None, components=[NarrativeLayer()]).pipe(texts, batch_size=2))
    assert [len(a.claims or ()) for a in out] == [0, 2, 0]


def test_questions_and_short_sentences_are_not_matched(with_catalog: None) -> None:
    layer = NarrativeLayer()
    assert layer.claim_like("Everyone knows that NATO is getting ready to attack Russia.")
    assert not layer.claim_like("Is NATO getting ready to attack Russia?")
    assert not layer.claim_like('He asked: "Is NATO getting ready to attack Russia?"')
    assert not layer.claim_like("NATO attacks Russia.")
    a = Analyzer(model=None, components=[layer])("Is NATO getting ready to attack Russia?")
    assert a.claims == ()


def test_an_empty_catalogue_says_so(tmp_path: Path) -> None:
    from unspin.narratives import build_catalog

    build_catalog(tmp_path / "empty", [], source={"kind": "test"})
    a = Analyzer(model=None, components=[NarrativeLayer(catalogs=[tmp_path / "empty"])])(TEXT)
    assert a.claims == ()
    assert a.meta["narrative_layer"]["note"].startswith("the loaded catalogues are empty")
