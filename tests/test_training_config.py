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
