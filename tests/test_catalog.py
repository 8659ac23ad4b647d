"""Catalogues: import (jsonl, EUvsDisinfo dumps), validation, idempotence, search, CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from unspin.cli.main import main
from unspin.errors import FormatError, InputError
from unspin.narratives.catalog import (
    CatalogEntry,
    CatalogError,
    build_catalog,
    catalogs_dir,
    data_dir,
    import_file,
    list_catalogs,
    open_catalog,
    read_euvsdisinfo,
    read_jsonl,
    rebuild_catalog,
)

FIX = Path(__file__).resolve().parent / "fixtures" / "narratives"


@pytest.fixture(autouse=True)
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UNSPIN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_data_dir_resolution(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert data_dir() == tmp_path / "data"
    monkeypatch.delenv("UNSPIN_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert catalogs_dir() == tmp_path / "xdg" / "unspin" / "catalogs"


def test_read_jsonl_validates_and_reports_file_line() -> None:
    entries, skipped = read_jsonl(FIX / "claims.jsonl")
    assert [e.id for e in entries] == ["c1", "c2", "c3", "c4", "c5", "c6", "7"]
    assert entries[2].tags == ("NGO", "Civil Society")  # comma-separated string accepted
    reasons = {s.location.rsplit(":", 1)[1]: s.reason for s in skipped}
    assert set(reasons) == {"9", "10", "11", "12", "13", "14", "15", "16"}
    assert "empty 'claim'" in reasons["9"]
    assert "'id'" in reasons["10"]
    assert "not valid JSON" in reasons["11"]
    assert "YYYY-MM-DD" in reasons["12"]
    assert "http" in reasons["13"]
    assert "duplicate id 'c1' (first at line 1)" in reasons["14"]
    assert "JSON object" in reasons["15"]
    assert "tags" in reasons["16"]
    assert all(str(s).startswith(str(FIX / "claims.jsonl") + ":") for s in skipped)


def test_import_is_idempotent_and_versioned(tmp_path: Path) -> None:
    cat, rep = import_file("jsonl", FIX / "claims.jsonl", name="mine")
    assert (rep.added, rep.total, rep.embedded, len(rep.skipped)) == (7, 7, 7, 8)
    assert cat.meta["revision"] == 1 and cat.meta["format"] == "unspin.catalog/1"
    src = cat.meta["sources"][0]
    assert src["kind"] == "jsonl" and len(src["files"][0]["sha256"]) == 64
    sha = cat.meta["entries_sha256"]

    cat2, rep2 = import_file("jsonl", FIX / "claims.jsonl", name="mine")
    assert (rep2.added, rep2.updated, rep2.unchanged, rep2.embedded) == (0, 0, 7, 0)
    assert cat2.meta["revision"] == 1 and cat2.meta["entries_sha256"] == sha
    assert len(cat2.meta["sources"]) == 2  # provenance records every import

    changed = tmp_path / "changed.jsonl"
    changed.write_text(
        '{"id": "c1", "claim": "NATO is preparing to attack Russia", "debunk": "new text"}\n'
        '{"id": "c9", "claim": "The moon landing was faked"}\n'
    )
    cat3, rep3 = import_file("jsonl", changed, name="mine")
    assert (rep3.added, rep3.updated, rep3.embedded) == (1, 1, 1)  # same claim: no re-embed
    assert cat3.meta["revision"] == 2 and len(cat3) == 8
    assert open_catalog("mine").entries[0].debunk == "new text"


def test_search_finds_paraphrases_above_threshold() -> None:
    import_file("jsonl", FIX / "claims.jsonl", name="mine")
    cat = open_catalog("mine")
    res = cat.search(
        [
            "The North Atlantic alliance is getting ready to invade Russia.",
            "The council approved four new bus routes.",
        ],
        k=2,
        threshold=0.6,
    )
    assert res[0][0][0].id == "c1" and res[0][0][1] > 0.6
    assert res[1] == []


def test_encoder_mismatch_says_rebuild(data_home: Path) -> None:
    import_file("jsonl", FIX / "claims.jsonl", name="mine")
    meta_file = data_home / "catalogs" / "mine" / "catalog.json"
    meta = json.loads(meta_file.read_text())
    meta["encoder"]["id"] = "other-encoder@000000000000"
    meta_file.write_text(json.dumps(meta))
    with pytest.raises(CatalogError, match="rebuild it: unspin catalog rebuild mine"):
        open_catalog("mine")
    cat = rebuild_catalog("mine")
    assert cat.meta["revision"] == 2 and len(open_catalog("mine")) == 7


def test_missing_and_damaged_catalogues(data_home: Path) -> None:
    with pytest.raises(CatalogError, match="no catalogue 'nope'"):
        open_catalog("nope")
    import_file("jsonl", FIX / "claims.jsonl", name="mine")
    (data_home / "catalogs" / "mine" / "catalog.json").write_text("{not json")
    with pytest.raises(CatalogError, match="damaged"):
        open_catalog("mine")


def test_empty_import_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": 1}\n')
    with pytest.raises(InputError, match="no valid claims"):
        import_file("jsonl", p)
    assert list_catalogs() == []


def test_build_catalog_at_a_path(tmp_path: Path) -> None:
    target = tmp_path / "somewhere" / "claims-x"
    cat = build_catalog(target, [CatalogEntry(id="1", claim="A claim")], source={"kind": "py"})
    assert (target / "catalog.json").is_file() and len(open_catalog(target)) == 1
    assert cat.name == "claims-x"


def test_euvsdisinfo_dumps_merge_and_report_bad_rows(tmp_path: Path) -> None:
    folder = tmp_path / "dump"
    folder.mkdir()
    shutil.copy(FIX / "posts.csv", folder)
    shutil.copy(FIX / "full_dataset_formatted.csv", folder)
    entries, skipped, files = read_euvsdisinfo(folder)
    assert [f.name for f in files] == ["posts.csv", "full_dataset_formatted.csv"]
    by = {e.claim: e for e in entries}
    junta = by["Ukraine is ruled by a junta"]  # same title in both dumps: merged
    assert junta.id.endswith("/ukraine-junta/") and junta.debunk and junta.summary
    assert junta.source_url == "https://outlet-e.example/a"
    assert by['The protests in Belarus are paid for by Western intelligence, "as always"']
    migrants = by["The EU plans to bring millions of migrants"]  # kalkun only
    assert migrants.id.startswith("kalkun-") and migrants.date == "2016-02-28"
    assert len(entries) == 5
    where = sorted((Path(s.location).name, s.reason.split(" ")[0]) for s in skipped)
    assert where == [
        ("full_dataset_formatted.csv:5", "duplicate"),
        ("full_dataset_formatted.csv:6", "'date'"),
        ("posts.csv:4", "'date'"),
        ("posts.csv:6", "'id'"),
        ("posts.csv:7", "empty"),
        ("posts.csv:8", "duplicate"),
    ]


def test_unknown_csv_is_rejected(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("a,b\n1,2\n")
    with pytest.raises(FormatError, match="not an EUvsDisinfo dump"):
        read_euvsdisinfo(p)


def test_cli_import_list_search_remove(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "list"]) == 0
    assert "no catalogues" in capsys.readouterr().out
    assert main(["catalog", "import", "euvsdisinfo", str(FIX / "posts.csv")]) == 0
    out, err = capsys.readouterr()
    assert "added 4" in out and "posts.csv:4" in err
    assert main(["catalog", "import", "euvsdisinfo", str(FIX / "posts.csv")]) == 0
    assert "added 0" in capsys.readouterr().out
    assert main(["catalog", "import", "jsonl", str(FIX / "claims.jsonl"), "-n", "mine"]) == 0
    capsys.readouterr()
    assert main(["catalog", "list"]) == 0
    out = capsys.readouterr().out
    assert "euvsdisinfo\t4 claims" in out and "mine\t7 claims" in out
    assert main(["catalog", "search", "NATO prepares an attack on Russia", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["claim"] == "NATO is preparing to attack Russia" and rows[0]["similarity"] > 0.8
    assert main(["catalog", "search", "NATO prepares an attack on Russia", "-c", "mine"]) == 0
    assert "resembles: NATO is preparing to attack Russia" in capsys.readouterr().out
    assert main(["catalog", "search", "The library opens at nine."]) == 0
    assert "no known claim resembles" in capsys.readouterr().out
    assert main(["catalog", "remove", "mine"]) == 0
    assert main(["catalog", "search", "x", "-c", "mine"]) == 1
    assert "error: no catalogue 'mine'" in capsys.readouterr().err


def test_import_reports_progress() -> None:
    seen: list[tuple[int, int]] = []
    import_file("jsonl", FIX / "claims.jsonl", name="p", progress=lambda d, t: seen.append((d, t)))
    assert seen == [(7, 7)]


def test_cli_search_guard(capsys: pytest.CaptureFixture[str]) -> None:
    import_file("jsonl", FIX / "claims.jsonl", name="mine")
    text = "Russia is preparing to attack NATO"
    assert main(["catalog", "search", text, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []  # reversed roles: vetoed
    assert main(["catalog", "search", text, "--json", "--no-guard"]) == 0
    assert json.loads(capsys.readouterr().out)[0]["id"] == "c1"
