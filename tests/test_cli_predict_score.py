"""``unspin predict`` and ``unspin score`` end to end, with a small fake technique model."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

import unspin.model
from unspin.cli.main import main
from unspin.formats import Annotation
from unspin.formats.articles import read_articles
from unspin.formats.semeval2020 import read_template
from unspin.predict import predict_tc, rank_techniques
from unspin.types import ModelInfo, Span

PTC = Path(__file__).parent / "fixtures" / "formats" / "ptc"
ARTICLES = PTC / "articles"

# fragment → (label) found by FakeModel.predict; overlapping on purpose
FINDS = {
    "traitors": "Loaded_Language",
    "liars": "Loaded_Language",
    "traitors and liars": "Name_Calling,Labeling",
    "Stop them now": "Slogans",
    "them": "Loaded_Language",
}
# fragment → technique probabilities returned by FakeModel.classify
PROBS = {
    "traitors": {"Loaded_Language": 0.7, "Name_Calling,Labeling": 0.6, "Doubt": 0.1},
    "traitors and liars": {"Name_Calling,Labeling": 0.8, "Loaded_Language": 0.5},
    "Everyone knows it": {"Bandwagon,Reductio_ad_hitlerum": 0.9},
    "Stop them now": {"Slogans": 0.95, "Doubt": 0.2},
}


class FakeModel:
    info = ModelInfo("fake", "1")

    def __init__(self, probs: dict[str, dict[str, float]] = PROBS) -> None:
        self.probs = probs
        self.calls: list[int] = []

    def predict(self, texts: Sequence[str], threshold: float | None = None) -> list[list[Span]]:
        out = []
        for text in texts:
            spans = []
            for frag, label in FINDS.items():
                i = text.find(frag)
                if i >= 0:
                    spans.append(Span(i, i + len(frag), label, 0.9))
            out.append(spans)
        return out

    def classify(self, text: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, float]]:
        self.calls.append(len(spans))
        return [dict(self.probs.get(text[s:e], {})) for s, e in spans]


class NoClassify:
    info = ModelInfo("plain", "1")

    def predict(self, texts: Sequence[str], threshold: float | None = None) -> list[list[Span]]:
        return [[] for _ in texts]


@pytest.fixture(autouse=True)
def fake_models(monkeypatch: pytest.MonkeyPatch) -> None:
    real = unspin.model.load_model

    def load(name: str, **kwargs):  # type: ignore[no-untyped-def]
        if str(name) == "fake":
            return FakeModel()
        if str(name) == "plain":
            return NoClassify()
        return real(name, **kwargs)

    monkeypatch.setattr(unspin.model, "load_model", load)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --- predict -----------------------------------------------------------------------------------


def test_predict_si_merges_overlaps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pred.si"
    code, _, err = run(capsys, "predict", ARTICLES, "--format", "si", "-o", out, "-m", "fake")
    assert code == 0, err
    # article 1: [17,25) [30,35) [17,35) → one span [17,35); article 2: [0,13) ⊃ [5,9)
    assert out.read_text() == "1\t17\t35\n2\t0\t13\n"
    assert "wrote 2 si line(s)" in err


def test_predict_flc_merges_per_technique(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "pred.flc"
    code, _, err = run(capsys, "predict", ARTICLES, "--format", "flc", "-o", out, "-m", "fake")
    assert code == 0, err
    assert out.read_text().splitlines() == [
        "1\tLoaded_Language\t17\t25",
        "1\tName_Calling,Labeling\t17\t35",
        "1\tLoaded_Language\t30\t35",
        "2\tSlogans\t0\t13",
        "2\tLoaded_Language\t5\t9",
    ]


def test_predict_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "predict", ARTICLES, "-o", "-", "-m", "fake")
    assert code == 0 and out == "1\t17\t35\n2\t0\t13\n"


def test_predict_tc_fills_template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "pred.tc"
    code, _, err = run(
        capsys,
        "predict",
        ARTICLES,
        "--template",
        PTC / "template-tc.out",
        "--format",
        "tc",
        "-o",
        out,
        "-m",
        "fake",
    )
    assert code == 0, err
    # the span [17,25) is listed twice: its two best techniques, best first
    assert out.read_text().splitlines() == [
        "1\tLoaded_Language\t17\t25",
        "1\tName_Calling,Labeling\t17\t25",
        "1\tName_Calling,Labeling\t17\t35",
        "1\tBandwagon,Reductio_ad_hitlerum\t37\t54",
        "2\tSlogans\t0\t13",
    ]
    code, out_json, _ = run(capsys, "score", "tc", PTC / "gold-tc.labels", out, "--format", "json")
    assert code == 0 and json.loads(out_json)["micro_f1"] == 1.0


def test_predict_tc_function_classifies_each_span_once() -> None:
    model = FakeModel()
    template = read_template(PTC / "template-tc.out")
    filled = predict_tc(model, read_articles(ARTICLES), template)
    assert [(a.article_id, a.start, a.end) for a in filled] == [
        (a.article_id, a.start, a.end) for a in template
    ]
    assert model.calls == [3, 1]  # article 1: 3 distinct spans; article 2: 1
    # k lines of one span get k distinct labels
    many = [Annotation("2", 0, 13)] * 3
    labels = [a.technique for a in predict_tc(model, read_articles(ARTICLES), many)]
    assert labels[:2] == ["Slogans", "Doubt"] and len(set(labels)) == 3


def test_rank_techniques_ties_and_missing() -> None:
    ranked = rank_techniques({"Slogans": 0.5, "Doubt": 0.5})
    assert ranked[:2] == ["Doubt", "Slogans"] and len(ranked) == 14


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--format", "si", "-m", "none"], 1, "need a technique model"),
        (
            ["--format", "tc", "--template", PTC / "template-tc.out", "-m", "plain"],
            1,
            "cannot label given spans",
        ),
        (["--format", "tc", "-m", "fake"], 2, "--template"),
        (["--format", "si", "--template", PTC / "template-tc.out", "-m", "fake"], 2, "--template"),
    ],
)
def test_predict_errors(
    args: list[str], code: int, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    got, _, err = run(capsys, "predict", ARTICLES, "-o", tmp_path / "x", *args)
    assert got == code
    assert message in err
    assert "Traceback" not in err
    if code == 1:
        assert err.count("\n") == 1 and err.startswith("error: ")
    assert not (tmp_path / "x").exists()


def test_predict_empty_folder_and_bad_template(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "predict", tmp_path, "-o", tmp_path / "x", "-m", "fake")
    assert code == 1 and "holds no articles" in err
    tpl = tmp_path / "t.out"
    tpl.write_text("1\t?\t0\t5000\n")
    code, _, err = run(
        capsys, "predict", ARTICLES, "--template", tpl, "-o", tmp_path / "x", "-m", "fake"
    )
    assert code == 1 and "runs past the end of article 1" in err
    tpl.write_text("99\t?\t0\t5\n")
    code, _, err = run(
        capsys, "predict", ARTICLES, "--template", tpl, "-o", tmp_path / "x", "-m", "fake"
    )
    assert code == 1 and "article 99 is not among the articles" in err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.partial").exists()


# --- score ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "gold", "extra"),
    [
        ("si", PTC / "gold-si.labels", ["--merge-pred"]),
        ("si", PTC / "gold-si", ["--merge-pred", "--articles", ARTICLES]),
        ("tc", PTC / "gold-tc.labels", []),
        ("flc", PTC / "gold-tc", ["--merge-pred"]),
        ("semeval2021", PTC.parent / "semeval2021" / "gold.json", []),
        ("semeval2023", PTC.parent / "semeval2023" / "gold-labels.txt", []),
    ],
)
def test_score_gold_against_itself(
    task: str, gold: Path, extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "score", task, gold, gold, "--format", "json", *extra)
    assert code == 0, err
    d = json.loads(out)
    assert d.get("f1", d.get("micro_f1")) == 1.0


def test_score_si_prediction_hand_computed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = tmp_path / "pred.si"
    assert run(capsys, "predict", ARTICLES, "-o", pred, "-m", "fake")[0] == 0
    code, out, _ = run(
        capsys, "score", "si", PTC / "gold-si", pred, "--format", "json", "--articles", ARTICLES
    )
    assert code == 0
    d = json.loads(out)
    # gold merged: 1 [17,35) [37,54), 2 [0,13); predicted: 1 [17,35), 2 [0,13)
    # P = (1 + 1) / 2 = 1; R = (1 + 0 + 1) / 3 = 2/3; F1 = 2 * 1 * 2/3 / (1 + 2/3) = 0.8
    assert d["precision"] == 1.0
    assert d["recall"] == pytest.approx(2 / 3)
    assert d["f1"] == pytest.approx(0.8)


def test_score_perturbed_predictions(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # SI: gold (merged) 1 [17,35) [37,54), 2 [0,13). Shift the first span by 9 → [26,44):
    # vs [17,35): I=9 → P += 9/18, R += 9/18; vs [37,54): I=7 → P += 7/18, R += 7/17
    # keep [0,13) exact; add [0,5) in article 3 (no gold: counted, earns nothing)
    pred = tmp_path / "p.si"
    pred.write_text("1\t26\t44\n2\t0\t13\n3\t0\t5\n")
    code, out, _ = run(capsys, "score", "si", PTC / "gold-si", pred, "-f", "json")
    d = json.loads(out)
    p = (9 / 18 + 7 / 18 + 1 + 0) / 3
    r = (9 / 18 + 7 / 17 + 1) / 3
    assert code == 0
    assert d["precision"] == pytest.approx(p) and d["recall"] == pytest.approx(r)
    assert d["f1"] == pytest.approx(2 * p * r / (p + r))
    # TC: change one of the 5 labels → 4/5
    gold_lines = (PTC / "gold-tc.labels").read_text().splitlines()
    gold_lines[-1] = gold_lines[-1].replace("Slogans", "Doubt")
    tc = tmp_path / "p.tc"
    tc.write_text("\n".join(gold_lines) + "\n")
    code, out, _ = run(capsys, "score", "tc", PTC / "gold-tc.labels", tc, "-f", "json")
    d = json.loads(out)
    assert code == 0 and d["micro_f1"] == pytest.approx(4 / 5)
    assert d["per_technique"]["Slogans"]["recall"] == 0.0


def test_score_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", "tc", PTC / "gold-tc.labels", PTC / "gold-tc.labels")
    assert code == 0
    assert "micro_f1   1.0000" in out
    assert "Name_Calling,Labeling" in out and "technique" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("1\t0\t9999\n", "runs past the end of article 1"),
        ("1\tzero\t9\n", "start offset is not an integer"),
        ("1\t17\t35\n1\t20\t30\n", "overlap"),
    ],
)
def test_score_bad_prediction_lines(
    content: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = tmp_path / "p.si"
    pred.write_text(content)
    code, out, err = run(capsys, "score", "si", PTC / "gold-si", pred, "--articles", ARTICLES)
    assert code == 1 and message in err and err.count("\n") == 1 and out == ""


def test_score_unknown_technique_and_usage(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pred = tmp_path / "p.tc"
    pred.write_text("1\tLoaded_language\t17\t25\n")
    code, _, err = run(capsys, "score", "tc", PTC / "gold-tc.labels", pred)
    assert code == 1 and "unknown technique 'Loaded_language'" in err
    assert "did you mean 'Loaded_Language'" in err
    assert run(capsys, "score", "nope", pred, pred)[0] == 2
    assert run(capsys, "score", "si", pred)[0] == 2
    assert run(capsys, "score", "tc", pred, pred, "--inventory", "x")[0] == 2
    code, _, err = run(capsys, "score", "si", tmp_path / "missing", pred)
    assert code == 1 and "no such file" in err
