"""Train the technique model: ``unspin train CONFIG --data PATH [--out DIR] [--resume]``.

Run book
--------
1. ``unspin train configs/default.toml --data ../shared/data/ptc-semeval2020 --out runs/minilm``
   trains on the PTC training articles minus a seeded validation split (by article), keeps the
   best epoch by validation SI F1 + TC accuracy, and writes ``runs/minilm/best/``.
   Checkpoints go to ``runs/minilm/last/`` every ``checkpoint_every`` steps and at each epoch
   end; ``--resume`` continues from there (same config required).
2. ``unspin export runs/minilm/best -o src/unspin/data/models/default --data ...`` exports
   ONNX, quantises it, tunes thresholds on the validation split, and writes the model card.

Everything that shapes the result is in the config (seeded), and the checkpoint records the
config, the data file hashes, the label set, the split and the validation metrics.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from unspin.labels import LABELS
from unspin.training.config import TrainConfig, encoder_path, special_ids
from unspin.training.data import Doc, Window, encode_docs, load_extra, load_ptc, split


def training_device(name: str):  # type: ignore[no-untyped-def]
    """The torch device for config value ``name`` ("auto" takes a CUDA GPU when there is one)."""
    import torch

    if name == "cuda" and not torch.cuda.is_available():
        from unspin.errors import UnspinError

        raise UnspinError(
            "device = cuda, but torch sees no CUDA GPU",
            hint='use device = "auto" or "cpu"',
        )
    use_cuda = name == "cuda" or (name == "auto" and torch.cuda.is_available())
    return torch.device("cuda" if use_cuda else "cpu")


def _seed_all(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def _batches(wins: list[Window], batch_size: int, rng: random.Random) -> list[list[int]]:
    order = list(range(len(wins)))
    rng.shuffle(order)
    # bucket by length inside chunks of 50 batches so padding stays small
    out: list[list[int]] = []
    span = batch_size * 50
    for i in range(0, len(order), span):
        part = sorted(order[i : i + span], key=lambda k: len(wins[k].ids))
        out.extend(part[j : j + batch_size] for j in range(0, len(part), batch_size))
    rng.shuffle(out)
    return out


def _collate(wins: list[Window], idx: list[int], pad_id: int = 0) -> dict[str, Any]:
    import torch

    T = max(len(wins[k].ids) for k in idx)
    B = len(idx)
    ids = torch.full((B, T), pad_id, dtype=torch.long)
    mask = torch.zeros((B, T), dtype=torch.long)
    lab = torch.zeros((B, T, 1 + len(LABELS)))
    rows, starts, ends, slab, sfeat = [], [], [], [], []
    for r, k in enumerate(idx):
        w = wins[k]
        n = len(w.ids)
        ids[r, :n] = torch.from_numpy(w.ids)
        mask[r, :n] = 1
        lab[r, :n] = torch.from_numpy(w.token_labels)
        for (a, b), y, f in zip(w.spans, w.span_labels, w.span_feats, strict=True):
            rows.append(r)
            starts.append(a)
            ends.append(b)
            slab.append(y)
            sfeat.append(f)
    return {
        "ids": ids,
        "mask": mask,
        "labels": lab,
        "rows": torch.tensor(rows, dtype=torch.long),
        "starts": torch.tensor(starts, dtype=torch.long),
        "ends": torch.tensor(ends, dtype=torch.long),
        "span_labels": torch.tensor(np.array(slab), dtype=torch.float32).reshape(-1, len(LABELS)),
        "span_feats": torch.tensor(np.array(sfeat), dtype=torch.float32).reshape(-1, 5),
        "soft": torch.tensor([wins[k].soft for k in idx], dtype=torch.bool),
    }


def class_weights(docs: list[Doc], power: float) -> np.ndarray:
    counts = np.ones(len(LABELS))
    for d in docs:
        for _, _, name in d.tc:
            counts[LABELS.index(name)] += 1
    return (counts.max() / counts) ** power


def bf16_available(dev) -> bool:  # type: ignore[no-untyped-def]
    """Whether bf16 autocast pays on ``dev`` (a CUDA GPU, or a CPU with avx512_bf16)."""
    import torch

    return bool(dev.type == "cuda" or torch.cpu._is_avx512_bf16_supported())  # type: ignore[attr-defined]


def torch_backend(model, bf16: bool = False):  # type: ignore[no-untyped-def]
    """``(ids, mask) -> (probs, hidden)`` in torch; ``bf16`` runs under bf16 autocast (a large
    teacher labelling texts), else fp32 (validation during training)."""
    import torch

    dev = next(model.parameters()).device

    def run(ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        with (
            torch.inference_mode(),
            torch.autocast(dev.type, dtype=torch.bfloat16, enabled=bf16),
        ):
            logits, h = model(torch.from_numpy(ids).to(dev), torch.from_numpy(mask).to(dev))
            return torch.sigmoid(logits.float()).cpu().numpy(), h.float().cpu().numpy()

    return run


def head_arrays(model) -> dict[str, np.ndarray]:  # type: ignore[no-untyped-def]
    return {
        "w1": model.span_fc1.weight.detach().float().cpu().numpy().T.copy(),
        "b1": model.span_fc1.bias.detach().float().cpu().numpy().copy(),
        "w2": model.span_fc2.weight.detach().float().cpu().numpy().T.copy(),
        "b2": model.span_fc2.bias.detach().float().cpu().numpy().copy(),
    }


def runtime_model(model, tokenizer, meta: dict[str, Any], bf16: bool = False):  # type: ignore[no-untyped-def]
    from unspin.model import TechniqueModel

    model.eval()
    return TechniqueModel(torch_backend(model, bf16), tokenizer, head_arrays(model), meta)


def save_checkpoint(
    dirpath: Path, model, optimizer, scheduler, state: dict[str, Any], meta: dict[str, Any]
) -> None:  # type: ignore[no-untyped-def]
    import torch
    from safetensors.torch import save_file

    tmp = dirpath.with_name(dirpath.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    save_file(
        {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()},
        str(tmp / "model.safetensors"),
    )
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "torch_rng": torch.get_rng_state(),
        },
        tmp / "trainer.pt",
    )
    (tmp / "state.json").write_text(json.dumps(state, indent=2))
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    if dirpath.exists():
        import shutil

        shutil.rmtree(dirpath)
    tmp.rename(dirpath)  # atomic: a crash leaves the previous checkpoint intact


def load_weights(model, path: Path) -> None:  # type: ignore[no-untyped-def]
    from safetensors.torch import load_file

    model.load_state_dict(load_file(str(path / "model.safetensors")))


def load_checkpoint(path: Path):  # type: ignore[no-untyped-def]
    """The model of a training checkpoint (its weights in the architecture its config names,
    on the CPU) and the checkpoint's meta.json."""
    from unspin.training.model import build

    meta = json.loads((Path(path) / "meta.json").read_text())
    cfg = TrainConfig.from_dict(meta["training"]["config"])
    model = build(encoder_path(cfg.encoder), len(LABELS), cfg.span_hidden, cfg.dropout)
    load_weights(model, Path(path))
    return model, meta


