"""Extra labelled training documents from other corpora (``unspin.training.data.load_extra``):
the SemEval-2021 Task 6 memes and the NLP4IF-2019 PTC articles PTC SemEval-2020 does not have,
mapped onto the 14 techniques. Miniature corpora written here; no torch needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from unspin.errors import FormatError
from unspin.training.config import TrainConfig
from unspin.training.data import encode_docs, load_extra


def _memes(root: Path) -> Path:
    data = root / "semeval2021" / "data"
    data.mkdir(parents=True)
    train = [
        {  # two overlapping spans: SI gets their union, TC keeps both
            "id": "1",
            "text": "THEY ARE TRAITORS\n\nand cowards",
            "labels": [
                {"start": 9, "end": 17, "technique": "Name calling/Labeling", "text_fragment": ""},
                {"start": 0, "end": 17, "technique": "Loaded Language", "text_fragment": ""},
            ],
        },
        {  # a technique without a 2020 counterpart: left out whole
            "id": "2",
            "text": "He lied about everything.",
            "labels": [{"start": 0, "end": 25, "technique": "Smears", "text_fragment": ""}],
        },
        {"id": "3", "text": "Lunch at noon.", "labels": []},  # plain: kept as a negative
    ]
    dev = [
        {
            "id": "4",
            "text": "What about your own wars?",
            "labels": [{"start": 0, "end": 25, "technique": "Whataboutism", "text_fragment": ""}],
        }
    ]
    (data / "training_set_task2.txt").write_text(json.dumps(train), encoding="utf-8")
    (data / "dev_set_task2.txt").write_text(json.dumps(dev), encoding="utf-8")
    return data.parent


def test_memes_are_mapped_onto_the_14_and_unmappable_ones_left_out(tmp_path: Path) -> None:
    docs, record = load_extra(_memes(tmp_path), set(), log=lambda *a: None)
    by_id = {d.id: d for d in docs}
    assert sorted(by_id) == ["meme-1", "meme-3", "meme-4"]
    one = by_id["meme-1"]
    assert one.si == [(0, 17)]
    assert sorted(one.tc) == [(0, 17, "Loaded_Language"), (9, 17, "Name_Calling,Labeling")]
    assert one.text[9:17] == "TRAITORS"
    assert by_id["meme-3"].si == [] and by_id["meme-3"].tc == []
    assert by_id["meme-4"].tc == [(0, 25, "Whataboutism,Straw_Men,Red_Herring")]
    assert record["kind"] == "semeval2021-task6"
    assert (record["documents"], record["spans"]) == (3, 3)
    assert record["left_out"] == {"a span of Smears, which has no SemEval-2020 counterpart": 1}
    assert set(record["files_sha256"]) == {"data/training_set_task2.txt", "data/dev_set_task2.txt"}  # type: ignore[arg-type]


def test_extra_documents_become_token_targets_at_their_offsets(tmp_path: Path) -> None:
    from unspin.model import load_tokenizer
    from unspin.training.data import LABEL_INDEX

    docs, _ = load_extra(_memes(tmp_path), set(), log=lambda *a: None)
    one = next(d for d in docs if d.id == "meme-1")
    tok = load_tokenizer(Path("src/unspin/data/models/default/tokenizer.json"))
    wins, enc = encode_docs([one], tok, 32, 8, 101, 102)
    offs, lab = enc[0]["offsets"], wins[0].token_labels[1:-1]
    inside = (offs[:, 0] >= 0) & (offs[:, 1] <= 17)
    assert lab[inside, 0].all() and not lab[~inside, 0].any()
    name = 1 + LABEL_INDEX["Name_Calling,Labeling"]
    assert (lab[:, name] == (offs[:, 0] >= 9) & (offs[:, 1] <= 17)).all()


def _nlp4if(root: Path) -> Path:
    ds = root / "ptc-nlp4if2019" / "datasets-v2" / "datasets"
    (ds / "train-articles").mkdir(parents=True)
    (ds / "train-labels-FLC").mkdir()
    texts = {
        "111": "Already a PTC article.\n",
        "222": "A new article.\n\nThe traitors and their cronies ran.\n",
        "333": "Vague words, on purpose.\n",
    }
    labels = {
        "111": [("Loaded_Language", 0, 7)],
        "222": [("Name_Calling,Labeling", 20, 28), ("Straw_Men", 16, 50)],
        "333": [("Obfuscation,Intentional_Vagueness,Confusion", 0, 11)],
    }
    for did, text in texts.items():
        (ds / "train-articles" / f"article{did}.txt").write_text(text, encoding="utf-8")
        rows = "".join(f"{did}\t{t}\t{s}\t{e}\n" for t, s, e in labels[did])
        (ds / "train-labels-FLC" / f"article{did}.task-FLC.labels").write_text(rows)
    return root / "ptc-nlp4if2019"


def test_nlp4if_adds_only_articles_ptc_does_not_have(tmp_path: Path) -> None:
    docs, record = load_extra(_nlp4if(tmp_path), {"111"}, log=lambda *a: None)
    assert [d.id for d in docs] == ["nlp4if-222"]
    d = docs[0]
    assert d.text[20:28] == "traitors"
    assert d.text[16:50] == "The traitors and their cronies ran"
    assert sorted(d.tc) == [
        (16, 50, "Whataboutism,Straw_Men,Red_Herring"),
        (20, 28, "Name_Calling,Labeling"),
    ]
    assert d.si == [(16, 50)]
    assert record["left_out"] == {
        "a PTC SemEval-2020 article": 1,
        "a span of Obfuscation,Intentional_Vagueness,Confusion, which has no SemEval-2020 "
        "counterpart": 1,
    }


def test_a_folder_that_is_no_extra_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError) as err:
        load_extra(tmp_path, set(), log=lambda *a: None)
    assert "SemEval-2021 Task 6" in str(err.value) and "NLP4IF-2019" in str(err.value)


def test_extra_is_a_config_key() -> None:
    cfg = TrainConfig.from_dict({"extra": ["../semeval2021-task6"]})
    assert cfg.extra == ["../semeval2021-task6"]
    assert TrainConfig().extra == []


def test_the_shipped_model_card_is_rendered_from_its_model_json() -> None:
    """The card in the package and docs/model-card.md say what model.json records."""
    from unspin.training.card import _join, render_card

    default = Path(__file__).parents[1] / "src/unspin/data/models/default"
    meta = json.loads((default / "model.json").read_text())
    card = render_card(meta)
    assert (default / "README.md").read_text(encoding="utf-8") == card
    docs = Path(__file__).parents[1] / "docs/model-card.md"
    assert docs.read_text(encoding="utf-8") == card
    assert meta["version"] in card.splitlines()[0]
    assert [_join(list(x)) for x in ("a", "ab", "abc")] == ["a", "a and b", "a, b and c"]
