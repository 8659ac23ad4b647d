"""Models built locally from a base encoder and a committed delta (unspin.training.delta)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from unspin.errors import ModelError

PTC = Path(__file__).parent / "fixtures" / "ptc"
SMALL = dict(window=32, overlap=8, batch_size=4, span_hidden=8, bf16=False, device="cpu")


def test_a_low_rank_delta_is_rebuilt_within_int8_rounding() -> None:
    from unspin.training.delta import apply_delta, encode_delta

    rng = np.random.default_rng(0)
    base = {
        "embeddings.word_embeddings.weight": rng.normal(size=(50, 40)).astype(np.float32),
        "encoder.layer.0.dense.weight": rng.normal(size=(40, 40)).astype(np.float32),
        "encoder.layer.0.dense.bias": rng.normal(size=40).astype(np.float32),
    }
    change = rng.normal(size=(40, 3)) @ rng.normal(size=(3, 40)) * 0.01  # rank 3
    tuned = {
        "encoder.embeddings.word_embeddings.weight": base["embeddings.word_embeddings.weight"]
        + 0.001,
        "encoder.encoder.layer.0.dense.weight": base["encoder.layer.0.dense.weight"] + change,
        "encoder.encoder.layer.0.dense.bias": base["encoder.layer.0.dense.bias"] + 0.5,
        "token_head.weight": rng.normal(size=(15, 400)).astype(np.float32),
        "token_head.bias": rng.normal(size=15).astype(np.float32),
    }
    delta, how = encode_delta(tuned, base, rank=4)
    assert how == {
        "encoder.embeddings.word_embeddings.weight": "base",
        "encoder.encoder.layer.0.dense.weight": "low-rank",
        "encoder.encoder.layer.0.dense.bias": "fp32",
        "token_head.weight": "int8",
        "token_head.bias": "fp32",
    }
    # the delta stores 2 x 40 x 4 int8 values for the 40 x 40 matrix, not 1,600 floats
    assert delta["encoder.encoder.layer.0.dense.weight.u.q"].shape == (40, 4)
    out = apply_delta(delta, how, base)
    w = "encoder.encoder.layer.0.dense.weight"
    assert np.abs(out[w] - tuned[w]).max() < 0.02 * np.abs(change).max()
    np.testing.assert_array_equal(
        out["encoder.embeddings.word_embeddings.weight"], base["embeddings.word_embeddings.weight"]
    )
    np.testing.assert_array_equal(out["token_head.bias"], tuned["token_head.bias"])
    h = "token_head.weight"
    assert np.abs(out[h] - tuned[h]).max() <= np.abs(tuned[h]).max() / 254 + 1e-6


def test_a_tensor_missing_from_the_base_is_refused() -> None:
    from unspin.errors import FormatError
    from unspin.training.delta import encode_delta

    tuned = {"encoder.pooler.weight": np.zeros((4, 4), np.float32)}
    with pytest.raises(FormatError, match="not in the base encoder"):
        encode_delta(tuned, {}, rank=2)


@pytest.fixture(scope="module")
def recipe(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A tiny MPNet trained one epoch, its delta, the reconstruction's validated export and
    the recipe written from it: (recipe folder, base encoder, export of the reconstruction)."""
    pytest.importorskip("torch")
    from unspin.training.config import TrainConfig
    from unspin.training.delta import make_delta, write_recipe
    from unspin.training.export import export_model
    from unspin.training.fixture import tiny_mpnet
    from unspin.training.train import train

    tmp = tmp_path_factory.mktemp("delta")
    base = tiny_mpnet(tmp / "base")
    cfg = TrainConfig(name="m", version="0", encoder=str(base), epochs=1, **SMALL)  # type: ignore[arg-type]
    best = train(cfg, PTC, tmp / "run", log=lambda *a: None)
    make_delta(best, tmp / "delta", rank=4, log=lambda *a: None)
    export_model(  # fp32, as MPNet-base ships
        tmp / "delta" / "checkpoint",
        tmp / "delta" / "model",
        data=PTC,
        log=lambda *a: None,
        runtime="fp32",
    )
    write_recipe(tmp / "delta", tmp / "recipe", name="unspin-tiny", version="9")
    return tmp / "recipe", base, tmp / "delta" / "model"


