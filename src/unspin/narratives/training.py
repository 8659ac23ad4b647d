"""Train and evaluate the narrative classifier (SemEval-2025 Task 10, subtask 2).

Run book::

    unspin narratives train /work/shared/data/semeval2025-task10/data/dez06release \\
        --out src/unspin/data/models/narratives-semeval2025-en

1. read ``<LANG>/raw-documents/*.txt`` and ``<LANG>/subtask-2-annotations.txt`` (English by
   default: the shipped encoder is English-only);
2. split by document (fixed seed): ``val_share`` of the documents are held out;
3. embed every sentence once with the shipped ONNX encoder (no torch needed anywhere here);
4. per label, an L2-regularised logistic regression (scikit-learn ``liblinear`` when
   installed, else a small numpy gradient descent) on the mean sentence embedding;
5. pick ``C`` and the two probability thresholds (narratives, sub-narratives) by 5-fold
   cross-validation *inside the training split*, maximising fine samples F1;
6. score the held-out split with :mod:`unspin.narratives.scoring` and write ``model.json``
   (labels, thresholds, encoder id, data hashes, metrics) and ``weights.npz``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from unspin.errors import InputError
from unspin.narratives.classifier import FORMAT, OTHER, NarrativeClassifier, parent
from unspin.narratives.encoder import Encoder, load_encoder
from unspin.narratives.scoring import read_annotations, score
from unspin.segment import sentences


@dataclass
class TrainConfig:
    """Defaults of ``unspin narratives train`` (every field is a CLI option)."""

    languages: tuple[str, ...] = ("EN",)
    val_share: float = 0.2  # documents held out for the reported figures
    seed: int = 13
    folds: int = 5  # cross-validation folds inside the training split
    c_grid: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0)
    min_docs: int = 2  # a label needs this many training documents to get a classifier
    evidence: int = 3

    def __post_init__(self) -> None:
        if not 0.0 < self.val_share < 0.9:
            raise InputError(
                "val_share out of range", expected="0 < val_share < 0.9", found=str(self.val_share)
            )


@dataclass
class Doc:
    id: str
    text: str
    coarse: set[str]
    fine: set[str]
    vecs: np.ndarray = field(default_factory=lambda: np.zeros((0, 384), np.float32))


def read_documents(root: str | Path, languages: tuple[str, ...]) -> list[Doc]:
    root = Path(root)
    docs = []
    for lang in languages:
        d = root / lang
        ann = d / "subtask-2-annotations.txt"
        if not ann.is_file():
            raise InputError(
                f"no subtask-2 annotations for {lang} under {root}",
                expected=f"{ann}",
                found="no such file",
            )
        coarse, fine = read_annotations(str(ann))
        for doc_id in sorted(coarse):
            f = d / "raw-documents" / doc_id
            if not f.is_file():
                raise InputError(
                    f"annotated document {doc_id} is missing", expected=str(f), found="no such file"
                )
            text = f.read_text(encoding="utf-8-sig")
            docs.append(Doc(doc_id, text, coarse[doc_id], fine[doc_id]))
    return docs


def embed(docs: list[Doc], encoder: Encoder) -> None:
    spans = [sentences(d.text) for d in docs]
    flat = [d.text[s:e] for d, sp in zip(docs, spans, strict=True) for s, e in sp]
    vecs = encoder.encode(flat)
    pos = 0
    for d, sp in zip(docs, spans, strict=True):
        d.vecs = vecs[pos : pos + len(sp)]
        pos += len(sp)


def _fit(X: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    """Weighted logistic regression (balanced classes); returns (w, b)."""
    if y.min() == y.max():
        return np.zeros(X.shape[1], np.float32), (8.0 if y[0] else -8.0)
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError:  # pragma: no cover - numpy fallback
        return _fit_numpy(X, y, C)
    m = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=2000)
    m.fit(X, y)
    return m.coef_[0].astype(np.float32), float(m.intercept_[0])


def _fit_numpy(
    X: np.ndarray, y: np.ndarray, C: float, steps: int = 800
) -> tuple[np.ndarray, float]:
    n_pos = max(int(y.sum()), 1)
    n_neg = max(len(y) - n_pos, 1)
    sw = np.where(y == 1, len(y) / (2 * n_pos), len(y) / (2 * n_neg))
    w = np.zeros(X.shape[1])
    b = 0.0
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(X @ w + b)))
        g = sw * (p - y)
        w -= lr * (X.T @ g / len(y) + w / (C * len(y)))
        b -= lr * g.mean()
    return w.astype(np.float32), float(b)


def _matrix(docs: list[Doc]) -> np.ndarray:
    return np.stack([NarrativeClassifier.document_vector(d.vecs) for d in docs])


def _train_labels(docs: list[Doc], cfg: TrainConfig) -> dict[str, list[str]]:
    def count(level: str) -> dict[str, int]:
        c: dict[str, int] = {}
        for d in docs:
            for lab in getattr(d, level):
                c[lab] = c.get(lab, 0) + 1
        return c

    cc, fc = count("coarse"), count("fine")
    coarse = sorted(lab for lab, n in cc.items() if n >= cfg.min_docs)
    # "<narrative>: Other" and "Other" are produced by the decision rule, not learned
    fine = sorted(
        lab
        for lab, n in fc.items()
        if n >= cfg.min_docs and lab != OTHER and not lab.endswith(": Other")
    )
    fine += sorted(lab for lab in fc if lab == OTHER or lab.endswith(": Other"))
    if OTHER not in coarse:
        coarse.append(OTHER)
    return {"coarse": coarse, "fine": fine}


def _fit_all(
    docs: list[Doc], labels: dict[str, list[str]], C: float
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    X = _matrix(docs)
    out = {}
    for lvl in ("coarse", "fine"):
        W = np.zeros((len(labels[lvl]), X.shape[1]), np.float32)
        b = np.full(len(labels[lvl]), -8.0, np.float32)
        for i, lab in enumerate(labels[lvl]):
            if lvl == "fine" and (lab == OTHER or lab.endswith(": Other")):
                continue  # decided by rule
            y = np.array([lab in getattr(d, lvl) for d in docs], dtype=np.int64)
            W[i], b[i] = _fit(X, y, C)
        out[lvl] = (W, b)
    return out


def _classifier(
    labels: dict[str, list[str]],
    weights: dict[str, tuple[np.ndarray, np.ndarray]],
    thresholds: dict[str, float],
    meta: dict[str, Any] | None = None,
) -> NarrativeClassifier:
    clf = NarrativeClassifier.__new__(NarrativeClassifier)
    clf.path = Path(".")
    clf.meta = meta or {}
    clf.labels = labels
    clf.W = {lvl: weights[lvl][0] for lvl in weights}
    clf.b = {lvl: weights[lvl][1] for lvl in weights}
    clf.thresholds = thresholds
    return clf


def _predict(
    clf: NarrativeClassifier, docs: list[Doc]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    X = _matrix(docs)
    probs = {lvl: clf.probabilities(X, lvl) for lvl in ("coarse", "fine")}
    pc, pf = {}, {}
    for r, d in enumerate(docs):
        ci, fi = clf.decide({lvl: probs[lvl][r] for lvl in probs})
        pc[d.id] = {clf.labels["coarse"][i] for i in ci}
        pf[d.id] = {clf.labels["fine"][i] for i in fi}
    return pc, pf


def _tune(
    train: list[Doc], labels: dict[str, list[str]], cfg: TrainConfig
) -> tuple[float, dict[str, float], dict[str, Any]]:
    """Choose C and thresholds by k-fold cross-validation inside the training split."""
    rng = random.Random(cfg.seed + 1)
    idx = list(range(len(train)))
    rng.shuffle(idx)
    folds = [idx[k :: cfg.folds] for k in range(cfg.folds)]
    grid = [round(x, 2) for x in np.arange(0.2, 0.91, 0.05)]
    best: tuple[float, float, dict[str, float]] = (-1.0, 0.0, {})
    trace = []
    for C in cfg.c_grid:
        fold_models = []
        for k in range(cfg.folds):
            held = set(folds[k])
            fit_docs = [train[i] for i in idx if i not in held]
            fold_models.append((_fit_all(fit_docs, labels, C), [train[i] for i in folds[k]]))
        for tc in grid:
            for tf in grid:
                gold, pred = {}, {}
                for weights, held_docs in fold_models:
                    clf = _classifier(labels, weights, {"coarse": tc, "fine": tf})
                    _, pf = _predict(clf, held_docs)
                    pred.update(pf)
                    gold.update({d.id: d.fine for d in held_docs})
                s = score(gold, pred)["samples_f1"]
                if s > best[0]:
                    best = (s, C, {"coarse": tc, "fine": tf})
        trace.append({"C": C, "best_cv_fine_samples_f1": best[0] if best[1] == C else None})
    return (
        best[1],
        {k: float(v) for k, v in best[2].items()},
        {"cv_fine_samples_f1": best[0], "grid": trace},
    )


def _hash_docs(docs: list[Doc]) -> str:
    h = hashlib.sha256()
    for d in docs:
        h.update(d.id.encode())
        h.update(d.text.encode("utf-8"))
        h.update(";".join(sorted(d.fine)).encode())
    return h.hexdigest()[:16]


def train(
    data_dir: str | Path,
    out: str | Path,
    cfg: TrainConfig | None = None,
    *,
    encoder: Encoder | None = None,
    log: Any = print,
) -> dict[str, Any]:
    """Train, evaluate on the held-out documents, write the classifier; return its record."""
    cfg = cfg or TrainConfig()
    encoder = encoder or load_encoder()
    docs = read_documents(data_dir, cfg.languages)
    log(f"read {len(docs)} documents ({', '.join(cfg.languages)})")
    embed(docs, encoder)
    rng = random.Random(cfg.seed)
    order = sorted(docs, key=lambda d: d.id)
    rng.shuffle(order)
    n_val = max(1, round(len(order) * cfg.val_share))
    val, tr = sorted(order[:n_val], key=lambda d: d.id), sorted(order[n_val:], key=lambda d: d.id)
    labels = _train_labels(tr, cfg)
    log(
        f"split: {len(tr)} train / {len(val)} validation documents (seed {cfg.seed}); "
        f"{len(labels['coarse'])} narratives, {len(labels['fine'])} sub-narratives"
    )
    C, thresholds, cv = _tune(tr, labels, cfg)
    log(
        f"cross-validation: C={C}, thresholds {thresholds}, "
        f"fine samples F1 {cv['cv_fine_samples_f1']:.4f}"
    )
    weights = _fit_all(tr, labels, C)
    clf = _classifier(labels, weights, thresholds)
    pc, pf = _predict(clf, val)
    metrics = {
        "validation": {
            "coarse": score({d.id: d.coarse for d in val}, pc),
            "fine": score({d.id: d.fine for d in val}, pf),
        },
        "baseline_all_other": {
            "coarse": score({d.id: d.coarse for d in val}, {d.id: {OTHER} for d in val}),
            "fine": score({d.id: d.fine for d in val}, {d.id: {OTHER} for d in val}),
        },
        "cross_validation": cv,
    }
    meta = {
        "format": FORMAT,
        "name": Path(out).name,
        "task": "SemEval-2025 Task 10 subtask 2 (narrative classification)",
        "encoder": encoder.id,
        "labels": labels,
        "thresholds": thresholds,
        "features": "mean of L2-normalised sentence embeddings, L2-normalised",
        "model": f"one-vs-rest logistic regression, C={C}, balanced class weights",
        "config": asdict(cfg),
        "data": {
            "dir": str(Path(data_dir).resolve()),
            "train_documents": len(tr),
            "validation_documents": len(val),
            "train_sha256": _hash_docs(tr),
            "validation_sha256": _hash_docs(val),
            "validation_ids": [d.id for d in val],
        },
        "metrics": metrics,
        "trained": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "parents": {lab: parent(lab) for lab in labels["fine"]},
    }
    outp = Path(out)
    outp.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        outp / "weights.npz",
        W_coarse=weights["coarse"][0].astype(np.float16),
        b_coarse=weights["coarse"][1],
        W_fine=weights["fine"][0].astype(np.float16),
        b_fine=weights["fine"][1],
    )
    (outp / "model.json").write_text(
        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    log(
        f"validation ({len(val)} docs): narratives samples F1 "
        f"{metrics['validation']['coarse']['samples_f1']:.4f}, sub-narratives samples F1 "
        f"{metrics['validation']['fine']['samples_f1']:.4f}; wrote {outp}"
    )
    return meta


def evaluate(
    model_dir: str | Path,
    data_dir: str | Path,
    *,
    languages: tuple[str, ...] = ("EN",),
    only_validation: bool = True,
    encoder: Encoder | None = None,
) -> dict[str, Any]:
    """Score a trained classifier on its held-out documents (or on every document)."""
    clf = NarrativeClassifier(model_dir)
    encoder = encoder or load_encoder()
    clf.check_encoder(encoder.id)
    docs = read_documents(data_dir, languages)
    if only_validation:
        keep = set(clf.meta.get("data", {}).get("validation_ids", []))
        docs = [d for d in docs if d.id in keep]
    embed(docs, encoder)
    pc, pf = _predict(clf, docs)
    return {
        "documents": len(docs),
        "coarse": score({d.id: d.coarse for d in docs}, pc),
        "fine": score({d.id: d.fine for d in docs}, pf),
    }
