"""Narrative classification (SemEval-2025 Task 10 taxonomy) on top of sentence embeddings.

A document is the mean of its sentence embeddings (L2-normalised); each narrative and
sub-narrative has a logistic-regression weight vector. Because the document vector is a mean,
the document logit decomposes into per-sentence contributions ``w . s_i``: the sentences with
the largest positive contributions are the label's evidence.

A classifier directory holds ``model.json`` (labels, thresholds, encoder id, training record,
metrics) and ``weights.npz`` (``W_coarse``, ``b_coarse``, ``W_fine``, ``b_fine``); nothing is
pickled. Train one with ``unspin narratives train`` (see :mod:`unspin.narratives.training`).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import ModelError

FORMAT = "unspin.narratives/1"
DEFAULT_CLASSIFIER = (
    Path(__file__).resolve().parent.parent / "data" / "models" / "narratives-semeval2025-en"
)
OTHER = "Other"


@dataclass(frozen=True)
class LabelScore:
    label: str
    score: float
    evidence: tuple[int, ...]  # indices of supporting sentences, best first


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def parent(sub: str) -> str:
    """The narrative a sub-narrative belongs to (``"CC: A: b"`` -> ``"CC: A"``)."""
    if sub == OTHER:
        return OTHER
    head, _, _ = sub.rpartition(": ")
    return head or sub


class NarrativeClassifier:
    """Multi-label narratives and sub-narratives for a document's sentence embeddings."""

    def __init__(self, path: str | os.PathLike[str] = DEFAULT_CLASSIFIER) -> None:
        self.path = Path(path)
        meta_file = self.path / "model.json"
        if not meta_file.is_file():
            raise ModelError(
                f"no narrative classifier at {self.path}",
                expected="a directory with model.json and weights.npz",
                hint="train one with: unspin narratives train DATA_DIR",
            )
        self.meta: dict[str, Any] = json.loads(meta_file.read_text(encoding="utf-8"))
        if self.meta.get("format") != FORMAT:
            raise ModelError(
                f"narrative classifier {self.path} has an unsupported format",
                expected=FORMAT,
                found=repr(self.meta.get("format")),
            )
        with np.load(self.path / "weights.npz", allow_pickle=False) as w:
            self.W = {lvl: w[f"W_{lvl}"].astype(np.float32) for lvl in ("coarse", "fine")}
            self.b = {lvl: w[f"b_{lvl}"].astype(np.float32) for lvl in ("coarse", "fine")}
        self.labels = {lvl: list(self.meta["labels"][lvl]) for lvl in ("coarse", "fine")}
        self.thresholds = {lvl: float(self.meta["thresholds"][lvl]) for lvl in ("coarse", "fine")}
        for lvl in ("coarse", "fine"):
            if self.W[lvl].shape[0] != len(self.labels[lvl]):
                raise ModelError(
                    f"narrative classifier {self.path} is damaged",
                    expected=f"{len(self.labels[lvl])} {lvl} weight rows",
                    found=f"{self.W[lvl].shape[0]}",
                )

    @property
    def encoder_id(self) -> str:
        return str(self.meta["encoder"])

    def check_encoder(self, encoder_id: str) -> None:
        if encoder_id != self.encoder_id:
            raise ModelError(
                f"narrative classifier {self.path.name} was trained on another sentence encoder",
                expected=encoder_id,
                found=self.encoder_id,
                hint="retrain it: unspin narratives train DATA_DIR",
            )

    @staticmethod
    def document_vector(sent_vecs: np.ndarray) -> np.ndarray:
        if len(sent_vecs) == 0:
            return np.zeros(sent_vecs.shape[1] if sent_vecs.ndim == 2 else 384, np.float32)
        m = sent_vecs.mean(axis=0)
        return m / max(float(np.linalg.norm(m)), 1e-12)

    def probabilities(self, doc_vecs: np.ndarray, level: str) -> np.ndarray:
        return _sigmoid(doc_vecs @ self.W[level].T + self.b[level])

    def decide(self, probs: dict[str, np.ndarray]) -> tuple[list[int], list[int]]:
        """Label indices kept at each level for one document (hierarchy made consistent).

        A sub-narrative needs its narrative; a narrative with no sub-narrative gets
        ``"<narrative>: Other"`` when the taxonomy has it; nothing at all means ``Other``.
        """
        lab_c, lab_f = self.labels["coarse"], self.labels["fine"]
        cs = {
            i
            for i, p in enumerate(probs["coarse"])
            if p >= self.thresholds["coarse"] and lab_c[i] != OTHER
        }
        names = {lab_c[i] for i in cs}
        fs = {
            i
            for i, p in enumerate(probs["fine"])
            if p >= self.thresholds["fine"] and lab_f[i] != OTHER and parent(lab_f[i]) in names
        }
        for n in names:
            if not any(parent(lab_f[i]) == n for i in fs) and f"{n}: Other" in lab_f:
                fs.add(lab_f.index(f"{n}: Other"))
        if not cs:
            cs = {lab_c.index(OTHER)} if OTHER in lab_c else set()
            fs = {lab_f.index(OTHER)} if OTHER in lab_f else set()
        return sorted(cs, key=lambda i: -probs["coarse"][i]), sorted(
            fs, key=lambda i: -probs["fine"][i]
        )

    def predict(
        self, sent_vecs: np.ndarray, *, evidence: int = 3
    ) -> tuple[list[LabelScore], list[LabelScore]]:
        """(narratives, sub-narratives) for one document, each with its best sentences."""
        doc = self.document_vector(sent_vecs)[None, :]
        probs = {lvl: self.probabilities(doc, lvl)[0] for lvl in ("coarse", "fine")}
        keep = self.decide(probs)
        out: list[list[LabelScore]] = []
        for lvl, idx in zip(("coarse", "fine"), keep, strict=True):
            rows = []
            for i in idx:
                label = self.labels[lvl][i]
                ev: tuple[int, ...] = ()
                if label != OTHER and not label.endswith(": Other") and len(sent_vecs):
                    contrib = sent_vecs @ self.W[lvl][i]
                    best = np.argsort(-contrib)[:evidence]
                    ev = tuple(int(j) for j in best if contrib[j] > 0)
                rows.append(LabelScore(label, float(probs[lvl][i]), ev))
            out.append(rows)
        return out[0], out[1]


_CACHE: dict[str, NarrativeClassifier] = {}


def load_classifier(path: str | os.PathLike[str] | None = None) -> NarrativeClassifier:
    key = str(path or DEFAULT_CLASSIFIER)
    if key not in _CACHE:
        _CACHE[key] = NarrativeClassifier(key)
    return _CACHE[key]