def test_a_built_model_is_the_validated_reconstruction(
    recipe: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from unspin.model import load_model
    from unspin.training.delta import build_model

    rdir, base, validated = recipe
    meta = json.loads((rdir / "recipe.json").read_text())
    assert meta["delta"]["rank"] == 4 and "metrics" in meta
    out = build_model(rdir, tmp_path / "built", base_dir=base, log=lambda *a: None)
    built, ref = load_model(out), load_model(validated)
    assert (built.info.name, built.info.version) == ("unspin-tiny", "9")
    text = (PTC / "train-articles" / "article1001.txt").read_text(encoding="utf-8")
    ids = np.array([meta["delta"]["probe"]["ids"]])
    p_built, h_built = built.backend(ids, np.ones_like(ids))
    p_ref, h_ref = ref.backend(ids, np.ones_like(ids))
    np.testing.assert_allclose(p_built, p_ref, atol=1e-6)
    assert built.predict([text]) == ref.predict([text])
    card = (out / "README.md").read_text()
    assert "# unspin-tiny 9" in card and "Runtime: ONNX Runtime, fp32" in card
    assert "Per technique (fp32)" in card
    got = json.loads((out / "model.json").read_text())
    assert got["built"]["rank"] == 4 and "delta" not in got and got["runtime"] == "fp32"
    # tuned on the fp32 graph it ships; the int8 graph is measured beside it
    assert set(got["metrics"]) >= {"int8", "fp32"} and got["metrics"]["fp32"]["operating_points"]


def test_a_recipe_unpacks_into_a_checkpoint_that_training_continues(
    recipe: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from safetensors.numpy import load_file

    from unspin.model import sha256_file
    from unspin.training.config import TrainConfig
    from unspin.training.delta import main as delta_main
    from unspin.training.train import train

    rdir, base, _ = recipe
    out = tmp_path / "unpacked"
    assert delta_main(["checkpoint", str(rdir), "-o", str(out), "--base", str(base)]) == 0
    # the same weights as the reconstruction the recipe was validated on
    want = load_file(str(rdir.parent / "delta" / "checkpoint" / "model.safetensors"))
    got = load_file(str(out / "model.safetensors"))
    assert set(got) == set(want)
    for k in want:
        np.testing.assert_array_equal(got[k], want[k])
    meta = json.loads((out / "meta.json").read_text())
    ref = json.loads((rdir / "recipe.json").read_text())
    assert meta["unpacked_from"]["delta_sha256"] == ref["delta"]["sha256"]
    assert meta["training"]["validation_articles"] == ref["training"]["validation_articles"]
    assert "delta" not in meta
    # init_from takes it on the fold it was validated on, and records where it came from
    cfg = TrainConfig(
        name="m", version="1", encoder=str(base), epochs=1, init_from=str(out), **SMALL
    )  # type: ignore[arg-type]
    best = train(cfg, PTC, tmp_path / "more", log=lambda *a: None)
    more = json.loads((best / "meta.json").read_text())["training"]["init_from"]
    assert more["path"] == str(out)
    assert more["sha256"] == sha256_file(out / "model.safetensors")


def test_a_build_refuses_another_base_or_a_damaged_delta(
    recipe: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from unspin.training.delta import build_model
    from unspin.training.fixture import tiny_mpnet

    rdir, base, _ = recipe
    other = tiny_mpnet(tmp_path / "other", seed=1)
    with pytest.raises(ModelError, match="not the base encoder"):
        build_model(rdir, tmp_path / "x", base_dir=other, log=lambda *a: None)
    bad = tmp_path / "bad"
    shutil.copytree(rdir, bad)
    with (bad / "delta.safetensors").open("r+b") as f:
        f.seek(-8, 2)
        f.write(b"\x00" * 8)
    with pytest.raises(ModelError, match="checksum"):
        build_model(bad, tmp_path / "y", base_dir=base, log=lambda *a: None)
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_a_build_that_misses_the_probe_writes_nothing(
    recipe: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    from unspin.model import sha256_file
    from unspin.training.delta import build_model

    rdir, base, _ = recipe
    bad = tmp_path / "bad"
    shutil.copytree(rdir, bad)
    meta = json.loads((bad / "recipe.json").read_text())
    meta["delta"]["probe"]["probs"][1][0] += 0.05
    (bad / "recipe.json").write_text(json.dumps(meta))
    assert sha256_file(bad / "delta.safetensors") == meta["delta"]["sha256"]
    with pytest.raises(ModelError, match="probe"):
        build_model(bad, tmp_path / "out", base_dir=base, log=lambda *a: None)
    assert not (tmp_path / "out").exists()


def test_models_list_and_build_name_the_buildable_models(
    recipe: tuple[Path, Path, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import unspin.training.delta as delta
    from unspin.cli.main import main

    def run(*argv: object) -> tuple[int, str]:
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out + err

    rdir, base, _ = recipe
    shelf = tmp_path / "deltas"
    shutil.copytree(rdir, shelf / "tiny")
    monkeypatch.setattr(delta, "DELTAS_DIR", shelf)
    monkeypatch.setenv("UNSPIN_DATA_DIR", str(tmp_path / "data"))
    code, out = run("models", "list")
    assert code == 0 and "buildable" in out and "unspin-tiny 9" in out
    code, out = run("models", "build", "nope")
    assert code == 1 and "no recipe for a model named 'nope'" in out
    code, out = run("models", "build", "tiny", "--base", base)
    assert code == 0, out
    assert (tmp_path / "data" / "models" / "tiny" / "model.json").is_file()
    code, out = run("models", "list")
    assert "built" in out and "buildable" not in out
    code, out = run("models", "build", "tiny", "--base", base)
    assert code == 1 and "already holds a model" in out
    text = tmp_path / "t.txt"
    text.write_text("They lied to you again and again, the traitors.")
    code, out = run("analyze", text, "--model", "tiny", "--format", "json")
    assert code == 0, out
    assert json.loads(out)["model"]["name"] == "unspin-tiny"
