"""The technique model runtime, on the tiny fixture model (random weights, real code path)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from unspin import Analyzer, ModelError
from unspin.labels import LABELS
from unspin.model import load_model

pytestmark = pytest.mark.torch


def test_model_predict_offsets_are_exact(fixture_model: Path, sample_text: str) -> None:
    model = load_model(fixture_model)
    texts = [sample_text, "", "   \n", "😀 Ça va? \ufeffBOM\r\nx\u0301 שלום " * 20]
    for text, spans in zip(texts, model.predict(texts), strict=True):
        for s in spans:
            assert 0 <= s.start < s.end <= len(text)
            frag = text[s.start : s.end]
            assert frag == frag.strip() and frag
            assert s.label in LABELS
            assert 0.0 <= s.score <= 1.0


def test_model_batching_does_not_change_results(fixture_model: Path, sample_text: str) -> None:
    model = load_model(fixture_model)
    other = "They lied. They lied again and again, said the so-called experts."
    together = model.predict([sample_text, other])
    alone = [model.predict([sample_text])[0], model.predict([other])[0]]
    assert together == alone


def test_model_long_text_windows_stitch_without_duplicates(
    fixture_model: Path, sample_text: str
) -> None:
    model = load_model(fixture_model)  # window 32 tokens: the sample needs many windows
    encs = model.encode([sample_text * 3])[0]
    offs = np.concatenate([e.offsets for e in encs])
    assert (np.diff(offs[:, 0]) > 0).all()  # every token once, in order
    spans = model.predict([sample_text * 3])[0]
    keys = [(s.start, s.end, s.label) for s in spans]
    assert len(keys) == len(set(keys))


def test_model_chunking_keeps_offsets(
    fixture_model: Path, sample_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import unspin.model as m

    model = load_model(fixture_model)
    text = (sample_text + "\n\n") * 4
    whole = model.predict([text])[0]
    monkeypatch.setattr(m, "MAX_CHUNK_CHARS", 700)
    encs = model.encode([text])[0]
    assert len(encs) > 1
    for enc in encs:
        for s, e in enc.offsets[:5]:
            assert text[s:e].strip()
    chunked = model.predict([text])[0]
    for s in chunked:
        assert 0 <= s.start < s.end <= len(text)
    assert chunked and whole


def test_model_classify_gives_a_distribution(fixture_model: Path, sample_text: str) -> None:
    model = load_model(fixture_model)
    out = model.classify(
        sample_text, [(0, 32), (100, 140), (len(sample_text) - 5, len(sample_text))]
    )
    assert len(out) == 3
    for d in out:
        assert set(d) == set(LABELS)
        assert abs(sum(d.values()) - 1.0) < 1e-4


def test_model_threshold_filters(fixture_model: Path, sample_text: str) -> None:
    model = load_model(fixture_model)
    every = model.predict([sample_text])[0]
    assert every, "the fixture model should mark something"
    cut = float(np.median([s.score for s in every]))
    fewer = model.predict([sample_text], threshold=cut)[0]
    assert fewer and len(fewer) < len(every)
    assert all(s.score >= cut for s in fewer)


def test_model_directory_is_verified(fixture_model: Path, tmp_path: Path) -> None:
    broken = tmp_path / "m"
    shutil.copytree(fixture_model, broken)
    (broken / "head.npz").write_bytes(b"garbage")
    with pytest.raises(ModelError, match="corrupt"):
        load_model(broken)
    meta = json.loads((fixture_model / "model.json").read_text())
    meta["labels"] = meta["labels"][:-1]
    (broken / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="label set"):
        load_model(broken)
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "nothing-here")


def test_analyzer_with_model_summarises(fixture_model: Path, sample_text: str) -> None:
    a = Analyzer(fixture_model).analyze(sample_text, id="s")
    assert a.model.name == "fixture"
    assert a.summary["spans"] == len(a.techniques) > 0
    assert sum(a.summary["technique_counts"].values()) == len(a.techniques)
    assert 0 < a.summary["sentence_share"] <= 1
    assert all(0 <= s.score <= 1 for s in a.sentences)


def test_analysis_never_imports_torch(fixture_model: Path, tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("They lied to you, again.", encoding="utf-8")
    code = (
        "import sys, unspin\n"
        "assert 'torch' not in sys.modules\n"
        "from unspin.cli.main import main\n"
        f"rc = main(['analyze', {str(f)!r}, '--model', {str(fixture_model)!r}, '-f', 'json'])\n"
        "assert rc == 0, rc\n"
        "bad = [m for m in ('torch', 'transformers', 'fastapi', 'sqlalchemy', 'ray') "
        "if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_onnx_matches_torch(fixture_model: Path, sample_text: str) -> None:
    torch = pytest.importorskip("torch")
    from unspin.training.fixture import load_fixture_torch
    from unspin.training.train import torch_backend

    model = load_model(fixture_model)
    twin = load_fixture_torch(fixture_model)
    tok = model.tokenizer
    ids = [tok.encode(t).ids for t in (sample_text[:200], "Short one.")]
    T = max(len(i) for i in ids)
    arr = np.zeros((2, T), dtype=np.int64)
    mask = np.zeros((2, T), dtype=np.int64)
    for r, i in enumerate(ids):
        arr[r, : len(i)] = i
        mask[r, : len(i)] = 1
    p_onnx, h_onnx = model.backend(arr, mask)
    with torch.no_grad():
        p_torch, h_torch = torch_backend(twin)(arr, mask)
    m = mask.astype(bool)
    assert np.abs(p_onnx[m] - p_torch[m]).max() < 1e-4
    assert np.abs(h_onnx[m] - h_torch[m]).max() < 1e-3
    torch_model = type(model)(torch_backend(twin), tok, model.head, model.meta)
    assert torch_model.predict([sample_text]) == model.predict([sample_text])