def init_weights(model, cfg: TrainConfig, val_docs: list[Doc], log=print) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Load the weights of ``cfg.init_from`` (a training checkpoint) into ``model``, after
    checking that it has the same encoder and architecture and never trained on ``val_docs``;
    returns a provenance record (path, sha256 of its weights, its epochs)."""
    from unspin.errors import FormatError
    from unspin.model import sha256_file

    path = Path(cfg.init_from)
    if not (path / "meta.json").is_file() or not (path / "model.safetensors").is_file():
        raise FormatError(
            f"{path}: init_from is not a training checkpoint",
            expected="a directory with meta.json and model.safetensors (e.g. runs/NAME/best)",
            found="no such directory" if not path.is_dir() else "no meta.json/model.safetensors",
        )
    prev = json.loads((path / "meta.json").read_text())
    pcfg = TrainConfig.from_dict(prev["training"]["config"])
    same = ("encoder", "span_hidden", "window")
    if any(getattr(pcfg, k) != getattr(cfg, k) for k in same):
        raise FormatError(
            f"{path}: init_from was trained with another model shape",
            expected=", ".join(f"{k} = {getattr(cfg, k)!r}" for k in same),
            found=", ".join(f"{k} = {getattr(pcfg, k)!r}" for k in same),
        )
    seen_val = set(prev["training"].get("validation_articles") or [])
    leaked = sorted(d.id for d in val_docs if d.id not in seen_val)
    if leaked:
        raise FormatError(
            f"{path}: init_from trained on {len(leaked)} of this run's validation articles",
            expected="a checkpoint that held out this run's validation articles (same fold)",
            found="articles " + ", ".join(leaked[:5]) + (" …" if len(leaked) > 5 else ""),
        )
    load_weights(model, path)
    state = json.loads((path / "state.json").read_text()) if (path / "state.json").is_file() else {}
    log(f"starting from {path} ({state.get('epoch', '?')} epochs)")
    return {
        "path": str(path),
        "sha256": sha256_file(path / "model.safetensors"),
        "epochs": state.get("epoch"),
        "config": prev["training"]["config"],
    }


def base_meta(cfg: TrainConfig, tokenizer) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    cls_id, sep_id, pad_id = special_ids(tokenizer)
    return {
        "format": "unspin.model/1",
        "name": cfg.name,
        "version": cfg.version,
        "labels": list(LABELS),
        "window": cfg.window,
        "overlap": cfg.overlap,
        "cls_id": cls_id,
        "sep_id": sep_id,
        "pad_id": pad_id,
    }


def data_path(data: Path, folder: str) -> Path:
    """A config's folder: absolute, or relative to the ``--data`` folder."""
    p = Path(folder)
    return p if p.is_absolute() else Path(data) / p


