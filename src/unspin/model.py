"""Technique models: the model directory format and inference on ONNX Runtime (no torch).

A model directory describes itself::

    model.json     format, name, version, labels, window/overlap, decoding parameters,
                   per-technique thresholds, score calibration, metrics, training provenance,
                   sha256 of every file
    model.onnx     encoder + token head: (input_ids, attention_mask) -> (token_probs, hidden)
    head.npz       the span classifier (a 2-layer MLP, plain arrays, loaded with
                   allow_pickle=False)
    tokenizer.json the tokenizer (Hugging Face ``tokenizers`` format)
    README.md      the model card

How a text is analysed: the text is cut into chunks of at most ``MAX_CHUNK_CHARS``
characters at paragraph/sentence boundaries (memory stays bounded for huge inputs); each
chunk is tokenised once with character offsets, cut into overlapping windows of ``window``
tokens, and the windows of all texts in a call run through ONNX Runtime in length-sorted
batches. Each token takes its probabilities from the window where it is most central
(:func:`unspin.offsets.owners`). Runs of tokens inside a span become character spans
(:func:`unspin.decode.decode_spans`); the span head names each span's technique(s).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin._blas import one_blas_thread
from unspin.decode import DecodeParams, decode_spans, span_features, token_range
from unspin.errors import ModelError
from unspin.labels import LABELS
from unspin.offsets import chunks, owners, windows
from unspin.types import ModelInfo, Span

FORMAT = "unspin.model/1"
MODELS_DIR = Path(__file__).parent / "data" / "models"
MAX_CHUNK_CHARS = 20_000
BATCH_WINDOWS = 16
# ONNX Runtime graph fusions that make a CPU model slower: its SkipLayerNormalization kernel
# is about 7x slower than the Add + LayerNormalization it replaces (bench: docs/benchmarks.md).
SLOW_FUSIONS = ["SkipLayerNormFusion"]

Backend = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def user_models_dir() -> Path:
    """Where locally made models are looked up by name: ``$UNSPIN_DATA_DIR/models`` or the
    XDG data directory (``unspin export CHECKPOINT -o`` a folder there)."""
    base = os.environ.get("UNSPIN_DATA_DIR") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "unspin"
    )
    return Path(base) / "models"


def model_path(name: str | os.PathLike[str]) -> Path:
    """Resolve a model name or directory to a directory path."""
    p = Path(name)
    if p.is_dir():
        return p
    for root in (MODELS_DIR, user_models_dir()):
        cand = root / str(name)
        if (cand / "model.json").is_file():
            return cand
    raise ModelError(
        f"model {str(name)!r} not found",
        expected="a model name (see `unspin models list`) or a model directory",
        found="no such directory",
        hint="make one with `unspin export CHECKPOINT -o DIR` (needs unspin[train])",
    )


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def read_meta(path: Path) -> dict[str, Any]:
    meta_file = path / "model.json"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except FileNotFoundError as err:
        raise ModelError(
            f"{path} is not a model directory", expected="a model.json file", found="none"
        ) from err
    except json.JSONDecodeError as err:
        raise ModelError(f"{meta_file} is not valid JSON", found=str(err)) from err
    if meta.get("format") != FORMAT:
        raise ModelError(
            f"{meta_file}: unsupported model format",
            expected=FORMAT,
            found=repr(meta.get("format")),
        )
    if tuple(meta.get("labels", ())) != LABELS:
        raise ModelError(
            f"{meta_file}: label set differs from this unspin version",
            expected=f"the {len(LABELS)} SemEval-2020 labels",
            found=str(meta.get("labels")),
        )
    return meta


def verify(path: Path, meta: dict[str, Any] | None = None) -> None:
    """Check every file against the checksums in model.json."""
    meta = meta or read_meta(path)
    for name, digest in meta.get("files", {}).items():
        f = path / name
        if not f.is_file():
            raise ModelError(
                f"{path}: file {name} is missing",
                expected="a complete model directory",
                found=f"no {name}",
            )
        if sha256_file(f) != digest:
            raise ModelError(
                f"{path}: {name} is corrupt",
                expected=f"sha256 {digest[:12]}…",
                found=f"sha256 {sha256_file(f)[:12]}…",
                hint="reinstall unspin or rebuild the model",
            )


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp(x - x.max(-1, keepdims=True))
    return z / z.sum(-1, keepdims=True)


@dataclass
class Encoded:
    """A chunk of text run through the encoder."""

    start: int  # chunk start in the full text
    offsets: np.ndarray  # [n, 2] offsets in the full text
    probs: np.ndarray  # [n, 15]
    hidden: np.ndarray  # [n, H]
    cls: np.ndarray  # [n_windows, H]
    owner: np.ndarray  # [n] window that owns each token


class TechniqueModel:
    """Finds and names technique spans. Built from a model directory by :func:`load_model`, or
    from any ``backend(input_ids, attention_mask) -> (token_probs, hidden)`` (training uses a
    torch backend, so validation scores come from this very code)."""

    def __init__(
        self, backend: Backend, tokenizer: Any, head: dict[str, np.ndarray], meta: dict[str, Any]
    ) -> None:
        self.backend = backend
        self.tokenizer = tokenizer
        self.head = head
        self.meta = meta
        self.info = ModelInfo(meta.get("name", "unnamed"), meta.get("version", ""))
        self.window = int(meta.get("window", 256))
        self.overlap = int(meta.get("overlap", 64))
        d = meta.get("decode", {})
        self.decode = DecodeParams(
            float(d.get("threshold", 0.5)),
            int(d.get("join_gap", 3)),
            int(d.get("min_chars", 4)),
            float(d.get("high", 0.0)),
        )
        lt = meta.get("label_thresholds", {})
        self.label_thresholds = np.array([float(lt.get(x, 0.5)) for x in LABELS])
        cal = meta.get("calibration", {})
        self.cal_a = float(cal.get("a", 1.0))
        self.cal_b = float(cal.get("b", 0.0))
        self.propagate_repetition = bool(meta.get("propagate_repetition", False))
        self.cls_id = int(meta.get("cls_id", 101))
        self.sep_id = int(meta.get("sep_id", 102))
        self.pad_id = int(meta.get("pad_id", 0))

    # -- encoder ---------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> list[list[Encoded]]:
        """Run the encoder over every chunk of every text (windows batched across texts)."""
        jobs = []  # (text index, chunk start, ids, offsets, windows)
        for ti, text in enumerate(texts):
            for cs, ce in chunks(text, MAX_CHUNK_CHARS):
                enc = self.tokenizer.encode(text[cs:ce], add_special_tokens=False)
                ids = np.asarray(enc.ids, dtype=np.int64)
                offs = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2) + cs
                jobs.append((ti, cs, ids, offs, windows(len(ids), self.window - 2, self.overlap)))

        def n_tokens(jw: tuple[int, int]) -> int:  # tokens in window w of job j
            s, e = jobs[jw[0]][4][jw[1]]
            return e - s

        flat = [(j, w) for j, job in enumerate(jobs) for w in range(len(job[4]))]
        flat.sort(key=n_tokens)
        results: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        for part in _length_batches(flat, n_tokens):
            lens = [n_tokens(jw) + 2 for jw in part]  # with [CLS] and [SEP]
            T = max(lens)
            ids = np.full((len(part), T), self.pad_id, dtype=np.int64)
            mask = np.zeros((len(part), T), dtype=np.int64)
            for r, (j, w) in enumerate(part):
                s, e = jobs[j][4][w]
                ids[r, : lens[r]] = np.concatenate([[self.cls_id], jobs[j][2][s:e], [self.sep_id]])
                mask[r, : lens[r]] = 1
            probs, hidden = self.backend(ids, mask)
            for r, (j, w) in enumerate(part):
                results[(j, w)] = (probs[r, : lens[r]], hidden[r, : lens[r]])
        out: list[list[Encoded]] = [[] for _ in texts]
        for j, (ti, cs, ids, offs, wins) in enumerate(jobs):
            n = len(ids)
            own = np.asarray(owners(wins, n), dtype=np.int64)
            H = int(self.head["w1"].shape[0] - 5) // 3
            probs = np.zeros((n, 1 + len(LABELS)), dtype=np.float32)
            hid = np.zeros((n, H), dtype=np.float32)
            cls = np.zeros((len(wins), H), dtype=np.float32)
            for w, (s, e) in enumerate(wins):
                p, h = results[(j, w)]
                sel = np.flatnonzero(own[s:e] == w)
                probs[s + sel] = p[1 + sel]
                hid[s + sel] = h[1 + sel]
                cls[w] = h[0]
            out[ti].append(Encoded(cs, offs, probs, hid, cls, own))
        return out

    # -- span head -------------------------------------------------------------------------
    def span_probs(self, text: str, enc: Encoded, spans: Sequence[tuple[int, int]]) -> np.ndarray:
        """Technique probabilities ``[S, 14]`` for character spans inside chunk ``enc``."""
        if not spans:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        rows = []
        for s, e in spans:
            a, b = token_range(enc.offsets, s, e)
            seg = enc.hidden[a:b]
            rows.append(np.concatenate([enc.cls[enc.owner[a]], seg.mean(0), seg.max(0)]))
        x = np.concatenate([np.stack(rows), span_features(text, spans)], axis=1)
        with one_blas_thread():
            h = _gelu(x @ self.head["w1"] + self.head["b1"])
            return _softmax(h @ self.head["w2"] + self.head["b2"])

    def classify(self, text: str, spans: Sequence[tuple[int, int]]) -> list[dict[str, float]]:
        """Probability of each technique for each given span (for the TC task)."""
        if not spans:
            return []
        P = self.span_probs_in(text, self.encode([text])[0], spans)
        return [{name: float(v) for name, v in zip(LABELS, p, strict=True)} for p in P]

    def span_probs_in(
        self, text: str, encs: Sequence[Encoded], spans: Sequence[tuple[int, int]]
    ) -> np.ndarray:
        """Technique probabilities ``[S, 14]`` for spans anywhere in an encoded text: each span
        is classified in the first chunk it overlaps (uniform if no chunk has tokens)."""
        out = np.full((len(spans), len(LABELS)), 1.0 / len(LABELS), dtype=np.float32)
        done = np.zeros(len(spans), dtype=bool)
        for enc in encs:
            if not len(enc.offsets):
                continue
            lo, hi = enc.start, int(enc.offsets[-1][1])
            idx = [k for k, (s, e) in enumerate(spans) if not done[k] and s <= hi and e > lo]
            if idx:
                out[idx] = self.span_probs(text, enc, [spans[k] for k in idx])
                done[idx] = True
        return out

    def calibrate(self, raw: np.ndarray) -> np.ndarray:
        """Map raw span confidence to the probability that the span and label are right."""
        r = np.clip(raw, 1e-6, 1 - 1e-6)
        z = self.cal_a * np.log(r / (1 - r)) + self.cal_b
        return 1.0 / (1.0 + np.exp(-z))

    def spans_for(
        self,
        text: str,
        encs: Sequence[Encoded],
        params: DecodeParams | None = None,
        threshold: float | None = None,
    ) -> list[Span]:
        params = params or self.decode
        out: list[Span] = []
        for enc in encs:
            if not len(enc.offsets):
                continue
            found = decode_spans(text, enc.offsets, enc.probs[:, 0], params)
            if not found:
                continue
            P = self.span_probs(text, enc, [(s, e) for s, e, _ in found])
            for (s, e, si), p in zip(found, P, strict=True):
                order = np.argsort(-p)
                for rank, k in enumerate(order):
                    if rank > 0 and p[k] < self.label_thresholds[k]:
                        break
                    score = float(self.calibrate(np.array(np.sqrt(si * p[k]))))
                    if threshold is not None and score < threshold:
                        continue
                    out.append(Span(s, e, LABELS[k], round(score, 4)))
                    if rank >= 2:
                        break
        if self.propagate_repetition:
            out.extend(propagate_repetition(text, out))
        return out

    def predict(self, texts: Sequence[str], *, threshold: float | None = None) -> list[list[Span]]:
        encoded = self.encode(texts)
        return [
            self.spans_for(t, encs, threshold=threshold)
            for t, encs in zip(texts, encoded, strict=True)
        ]


REPETITION = "Repetition"


def propagate_repetition(text: str, spans: Sequence[Span]) -> list[Span]:
    """Repetition is mechanical: where a fragment is marked as Repetition, its other
    word-bounded occurrences in the text are marked too (same score), unless a Repetition
    span already covers them. On the PTC training data, about 70 % of the other occurrences
    of an annotated Repetition fragment are annotated as well."""
    import re

    reps = [s for s in spans if s.label == REPETITION]
    if not reps:
        return []
    taken = sorted((s.start, s.end) for s in reps)
    added: list[Span] = []
    seen: set[str] = set()
    for sp in sorted(reps, key=lambda x: -x.score):
        frag = text[sp.start : sp.end]
        if frag in seen or len(frag) < 3:
            continue
        seen.add(frag)
        for m in re.finditer(r"(?<!\w)" + re.escape(frag) + r"(?!\w)", text):
            a, b = m.start(), m.end()
            if any(a < e and b > s for s, e in taken):
                continue
            taken.append((a, b))
            added.append(Span(a, b, REPETITION, sp.score))
    return added


def _length_batches(items: list[Any], length: Callable[[Any], int]) -> list[list[Any]]:
    """Cut ``items`` (sorted by ``length``, shortest first) into batches of at most
    ``BATCH_WINDOWS`` whose longest member is at most 25 % (plus 8 tokens) longer than the
    shortest, so padding never costs much: a short last window is not padded to full size."""
    out: list[list[Any]] = []
    for it in items:
        if out and len(out[-1]) < BATCH_WINDOWS and length(it) <= 1.25 * length(out[-1][0]) + 8:
            out[-1].append(it)
        else:
            out.append([it])
    return out


def onnx_backend(path: Path, threads: int | None = None) -> Backend:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    n = threads or int(os.environ.get("UNSPIN_THREADS", "0") or 0)
    if n:
        opts.intra_op_num_threads = n
    opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    sess = ort.InferenceSession(
        str(path), opts, providers=["CPUExecutionProvider"], disabled_optimizers=SLOW_FUSIONS
    )

    def run(ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        probs, hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask})
        return probs, hidden

    return run


def load_head(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}


def load_tokenizer(path: Path) -> Any:
    """A ``tokenizers`` tokenizer from ``tokenizer.json``, untruncated and unpadded (windows are
    cut and padded by the model code)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(path))
    tok.no_truncation()
    tok.no_padding()
    return tok


def load_model(
    name: str | os.PathLike[str],
    *,
    threads: int | None = None,
    onnx_file: str | None = None,
    check: bool = True,
) -> TechniqueModel:
    """Load a model directory (or a named model) for inference on ONNX Runtime."""
    path = model_path(name)
    meta = read_meta(path)
    if check:
        verify(path, meta)
    tok = load_tokenizer(path / "tokenizer.json")
    backend = onnx_backend(path / (onnx_file or meta.get("onnx", "model.onnx")), threads)
    return TechniqueModel(backend, tok, load_head(path / "head.npz"), meta)
