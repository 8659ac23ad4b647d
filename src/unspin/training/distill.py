"""Self-training: unlabelled articles with a teacher model's soft labels.

A trained model (the *teacher*, an exported model directory run on ONNX Runtime) reads
articles that have no gold annotation -- the PTC dev and test texts, whose gold is held back
-- and its outputs become soft training targets for a new model (the *student*):

- every token gets the teacher's 15 probabilities (inside a technique span; one channel per
  technique) as its token targets, instead of 0/1 gold labels;
- every span the teacher finds (its own decoding) gets the teacher's technique distribution
  as the span classifier's target.

The student trains on the gold articles and these soft articles together. Validation stays
on gold articles the teacher never saw, so the gain (or loss) is measured, not assumed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import FormatError
from unspin.training.data import Doc, _read


def _article_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob("article*.txt"))
    if not files:
        raise FormatError(
            f"{folder}: no unlabelled articles",
            expected="a folder of article<ID>.txt files (e.g. dev-articles/)",
            found="no article*.txt" if folder.is_dir() else "no such folder",
        )
    return files


def soft_docs(
    teacher: str | Path,
    folders: list[Path],
    *,
    exclude: Collection[str] = (),
    log: Callable[[str], Any] = print,
) -> tuple[list[Doc], dict[str, Any]]:
    """The articles in ``folders`` (minus ids in ``exclude``) with the teacher's soft labels,
    and a provenance record (teacher name, version and sha256; a hash of the texts)."""
    from unspin.model import load_model, sha256_file
    from unspin.training.evaluate import encode_all, si_predictions

    model = load_model(teacher)
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
    encoded = encode_all(model, docs)
    found = si_predictions(model, docs, encoded, model.decode)  # the teacher's own decoding
    for d, encs in zip(docs, encoded, strict=True):
        offsets = [enc.offsets for enc in encs if len(enc.offsets)]
        probs = [enc.probs for enc in encs if len(enc.offsets)]
        d.soft_tokens = (
            np.concatenate(offsets) if offsets else np.zeros((0, 2), np.int64),
            np.concatenate(probs) if probs else np.zeros((0, 15), np.float32),
        )
        spans = [(s, e) for s, e, _ in found[d.id]]
        dist = model.span_probs_in(d.text, encs, spans) if spans else np.zeros((0, 14))
        d.soft_spans = [(s, e, p) for (s, e), p in zip(spans, dist, strict=True)]
    path = Path(teacher)
    onnx = path / str(model.meta.get("onnx", "model.onnx"))
    info = {
        "teacher": f"{model.info.name} {model.info.version}",
        "teacher_sha256": sha256_file(onnx) if onnx.exists() else None,
        "articles": len(docs),
        "spans": sum(len(d.soft_spans) for d in docs),
        "texts_sha256": h.hexdigest(),
    }
    return docs, info


def align_soft(offsets: np.ndarray, soft: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Token targets ``[n, 15]`` for a tokenisation with character ``offsets``, taken from
    the teacher's tokens with the same offsets (the same tokenizer gives the same tokens;
    a token the teacher did not see gets all zeros)."""
    t_offs, t_probs = soft
    out = np.zeros((len(offsets), t_probs.shape[1]), np.float32)
    index = {(int(s), int(e)): i for i, (s, e) in enumerate(t_offs)}
    for k, (s, e) in enumerate(offsets):
        i = index.get((int(s), int(e)))
        if i is not None:
            out[k] = t_probs[i]
    return out
