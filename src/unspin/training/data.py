"""Training data: PTC articles and gold spans → tokenised, windowed examples.

Data preparation is deterministic: the validation split is a seeded shuffle of article ids
(held out by article), and every file read is hashed into the model card.
"""

from __future__ import annotations

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from unspin.errors import FormatError
from unspin.labels import LABELS, check_label
from unspin.offsets import windows
from unspin.types import merge_spans

LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}


@dataclass
class Doc:
    id: str
    text: str
    si: list[tuple[int, int]] = field(default_factory=list)
    tc: list[tuple[int, int, str]] = field(default_factory=list)
    # self-training (unspin.training.distill): a teacher's token probabilities
    # (offsets [n, 2], probs [n, 15]) and its spans with technique distributions
    soft_tokens: tuple[np.ndarray, np.ndarray] | None = None
    soft_spans: list[tuple[int, int, np.ndarray]] = field(default_factory=list)
    # distillation on a gold article: the teacher's token probabilities (offsets, probs),
    # mixed into the gold token targets with ``teacher_weight``
    teacher_tokens: tuple[np.ndarray, np.ndarray] | None = None
    teacher_weight: float = 0.0


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_ptc(root: Path) -> tuple[list[Doc], dict[str, str]]:
    """Load the PTC (SemEval-2020 Task 11) training articles and gold from ``root``.

    ``root`` is the folder holding ``train-articles/``, ``train-task-si.labels`` and
    ``train-task-flc-tc.labels``. Returns the documents and ``{file: sha256}`` of the inputs.
    """
    arts = root / "train-articles"
    si_file = root / "train-task-si.labels"
    tc_file = root / "train-task-flc-tc.labels"
    for p in (arts, si_file, tc_file):
        if not p.exists():
            raise FormatError(
                f"{p} not found",
                expected="the PTC SemEval-2020 layout "
                "(train-articles/, train-task-si.labels, train-task-flc-tc.labels)",
                found="no such path",
            )
    docs: dict[str, Doc] = {}
    for f in sorted(arts.glob("article*.txt")):
        did = f.stem.removeprefix("article")
        docs[did] = Doc(did, _read(f))
    for line in si_file.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        did, s, e = line.split("\t")
        docs[did].si.append((int(s), int(e)))
    for n, line in enumerate(tc_file.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        did, lab, s, e = line.split("\t")
        check_label(lab, location=f"{tc_file}:{n}")
        docs[did].tc.append((int(s), int(e), lab))
    hashes = {str(p.relative_to(root)): file_sha256(p) for p in (si_file, tc_file)}
    h = hashlib.sha256()
    for f in sorted(arts.glob("article*.txt")):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    hashes["train-articles/"] = h.hexdigest()
    return list(docs.values()), hashes


def split(
    docs: list[Doc], val_fraction: float, seed: int, fold: int = 0
) -> tuple[list[Doc], list[Doc]]:
    """Hold out ``val_fraction`` of the articles (by article id, seeded); 0 holds out none.

    ``fold`` k holds out the k-th block of the same seeded order, so folds 0, 1, … of one seed
    and fraction are disjoint (cross-validation); fold 0 is the plain split."""
    if val_fraction <= 0:
        return list(docs), []
    ids = sorted(d.id for d in docs)
    random.Random(seed).shuffle(ids)
    n_val = max(1, round(len(ids) * val_fraction))
    if not 0 <= fold < len(ids) // n_val:
        raise FormatError(
            "fold out of range",
            expected=f"0..{len(ids) // n_val - 1} ({len(ids)} articles, {n_val} per fold)",
            found=str(fold),
        )
    val = set(ids[fold * n_val : (fold + 1) * n_val])
    return [d for d in docs if d.id not in val], [d for d in docs if d.id in val]


@dataclass
class Window:
    doc: int  # index into the doc list
    ids: np.ndarray  # [T] with [CLS] ... [SEP]
    token_labels: np.ndarray  # [T, 1 + 14] float (0: inside any SI span; 1..14: per technique)
    spans: list[tuple[int, int]]  # token ranges [a, b) within ids (CLS-shifted)
    span_labels: np.ndarray  # [S, 14] multi-hot
    span_feats: np.ndarray  # [S, F]
    soft: bool = False  # token labels are a teacher's probabilities (self-training)


def encode_docs(
    docs: list[Doc], tokenizer, size: int, overlap: int, cls_id: int, sep_id: int
) -> tuple[list[Window], list[dict]]:
    """Tokenise documents and cut them into windows of ``size`` tokens (with CLS and SEP)."""
    from unspin.decode import span_features, token_range

    out: list[Window] = []
    encoded: list[dict] = []
    for di, d in enumerate(docs):
        enc = tokenizer.encode(d.text, add_special_tokens=False)
        ids = np.array(enc.ids, dtype=np.int64)
        offs = np.array(enc.offsets, dtype=np.int64).reshape(-1, 2)
        n = len(ids)
        targets: dict[tuple[int, int], np.ndarray] = {}  # span -> technique target row
        if d.soft_tokens is not None:
            from unspin.training.distill import align_soft

            lab = align_soft(offs, d.soft_tokens)
            for s, e, dist in d.soft_spans:
                targets[(s, e)] = np.asarray(dist, dtype=np.float32)
        else:
            lab = np.zeros((n, 1 + len(LABELS)), dtype=np.float32)
            for s, e in d.si:
                a, b = token_range(offs, s, e) if n else (0, 0)
                lab[a:b, 0] = 1.0
            for s, e, name in d.tc:
                a, b = token_range(offs, s, e) if n else (0, 0)
                lab[a:b, 1 + LABEL_INDEX[name]] = 1.0
                row = targets.setdefault((s, e), np.zeros(len(LABELS), dtype=np.float32))
                row[LABEL_INDEX[name]] = 1.0
            if d.teacher_tokens is not None and d.teacher_weight:
                from unspin.training.distill import align_soft

                w = d.teacher_weight
                lab = (1 - w) * lab + w * align_soft(offs, d.teacher_tokens)
        gspans = sorted(targets)
        feats = span_features(d.text, gspans) if gspans else np.zeros((0, 5), np.float32)
        tok_spans = [token_range(offs, s, e) for s, e in gspans] if n else []
        encoded.append({"ids": ids, "offsets": offs})
        for ws, we in windows(n, size - 2, overlap):
            w_spans, w_lab, w_feat = [], [], []
            for k, (a, b) in enumerate(tok_spans):
                if a >= ws and b <= we:
                    w_spans.append((a - ws + 1, b - ws + 1))
                    w_lab.append(targets[gspans[k]])
                    w_feat.append(feats[k])
            tl = np.zeros((we - ws + 2, 1 + len(LABELS)), dtype=np.float32)
            tl[1:-1] = lab[ws:we]
            out.append(
                Window(
                    doc=di,
                    ids=np.concatenate([[cls_id], ids[ws:we], [sep_id]]).astype(np.int64),
                    token_labels=tl,
                    spans=w_spans,
                    span_labels=np.array(w_lab, dtype=np.float32).reshape(-1, len(LABELS)),
                    span_feats=np.array(w_feat, dtype=np.float32).reshape(-1, 5),
                    soft=d.soft_tokens is not None,
                )
            )
    return out, encoded


def _mapped_doc(
    did: str, text: str, spans: list[tuple[int, int, str]], inventory: str
) -> Doc | str:
    """A training document from spans labelled in another inventory, mapped onto the 14; the
    reason to leave it out when one of its spans has no counterpart (its text would teach
    that a persuasive fragment is plain) or lies outside the text."""
    from unspin.labels import map_label

    tc: list[tuple[int, int, str]] = []
    for s, e, name in spans:
        target = map_label(name, inventory)
        if target is None:
            return f"a span of {name}, which has no SemEval-2020 counterpart"
        if not 0 <= s < e <= len(text):
            return "a span outside its text"
        tc.append((s, e, target))
    return Doc(did, text, si=merge_spans([(s, e) for s, e, _ in tc]), tc=tc)


def load_extra(  # type: ignore[no-untyped-def]
    folder: Path, exclude: set[str], log=print
) -> tuple[list[Doc], dict[str, object]]:
    """Extra labelled training documents from another corpus, mapped onto the 14 techniques
    (docs/labels.md), and a record of what was read, kept and left out.

    ``folder`` is the SemEval-2021 Task 6 folder (memes: the span gold of subtask 2, train and
    dev) or the NLP4IF-2019 PTC folder (``datasets-v2``: only its articles that are not in
    ``exclude``, the ids of the PTC SemEval-2020 articles, since the others are PTC training
    articles annotated again, or PTC dev articles). A document with a span of a technique that
    has no counterpart among the 14 is left out whole. Extra documents only ever train: they
    are never validation articles.
    """
    docs: list[Doc] = []
    skipped: Counter[str] = Counter()
    files: dict[str, str] = {}
    memes = folder / "data" / "training_set_task2.txt"
    nlp4if = folder / "datasets-v2" / "datasets"
    if memes.is_file():
        from unspin.formats.semeval2021 import read_memes

        kind, inventory = "semeval2021-task6", "semeval2021"
        for name in ("training_set_task2.txt", "dev_set_task2.txt"):
            path = folder / "data" / name
            if not path.is_file():
                continue
            files[f"data/{name}"] = file_sha256(path)
            for m in read_memes(path):
                spans = [(a.start, a.end, a.technique or "") for a in m.spans]
                got = _mapped_doc(f"meme-{m.id}", m.text or "", spans, inventory)
                if isinstance(got, str):
                    skipped[got] += 1
                elif got.text.strip():
                    docs.append(got)
    elif (nlp4if / "train-articles").is_dir():
        from unspin.formats.semeval2020 import read_tc

        kind, inventory = "nlp4if2019", "nlp4if2019"
        for f in sorted((nlp4if / "train-articles").glob("article*.txt")):
            did = f.stem.removeprefix("article")
            if did in exclude:
                skipped["a PTC SemEval-2020 article"] += 1
                continue
            labels = nlp4if / "train-labels-FLC" / f"article{did}.task-FLC.labels"
            if not labels.is_file():
                skipped["no label file"] += 1
                continue
            text = _read(f)
            files[f"article{did}"] = file_sha256(f)
            files[labels.name] = file_sha256(labels)
            anns = read_tc(labels, inventory=inventory)
            spans = [(a.start, a.end, a.technique or "") for a in anns]
            got = _mapped_doc(f"nlp4if-{did}", text, spans, inventory)
            if isinstance(got, str):
                skipped[got] += 1
            else:
                docs.append(got)
    else:
        raise FormatError(
            f"{folder}: not an extra training corpus",
            expected="the SemEval-2021 Task 6 folder (data/training_set_task2.txt) or the "
            "NLP4IF-2019 PTC folder (datasets-v2/datasets/train-articles/)",
            found="neither",
        )
    n_spans = sum(len(d.tc) for d in docs)
    left = "; ".join(f"{n}: {why}" for why, n in sorted(skipped.items()))
    log(
        f"extra training data {folder} ({kind}): {len(docs)} documents, {n_spans} spans"
        + (f"; left out: {left}" if left else "")
    )
    record = {
        "folder": str(folder),
        "kind": kind,
        "documents": len(docs),
        "spans": n_spans,
        "left_out": dict(skipped),
        "files_sha256": files,
    }
    return docs, record
