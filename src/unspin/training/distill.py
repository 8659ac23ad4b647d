"""Self-training: unlabelled articles with a teacher model's soft labels.

A trained model (the *teacher*: an exported model directory run on ONNX Runtime, or a
training checkpoint run in torch) reads
articles that have no gold annotation -- the PTC dev and test texts, whose gold is held back
-- and its outputs become soft training targets for a new model (the *student*):

- every token gets the teacher's 15 probabilities (inside a technique span; one channel per
  technique) as its token targets, instead of 0/1 gold labels;
- every span the teacher finds (its own decoding) gets the teacher's technique distribution
  as the span classifier's target.

The student trains on the gold articles and these soft articles together. With
``teacher_gold`` = w > 0 (distillation proper), the teacher also reads the gold training
articles, and their token targets become (1 - w) × gold + w × the teacher's probabilities
(span targets stay gold). Validation stays on gold articles the teacher never saw, so the
gain (or loss) is measured, not assumed.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import FormatError
from unspin.training.data import Doc, _read


def _article_files(folder: Path) -> list[Path]:
    """``article<ID>.txt`` files (PTC), else any ``*.txt`` (e.g. SemEval-2025 raw documents)."""
    files = sorted(folder.glob("article*.txt")) or sorted(folder.glob("*.txt"))
    if not files:
        raise FormatError(
            f"{folder}: no unlabelled articles",
            expected="a folder of .txt articles (e.g. dev-articles/ with article<ID>.txt)",
            found="no .txt files" if folder.is_dir() else "no such folder",
        )
    return files


def _is_checkpoint(path: Path) -> bool:
    """A training checkpoint directory (not an exported model)."""
    return (path / "meta.json").is_file() and (path / "model.safetensors").is_file()


def checkpoint_model(path: Path, data: Path | None):  # type: ignore[no-untyped-def]
    """A training checkpoint as a :class:`unspin.model.TechniqueModel` run in torch (on the GPU
    when there is one, under bf16 autocast where it trained so) and its validation articles,
    read from ``data``; its decoding is still the recorded one."""
    from unspin.model import load_tokenizer
    from unspin.training.config import TrainConfig, encoder_path
    from unspin.training.data import load_ptc
    from unspin.training.train import (
        bf16_available,
        load_checkpoint,
        runtime_model,
        training_device,
    )

    meta = teacher_meta(path)
    val_ids = set(meta["training"].get("validation_articles") or [])
    if not val_ids or data is None:  # checked before the weights are read
        raise FormatError(
            f"{path}: a checkpoint teacher needs its validation articles to tune its decoding",
            expected="a validated checkpoint and the PTC folder (--data)",
            found="no validation articles" if not val_ids else "no data path",
        )
    net, _ = load_checkpoint(path)
    cfg = TrainConfig.from_dict(meta["training"]["config"])
    dev = training_device(cfg.device)
    net.to(dev)
    tok = load_tokenizer(Path(encoder_path(cfg.encoder)) / "tokenizer.json")
    # it trained under bf16 autocast: it labels under it too
    model = runtime_model(net, tok, meta, bf16=cfg.bf16 and bf16_available(dev))
    return model, [d for d in load_ptc(Path(data))[0] if d.id in val_ids]


def load_teacher(teacher: str | Path, data: Path | None = None, log: Callable[[str], Any] = print):  # type: ignore[no-untyped-def]
    """The teacher as a :class:`unspin.model.TechniqueModel` and the sha256 of its weights.

    ``teacher`` is an exported model directory (``model.json``; run on ONNX Runtime) or a
    training checkpoint (``meta.json`` + ``model.safetensors``; run in torch, on the GPU when
    there is one — how a large teacher labels texts without an int8 export). A checkpoint's
    span decoding is tuned on its validation articles, read from ``data``."""
    from unspin.model import load_model, sha256_file

    path = Path(teacher)
    if _is_checkpoint(path):
        from unspin.training.evaluate import encode_all, tune_decode

        model, val = checkpoint_model(path, data)
        model.decode, f = tune_decode(model, val, encode_all(model, val))
        log(f"teacher checkpoint {path}: decoding {model.decode.to_dict()} (SI F1 {f:.4f})")
        return model, sha256_file(path / "model.safetensors")
    model = load_model(path)
    onnx = path / str(model.meta.get("onnx", "model.onnx"))
    return model, (sha256_file(onnx) if onnx.exists() else None)


def teacher_meta(teacher: str | Path) -> dict[str, Any]:
    """The teacher's model.json (an export) or meta.json (a checkpoint)."""
    import json

    from unspin.model import model_path, read_meta

    path = Path(teacher)
    if _is_checkpoint(path):
        return dict(json.loads((path / "meta.json").read_text()))
    return read_meta(model_path(teacher))