def teacher_docs(  # type: ignore[no-untyped-def]
    cfg: TrainConfig, data: Path, docs: list[Doc], train_docs: list[Doc], val_docs: list[Doc], log
):
    """The config's unlabelled articles with the teacher's soft labels (never a labelled
    article; an error if the teacher trained on one of this run's validation articles), and,
    with ``teacher_gold``, the teacher's token probabilities on ``train_docs`` (in place)."""
    from unspin.training.distill import soft_docs, teacher_meta

    teacher = cfg.teacher
    seen_val = set(teacher_meta(teacher).get("training", {}).get("validation_articles") or [])
    leaked = sorted({d.id for d in val_docs} - seen_val)
    if leaked:
        from unspin.errors import UnspinError

        raise UnspinError(
            f"the teacher trained on {len(leaked)} of this run's validation articles "
            f"(e.g. {leaked[0]}): its labels would leak them into validation",
            hint="use a teacher validated on the same split (same seed and val_fraction)",
        )
    folders = [data_path(data, p) for p in cfg.unlabelled]
    return soft_docs(
        teacher,
        folders,
        exclude={d.id for d in docs},
        log=log,
        data=data,
        gold=train_docs,
        gold_weight=cfg.teacher_gold,
    )


def train(cfg: TrainConfig, data: Path, out: Path, *, resume: bool = False, log=print) -> Path:  # type: ignore[no-untyped-def]
    """Train and return the directory of the best checkpoint."""
    import torch
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from unspin.model import load_tokenizer
    from unspin.training.evaluate import validate
    from unspin.training.model import build

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    _seed_all(cfg.seed)
    enc_dir = encoder_path(cfg.encoder)
    tokenizer = load_tokenizer(Path(enc_dir) / "tokenizer.json")
    docs, hashes = load_ptc(data)
    if cfg.max_docs:
        docs = sorted(docs, key=lambda d: d.id)[: cfg.max_docs]
    train_docs, val_docs = split(docs, cfg.val_fraction, cfg.seed, cfg.fold)
    meta = base_meta(cfg, tokenizer)
    meta["training"] = {
        "config": cfg.to_dict(),
        "data": str(data),
        "data_sha256": hashes,
        "train_articles": len(train_docs),
        "validation_articles": sorted(d.id for d in val_docs),
        "encoder": cfg.encoder,
    }
    if cfg.unlabelled or cfg.teacher_gold:
        extra, meta["training"]["self_training"] = teacher_docs(
            cfg, data, docs, train_docs, val_docs, log
        )
        train_docs = train_docs + extra
    if cfg.extra:
        ptc_ids = {d.id for d in docs} | {
            f.stem.removeprefix("article")
            for sub in ("dev-articles", "test-articles")
            for f in (Path(data) / sub).glob("article*.txt")
        }
        meta["training"]["extra"] = []
        for folder in cfg.extra:
            more, record = load_extra(data_path(data, folder), ptc_ids, log)
            if cfg.max_docs:
                more = more[: cfg.max_docs]
                record.update(documents=len(more), spans=sum(len(d.tc) for d in more))
            train_docs = train_docs + more
            meta["training"]["extra"].append(record)
    wins, _ = encode_docs(
        train_docs, tokenizer, cfg.window, cfg.overlap, meta["cls_id"], meta["sep_id"]
    )
    log(
        f"{len(train_docs)} training / {len(val_docs)} validation articles; "
        f"{len(wins)} windows of <= {cfg.window} tokens"
    )

    dev = training_device(cfg.device)
    model = build(enc_dir, len(LABELS), cfg.span_hidden, cfg.dropout)
    if cfg.init_from:
        meta["training"]["init_from"] = init_weights(model, cfg, val_docs, log)
    model.to(dev)
    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.")]
    optimizer = torch.optim.AdamW(
        [{"params": enc_params, "lr": cfg.lr}, {"params": head_params, "lr": cfg.head_lr}],
        weight_decay=cfg.weight_decay,
    )
    steps_per_epoch = math.ceil(len(wins) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    warm = max(1, int(cfg.warmup * total))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (total - s) / max(1, total - warm))
    )
    cw = torch.tensor(
        class_weights(train_docs, cfg.class_weight_power), dtype=torch.float32, device=dev
    )
    pos_w = torch.tensor(cfg.si_pos_weight, device=dev)

    state: dict[str, Any] = {"epoch": 0, "step": 0, "best": -1.0, "history": []}
    last, best = out / "last", out / "best"
    if resume and (last / "state.json").exists():
        prev = json.loads((last / "meta.json").read_text())
        # a checkpoint written before a config key existed has that key's default
        if TrainConfig.from_dict(prev["training"]["config"]).to_dict() != cfg.to_dict():
            from unspin.errors import UnspinError

            raise UnspinError(
                "cannot resume: the config differs from the checkpoint's",
                hint=f"use the config saved in {last}/meta.json or start afresh",
            )
        load_weights(model, last)
        ck = torch.load(last / "trainer.pt", weights_only=False)
        optimizer.load_state_dict(ck["optimizer"])
        scheduler.load_state_dict(ck["scheduler"])
        torch.set_rng_state(ck["torch_rng"])
        state = json.loads((last / "state.json").read_text())
        log(f"resuming at epoch {state['epoch']} step {state['step']}")

    autocast = cfg.bf16 and bf16_available(dev)
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    t_start, step0 = time.time(), state["step"]
    with progress:
        task = progress.add_task("training", total=total, completed=state["step"], loss=0.0)
        for epoch in range(state["epoch"], cfg.epochs):
            rng = random.Random(cfg.seed * 1000 + epoch)
            batches = _batches(wins, cfg.batch_size, rng)
            done_in_epoch = state["step"] - epoch * steps_per_epoch
            model.train()
            t0, ema = time.time(), None
            for bi, idx in enumerate(batches):
                if bi < done_in_epoch:
                    continue  # resumed mid-epoch: same seeded order, skip what was done
                b = {k: v.to(dev) for k, v in _collate(wins, idx, meta["pad_id"]).items()}
                with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=autocast):
                    logits, h = model(b["ids"], b["mask"])
                    logits = logits.float()
                    m = b["mask"].unsqueeze(-1).float()
                    bce = torch.nn.functional.binary_cross_entropy_with_logits
                    l_si = (
                        bce(
                            logits[..., :1],
                            b["labels"][..., :1],
                            # a teacher's probabilities already carry its positive
                            # weight: the student matches them (weight 1) on soft windows
                            pos_weight=torch.where(b["soft"], 1.0, pos_w).view(-1, 1, 1),
                            reduction="none",
                        )
                        * m
                    ).sum() / m.sum()
                    l_aux = (
                        bce(logits[..., 1:], b["labels"][..., 1:], reduction="none") * m
                    ).sum() / (m.sum() * len(LABELS))
                    loss = l_si + cfg.aux_weight * l_aux
                    if len(b["rows"]):
                        sl = model.span_logits(
                            h.float(), b["rows"], b["starts"], b["ends"], b["span_feats"]
                        ).float()
                        target = b["span_labels"] / b["span_labels"].sum(-1, keepdim=True)
                        per = -(target * torch.log_softmax(sl, -1) * cw).sum(-1)
                        loss = loss + cfg.span_weight * per.mean()
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                state["step"] += 1
                lv = float(loss.detach())
                ema = lv if ema is None else 0.95 * ema + 0.05 * lv
                progress.update(task, advance=1, loss=ema, description=f"epoch {epoch + 1}")
                if not progress.console.is_terminal and state["step"] % 20 == 0:
                    rate = (time.time() - t_start) / max(1, state["step"] - step0)
                    log(
                        f"step {state['step']}/{total} loss {ema:.4f} "
                        f"{rate:.2f} s/step, ETA {(total - state['step']) * rate / 60:.1f} min"
                    )
                if state["step"] % cfg.checkpoint_every == 0:
                    save_checkpoint(last, model, optimizer, scheduler, state, meta)
            state["epoch"] = epoch + 1
            if not val_docs:  # release run: no hold-out, the last epoch is the model
                state["history"].append({"epoch": epoch + 1, "seconds": round(time.time() - t0, 1)})
                progress.console.print(f"epoch {epoch + 1} done (no validation articles)")
                save_checkpoint(best, model, optimizer, scheduler, state, meta)
                save_checkpoint(last, model, optimizer, scheduler, state, meta)
                continue
            metrics = validate(runtime_model(model, tokenizer, meta), val_docs)
            metrics["epoch"] = epoch + 1
            metrics["seconds"] = round(time.time() - t0, 1)
            state["history"].append(metrics)
            progress.console.print(
                f"epoch {epoch + 1}: SI F1 {metrics['si_f1']:.4f} "
                f"(P {metrics['si_precision']:.3f} R {metrics['si_recall']:.3f}) "
                f"TC micro-F1 {metrics['tc_micro_f1']:.4f} ({metrics['seconds']} s)"
            )
            score = metrics["si_f1"] + metrics["tc_micro_f1"]
            meta["validation"] = metrics
            if score > state["best"]:
                state["best"] = score
                save_checkpoint(best, model, optimizer, scheduler, state, meta)
            save_checkpoint(last, model, optimizer, scheduler, state, meta)
    (out / "history.json").write_text(json.dumps(state["history"], indent=2))
    return best
