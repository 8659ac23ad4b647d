"""Training, evaluating and loading a narrative classifier on a tiny hand-written corpus."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import InputError, ModelError
from unspin.labels import TECHNIQUES
from unspin.narratives.classifier import NarrativeClassifier, load_classifier, parent
from unspin.narratives.guide import load_guide
from unspin.narratives.training import TrainConfig, evaluate, train

FIX = Path(__file__).resolve().parent / "fixtures" / "narratives" / "semeval"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clf") / "tiny"
    cfg = TrainConfig(val_share=0.25, folds=2, c_grid=(4.0,), seed=3)
    train(FIX, out, cfg, log=lambda *_: None)
    return out


def test_training_writes_a_self_describing_classifier(trained: Path) -> None:
    meta = json.loads((trained / "model.json").read_text())
    assert meta["format"] == "unspin.narratives/1"
    assert meta["data"]["train_documents"] == 9 and meta["data"]["validation_documents"] == 3
    assert "URW: Discrediting Ukraine" in meta["labels"]["coarse"]
    for level in ("coarse", "fine"):
        m = meta["metrics"]["validation"][level]
        assert set(m) >= {"samples_f1", "macro_f1", "micro_f1"}
    with np.load(trained / "weights.npz", allow_pickle=False) as w:
        assert w["W_coarse"].shape == (len(meta["labels"]["coarse"]), 384)


def test_trained_classifier_separates_the_topics(trained: Path) -> None:
    res = evaluate(trained, FIX, only_validation=False)
    assert res["documents"] == 12
    assert res["coarse"]["samples_f1"] > 0.6  # mostly training documents: a sanity check


def test_decision_rule_keeps_the_hierarchy_consistent(trained: Path) -> None:
    clf = NarrativeClassifier(trained)
    lc, lf = clf.labels["coarse"], clf.labels["fine"]
    probs = {"coarse": np.zeros(len(lc)), "fine": np.zeros(len(lf))}
    c, f = clf.decide(probs)
    assert [lc[i] for i in c] == ["Other"] and [lf[i] for i in f] == ["Other"]
    probs["coarse"][lc.index("URW: Amplifying war-related fears")] = 0.99
    probs["fine"][lf.index("CC: Downplaying climate change: Climate cycles are natural")] = 0.99
    c, f = clf.decide(probs)
    assert [lc[i] for i in c] == ["URW: Amplifying war-related fears"]
    # the CC sub-narrative has no predicted parent: dropped; the parent gets "<n>: Other"
    assert [lf[i] for i in f] == ["URW: Amplifying war-related fears: Other"]


def test_wrong_encoder_and_missing_data(trained: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="retrain"):
        NarrativeClassifier(trained).check_encoder("another@000000000000")
    with pytest.raises(ModelError, match="no narrative classifier"):
        NarrativeClassifier(tmp_path)
    with pytest.raises(InputError, match="no subtask-2 annotations"):
        train(tmp_path, tmp_path / "out", TrainConfig(), log=lambda *_: None)
    with pytest.raises(InputError, match="val_share"):
        TrainConfig(val_share=0.0)


def test_shipped_classifier_and_guide_agree() -> None:
    clf = load_classifier()
    meta = clf.meta
    assert meta["metrics"]["validation"]["fine"]["documents"] == 80
    labels = set(clf.labels["coarse"]) | set(clf.labels["fine"])
    guide = load_guide()
    assert len(guide.types) >= 10
    for t in guide.types:
        assert t.claims and t.recognise and t.counter_question.endswith("?")
        assert set(t.techniques) <= set(TECHNIQUES), t.id
        assert set(t.semeval) <= labels, t.id
        assert len(t.examples) >= 2
    assert parent("URW: Discrediting Ukraine: Ukraine is a hub for criminal activities") == (
        "URW: Discrediting Ukraine"
    )
    assert guide.for_label("URW: Praise of Russia: Other")[0].id == "salvation-through-alignment"
    # the type listing a label first wins over types that list it as a side label
    assert guide.for_label("URW: Discrediting the West, Diplomacy")[0].id == "decadent-west"
    assert guide.for_label("CC: Criticism of climate movement: Other")[0].id == (
        "attacking-the-messenger"
    )
    assert guide.for_label("Other") == []