def _token_probs(encs: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """A document's teacher token offsets ``[n, 2]`` and probabilities ``[n, 15]``."""
    offsets = [enc.offsets for enc in encs if len(enc.offsets)]
    probs = [enc.probs for enc in encs if len(enc.offsets)]
    return (
        np.concatenate(offsets) if offsets else np.zeros((0, 2), np.int64),
        np.concatenate(probs) if probs else np.zeros((0, 15), np.float32),
    )


def soft_docs(
    teacher: str | Path,
    folders: list[Path],
    *,
    exclude: Collection[str] = (),
    log: Callable[[str], Any] = print,
    data: Path | None = None,
    gold: Sequence[Doc] = (),
    gold_weight: float = 0.0,
) -> tuple[list[Doc], dict[str, Any]]:
    """The articles in ``folders`` (minus ids in ``exclude``) with the teacher's soft labels,
    and a provenance record (teacher name, version and sha256; a hash of the texts).

    With ``gold_weight`` > 0 the teacher also reads the ``gold`` (training) articles: each gets
    the teacher's token probabilities, mixed into its gold token targets with that weight
    (:func:`unspin.training.data.encode_docs`)."""
    from unspin.training.evaluate import encode_all, si_predictions

    model, digest = load_teacher(teacher, data, log)
    files = [f for folder in folders for f in _article_files(folder)]
    docs: list[Doc] = []
    h = hashlib.sha256()
    for f in files:
        did = f.stem.removeprefix("article")
        if did in exclude:
            continue
        text = _read(f)
        h.update(f.name.encode())
        h.update(text.encode())
        docs.append(Doc(did, text))
    log(f"teacher {model.info.name} {model.info.version}: labelling {len(docs)} articles")
    t0 = time.time()
    encoded = encode_all(model, docs)
    found = si_predictions(model, docs, encoded, model.decode)  # the teacher's own decoding
    for d, encs in zip(docs, encoded, strict=True):
        d.soft_tokens = _token_probs(encs)
        spans = [(s, e) for s, e, _ in found[d.id]]
        dist = model.span_probs_in(d.text, encs, spans) if spans else np.zeros((0, 14))
        d.soft_spans = [(s, e, p) for (s, e), p in zip(spans, dist, strict=True)]
    info: dict[str, Any] = {
        "teacher": f"{model.info.name} {model.info.version}",
        "teacher_sha256": digest,
        "articles": len(docs),
        "spans": sum(len(d.soft_spans) for d in docs),
        "texts_sha256": h.hexdigest(),
    }
    log(f"teacher: labelled them in {time.time() - t0:.0f} s")
    if gold_weight and gold:
        log(f"teacher: reading the {len(gold)} gold training articles (weight {gold_weight})")
        t0 = time.time()
        for d, encs in zip(gold, encode_all(model, list(gold)), strict=True):
            d.teacher_tokens = _token_probs(encs)
            d.teacher_weight = gold_weight
        log(f"teacher: read them in {time.time() - t0:.0f} s")
        info["gold_articles"] = len(gold)
        info["gold_weight"] = gold_weight
    return docs, info


def align_soft(offsets: np.ndarray, soft: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Token targets ``[n, 15]`` for a tokenisation with character ``offsets``, taken from
    the teacher's tokens: the token with the same offsets (the same tokenizer, or one with the
    same word pieces, gives the same tokens), else the mean of the teacher tokens that overlap
    it (a teacher with another tokenizer); a token no teacher token overlaps gets zeros."""
    t_offs, t_probs = soft
    out = np.zeros((len(offsets), t_probs.shape[1]), np.float32)
    index = {(int(s), int(e)): i for i, (s, e) in enumerate(t_offs)}
    order = np.argsort(t_offs[:, 0], kind="stable") if len(t_offs) else np.zeros(0, np.int64)
    starts = t_offs[order, 0] if len(t_offs) else np.zeros(0, np.int64)
    for k, (s, e) in enumerate(offsets):
        i = index.get((int(s), int(e)))
        if i is not None:
            out[k] = t_probs[i]
            continue
        # teacher tokens starting before e (sorted by start) that end after s
        cand = order[: int(np.searchsorted(starts, e, side="left"))]
        hit = cand[t_offs[cand, 1] > s] if len(cand) else cand
        if len(hit):
            out[k] = t_probs[hit].mean(0)
    return out
